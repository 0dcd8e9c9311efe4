"""Metric filters that publish: ``PutMetricFilter`` checked, ``TestMetricFilter``, and metrics put
as matching events arrive ("Creating metrics from log events using filters":
https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/MonitoringLogData.html and the
``MetricTransformation`` reference).

Each matching event puts one datum in the filter's namespace, with the event's timestamp: the
``metricValue`` (a number, or ``$.path`` / ``$field`` read from the event: an event whose value is
not a number puts nothing), the ``unit``, and the ``dimensions`` read from the event. A
``defaultValue`` is put for a batch of events none of which matched (AWS: "reported to
CloudWatch Logs for every log event that didn't match", aggregated per minute; here one datum of
that value per non-matching batch, unverified). A filter with dimensions cannot have a default
value, as AWS refuses it.
"""

from __future__ import annotations

import time

from collections.abc import Iterable
from typing import Any

from lakelab.emulator import seam
from lakelab.emulator.services.logs import filter_patterns


def _refuse(message: str) -> Exception:
    return seam.LogsInvalidParameterException(message)


def pattern(text: str | None) -> filter_patterns.Pattern:
    try:
        return filter_patterns.parse(text)
    except filter_patterns.PatternError as error:
        raise _refuse(str(error)) from None


def checks_put(put_metric_filter: Any) -> Any:
    def checked(self: Any, filter_name: str, filter_pattern: str, log_group_name: str,
                metric_transformations: Any) -> None:
        pattern(filter_pattern)
        if log_group_name not in self.groups:
            raise seam.LogsResourceNotFound("The specified log group does not exist.")
        for transformation in metric_transformations:
            _check_transformation(transformation)
        self.filters.delete_filter(filter_name, log_group_name)  # a put replaces the filter of that name
        answer = put_metric_filter(self, filter_name, filter_pattern, log_group_name, metric_transformations)
        for stored in self.filters.metric_filters:  # AWS's MetricFilter has creationTime; moto keeps none
            if (stored["filterName"], stored["logGroupName"]) == (filter_name, log_group_name):
                stored.setdefault("creationTime", int(time.time() * 1000))
        return answer

    return checked


def _check_transformation(transformation: dict[str, Any]) -> None:
    value = str(transformation.get("metricValue", ""))
    if not value.startswith("$") and _number(value) is None:
        raise _refuse(f"Invalid metric value: {value} (a number, or a $ selector)")  # unverified wording
    if transformation.get("dimensions") and transformation.get("defaultValue") is not None:
        raise _refuse("dimensions and defaultValue cannot both be specified")  # unverified wording
    if len(transformation.get("dimensions") or {}) > 3:
        raise _refuse("A metric filter can have at most 3 dimensions")  # unverified wording


def _number(value: Any) -> float | None:
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def test_metric_filter(response: Any) -> str:
    """``TestMetricFilter``: which of ``logEventMessages`` match, with the fields extracted."""
    import json

    compiled = pattern(response._get_param("filterPattern"))
    matches = []
    for number, message in enumerate(response._get_param("logEventMessages") or [], 1):
        found = compiled.match(message)
        if found is not None:
            matches.append({"eventNumber": number, "eventMessage": message, "extractedValues": found.extracted})
    return json.dumps({"matches": matches})


def publish(account_id: str, region: str, group_name: str, events: Iterable[Any]) -> None:
    """Put the metrics of every metric filter of ``group_name`` for ``events`` (moto LogEvents)."""
    filters = seam.backend("logs", account_id, region).filters.get_matching_filters(log_group_name=group_name)
    if not filters:
        return
    events = list(events)
    cloudwatch = seam.backend("cloudwatch", account_id, region)
    for metric_filter in filters:
        compiled = filter_patterns.parse(metric_filter["filterPattern"])
        matched = [(event, m) for event in events if (m := compiled.match(event.message)) is not None]
        for transformation in metric_filter["metricTransformations"]:
            data = [d for event, found in matched if (d := _datum(transformation, event, found))]
            if not matched and transformation.get("defaultValue") is not None:
                data = [{"MetricName": transformation["metricName"], "Value": float(transformation["defaultValue"]),
                         "Timestamp": seam.utcnow()}]
            if data:
                cloudwatch.put_metric_data(transformation["metricNamespace"], data)


def _datum(transformation: dict[str, Any], event: Any, found: filter_patterns.Match) -> dict[str, Any] | None:
    from datetime import UTC, datetime

    raw = str(transformation["metricValue"])
    value = _number(found.value_of(raw)) if raw.startswith("$") else _number(raw)
    if value is None:
        return None
    datum: dict[str, Any] = {"MetricName": transformation["metricName"], "Value": value,
                             "Timestamp": datetime.fromtimestamp(event.timestamp / 1000, UTC).replace(tzinfo=None)}
    if transformation.get("unit"):
        datum["Unit"] = transformation["unit"]
    dimensions = []
    for name, selector in (transformation.get("dimensions") or {}).items():
        dimension_value = found.value_of(selector) if str(selector).startswith("$") else selector
        if dimension_value is None:
            return None  # an event lacking a dimension's field puts nothing (unverified)
        dimensions.append({"Name": name, "Value": str(dimension_value)})
    if dimensions:
        datum["Dimensions"] = dimensions
    return datum
