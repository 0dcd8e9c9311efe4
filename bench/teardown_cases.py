"""Teardown of week 8's kinds in a busy account: finding the course's among many, then removing them.

Run as ``python bench/teardown_cases.py``; prints one JSON object on its last line, whose ``rows`` are
the table lines ``bench/run.py`` prints. The account holds 1,000 metric alarms (20 the course's), 50
composite alarms (5 the course's, in a chain), 100 dashboards (5 the course's), 500 metric filters on
100 log groups (10 filters the course's, on its function's group) and 3 Redshift Serverless namespaces
with a workgroup each (1 the course's). The figures: the sweepers of those kinds listing everything
(median of five), teardown finding week 8's resources (every kind's sweeper, cold), then removing them.
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import time

KINDS = ("composite alarm", "alarm", "dashboard", "subscription filter", "metric filter", "redshift workgroup",
         "redshift namespace", "log group")
COURSE = {"course": "lakelab", "learner": "learner", "week": "08"}
TAGS = [{"Key": k, "Value": v} for k, v in COURSE.items()]


def _start():
    from lakelab.emulator import Emulator

    emulator = Emulator().start()
    os.environ.update(AWS_ENDPOINT_URL=emulator.endpoint, AWS_ACCESS_KEY_ID="testing",
                      AWS_SECRET_ACCESS_KEY="testing", AWS_DEFAULT_REGION="us-east-1", LAKELAB_LEARNER="learner",
                      AWS_DISABLE_HOST_PREFIX_INJECTION="true")  # as a lab kernel runs (MWAA's "api." prefix)
    return emulator


def _busy_account() -> int:
    """Fill the account; answer how many resources are the course's."""
    import boto3

    cloudwatch, logs, serverless = boto3.client("cloudwatch"), boto3.client("logs"), boto3.client("redshift-serverless")
    for n in range(1000):
        ours = n < 20
        cloudwatch.put_metric_alarm(
            AlarmName=f"lakelab-learner-alarm-{n}" if ours else f"team-alarm-{n}", Namespace="Bench",
            MetricName=f"m{n % 100}", Statistic="Maximum", Period=60, EvaluationPeriods=1, Threshold=1,
            ComparisonOperator="GreaterThanThreshold", Tags=TAGS if ours else [])
    for n in reversed(range(50)):  # a chain: each composite alarm names the next, which must exist first
        ours = n < 5
        name = f"lakelab-learner-composite-{n}" if ours else f"team-composite-{n}"
        child = f"lakelab-learner-composite-{n + 1}" if ours and n < 4 else f"lakelab-learner-alarm-{n % 20}"
        cloudwatch.put_composite_alarm(AlarmName=name, AlarmRule=f"ALARM({child})", Tags=TAGS if ours else [])
    body = json.dumps({"widgets": []})
    for n in range(100):
        cloudwatch.put_dashboard(DashboardName=f"lakelab-learner-board-{n}" if n < 5 else f"team-board-{n}",
                                 DashboardBody=body)
    for g in range(100):
        group = "/aws/lambda/lakelab-learner-feed-validator" if g == 0 else f"/team/app-{g}"
        logs.create_log_group(logGroupName=group, tags=COURSE if g == 0 else {})
        for f in range(5 if g else 10):
            logs.put_metric_filter(logGroupName=group, filterName=f"filter-{f}", filterPattern="ERROR",
                                   metricTransformations=[{"metricName": f"e{f}", "metricNamespace": "Bench",
                                                           "metricValue": "1"}])
    for n in range(3):
        name = "lakelab-learner-warehouse" if n == 0 else f"team-warehouse-{n}"
        tags = [{"key": k, "value": v} for k, v in COURSE.items()] if n == 0 else []
        serverless.create_namespace(namespaceName=name, tags=tags)
        serverless.create_workgroup(workgroupName=name, namespaceName=name, baseCapacity=8, tags=tags)
    return 20 + 5 + 5 + 10 + 1 + 1 + 1  # alarms, composites, dashboards, filters, workgroup, namespace, log group


def main() -> None:
    from lakelab.lab import sweepers, teardown

    emulator = _start()
    try:
        ours = _busy_account()
        prefix = "lakelab-learner-"
        chosen = [sweeper for kind, sweeper in sweepers.ORDER if kind in KINDS]
        listings = []
        for _ in range(5):
            started = time.perf_counter()
            found = [item for sweeper in chosen for item in sweeper(prefix)]
            listings.append(time.perf_counter() - started)
        started = time.perf_counter()
        removed = [r for r in teardown.find(week=8) if r.kind in KINDS]
        finding = time.perf_counter() - started
        started = time.perf_counter()
        for resource in removed:
            resource.remove()
        removing = time.perf_counter() - started
        assert len(removed) == ours, (len(found), [(r.kind, r.name) for r in removed])
        assert teardown.find(week=8) == []
    finally:
        emulator.stop()
    rows = [
        ("teardown: list alarms, dashboards, filters, Serverless", statistics.median(listings),
         "1,050 alarms, 100 dashboards, 500 metric filters, 3 workgroups in the account; median of 5"),
        ("teardown: find week 8's resources (every kind's sweeper)", finding,
         "first listing of every service's kinds, cold"),
        (f"teardown: remove week 8's {ours} of them", removing, f"{removing / ours * 1000:.0f} ms per resource")]
    print(json.dumps({"listing_s": listings, "finding_s": finding, "removing_s": removing, "rows": rows}))


if __name__ == "__main__":
    sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "src"))
    main()
    os._exit(0)  # skip the slow interpreter teardown of the emulator's threads and workers
