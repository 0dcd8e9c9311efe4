"""CloudWatch alarms: how punctual the evaluator is, and whether 1,000 alarms keep it in time.

Run as ``python bench/cloudwatch_cases.py``; prints one JSON object on its last line, whose
``rows`` are the table lines ``bench/run.py`` prints.

- punctuality: an alarm with a 10 s period gets one breaching datum inside the running period;
  the figure is the time from that period's end to the alarm's ``StateUpdate`` history item
  (the issue's goal: within 2 s), over several trials.
- 1,000 alarms: 1,000 alarms (10 s periods) on 100 metrics whose data, put ahead of time,
  crosses each threshold every other period, so every alarm changes state at each boundary;
  over three periods, the evaluator thread's CPU time over the wall time (its share of one core),
  the process's share (the emulator's server threads, idle but for the evaluator), the state
  changes counted, and the latest any evaluation ran after it was due.
"""

from __future__ import annotations

import json
import math
import os
import statistics
import sys
import time
from datetime import UTC, datetime

PERIOD = 10
TRIALS = 3
ALARMS = 1_000
METRICS = 100


def _start():
    import boto3

    from lakelab.emulator import Emulator

    emulator = Emulator().start()
    os.environ.update(AWS_ENDPOINT_URL=emulator.endpoint, AWS_ACCESS_KEY_ID="testing",
                      AWS_SECRET_ACCESS_KEY="testing", AWS_DEFAULT_REGION="us-east-1")
    return emulator, boto3.client("cloudwatch")


def _alarm(cloudwatch, name: str, metric: str) -> None:
    cloudwatch.put_metric_alarm(AlarmName=name, Namespace="Bench", MetricName=metric, Statistic="Maximum",
                                Period=PERIOD, EvaluationPeriods=1, Threshold=100.0, TreatMissingData="ignore",
                                ComparisonOperator="GreaterThanThreshold")


def punctuality(cloudwatch) -> list[float]:
    late = []
    for trial in range(TRIALS):
        name = f"punctual-{trial}"
        _alarm(cloudwatch, name, f"Lag{trial}")
        now = time.time()
        period_end = math.ceil(now / PERIOD) * PERIOD
        if period_end - now < 2:
            time.sleep(period_end - now + 0.1)
            period_end += PERIOD
        cloudwatch.put_metric_data(Namespace="Bench", MetricData=[
            {"MetricName": f"Lag{trial}", "Value": 500.0, "Timestamp": datetime.now(UTC)}])
        time.sleep(max(0.0, period_end - time.time()) + 2.5)
        history = cloudwatch.describe_alarm_history(AlarmName=name, HistoryItemType="StateUpdate")
        changed = [h["Timestamp"].timestamp() for h in history["AlarmHistoryItems"]
                   if "to ALARM" in h["HistorySummary"]]
        late.append(min(changed) - period_end if changed else float("inf"))
    return late


def many_alarms(cloudwatch) -> dict:
    from lakelab.emulator import seam
    from lakelab.emulator.context import DEFAULT_ACCOUNT
    from lakelab.emulator.services.cloudwatch import alarms, evaluator

    def state_changes() -> int:
        history = alarms.history(seam.backend("cloudwatch", DEFAULT_ACCOUNT, "us-east-1"))
        return sum(1 for item in list(history) if item["HistoryItemType"] == "StateUpdate")

    start = math.floor(time.time() / PERIOD) * PERIOD
    data = [{"MetricName": f"Rows{m}", "Value": 500.0 if (k % 2) else 10.0,
             "Timestamp": datetime.fromtimestamp(start + k * PERIOD + 1, UTC)}
            for m in range(METRICS) for k in range(-2, 8)]
    for first in range(0, len(data), 500):
        cloudwatch.put_metric_data(Namespace="Bench", MetricData=data[first:first + 500])
    created = time.perf_counter()
    for number in range(ALARMS):
        _alarm(cloudwatch, f"rows-{number}", f"Rows{number % METRICS}")
    create_seconds = time.perf_counter() - created
    boundary = math.ceil(time.time() / PERIOD) * PERIOD
    time.sleep(boundary - time.time() + 0.05)  # measure whole periods, from a boundary on
    figures = evaluator.figures()
    evaluations, busy, wall, process = figures.evaluations, figures.busy_seconds, time.time(), time.process_time()
    changes = state_changes()
    figures.worst_lateness = 0.0
    time.sleep(3 * PERIOD)
    wall, process = time.time() - wall, time.process_time() - process
    return {"create_s": create_seconds, "evaluations": figures.evaluations - evaluations,
            "state_changes": state_changes() - changes,
            "evaluator_cpu_share": (figures.busy_seconds - busy) / wall, "process_cpu_share": process / wall,
            "worst_lateness_s": figures.worst_lateness, "wall_s": wall}


def main() -> None:
    emulator, cloudwatch = _start()
    try:
        late = punctuality(cloudwatch)
        many = many_alarms(cloudwatch)
    finally:
        emulator.stop()
    rows = [
        ("CloudWatch: alarm state change after the period ends", statistics.median(late),
         f"median of {TRIALS}, worst {max(late):.2f} s (goal ≤ 2 s)"),
        (f"CloudWatch: PutMetricAlarm x {ALARMS:,} through boto3", many["create_s"],
         f"{many['create_s'] / ALARMS * 1000:.1f} ms per alarm"),
        (f"CloudWatch: {ALARMS:,} alarms evaluated for {many['wall_s']:.0f} s", many["evaluator_cpu_share"] * 100,
         f"% of one core for the evaluator ({many['process_cpu_share'] * 100:.1f} % for the whole process); "
         f"{many['evaluations']:,} evaluations, {many['state_changes']:,} state changes, "
         f"latest {many['worst_lateness_s']:.2f} s after due"),
    ]
    print(json.dumps({"punctuality_s": late, **many, "rows": rows}))


if __name__ == "__main__":
    sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "src"))
    main()
