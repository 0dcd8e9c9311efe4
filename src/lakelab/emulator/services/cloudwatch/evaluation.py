"""A metric alarm's next state, decided as "Evaluating an alarm" and "Configuring how CloudWatch
alarms treat missing data" describe (https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/
AlarmThatSendsEmail.html#alarm-evaluation and #alarms-and-missing-data):

- the alarm reads the periods that have ended, aligned on its period; the *evaluation range* is the
  last ``EvaluationPeriods + 2`` of them (AWS retrieves "a higher number of data points than the
  number specified as Evaluation Periods"; its own example shows five for three -- the exact
  number is unverified);
- with at least ``EvaluationPeriods`` real datapoints in the range, the most recent
  ``EvaluationPeriods`` of them are evaluated and ``TreatMissingData`` is not used;
- with none, ``missing`` goes to INSUFFICIENT_DATA, ``ignore`` keeps the state, ``breaching`` goes
  to ALARM and ``notBreaching`` to OK;
- with some, the real ones plus as few missing ones as needed (the most recent) are evaluated,
  the missing ones counting as breaching or not as ``TreatMissingData`` says; with ``missing`` and
  ``ignore`` they count as neither, and the state changes only when the real datapoints decide it
  (enough breaching ones for ALARM, too many non-breaching ones for ALARM to be possible: OK) --
  this reading of the documented table is unverified for partly missing ranges;
- the alarm goes to ALARM when at least ``DatapointsToAlarm`` of the evaluated datapoints breach;
- a percentile alarm with ``EvaluateLowSampleCountPercentile: ignore`` keeps its state while the
  latest period has fewer samples than the percentile needs (``_too_few_samples``).
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from lakelab.emulator.services.cloudwatch import expressions, series

EXTRA_PERIODS = 2
STATIC_OPERATORS = {
    "GreaterThanOrEqualToThreshold": (lambda v, t: v >= t, "greater than or equal to"),
    "GreaterThanThreshold": (lambda v, t: v > t, "greater than"),
    "LessThanThreshold": (lambda v, t: v < t, "less than"),
    "LessThanOrEqualToThreshold": (lambda v, t: v <= t, "less than or equal to"),
}
BAND_OPERATORS = {
    "LessThanLowerOrGreaterThanUpperThreshold": "outside the band",
    "GreaterThanUpperThreshold": "greater than the upper thresholds",
    "LessThanLowerThreshold": "less than the lower thresholds",
}
HISTORY_SECONDS = 14 * 24 * 3600


@dataclass
class Outcome:
    state: str
    reason: str
    reason_data: str


def period_of(alarm: Any) -> int:
    if alarm.metric_data_queries:
        returned = [q for q in alarm.metric_data_queries if q.metric_stat is not None]
        periods = [int(q.metric_stat.period) for q in returned if q.metric_stat.period]
        periods += [int(q.period) for q in alarm.metric_data_queries if q.period]
        return min(periods) if periods else 60
    return int(alarm.period)


def evaluate(backend: Any, alarm: Any, now: float) -> Outcome | None:
    """The state ``alarm`` should be in at ``now`` (None: keep the current one)."""
    period = period_of(alarm)
    count = int(alarm.evaluation_periods)
    needed = int(alarm.datapoints_to_alarm or count)
    end = math.floor(now / period) * period
    start = end - (count + EXTRA_PERIODS) * period
    values, bands = _values(backend, alarm, period, start, end, now)
    stamps = [start + i * period for i in range(count + EXTRA_PERIODS)]
    real = [(t, values[t]) for t in stamps if t in values]
    chosen = real[-count:]
    if chosen and _too_few_samples(backend, alarm, period, chosen[-1][0]):
        return None  # EvaluateLowSampleCountPercentile "ignore": the state does not change
    breaching = [(t, v) for t, v in chosen if _breaches(alarm, v, bands, t)]
    treatment = alarm.treat_missing_data or "missing"
    fill = count - len(chosen)
    data = _reason_data(alarm, now, start, period, chosen, count)
    if not real:
        return _all_missing(alarm, treatment, count, data)
    fill_breaching = fill if treatment == "breaching" else 0
    total_breaching = len(breaching) + fill_breaching
    if total_breaching >= needed:
        return Outcome("ALARM", _crossed(alarm, breaching, count, needed, "OK -> ALARM", fill_breaching), data)
    not_breaching = len(chosen) - len(breaching) + (fill if treatment == "notBreaching" else 0)
    if treatment in ("missing", "ignore") and fill and not_breaching <= count - needed:
        return None  # the real datapoints do not decide it
    kept = [(t, v) for t, v in chosen if (t, v) not in breaching]
    return Outcome("OK", _crossed(alarm, kept, count, needed, "ALARM -> OK", 0, negated=True), data)


def _too_few_samples(backend: Any, alarm: Any, period: int, stamp: float) -> bool:
    """A percentile over fewer datapoints than "Percentile-based alarms and low data samples" asks:
    10 / (1 - p) for p >= 0.5, 10 / p below (https://docs.aws.amazon.com/AmazonCloudWatch/latest/
    monitoring/AlarmThatSendsEmail.html#percentiles-with-low-samples)."""
    stat = alarm.extended_statistic or ""
    if alarm.evaluate_low_sample_count_percentile != "ignore" or not stat.startswith("p") or alarm.metric_data_queries:
        return False
    fraction = float(stat[1:]) / 100
    if not 0 < fraction < 1:
        return False  # p0 and p100 are the minimum and maximum: one datapoint is enough (unverified)
    needed = 10 / (1 - fraction) if fraction >= 0.5 else 10 / fraction
    dimensions = [{"Name": d.name, "Value": d.value} for d in alarm.dimensions]
    metric = series.key(alarm.namespace, alarm.metric_name, dimensions)
    counts = series.periods(backend, metric, "SampleCount", period, stamp, stamp + period, alarm.unit)
    return counts.get(stamp, 0.0) < needed


def _values(backend: Any, alarm: Any, period: int, start: float, end: float,
            now: float) -> tuple[dict[float, float], expressions.Band | None]:
    if not alarm.metric_data_queries:
        metric = series.key(alarm.namespace, alarm.metric_name,
                            [{"Name": d.name, "Value": d.value} for d in alarm.dimensions])
        stat = alarm.extended_statistic or alarm.statistic
        return series.periods(backend, metric, stat, period, start, end, alarm.unit), None
    from lakelab.emulator.services.cloudwatch import queries

    results = queries.run(backend, [query_dict(q) for q in alarm.metric_data_queries], start, end, now, align=period)
    returned = next(q.id for q in alarm.metric_data_queries if q.return_data in (None, True, "true"))
    band = results.get(alarm.threshold_metric_id) if alarm.threshold_metric_id else None
    value = results.get(returned, {})
    return (value if isinstance(value, dict) else {}), (band if isinstance(band, expressions.Band) else None)


def query_dict(query: Any) -> dict[str, Any]:
    """moto's MetricDataQuery as the API's ``MetricDataQuery`` shape."""
    answer: dict[str, Any] = {"Id": query.id, "ReturnData": query.return_data not in (False, "false")}
    if query.expression:
        answer["Expression"] = query.expression
    if query.period:
        answer["Period"] = int(query.period)
    if query.label:
        answer["Label"] = query.label
    if query.metric_stat is not None:
        stat = query.metric_stat
        answer["MetricStat"] = {"Metric": {"Namespace": stat.metric.namespace, "MetricName": stat.metric.metric_name,
                                           "Dimensions": [{"Name": d.name, "Value": d.value}
                                                          for d in stat.metric.dimensions]},
                                "Period": int(stat.period), "Stat": stat.stat}
        if stat.unit:
            answer["MetricStat"]["Unit"] = stat.unit
    return answer


def _breaches(alarm: Any, value: float, band: expressions.Band | None, stamp: float) -> bool:
    operator = alarm.comparison_operator
    if operator in STATIC_OPERATORS:
        return STATIC_OPERATORS[operator][0](value, float(alarm.threshold))
    if band is None or stamp not in band.lower:
        return False
    lower, upper = band.lower[stamp], band.upper[stamp]
    if operator == "GreaterThanUpperThreshold":
        return value > upper
    if operator == "LessThanLowerThreshold":
        return value < lower
    return value < lower or value > upper


def _all_missing(alarm: Any, treatment: str, count: int, data: str) -> Outcome | None:
    if treatment == "ignore":
        return None
    if treatment == "missing":
        plural = "datapoint was" if count == 1 else "datapoints were"
        return Outcome("INSUFFICIENT_DATA", f"Insufficient Data: {count} {plural} unknown.", data)
    state, treated = ("ALARM", "Breaching") if treatment == "breaching" else ("OK", "NonBreaching")
    return Outcome(state, f"Threshold Crossed: no datapoints were received for {count} period"
                   f"{'s' if count != 1 else ''} and {count} missing datapoint{'s were' if count != 1 else ' was'} "
                   f"treated as [{treated}].", data)


def _crossed(alarm: Any, shown: list[tuple[float, float]], count: int, needed: int, transition: str,
             filled: int, negated: bool = False) -> str:
    """AWS's ``StateReason`` for a threshold crossing (the wording of its alarm notifications)."""
    listed = ", ".join(f"{v!r} ({datetime.fromtimestamp(t, UTC):%d/%m/%y %H:%M:%S})" for t, v in reversed(shown))
    operator = alarm.comparison_operator
    words = STATIC_OPERATORS[operator][1] if operator in STATIC_OPERATORS else BAND_OPERATORS.get(operator, "")
    comparison = f"{'not ' if negated else ''}{words}"
    threshold = f"the threshold ({float(alarm.threshold)!r})" if alarm.comparison_operator in STATIC_OPERATORS \
        else "the band"
    number = len(shown) + filled
    if count == 1:
        return f"Threshold Crossed: 1 datapoint [{listed}] was {comparison} {threshold}."
    extra = f" and {filled} missing datapoint{'s' if filled != 1 else ''} treated as [Breaching]" if filled else ""
    verb = "was" if number == 1 else "were"
    return (f"Threshold Crossed: {len(shown)} out of the last {count} datapoints [{listed}]{extra} {verb} "
            f"{comparison} {threshold} (minimum {needed} datapoint{'s' if needed != 1 else ''} for "
            f"{transition} transition).")


def _iso(stamp: float) -> str:
    return datetime.fromtimestamp(stamp, UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{int(stamp * 1000) % 1000:03d}+0000"


def _reason_data(alarm: Any, now: float, start: float, period: int, chosen: list[tuple[float, float]],
                 count: int) -> str:
    data: dict[str, Any] = {"version": "1.0", "queryDate": _iso(now), "startDate": _iso(start + 2 * period)}
    if not alarm.metric_data_queries:
        if alarm.extended_statistic:
            data["extendedStatistic"] = alarm.extended_statistic
        else:
            data["statistic"] = alarm.statistic
        data["unit"] = alarm.unit
    data["period"] = period
    data["recentDatapoints"] = [v for _, v in chosen]
    if alarm.comparison_operator in STATIC_OPERATORS:
        data["threshold"] = float(alarm.threshold)
    data["evaluatedDatapoints"] = [{"timestamp": _iso(t), "value": v} for t, v in reversed(chosen)]
    if data.get("unit") is None:
        data.pop("unit", None)
    return json.dumps(data)


def history_series(backend: Any, query: dict[str, Any], now: float) -> dict[float, float]:
    """Two weeks of a MetricStat query, for ANOMALY_DETECTION_BAND."""
    stat = query["MetricStat"]
    metric = series.key(stat["Metric"]["Namespace"], stat["Metric"]["MetricName"], stat["Metric"].get("Dimensions"))
    return series.periods(backend, metric, stat["Stat"], int(stat["Period"]), now - HISTORY_SECONDS, now,
                          stat.get("Unit"))
