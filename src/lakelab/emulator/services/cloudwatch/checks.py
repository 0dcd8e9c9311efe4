"""What ``PutMetricAlarm`` refuses (API reference: https://docs.aws.amazon.com/AmazonCloudWatch/latest/
APIReference/API_PutMetricAlarm.html). Messages AWS documents are copied; the others are the
emulator's own wording (marked unverified), with AWS's error codes.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from lakelab.emulator import seam
from lakelab.emulator.services.cloudwatch import alarms, evaluation, queries, series


def metric_alarm(get: Callable[[str], Any]) -> None:
    """Refuse a metric alarm configuration AWS refuses, or that this emulator cannot evaluate."""
    metrics = get("Metrics") or []
    statistic, extended = get("Statistic"), get("ExtendedStatistic")
    if metrics:
        _metric_math(get, metrics)
    else:
        if not get("MetricName") or not get("Namespace"):
            raise seam.CloudWatchValidationError(  # unverified wording
                "MetricName and Namespace must be specified, or Metrics.")
        if bool(statistic) == bool(extended):
            raise seam.CloudWatchInvalidParameterCombination(
                "Exactly one element of Statistic and ExtendedStatistic must be specified.")  # unverified
        if extended and not series.supported(extended):
            raise seam.CloudWatchInvalidParameterValue(
                f"The value {extended} for parameter ExtendedStatistic is not supported.")
        _period(get("Period"), "Period")
    _evaluation(get)
    operator = get("ComparisonOperator")
    if operator in evaluation.BAND_OPERATORS and not get("ThresholdMetricId"):
        raise seam.CloudWatchValidationError(
            f"ComparisonOperator {operator} needs ThresholdMetricId (an ANOMALY_DETECTION_BAND).")  # unverified
    if operator in evaluation.STATIC_OPERATORS and get("Threshold") is None:
        raise seam.CloudWatchValidationError("Threshold must be specified for a static threshold.")  # unverified
    for parameter in ("AlarmActions", "OKActions", "InsufficientDataActions"):
        alarms.check_actions(get(parameter) or [])


def _evaluation(get: Callable[[str], Any]) -> None:
    periods, needed = int(get("EvaluationPeriods") or 0), get("DatapointsToAlarm")
    if periods < 1:
        raise seam.CloudWatchValidationError("EvaluationPeriods must be at least 1.")  # unverified
    if needed is not None and not 1 <= int(needed) <= periods:
        raise seam.CloudWatchValidationError(
            "DatapointsToAlarm must be between 1 and EvaluationPeriods.")  # unverified
    treatment = get("TreatMissingData")
    if treatment is not None and treatment not in alarms.TREATMENTS:
        raise seam.CloudWatchValidationError(
            f"Option {treatment} is not supported. Supported options for parameter TreatMissingData are "
            "breaching, notBreaching, ignore and missing.")  # modelled on moto's EvaluateLowSampleCountPercentile


def _period(value: Any, name: str) -> None:
    period = int(value or 0)
    if period not in (10, 20, 30) and (period < 60 or period % 60):
        raise seam.CloudWatchValidationError(
            f"The parameter {name} must be 10, 20, 30 or a multiple of 60.")  # unverified wording


def _metric_math(get: Callable[[str], Any], metrics: list[dict[str, Any]]) -> None:
    if get("MetricName") or get("Namespace") or get("Statistic") or get("ExtendedStatistic") or get("Period"):
        raise seam.CloudWatchInvalidParameterCombination(
            "MetricName, Namespace, Statistic, ExtendedStatistic, Period and Dimensions cannot be used with "
            "Metrics.")  # unverified
    returning = [m for m in metrics if m.get("ReturnData", True) not in (False, "false")
                 and m.get("Id") != get("ThresholdMetricId")]
    if len(returning) != 1:
        raise seam.CloudWatchValidationError("Exactly one element of the metrics list should return data.")
    for metric in metrics:
        if metric.get("MetricStat"):
            _period(metric["MetricStat"].get("Period"), "Metrics.MetricStat.Period")
    queries.check(metrics)
