"""Lambda transformation, a Kinesis stream as source, the role's S3 access, and CloudWatch metrics."""

from __future__ import annotations

import base64
import io
import json
import time
import zipfile

from tests.emulator.firehose.conftest import body, json_lines, keys, s3_destination, wait_for_keys

HANDLER = """
import base64


def handler(event, context):
    answers = []
    for record in event["records"]:
        data = base64.b64decode(record["data"])
        result = "Dropped" if data.startswith(b"drop") else "ProcessingFailed" if data.startswith(b"fail") else "Ok"
        answers.append({"recordId": record["recordId"], "result": result,
                        "data": base64.b64encode(data.upper()).decode()})
    return {"records": answers}


def metadata(event, context):
    import json

    return {"records": [{"recordId": record["recordId"], "result": "Ok", "data": base64.b64encode(json.dumps(
        {"source": event.get("sourceKinesisStreamArn"), "metadata": record.get("kinesisRecordMetadata")}).encode()
    ).decode()} for record in event["records"]]}


def broken(event, context):
    raise RuntimeError("the transformation is broken")
"""


def _function(lake, service_role, name, handler):
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as files:
        files.writestr("app.py", HANDLER)
    role = service_role("lambda", "lakelab-firehose-transform", actions=("logs:*",))
    return lake["client"]("lambda").create_function(FunctionName=name, Runtime="python3.12", Role=role,
                                                    Handler=f"app.{handler}", Code={"ZipFile": archive.getvalue()},
                                                    )["FunctionArn"]


def _processing(arn):
    return {"Enabled": True, "Processors": [{"Type": "Lambda", "Parameters": [
        {"ParameterName": "LambdaArn", "ParameterValue": arn},
        {"ParameterName": "NumberOfRetries", "ParameterValue": "0"}]}]}


def _sum(lake, metric):
    answer = lake["client"]("cloudwatch").get_metric_statistics(
        Namespace="AWS/Firehose", MetricName=metric, Dimensions=[{"Name": "DeliveryStreamName", "Value": "clicks"}],
        StartTime=time.time() - 600, EndTime=time.time() + 60, Period=60, Statistics=["Sum"])
    return sum(point["Sum"] for point in answer["Datapoints"])


def test_lambda_results_ok_dropped_and_failed_and_the_counts_add_up(lake, service_role):
    arn = _function(lake, service_role, "transform", "handler")
    lake["firehose"].create_delivery_stream(DeliveryStreamName="clicks", ExtendedS3DestinationConfiguration=s3_destination(
        lake, Prefix="raw/", ProcessingConfiguration=_processing(arn)))
    records = [b"a\n", b"drop me\n", b"fail me\n", b"b\n"]
    lake["firehose"].put_record_batch(DeliveryStreamName="clicks", Records=[{"Data": data} for data in records])
    [delivered] = wait_for_keys(lake, prefix="raw/")
    [failed] = wait_for_keys(lake, prefix="processing-failed/")
    assert body(lake, delivered) == b"A\nB\n"
    [error] = json_lines(body(lake, failed))
    assert error["errorCode"] == "Lambda.ProcessingFailedStatus" and error["lambdaArn"] == arn
    assert base64.b64decode(error["rawData"]) == b"fail me\n"
    time.sleep(0.2)
    assert _sum(lake, "IncomingRecords") == 4
    assert _sum(lake, "DeliveryToS3.Records") == 2  # + 1 dropped + 1 failed: nothing lost
    assert 1.0 <= _sum(lake, "DeliveryToS3.DataFreshness") < 60.0  # the 1 s interval and the flush: never 0


def test_a_function_that_errors_sends_its_batch_to_the_error_prefix(lake, service_role):
    arn = _function(lake, service_role, "broken", "broken")
    lake["firehose"].create_delivery_stream(DeliveryStreamName="clicks", ExtendedS3DestinationConfiguration=s3_destination(
        lake, Prefix="raw/", ProcessingConfiguration=_processing(arn)))
    lake["firehose"].put_record_batch(DeliveryStreamName="clicks", Records=[{"Data": b"a"}, {"Data": b"b"}])
    [failed] = wait_for_keys(lake, prefix="processing-failed/", timeout=10)
    errors = json_lines(body(lake, failed))
    assert [e["errorCode"] for e in errors] == ["Lambda.FunctionError"] * 2
    assert "broken" in errors[0]["errorMessage"]
    assert keys(lake, "raw/") == []


def test_a_kinesis_stream_as_source_is_read_from_latest(lake):
    kinesis = lake["client"]("kinesis")
    kinesis.create_stream(StreamName="clicks", ShardCount=2)
    stream_arn = kinesis.describe_stream(StreamName="clicks")["StreamDescription"]["StreamARN"]
    kinesis.put_record(StreamName="clicks", Data=b"before\n", PartitionKey="k")  # before the hose: not read
    lake["firehose"].create_delivery_stream(
        DeliveryStreamName="from-stream", DeliveryStreamType="KinesisStreamAsSource",
        KinesisStreamSourceConfiguration={"KinesisStreamARN": stream_arn, "RoleARN": lake["role"]},
        ExtendedS3DestinationConfiguration=s3_destination(lake, Prefix="raw/"))
    kinesis.put_records(StreamName="clicks", Records=[{"Data": f"{n}\n".encode(), "PartitionKey": f"user-{n}"}
                                                      for n in range(20)])
    [key] = wait_for_keys(lake, prefix="raw/")
    assert sorted(body(lake, key).split()) == sorted(str(n).encode() for n in range(20))
    refused = lake["firehose"].put_record
    try:
        refused(DeliveryStreamName="from-stream", Record={"Data": b"x"})
        raise AssertionError("PutRecord on a Kinesis-sourced stream should be refused")
    except lake["firehose"].exceptions.InvalidArgumentException as error:
        assert "KinesisStreamAsSource" in str(error)


def test_s3_writes_are_the_roles_and_wait_until_it_may_write(lake, service_role):
    role = service_role("firehose", "lakelab-firehose-readonly", actions=("s3:GetObject",))
    lake["firehose"].create_delivery_stream(DeliveryStreamName="clicks", ExtendedS3DestinationConfiguration={
        **s3_destination(lake, Prefix="raw/", BufferingHints={"SizeInMBs": 1, "IntervalInSeconds": 0}), "RoleARN": role,
        "CloudWatchLoggingOptions": {"Enabled": True, "LogGroupName": "/aws/kinesisfirehose/clicks",
                                     "LogStreamName": "DestinationDelivery"}})
    lake["firehose"].put_record(DeliveryStreamName="clicks", Record={"Data": b"kept\n"})
    time.sleep(0.5)
    assert keys(lake) == []  # AccessDenied: the record waits
    assert _sum(lake, "DeliveryToS3.Records") == 0
    logged = lake["client"]("logs").filter_log_events(logGroupName="/aws/kinesisfirehose/clicks")["events"]
    assert logged, "the failed delivery is logged"  # once per attempt: a slow machine may have retried already
    assert {json.loads(event["message"])["errorCode"] for event in logged} == {"S3.AccessDenied"}
    service_role("firehose", "lakelab-firehose-readonly", actions=("s3:GetObject", "s3:PutObject"))
    [key] = wait_for_keys(lake, prefix="raw/", timeout=3)
    assert body(lake, key) == b"kept\n"


def test_a_kinesis_sourced_transformation_sees_each_records_kinesis_metadata(lake, service_role):
    arn = _function(lake, service_role, "metadata", "metadata")
    kinesis = lake["client"]("kinesis")
    kinesis.create_stream(StreamName="clicks", ShardCount=1)
    stream_arn = kinesis.describe_stream(StreamName="clicks")["StreamDescription"]["StreamARN"]
    lake["firehose"].create_delivery_stream(
        DeliveryStreamName="from-stream", DeliveryStreamType="KinesisStreamAsSource",
        KinesisStreamSourceConfiguration={"KinesisStreamARN": stream_arn, "RoleARN": lake["role"]},
        ExtendedS3DestinationConfiguration=s3_destination(lake, Prefix="raw/", ProcessingConfiguration=_processing(arn)))
    kinesis.put_record(StreamName="clicks", Data=b"a", PartitionKey="user-1")
    [key] = wait_for_keys(lake, prefix="raw/")
    seen = json.loads(body(lake, key))
    assert seen["source"] == stream_arn
    assert seen["metadata"]["partitionKey"] == "user-1" and seen["metadata"]["shardId"] == "shardId-000000000000"
