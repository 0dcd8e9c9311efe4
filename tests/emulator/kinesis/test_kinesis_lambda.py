"""Lambda's Kinesis event source mapping: bisecting a failed batch, retries, the on-failure destination."""

import io
import json
import time
import zipfile

import pytest
from botocore.exceptions import ClientError

FAILS_ON_BAD = """
import base64, json
def handler(event, context):
    data = [base64.b64decode(r["kinesis"]["data"]).decode() for r in event["Records"]]
    print("BATCH " + json.dumps(data))
    if "bad" in data:
        raise ValueError("a bad record")
"""
TRUST = json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]})


def deploy(client, name):
    iam = client("iam")
    try:
        role = iam.get_role(RoleName="lakelab-test-lambda")["Role"]["Arn"]
    except ClientError:
        role = iam.create_role(RoleName="lakelab-test-lambda", AssumeRolePolicyDocument=TRUST)["Role"]["Arn"]
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as files:
        files.writestr("app.py", FAILS_ON_BAD)
    client("lambda").create_function(FunctionName=name, Runtime="python3.12", Role=role, Handler="app.handler",
                                     Code={"ZipFile": archive.getvalue()})


def batches(client, function):
    logs, group = client("logs"), f"/aws/lambda/{function}"
    try:
        streams = [s["logStreamName"] for s in logs.describe_log_streams(logGroupName=group)["logStreams"]]
    except logs.exceptions.ResourceNotFoundException:
        return []
    events = sorted(((e["timestamp"], e["message"]) for stream in streams
                     for e in logs.get_log_events(logGroupName=group, logStreamName=stream)["events"]),
                    key=lambda event: event[0])  # stable: a stream's events keep their order within a millisecond
    return [json.loads(m[len("BATCH "):]) for _, m in events if m.startswith("BATCH ")]


def wait_for(predicate, timeout=20.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if value := predicate():
            return value
        time.sleep(0.1)
    raise AssertionError(f"condition not met within {timeout} s")


def stream_with(client, data):
    kinesis = client("kinesis")
    kinesis.create_stream(StreamName="lakelab-clicks", ShardCount=1)
    sequence = [kinesis.put_record(StreamName="lakelab-clicks", PartitionKey="p", Data=d.encode())["SequenceNumber"]
                for d in data]
    return kinesis.describe_stream(StreamName="lakelab-clicks")["StreamDescription"]["StreamARN"], sequence


def queue(client, name):
    sqs = client("sqs")
    url = sqs.create_queue(QueueName=name)["QueueUrl"]
    return sqs, url, sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]


def test_bisect_isolates_the_bad_record_and_the_destination_gets_aws_record(client):
    stream_arn, sequence = stream_with(client, ["ok0", "ok1", "bad", "ok3"])
    sqs, url, queue_arn = queue(client, "lakelab-failed-batches")
    deploy(client, "lakelab-clicks-fn")
    client("lambda").create_event_source_mapping(
        FunctionName="lakelab-clicks-fn", EventSourceArn=stream_arn, StartingPosition="TRIM_HORIZON", BatchSize=10,
        BisectBatchOnFunctionError=True, MaximumRetryAttempts=0,
        DestinationConfig={"OnFailure": {"Destination": queue_arn}})
    seen = wait_for(lambda: (b := batches(client, "lakelab-clicks-fn")) and len(b) >= 5 and b)
    assert seen == [["ok0", "ok1", "bad", "ok3"], ["ok0", "ok1"], ["bad", "ok3"], ["bad"], ["ok3"]]
    message = wait_for(lambda: sqs.receive_message(QueueUrl=url).get("Messages"))[0]
    record = json.loads(message["Body"])
    assert record["requestContext"]["condition"] == "RetryAttemptsExhausted"
    assert record["requestContext"]["functionArn"].endswith(":function:lakelab-clicks-fn")
    assert record["responseContext"]["functionError"] == "Unhandled"
    info = record["KinesisBatchInfo"]
    assert (info["shardId"], info["batchSize"], info["streamArn"]) == ("shardId-000000000000", 1, stream_arn)
    assert info["startSequenceNumber"] == info["endSequenceNumber"] == sequence[2]


def test_retries_then_the_batch_goes_to_an_sns_destination(client):
    stream_arn, sequence = stream_with(client, ["bad", "ok1"])
    sqs, url, queue_arn = queue(client, "lakelab-alerts-copy")
    sns = client("sns")
    topic = sns.create_topic(Name="lakelab-failed")["TopicArn"]
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue_arn, Attributes={"RawMessageDelivery": "true"})
    deploy(client, "lakelab-retry-fn")
    client("lambda").create_event_source_mapping(
        FunctionName="lakelab-retry-fn", EventSourceArn=stream_arn, StartingPosition="TRIM_HORIZON",
        MaximumRetryAttempts=1, DestinationConfig={"OnFailure": {"Destination": topic}})
    message = wait_for(lambda: sqs.receive_message(QueueUrl=url).get("Messages"))[0]
    info = json.loads(message["Body"])["KinesisBatchInfo"]
    assert (info["startSequenceNumber"], info["endSequenceNumber"], info["batchSize"]) == (*sequence, 2)
    assert json.loads(message["Body"])["requestContext"]["approximateInvokeCount"] == 2
    assert batches(client, "lakelab-retry-fn") == [["bad", "ok1"], ["bad", "ok1"]], "one try, one retry, then skipped"


def test_after_a_split_the_children_wait_for_their_parent(client):
    stream_arn, _ = stream_with(client, ["bad", "ok1"])
    kinesis = client("kinesis")
    kinesis.split_shard(StreamName="lakelab-clicks", ShardToSplit="shardId-000000000000",
                        NewStartingHashKey=str(2**127))
    kinesis.put_record(StreamName="lakelab-clicks", PartitionKey="p", Data=b"ok2")  # into a child
    deploy(client, "lakelab-order-fn")
    client("lambda").create_event_source_mapping(FunctionName="lakelab-order-fn", EventSourceArn=stream_arn,
                                                 StartingPosition="TRIM_HORIZON", BatchSize=10,
                                                 MaximumRetryAttempts=1)
    seen = wait_for(lambda: (b := batches(client, "lakelab-order-fn")) and sum(map(len, b)) >= 5 and b)
    assert seen == [["bad", "ok1"], ["bad", "ok1"], ["ok2"]], "the child is read once its parent is done"


def test_a_stream_mapping_needs_a_starting_position_and_a_queue_or_topic_destination(client):
    stream_arn, _ = stream_with(client, [])
    deploy(client, "lakelab-refused-fn")
    with pytest.raises(ClientError, match="startingPosition"):
        client("lambda").create_event_source_mapping(FunctionName="lakelab-refused-fn", EventSourceArn=stream_arn)
    with pytest.raises(ClientError, match="SQS queue or an SNS topic"):
        client("lambda").create_event_source_mapping(
            FunctionName="lakelab-refused-fn", EventSourceArn=stream_arn, StartingPosition="LATEST",
            DestinationConfig={"OnFailure": {"Destination": "arn:aws:s3:::lakelab-bucket"}})


def test_the_mapping_reports_iterator_age(client):
    stream_arn, _ = stream_with(client, ["ok0"])
    deploy(client, "lakelab-age-fn")
    client("lambda").create_event_source_mapping(FunctionName="lakelab-age-fn", EventSourceArn=stream_arn,
                                                 StartingPosition="TRIM_HORIZON")
    wait_for(lambda: batches(client, "lakelab-age-fn"))
    ages = client("cloudwatch").get_metric_statistics(
        Namespace="AWS/Lambda", MetricName="IteratorAge", Dimensions=[{"Name": "FunctionName",
                                                                       "Value": "lakelab-age-fn"}],
        StartTime=time.time() - 600, EndTime=time.time() + 60, Period=60, Statistics=["Maximum"])["Datapoints"]
    assert ages and ages[0]["Maximum"] > 0
