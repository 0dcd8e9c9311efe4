"""CloudWatch operations answered here (methods installed on moto's ``CloudWatchResponse``).

Each takes moto's response object (``response._get_param``, ``response.cloudwatch_backend``) and
returns an ``ActionResult``, which moto serializes in whichever protocol the SDK spoke.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from lakelab.emulator import seam
from lakelab.emulator.services.cloudwatch import alarms, checks, composite, dashboards, evaluation, evaluator
from lakelab.emulator.services.cloudwatch import queries as metric_queries


def put_metric_alarm(original: Any) -> Any:
    def checked_put(response: Any) -> Any:
        checks.metric_alarm(response._get_param)
        backend = response.cloudwatch_backend
        previous = backend.alarms.get(response._get_param("AlarmName"))
        answer = original(response)
        _after_put(backend, backend.alarms[response._get_param("AlarmName")], previous)
        return answer

    return checked_put


def _after_put(backend: Any, alarm: Any, previous: Any | None) -> None:
    alarms.initialise(backend, alarm, previous)
    evaluator.watch(backend.account_id, backend.region_name, alarm.name)


def put_composite_alarm(response: Any) -> Any:
    """``PutCompositeAlarm`` (moto has none): checked, stored as an alarm with a rule, evaluated."""
    get, backend = response._get_param, response.cloudwatch_backend
    name, rule = get("AlarmName"), get("AlarmRule")
    composite.check(backend, rule)
    if name in composite.names(composite.parse(rule)):
        raise seam.CloudWatchValidationError("A composite alarm cannot name itself in its rule.")  # unverified
    for parameter in ("AlarmActions", "OKActions", "InsufficientDataActions"):
        alarms.check_actions(get(parameter) or [])
    if get("ActionsSuppressor"):
        raise seam.CloudWatchValidationError("ActionsSuppressor is not supported by the Lake Labs emulator.")
    previous = backend.alarms.get(name)
    enabled = get("ActionsEnabled")
    alarm = seam.original("CloudWatchBackend", "put_metric_alarm")(
        backend, name=name, namespace=None, metric_name=None, comparison_operator=None, evaluation_periods=None,
        period=None, threshold=None, statistic=None, description=get("AlarmDescription"), dimensions=[],
        alarm_actions=get("AlarmActions") or [], ok_actions=get("OKActions") or [],
        insufficient_data_actions=get("InsufficientDataActions") or [],
        actions_enabled=True if enabled is None else enabled in (True, "true"), rule=rule, tags=get("Tags") or [])
    _after_put(backend, alarm, previous)
    return seam.EmptyResult()


def delete_alarms(original: Any) -> Any:
    """DeleteAlarms as its API reference has it: "no more than one composite alarm" a call, and an alarm a
    composite alarm depends on cannot go while that composite stays (the words of both errors are ours)."""

    def delete(self: Any, alarm_names: list[str]) -> None:
        named = [self.alarms[name] for name in alarm_names if name in self.alarms]
        composites = sorted(alarm.name for alarm in named if alarm.rule)
        if len(composites) > 1:
            raise seam.CloudWatchValidationError(
                f"DeleteAlarms takes at most one composite alarm a call; this one names {len(composites)}: "
                f"{', '.join(composites)}")
        for alarm in named:
            still = sorted(parent.name for parent in composite.parents(self, alarm.name)
                           if parent.name not in alarm_names)
            if still:
                raise seam.CloudWatchValidationError(
                    f"Alarm {alarm.name} cannot be deleted: composite alarm(s) {', '.join(still)} depend on it; "
                    f"delete or change them first")
        return original(self, alarm_names)

    return delete


def describe_alarms(response: Any) -> Any:
    """``DescribeAlarms`` with its filters combined, as the API reference lists them."""
    get, backend = response._get_param, response.cloudwatch_backend
    chosen = list(backend.alarms.values())
    if get("AlarmNames"):
        chosen = [a for a in chosen if a.name in get("AlarmNames")]
    if get("AlarmNamePrefix"):
        chosen = [a for a in chosen if a.name.startswith(get("AlarmNamePrefix"))]
    if get("StateValue"):
        chosen = [a for a in chosen if a.state_value == get("StateValue")]
    if get("ActionPrefix"):
        chosen = [a for a in chosen if any(x.startswith(get("ActionPrefix")) for x in a.alarm_actions or [])]
    if get("ChildrenOfAlarmName"):
        parent = backend.alarms.get(get("ChildrenOfAlarmName"))
        children = composite.names(composite.parse(parent.rule)) if parent is not None and parent.rule else set()
        chosen = [a for a in chosen if a.name in children]
    if get("ParentsOfAlarmName"):
        parents = {a.name for a in composite.parents(backend, get("ParentsOfAlarmName"))}
        chosen = [a for a in chosen if a.name in parents]
    types = get("AlarmTypes") or ["MetricAlarm"]  # "If you omit this parameter, only metric alarms are returned"
    chosen = sorted((a for a in chosen if ("CompositeAlarm" if a.rule else "MetricAlarm") in types),
                    key=lambda a: a.name)
    start, size = int(get("NextToken") or 0), int(get("MaxRecords") or 50)  # 50 by default, as on AWS
    if not 1 <= size <= 100:
        raise seam.CloudWatchValidationError("MaxRecords must be between 1 and 100.")  # unverified wording
    page = chosen[start:start + size]
    answer: dict[str, Any] = {"MetricAlarms": [metric_alarm(a) for a in page if not a.rule],
                              "CompositeAlarms": [composite_alarm(a) for a in page if a.rule]}
    if start + size < len(chosen):
        answer["NextToken"] = str(start + size)
    return seam.ActionResult(answer)


def _common(alarm: Any) -> dict[str, Any]:
    answer = {"AlarmName": alarm.name, "AlarmArn": alarm.alarm_arn, "AlarmDescription": alarm.description,
              "AlarmConfigurationUpdatedTimestamp": alarm.configuration_updated_timestamp,
              "ActionsEnabled": alarm.actions_enabled, "OKActions": list(alarm.ok_actions or []),
              "AlarmActions": list(alarm.alarm_actions or []),
              "InsufficientDataActions": list(alarm.insufficient_data_actions or []),
              "StateValue": alarm.state_value, "StateReason": alarm.state_reason,
              "StateReasonData": alarm.state_reason_data, "StateUpdatedTimestamp": alarm.state_updated_timestamp,
              "StateTransitionedTimestamp": getattr(alarm, "state_transitioned_timestamp", None)}
    return {k: v for k, v in answer.items() if v is not None}


def metric_alarm(alarm: Any) -> dict[str, Any]:
    answer = _common(alarm)
    if alarm.metric_data_queries:
        answer["Metrics"] = [evaluation.query_dict(q) for q in alarm.metric_data_queries]
    else:
        answer.update({"MetricName": alarm.metric_name, "Namespace": alarm.namespace,
                       "Dimensions": [{"Name": d.name, "Value": d.value} for d in alarm.dimensions],
                       "Period": int(alarm.period)})
        named = (("Statistic", alarm.statistic), ("ExtendedStatistic", alarm.extended_statistic), ("Unit", alarm.unit))
        answer.update({k: v for k, v in named if v})
    answer.update({"EvaluationPeriods": int(alarm.evaluation_periods), "ComparisonOperator": alarm.comparison_operator})
    optional = (("DatapointsToAlarm", alarm.datapoints_to_alarm), ("TreatMissingData", alarm.treat_missing_data),
                ("EvaluateLowSampleCountPercentile", alarm.evaluate_low_sample_count_percentile),
                ("ThresholdMetricId", alarm.threshold_metric_id))
    for field, value in optional:
        if value is not None:
            answer[field] = int(value) if field == "DatapointsToAlarm" else value
    if alarm.threshold is not None and not alarm.threshold_metric_id:
        answer["Threshold"] = float(alarm.threshold)
    return answer


def composite_alarm(alarm: Any) -> dict[str, Any]:
    return {**_common(alarm), "AlarmRule": alarm.rule}


def describe_alarm_history(response: Any) -> Any:
    """``DescribeAlarmHistory`` (moto has none): newest first unless ``ScanBy`` says otherwise."""
    get = response._get_param
    items = list(alarms.history(response.cloudwatch_backend))
    if get("AlarmName"):
        items = [i for i in items if i["AlarmName"] == get("AlarmName")]
    items = [i for i in items if i["AlarmType"] in (get("AlarmTypes") or ["MetricAlarm"])]  # as DescribeAlarms
    if get("HistoryItemType"):
        items = [i for i in items if i["HistoryItemType"] == get("HistoryItemType")]
    if get("StartDate"):
        items = [i for i in items if i["Timestamp"] >= _aware(get("StartDate"))]
    if get("EndDate"):
        items = [i for i in items if i["Timestamp"] <= _aware(get("EndDate"))]
    if get("ScanBy") != "TimestampAscending":
        items.reverse()
    start = int(get("NextToken") or 0)
    size = int(get("MaxRecords") or 100)
    page = items[start:start + size]
    answer: dict[str, Any] = {"AlarmHistoryItems": page}
    if start + size < len(items):
        answer["NextToken"] = str(start + size)
    return seam.ActionResult(answer)


def _aware(moment: Any) -> datetime:
    if isinstance(moment, str):
        moment = datetime.fromisoformat(moment.replace("Z", "+00:00"))
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


def set_alarm_state(response: Any) -> Any:
    """``SetAlarmState``: the state changes (history, actions) until the next evaluation sets it again."""
    get, backend = response._get_param, response.cloudwatch_backend
    name, state, reason_data = get("AlarmName"), get("StateValue"), get("StateReasonData")
    if reason_data is not None:
        try:
            json.loads(reason_data)
        except ValueError:
            raise seam.CloudWatchValidationError("StateReasonData is not valid JSON.") from None  # unverified
    alarm = backend.alarms.get(name)
    if alarm is None:
        raise seam.CloudWatchResourceNotFound(f"Alarm {name} not found")  # unverified wording
    if state not in alarms.STATES:
        raise seam.CloudWatchValidationError(
            f"1 validation error detected: Value '{state}' at 'stateValue' failed to satisfy constraint: "
            "Member must satisfy enum value set: [INSUFFICIENT_DATA, ALARM, OK]")
    if alarms.change_state(backend, alarm, state, get("StateReason"), reason_data):
        evaluator.changed(backend, alarm)
    return seam.EmptyResult()


def get_metric_data(backend: Any, queries: list[dict[str, Any]], start_time: Any, end_time: Any,
                    scan_by: str = "TimestampDescending") -> list[dict[str, Any]]:
    """moto's backend method, replaced: its keyword names are the ones moto's response passes."""
    return metric_queries.get_metric_data(backend, queries, start_time, end_time, scan_by)


def put_dashboard(response: Any) -> Any:
    name, body = response._get_param("DashboardName"), response._get_param("DashboardBody")
    dashboards.check(body)
    response.cloudwatch_backend.put_dashboard(name, body)
    return seam.ActionResult({"DashboardValidationMessages": []})


def get_filtered_metrics(backend: Any, metric_name: str, namespace: str, dimensions: list[dict[str, str]]) -> list[Any]:
    """moto's backend method, replaced: each metric once, from the index."""
    from lakelab.emulator.services.cloudwatch import series

    return series.filtered_metrics(backend, metric_name, namespace, dimensions)


def get_metric_statistics(response: Any) -> Any:
    """``GetMetricStatistics`` on the metric the dimensions name exactly (as AWS matches them: moto
    also counts every metric whose dimensions include them), with ``ExtendedStatistics`` (percentiles),
    periods counted from ``StartTime``."""
    from lakelab.emulator.services.cloudwatch import series

    get = response._get_param
    statistics, extended = get("Statistics") or [], get("ExtendedStatistics") or []
    if bool(statistics) == bool(extended) and not (statistics and extended):
        raise seam.CloudWatchInvalidParameterCombination("Must specify either Statistics or ExtendedStatistics")
    for stat in extended:
        if not series.supported(stat) or stat in series.BASIC:
            raise seam.CloudWatchInvalidParameterValue(f"The value {stat} for parameter ExtendedStatistics is not "
                                                       "supported.")
    start, end, period = series.epoch(get("StartTime")), series.epoch(get("EndTime")), int(get("Period"))
    if start >= end:
        raise seam.CloudWatchInvalidParameterValue("The parameter StartTime must be less than the parameter EndTime.")
    metric = series.key(get("Namespace"), get("MetricName"), get("Dimensions") or [])
    buckets: dict[float, list[Any]] = {}
    for point in series.points_between(response.cloudwatch_backend, metric, start, end, get("Unit")):
        buckets.setdefault(start + (point.stamp - start) // period * period, []).append(point)
    datapoints = []
    for stamp, points in sorted(buckets.items()):
        datapoint: dict[str, Any] = {"Timestamp": series.moment(stamp)}
        datapoint.update({stat: series.statistic(points, stat) for stat in statistics})
        values = {stat: series.statistic(points, stat) for stat in extended}
        if extended:
            datapoint["ExtendedStatistics"] = {k: v for k, v in values.items() if v is not None}
        units = {p.unit for p in points}
        datapoint["Unit"] = units.pop() if len(units) == 1 and None not in units else "None"
        datapoints.append(datapoint)
    return seam.ActionResult({"Label": get("MetricName"), "Datapoints": datapoints})
