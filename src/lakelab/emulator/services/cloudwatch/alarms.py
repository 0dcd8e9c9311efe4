"""Alarms' configuration checks, state changes, history and actions.

- New alarms start in ``INSUFFICIENT_DATA`` ("Unchecked: Initial alarm creation"); an update
  (``PutMetricAlarm`` on an existing name) keeps the state, as the API reference says: "When you
  update an existing alarm, its state is left unchanged, but the update completely overwrites
  the previous configuration of the alarm."
- Every change of state is a ``StateUpdate`` history item; creations and updates are
  ``ConfigurationUpdate`` items; each notification an ``Action`` item (``DescribeAlarmHistory``).
  History outlives the alarm, as on AWS (kept 30 days there; here until the emulator is reset).
- Actions: SNS topics only. The message is the JSON of "Using Amazon SNS to notify when an alarm
  changes state" (https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/Notify_Users_Alarm_Changes.html
  and the notification example of the alarm-actions page); the subject is
  ``ALARM: "<name>" in <Region's long name>``. Other action ARNs (EC2, Auto Scaling, Lambda,
  Systems Manager) are refused at put, never silently dropped.
- Every state change is also an EventBridge "CloudWatch Alarm State Change" event from
  ``aws.cloudwatch`` on the default bus (delivered by moto's EventBridge: to SQS queues and log groups).
"""

from __future__ import annotations

import json
import logging
import threading
from datetime import UTC, datetime
from typing import Any

from lakelab.emulator import context, seam

STATES = ("OK", "ALARM", "INSUFFICIENT_DATA")
TREATMENTS = ("breaching", "notBreaching", "ignore", "missing")
REGION_NAMES = {"us-east-1": "US East (N. Virginia)", "us-east-2": "US East (Ohio)",
                "us-west-1": "US West (N. California)", "us-west-2": "US West (Oregon)",
                "eu-west-1": "EU (Ireland)", "eu-west-2": "EU (London)", "eu-west-3": "EU (Paris)",
                "eu-central-1": "EU (Frankfurt)", "eu-north-1": "EU (Stockholm)",
                "ap-southeast-1": "Asia Pacific (Singapore)", "ap-southeast-2": "Asia Pacific (Sydney)",
                "ap-northeast-1": "Asia Pacific (Tokyo)", "ap-south-1": "Asia Pacific (Mumbai)",
                "ca-central-1": "Canada (Central)", "sa-east-1": "South America (Sao Paulo)"}
_lock = threading.RLock()
_log = logging.getLogger(__name__)


def history(backend: Any) -> list[dict[str, Any]]:
    with _lock:
        return backend.__dict__.setdefault("_lakelab_alarm_history", [])


def now() -> datetime:
    return datetime.now(UTC)


def _stamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}+0000"


def record(backend: Any, alarm: Any, kind: str, summary: str, data: dict[str, Any]) -> None:
    with _lock:
        history(backend).append({
            "AlarmName": alarm.name, "AlarmType": "CompositeAlarm" if alarm.rule else "MetricAlarm",
            "Timestamp": now(), "HistoryItemType": kind, "HistorySummary": summary, "HistoryData": json.dumps(data)})


def check_actions(actions: list[str]) -> None:
    for action in actions:
        if not action.startswith("arn:") or action.split(":")[2] != "sns":
            raise seam.CloudWatchValidationError(
                f"Invalid action {action}: the Lake Labs emulator runs SNS topic actions only "
                "(EC2, Auto Scaling, Lambda and Systems Manager actions are not emulated).")


def initialise(backend: Any, alarm: Any, previous: Any | None) -> None:
    """A put alarm's first state (kept from ``previous`` on update), and its history item."""
    alarm.state_transitioned_timestamp = alarm.state_updated_timestamp
    if previous is not None:
        for attribute in ("state_value", "state_reason", "state_reason_data", "state_updated_timestamp",
                          "state_transitioned_timestamp"):
            setattr(alarm, attribute, getattr(previous, attribute, None))
        record(backend, alarm, "ConfigurationUpdate", f'Alarm "{alarm.name}" updated',
               {"type": "Update", "version": "1.0"})
        return
    alarm.state_value = "INSUFFICIENT_DATA"
    alarm.state_reason = "Unchecked: Initial alarm creation"
    alarm.state_reason_data = None
    record(backend, alarm, "ConfigurationUpdate", f'Alarm "{alarm.name}" created',
           {"type": "Create", "version": "1.0", "createdAlarm": describe(alarm)})


def change_state(backend: Any, alarm: Any, state: str, reason: str, reason_data: str | None,
                 forced: bool = False) -> bool:
    """Move ``alarm`` to ``state`` (recorded, actions sent); False when it was there already."""
    with _lock:
        old = alarm.state_value
        if old == state and not forced:
            return False
        previous = {"value": old, "reason": alarm.state_reason,
                    "timestamp": _stamp(_aware(alarm.state_updated_timestamp))}
        if alarm.state_reason_data:
            previous["reasonData"] = alarm.state_reason_data
        old_reason = alarm.state_reason
        alarm.state_value, alarm.state_reason, alarm.state_reason_data = state, reason, reason_data
        alarm.state_updated_timestamp = alarm.state_transitioned_timestamp = now()
    new_state: dict[str, Any] = {"stateValue": state, "stateReason": reason}
    if reason_data:
        try:
            new_state["stateReasonData"] = json.loads(reason_data)
        except ValueError:
            pass
    record(backend, alarm, "StateUpdate", f"Alarm updated from {old} to {state}",
           {"version": "1.0", "oldState": {"stateValue": old, "stateReason": old_reason}, "newState": new_state})
    if old != state or forced:
        _act(backend, alarm, old)
    _state_change_event(backend, alarm, previous)
    return True


def _state_change_event(backend: Any, alarm: Any, previous: dict[str, Any]) -> None:
    """EventBridge's "CloudWatch Alarm State Change" on the default bus ("Alarm events and EventBridge":
    https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/cloudwatch-and-eventbridge.html)."""
    state = {"value": alarm.state_value, "reason": alarm.state_reason,
             "timestamp": _stamp(_aware(alarm.state_updated_timestamp))}
    if alarm.state_reason_data:
        state["reasonData"] = alarm.state_reason_data
    configuration: dict[str, Any] = {"description": alarm.description or ""}
    if alarm.rule:
        configuration["alarmRule"] = alarm.rule
    elif not alarm.metric_data_queries:
        configuration["metrics"] = [{"id": "m1", "returnData": True, "metricStat": {
            "metric": {"namespace": alarm.namespace, "name": alarm.metric_name,
                       "dimensions": {d.name: d.value for d in alarm.dimensions}},
            "period": int(alarm.period), "stat": alarm.extended_statistic or alarm.statistic}}]
    detail = {"alarmName": alarm.name, "state": state, "previousState": previous, "configuration": configuration}
    try:
        seam.backend("events", backend.account_id, backend.region_name).put_events([{
            "Source": "aws.cloudwatch", "DetailType": "CloudWatch Alarm State Change", "Resources": [alarm.alarm_arn],
            "Detail": json.dumps(detail)}])
    except Exception:  # noqa: BLE001 - a rule's failing target must not stop the alarm
        _log.exception("sending the state change of %s to EventBridge failed", alarm.name)


def _act(backend: Any, alarm: Any, old_state: str) -> None:
    if not alarm.actions_enabled:
        return
    targets = {"ALARM": alarm.alarm_actions, "OK": alarm.ok_actions,
               "INSUFFICIENT_DATA": alarm.insufficient_data_actions}[alarm.state_value] or []
    for topic in targets:
        message = notification(backend, alarm, old_state)
        subject = f'{alarm.state_value}: "{alarm.name}" in {region_name(backend.region_name)}'[:100]
        try:
            with context.acting_as(context.Principal.aws_service("cloudwatch", backend.account_id)):
                seam.backend("sns", backend.account_id, topic.split(":")[3]).publish(
                    json.dumps(message), arn=topic, subject=subject)
        except Exception as error:  # noqa: BLE001 - a failed action is recorded, as AWS records it
            record(backend, alarm, "Action", f"Failed to execute action {topic}",
                   {"actionState": "Failed", "notificationResource": topic, "error": str(error)})
            continue
        record(backend, alarm, "Action", f"Successfully executed action {topic}",
               {"actionState": "Succeeded", "notificationResource": topic,
                "stateUpdateTimestamp": int(alarm.state_updated_timestamp.timestamp() * 1000),
                "publishedMessage": json.dumps(message)})


def region_name(region: str) -> str:
    return REGION_NAMES.get(region, region)


def notification(backend: Any, alarm: Any, old_state: str) -> dict[str, Any]:
    """The JSON CloudWatch publishes to an alarm's SNS topics."""
    message: dict[str, Any] = {
        "AlarmName": alarm.name, "AlarmDescription": alarm.description or None,
        "AWSAccountId": backend.account_id,
        "AlarmConfigurationUpdatedTimestamp": _stamp(_aware(alarm.configuration_updated_timestamp)),
        "NewStateValue": alarm.state_value, "NewStateReason": alarm.state_reason,
        "StateChangeTime": _stamp(_aware(alarm.state_updated_timestamp)),
        "Region": region_name(backend.region_name), "AlarmArn": alarm.alarm_arn, "OldStateValue": old_state,
        "OKActions": list(alarm.ok_actions or []), "AlarmActions": list(alarm.alarm_actions or []),
        "InsufficientDataActions": list(alarm.insufficient_data_actions or [])}
    if alarm.rule:
        message["AlarmRule"] = alarm.rule
        return message
    message["Trigger"] = trigger(alarm)
    return message


def trigger(alarm: Any) -> dict[str, Any]:
    from lakelab.emulator.services.cloudwatch import evaluation

    base: dict[str, Any] = {}
    if alarm.metric_data_queries:
        base["Metrics"] = [_lower_dimensions(evaluation.query_dict(q)) for q in alarm.metric_data_queries]
    else:
        base.update({"MetricName": alarm.metric_name, "Namespace": alarm.namespace,
                     "StatisticType": "ExtendedStatistic" if alarm.extended_statistic else "Statistic"})
        if alarm.extended_statistic:
            base["ExtendedStatistic"] = alarm.extended_statistic
        else:
            base["Statistic"] = (alarm.statistic or "").upper()
        base.update({"Unit": alarm.unit, "Dimensions": [{"value": d.value, "name": d.name} for d in alarm.dimensions],
                     "Period": int(alarm.period)})
    base.update({"EvaluationPeriods": int(alarm.evaluation_periods),
                 "DatapointsToAlarm": int(alarm.datapoints_to_alarm or alarm.evaluation_periods),
                 "ComparisonOperator": alarm.comparison_operator})
    if alarm.threshold_metric_id:
        base["ThresholdMetricId"] = alarm.threshold_metric_id
    else:
        base["Threshold"] = float(alarm.threshold)
    base["TreatMissingData"] = alarm.treat_missing_data or "missing"
    base["EvaluateLowSampleCountPercentile"] = alarm.evaluate_low_sample_count_percentile or ""
    return base


def _lower_dimensions(query: dict[str, Any]) -> dict[str, Any]:
    metric = query.get("MetricStat", {}).get("Metric")
    if metric:
        metric["Dimensions"] = [{"value": d["Value"], "name": d["Name"]} for d in metric.get("Dimensions", [])]
    return query


def _aware(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def describe(alarm: Any) -> dict[str, Any]:
    """A short JSON of an alarm's configuration, for its creation history item."""
    answer = {"alarmName": alarm.name, "alarmArn": alarm.alarm_arn, "actionsEnabled": alarm.actions_enabled,
              "alarmActions": list(alarm.alarm_actions or []), "okActions": list(alarm.ok_actions or []),
              "insufficientDataActions": list(alarm.insufficient_data_actions or [])}
    if alarm.rule:
        answer["alarmRule"] = alarm.rule
        return answer
    answer.update({"metricName": alarm.metric_name, "namespace": alarm.namespace, "period": alarm.period,
                   "evaluationPeriods": alarm.evaluation_periods, "threshold": alarm.threshold,
                   "comparisonOperator": alarm.comparison_operator,
                   "treatMissingData": alarm.treat_missing_data or "missing"})
    return answer
