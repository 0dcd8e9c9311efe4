"""Alarms evaluated by the emulator's evaluator as periods end: SNS notifications in AWS's message
shape, history, SetAlarmState, composite alarms, and what PutMetricAlarm refuses."""

import json
import math
import time

import pytest
from botocore.exceptions import ClientError

from conftest import PERIOD, alarm, last_boundary, put_periods, state, wait_for_state


@pytest.fixture
def topic(client):
    """An SNS topic whose notifications land, raw, in an SQS queue; ``(arn, read)``."""
    sns, sqs = client("sns"), client("sqs")
    arn = sns.create_topic(Name="lakelab-alarms")["TopicArn"]
    url = sqs.create_queue(QueueName="lakelab-alarms")["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    sns.subscribe(TopicArn=arn, Protocol="sqs", Endpoint=queue_arn)

    def read(count=1, timeout=10.0):
        found, deadline = [], time.time() + timeout
        while len(found) < count and time.time() < deadline:
            for message in sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=1).get(
                    "Messages", []):
                found.append(json.loads(message["Body"]))
        return found

    return arn, read


def test_an_alarm_fires_to_sns_with_awss_message(cloudwatch, topic):
    arn, read = topic
    put_periods(cloudwatch, {k: 500.0 for k in range(1, 6)}, last_boundary())
    alarm(cloudwatch, AlarmDescription="Ingestion lags", AlarmActions=[arn])
    wait_for_state(cloudwatch, "lag-high", "ALARM")
    envelope = read()[0]
    assert envelope["Subject"] == 'ALARM: "lag-high" in US East (N. Virginia)'
    message = json.loads(envelope["Message"])
    assert {k: message[k] for k in ("AlarmName", "AlarmDescription", "AWSAccountId", "NewStateValue",
                                    "OldStateValue", "Region")} == {
        "AlarmName": "lag-high", "AlarmDescription": "Ingestion lags", "AWSAccountId": "123456789012",
        "NewStateValue": "ALARM", "OldStateValue": "INSUFFICIENT_DATA", "Region": "US East (N. Virginia)"}
    assert message["AlarmArn"] == "arn:aws:cloudwatch:us-east-1:123456789012:alarm:lag-high"
    assert message["NewStateReason"].startswith("Threshold Crossed: 1 datapoint [500.0")
    assert message["Trigger"] == {
        "MetricName": "Lag", "Namespace": "LakeLabs/Test", "StatisticType": "Statistic", "Statistic": "MAXIMUM",
        "Unit": None, "Dimensions": [{"value": "clicks", "name": "Pipeline"}], "Period": 10, "EvaluationPeriods": 1,
        "DatapointsToAlarm": 1, "ComparisonOperator": "GreaterThanThreshold", "Threshold": 100.0,
        "TreatMissingData": "missing", "EvaluateLowSampleCountPercentile": ""}


def test_ok_and_insufficient_data_actions_and_the_history(cloudwatch, topic):
    arn, read = topic
    alarm(cloudwatch, OKActions=[arn], InsufficientDataActions=[arn], TreatMissingData="ignore")
    cloudwatch.set_alarm_state(AlarmName="lag-high", StateValue="OK", StateReason="by hand")
    cloudwatch.set_alarm_state(AlarmName="lag-high", StateValue="INSUFFICIENT_DATA", StateReason="by hand again")
    messages = [json.loads(m["Message"]) for m in read(2)]
    assert [(m["OldStateValue"], m["NewStateValue"]) for m in messages] == [
        ("INSUFFICIENT_DATA", "OK"), ("OK", "INSUFFICIENT_DATA")]
    history = cloudwatch.describe_alarm_history(AlarmName="lag-high", ScanBy="TimestampAscending")["AlarmHistoryItems"]
    assert [(h["HistoryItemType"], h["HistorySummary"]) for h in history] == [
        ("ConfigurationUpdate", 'Alarm "lag-high" created'),
        ("StateUpdate", "Alarm updated from INSUFFICIENT_DATA to OK"),
        ("Action", f"Successfully executed action {arn}"),
        ("StateUpdate", "Alarm updated from OK to INSUFFICIENT_DATA"),
        ("Action", f"Successfully executed action {arn}")]
    updates = cloudwatch.describe_alarm_history(AlarmName="lag-high", HistoryItemType="StateUpdate")
    assert json.loads(updates["AlarmHistoryItems"][0]["HistoryData"])["newState"] == {
        "stateValue": "INSUFFICIENT_DATA", "stateReason": "by hand again"}


def test_disabled_actions_send_nothing(cloudwatch, topic):
    arn, read = topic
    alarm(cloudwatch, AlarmActions=[arn], ActionsEnabled=False)
    cloudwatch.set_alarm_state(AlarmName="lag-high", StateValue="ALARM", StateReason="testing")
    assert read(timeout=2) == []


def test_a_missing_metric_treated_as_breaching_fires(cloudwatch):
    alarm(cloudwatch, TreatMissingData="breaching")
    wait_for_state(cloudwatch, "lag-high", "ALARM", timeout=5)
    assert "treated as [Breaching]" in cloudwatch.describe_alarms(AlarmNames=["lag-high"])["MetricAlarms"][0][
        "StateReason"]


def test_the_state_changes_within_two_seconds_of_the_breaching_periods_end(cloudwatch):
    alarm(cloudwatch)
    time.sleep(1.5)  # the first evaluation: nothing has arrived yet
    assert state(cloudwatch, "lag-high") == "INSUFFICIENT_DATA"
    now = time.time()
    period_end = math.ceil(now / PERIOD) * PERIOD
    if period_end - now < 1:  # too close to the boundary to put a datum inside this period
        time.sleep(period_end - now + 0.1)
        period_end += PERIOD
    put_periods(cloudwatch, {0: 500.0}, period_end - PERIOD)  # a datum in the period now running
    waited = wait_for_state(cloudwatch, "lag-high", "ALARM", timeout=PERIOD + 5)
    late = time.time() - period_end
    assert waited > 0 and -0.1 < late < 2.0, f"changed {late:.2f} s after the period ended"


def test_a_composite_alarm_follows_its_rule(cloudwatch, topic):
    arn, read = topic
    alarm(cloudwatch, "lag-high", TreatMissingData="ignore")  # no data: the states set by hand are kept
    alarm(cloudwatch, "errors-high", MetricName="Errors", TreatMissingData="ignore")
    cloudwatch.put_composite_alarm(AlarmName="pipeline-unhealthy", AlarmActions=[arn],
                                   AlarmRule='ALARM("lag-high") AND NOT OK(errors-high)')
    for name in ("lag-high", "errors-high"):
        cloudwatch.set_alarm_state(AlarmName=name, StateValue="ALARM", StateReason="testing")
    assert state(cloudwatch, "pipeline-unhealthy") == "ALARM"
    message = json.loads(read()[0]["Message"])
    assert message["AlarmRule"] == 'ALARM("lag-high") AND NOT OK(errors-high)' and "Trigger" not in message
    cloudwatch.set_alarm_state(AlarmName="errors-high", StateValue="OK", StateReason="testing")
    assert state(cloudwatch, "pipeline-unhealthy") == "OK"
    assert cloudwatch.describe_alarms()["CompositeAlarms"] == []  # only metric alarms unless asked
    children = cloudwatch.describe_alarms(ChildrenOfAlarmName="pipeline-unhealthy",
                                          AlarmTypes=["MetricAlarm", "CompositeAlarm"])["MetricAlarms"]
    assert sorted(a["AlarmName"] for a in children) == ["errors-high", "lag-high"]


@pytest.mark.parametrize(("overrides", "code", "words"), [
    ({"DatapointsToAlarm": 3}, "ValidationError", "DatapointsToAlarm"),
    ({"ExtendedStatistic": "p99"}, "InvalidParameterCombination", "Statistic and ExtendedStatistic"),
    ({"Statistic": None, "ExtendedStatistic": "wm99"}, "InvalidParameterValue", "wm99"),
    ({"Period": 45}, "ValidationError", "multiple of 60"),
    ({"AlarmActions": ["arn:aws:automate:us-east-1:ec2:stop"]}, "ValidationError", "SNS topic actions only"),
    ({"TreatMissingData": "sometimes"}, "ValidationError", "TreatMissingData"),
])
def test_put_metric_alarm_refuses(cloudwatch, overrides, code, words):
    with pytest.raises(ClientError) as raised:
        alarm(cloudwatch, **overrides)
    assert raised.value.response["Error"]["Code"] == code and words in raised.value.response["Error"]["Message"]


def test_metric_math_needs_exactly_one_returned_series(cloudwatch):
    metric = {"Namespace": "LakeLabs/Test", "MetricName": "Lag"}
    with pytest.raises(ClientError, match="Exactly one element of the metrics list should return data"):
        cloudwatch.put_metric_alarm(AlarmName="two", EvaluationPeriods=1, Threshold=1.0,
                                    ComparisonOperator="GreaterThanThreshold", Metrics=[
                                        {"Id": "a", "MetricStat": {"Metric": metric, "Period": 60, "Stat": "Sum"}},
                                        {"Id": "b", "Expression": "a * 2"}])
    with pytest.raises(ClientError, match="Unsupported function SLOPE"):
        cloudwatch.put_metric_alarm(AlarmName="unknown", EvaluationPeriods=1, Threshold=1.0,
                                    ComparisonOperator="GreaterThanThreshold", Metrics=[
                                        {"Id": "a", "MetricStat": {"Metric": metric, "Period": 60, "Stat": "Sum"},
                                         "ReturnData": False},
                                        {"Id": "b", "Expression": "SLOPE(a)"}])


def test_bad_composite_rules_and_states_are_refused(cloudwatch):
    alarm(cloudwatch)
    with pytest.raises(ClientError, match=r"alarms \[nowhere\] in the alarm rule do not exist"):
        cloudwatch.put_composite_alarm(AlarmName="c", AlarmRule="ALARM(lag-high) OR ALARM(nowhere)")
    with pytest.raises(ClientError, match="ValidationError"):
        cloudwatch.put_composite_alarm(AlarmName="c", AlarmRule="ALARM(lag-high) OR")
    with pytest.raises(ClientError, match="ResourceNotFound"):
        cloudwatch.set_alarm_state(AlarmName="nowhere", StateValue="ALARM", StateReason="x")
    with pytest.raises(ClientError, match="not valid JSON"):
        cloudwatch.set_alarm_state(AlarmName="lag-high", StateValue="ALARM", StateReason="x", StateReasonData="{")
    assert state(cloudwatch, "lag-high") == "INSUFFICIENT_DATA"


def test_state_changes_are_eventbridge_events(client, cloudwatch):
    events, sqs = client("events"), client("sqs")
    url = sqs.create_queue(QueueName="alarm-events")["QueueUrl"]
    queue = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    events.put_rule(Name="alarms", EventPattern=json.dumps({"source": ["aws.cloudwatch"],
                                                           "detail-type": ["CloudWatch Alarm State Change"]}))
    events.put_targets(Rule="alarms", Targets=[{"Id": "queue", "Arn": queue}])
    alarm(cloudwatch, TreatMissingData="ignore")
    cloudwatch.set_alarm_state(AlarmName="lag-high", StateValue="ALARM", StateReason="testing")
    [message] = sqs.receive_message(QueueUrl=url, WaitTimeSeconds=2)["Messages"]
    event = json.loads(message["Body"])
    assert event["resources"] == ["arn:aws:cloudwatch:us-east-1:123456789012:alarm:lag-high"]
    assert event["detail"]["alarmName"] == "lag-high"
    assert (event["detail"]["previousState"]["value"], event["detail"]["state"]["value"]) == (
        "INSUFFICIENT_DATA", "ALARM")
    assert event["detail"]["configuration"]["metrics"][0]["metricStat"]["metric"] == {
        "namespace": "LakeLabs/Test", "name": "Lag", "dimensions": {"Pipeline": "clicks"}}


def test_describe_alarms_pages_by_fifty(cloudwatch):
    for number in range(60):
        alarm(cloudwatch, f"alarm-{number:02d}")
    first = cloudwatch.describe_alarms()
    second = cloudwatch.describe_alarms(NextToken=first["NextToken"])
    assert len(first["MetricAlarms"]) == 50 and len(second["MetricAlarms"]) == 10 and "NextToken" not in second
    paged = cloudwatch.get_paginator("describe_alarms").paginate(PaginationConfig={"PageSize": 25})
    assert sum(len(page["MetricAlarms"]) for page in paged) == 60


def test_alarm_history_names_metric_alarms_unless_asked(cloudwatch):
    alarm(cloudwatch)
    cloudwatch.put_composite_alarm(AlarmName="pipeline-unhealthy", AlarmRule="ALARM(lag-high)")
    default = cloudwatch.describe_alarm_history()["AlarmHistoryItems"]
    composite = cloudwatch.describe_alarm_history(AlarmTypes=["CompositeAlarm"])["AlarmHistoryItems"]
    assert {i["AlarmName"] for i in default} == {"lag-high"}
    assert {i["AlarmName"] for i in composite} == {"pipeline-unhealthy"}


def test_a_reset_stops_the_evaluator(emulator, cloudwatch):
    from lakelab.emulator.services.cloudwatch import evaluator

    alarm(cloudwatch)
    running = evaluator.evaluator()
    assert running.thread.is_alive()
    emulator.reset()
    running.thread.join(timeout=5)
    assert not running.thread.is_alive()
    assert cloudwatch.describe_alarms()["MetricAlarms"] == []


def test_delete_alarms_takes_one_composite_a_call_and_not_an_alarm_a_composite_names(cloudwatch):
    """DeleteAlarms' API reference: no more than one composite alarm per call; an alarm a composite alarm
    still depends on cannot be deleted. A refused call deletes nothing."""
    alarm(cloudwatch)
    alarm(cloudwatch, "errors-high")
    cloudwatch.put_composite_alarm(AlarmName="unhealthy", AlarmRule="ALARM(lag-high) OR ALARM(errors-high)")
    cloudwatch.put_composite_alarm(AlarmName="paging", AlarmRule="ALARM(unhealthy)")
    names = lambda: sorted(a["AlarmName"] for kind in ("MetricAlarms", "CompositeAlarms")  # noqa: E731
                           for a in cloudwatch.describe_alarms(AlarmTypes=["MetricAlarm", "CompositeAlarm"])[kind])
    with pytest.raises(ClientError, match="at most one composite alarm a call; this one names 2: paging, unhealthy"):
        cloudwatch.delete_alarms(AlarmNames=["paging", "unhealthy"])
    with pytest.raises(ClientError, match="lag-high cannot be deleted: composite alarm.s. unhealthy depend on it"):
        cloudwatch.delete_alarms(AlarmNames=["lag-high", "errors-high"])
    with pytest.raises(ClientError, match="unhealthy cannot be deleted: composite alarm.s. paging"):
        cloudwatch.delete_alarms(AlarmNames=["unhealthy"])
    assert names() == ["errors-high", "lag-high", "paging", "unhealthy"]
    cloudwatch.delete_alarms(AlarmNames=["paging"])
    cloudwatch.delete_alarms(AlarmNames=["unhealthy", "lag-high", "errors-high", "nowhere"])  # a parent with its children
    assert names() == []
