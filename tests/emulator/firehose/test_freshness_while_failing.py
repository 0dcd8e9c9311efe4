"""While S3 refuses a delivery stream's writes, DataFreshness keeps growing and Success is 0 (AWS's
"age of the oldest record in Firehose"); once the role may write again, the records arrive and
freshness drops."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

from tests.emulator.firehose.conftest import body, s3_destination, wait_for_keys

STREAM = [{"Name": "DeliveryStreamName", "Value": "clicks"}]


def _points(cloudwatch, name: str, since: datetime, statistic: str = "Maximum") -> list[float]:
    """The metric's values a second at a time since ``since``, oldest first (one datapoint per round)."""
    answer = cloudwatch.get_metric_data(
        MetricDataQueries=[{"Id": "m", "MetricStat": {"Metric": {"Namespace": "AWS/Firehose", "MetricName": name,
                                                                 "Dimensions": STREAM},
                                                      "Period": 1, "Stat": statistic}}],
        StartTime=since, EndTime=datetime.now(UTC) + timedelta(seconds=2), ScanBy="TimestampAscending")
    return answer["MetricDataResults"][0]["Values"]


def _wait_for(check, timeout: float, what: str):
    deadline = time.time() + timeout
    while time.time() < deadline:
        found = check()
        if found:
            return found
        time.sleep(0.1)
    raise AssertionError(f"{what} within {timeout} s")


def test_data_freshness_grows_while_the_role_may_not_put_objects_and_drops_once_it_may(lake, service_role):
    firehose, cloudwatch = lake["firehose"], lake["client"]("cloudwatch")
    role = service_role("firehose", "lakelab-firehose-delivery", actions=("s3:GetObject", "s3:PutObject"))
    started = datetime.now(UTC)
    firehose.create_delivery_stream(DeliveryStreamName="clicks", ExtendedS3DestinationConfiguration={
        **s3_destination(lake, Prefix="raw/"), "RoleARN": role})
    firehose.put_record(DeliveryStreamName="clicks", Record={"Data": b"healthy\n"})
    wait_for_keys(lake, prefix="raw/")
    assert _wait_for(lambda: _points(cloudwatch, "DeliveryToS3.Success", started), 3, "the round's metrics") == [1.0]

    broken = datetime.now(UTC)
    service_role("firehose", "lakelab-firehose-delivery", actions=("s3:GetObject",))  # it lost s3:PutObject
    cloudwatch.put_metric_alarm(AlarmName="ingestion-lag", Namespace="AWS/Firehose", Dimensions=STREAM,
                                MetricName="DeliveryToS3.DataFreshness", Statistic="Maximum", Period=10,
                                EvaluationPeriods=1, Threshold=3, ComparisonOperator="GreaterThanThreshold")
    firehose.put_record(DeliveryStreamName="clicks", Record={"Data": b"held back\n"})
    freshness = _wait_for(lambda: (lambda found: found if len(found) >= 4 else None)(
        _points(cloudwatch, "DeliveryToS3.DataFreshness", broken)), 10, "four failed rounds")
    assert freshness == sorted(freshness) and freshness[-1] - freshness[0] >= 2.5, freshness  # retry after retry
    assert set(_points(cloudwatch, "DeliveryToS3.Success", broken)) == {0.0}
    assert set(_points(cloudwatch, "DeliveryToS3.Records", broken, "Sum")) == {0.0}
    alarm = _wait_for(lambda: (lambda found: found if found["StateValue"] == "ALARM" else None)(
        cloudwatch.describe_alarms(AlarmNames=["ingestion-lag"])["MetricAlarms"][0]), 15, "the alarm fired")
    assert "greater than the threshold (3.0)" in alarm["StateReason"]

    service_role("firehose", "lakelab-firehose-delivery", actions=("s3:GetObject", "s3:PutObject"))
    keys = wait_for_keys(lake, count=2, prefix="raw/", timeout=4)
    assert body(lake, keys[-1]) == b"held back\n"
    _wait_for(lambda: 1.0 in _points(cloudwatch, "DeliveryToS3.Success", broken), 3, "the recovering round's metrics")
    recovered = datetime.now(UTC)
    firehose.put_record(DeliveryStreamName="clicks", Record={"Data": b"fresh\n"})
    wait_for_keys(lake, count=3, prefix="raw/")
    after = _wait_for(lambda: _points(cloudwatch, "DeliveryToS3.DataFreshness", recovered), 3, "a delivery's metrics")
    assert after[-1] < 3.0 < freshness[-1], (after, freshness)  # the 1 s buffer again
    assert _points(cloudwatch, "DeliveryToS3.Success", recovered)[-1] == 1.0
