"""Lambda triggers on the emulator: S3 notifications and SQS / Kinesis event source mappings."""

import json
import time

import pytest
from botocore.exceptions import ClientError

from test_lambda_invoke import deploy, wait_for
from test_lambda_logs import messages

COPY_OBJECT = """
import time, boto3
from urllib.parse import unquote_plus
def handler(event, context):
    time.sleep(0.5)  # slower than the PUT may take: delivery inside the PUT would show
    s3 = boto3.client("s3")
    for record in event["Records"]:
        bucket, key = record["s3"]["bucket"]["name"], unquote_plus(record["s3"]["object"]["key"])
        s3.copy_object(Bucket="lakelab-copies", Key="copy/" + key, CopySource={"Bucket": bucket, "Key": key})
"""

PRINT_BATCH = """
import json
def handler(event, context):
    print("BATCH " + json.dumps([r["body"] for r in event["Records"]]))
"""


def notify_lambda(client, bucket, function_arn):
    client("s3").put_bucket_notification_configuration(
        Bucket=bucket,
        NotificationConfiguration={"LambdaFunctionConfigurations": [
            {"LambdaFunctionArn": function_arn, "Events": ["s3:ObjectCreated:*"]}]},
    )


def batches(client, function):
    lines = [line for stream in messages(client, function).values() for line in stream]
    return [json.loads(line[len("BATCH "):]) for line in lines if line.startswith("BATCH ")]


def test_s3_notification_to_lambda_needs_a_resource_policy(client):
    client("s3").create_bucket(Bucket="lakelab-landing")
    arn = deploy(client, "lakelab-copier", {"app.py": COPY_OBJECT})
    with pytest.raises(ClientError, match="Unable to validate the following destination configurations"):
        notify_lambda(client, "lakelab-landing", arn)
    client("lambda").add_permission(FunctionName="lakelab-copier", StatementId="s3", Action="lambda:InvokeFunction",
                                    Principal="s3.amazonaws.com", SourceArn="arn:aws:s3:::lakelab-other-bucket")
    with pytest.raises(ClientError, match="Unable to validate"):
        notify_lambda(client, "lakelab-landing", arn)


def _hold_deliveries():
    """Hold the emulator's deliveries (notifications, triggers) for up to 20 s; ``set()`` the gate to go on."""
    import threading

    from lakelab.emulator import dispatch

    gate = threading.Event()
    dispatch.submit(lambda: gate.wait(20))
    return gate


def test_s3_put_runs_the_function_after_the_put_returns(emulator, client):
    s3 = client("s3")
    for bucket in ("lakelab-landing", "lakelab-copies"):
        s3.create_bucket(Bucket=bucket)
    arn = deploy(client, "lakelab-copier", {"app.py": COPY_OBJECT}, Timeout=10)
    client("lambda").add_permission(FunctionName="lakelab-copier", StatementId="s3", Action="lambda:InvokeFunction",
                                    Principal="s3.amazonaws.com", SourceArn="arn:aws:s3:::lakelab-landing")
    notify_lambda(client, "lakelab-landing", arn)
    gate = _hold_deliveries()  # the function cannot run until the gate opens: the PUT must not wait for it
    started = time.perf_counter()
    s3.put_object(Bucket="lakelab-landing", Key="raw/sales 2024.csv", Body=b"a,b\n1,2\n")
    assert time.perf_counter() - started < 5, "the PUT must not wait for the function"
    assert not s3.list_objects_v2(Bucket="lakelab-copies").get("Contents")
    gate.set()
    copied = wait_for(lambda: s3.list_objects_v2(Bucket="lakelab-copies").get("Contents"))
    assert [o["Key"] for o in copied] == ["copy/raw/sales 2024.csv"]
    assert s3.get_object(Bucket="lakelab-copies", Key="copy/raw/sales 2024.csv")["Body"].read() == b"a,b\n1,2\n"


def test_sns_publish_returns_before_the_function_runs(emulator, client):
    code = """
import json, time
def handler(event, context):
    time.sleep(0.5)
    print("BATCH " + json.dumps([record["Sns"]["Message"] for record in event["Records"]]))
"""
    arn = deploy(client, "lakelab-sns-fn", {"app.py": code})
    topic = client("sns").create_topic(Name="lakelab-alerts")["TopicArn"]
    client("sns").subscribe(TopicArn=topic, Protocol="lambda", Endpoint=arn)
    gate = _hold_deliveries()
    started = time.perf_counter()
    client("sns").publish(TopicArn=topic, Message="disk full")
    assert time.perf_counter() - started < 5, "Publish must not wait for the function"
    assert batches(client, "lakelab-sns-fn") == [], "the function ran inside Publish"
    gate.set()
    emulator.drain()
    assert batches(client, "lakelab-sns-fn") == [["disk full"]]


def test_sqs_mapping_delivers_batches_and_deletes_them(client):
    sqs = client("sqs")
    url = sqs.create_queue(QueueName="lakelab-orders")["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    for n in range(5):
        sqs.send_message(QueueUrl=url, MessageBody=f"order-{n}")
    deploy(client, "lakelab-orders-fn", {"app.py": PRINT_BATCH})
    client("lambda").create_event_source_mapping(
        FunctionName="lakelab-orders-fn", EventSourceArn=queue_arn, BatchSize=2
    )
    delivered = wait_for(lambda: (b := batches(client, "lakelab-orders-fn")) and sum(map(len, b)) >= 5 and b)
    assert [len(batch) for batch in delivered] == [2, 2, 1]
    assert sorted(body for batch in delivered for body in batch) == [f"order-{n}" for n in range(5)]
    counts = wait_for(lambda: (a := _queue_counts(sqs, url)) == (0, 0) and a)
    assert counts == (0, 0), "delivered messages are deleted"


def test_sqs_failed_batch_comes_back_after_the_visibility_timeout(client):
    sqs = client("sqs")
    url = sqs.create_queue(QueueName="lakelab-retry", Attributes={"VisibilityTimeout": "1"})["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    code = """
def handler(event, context):
    record = event["Records"][0]
    print("ATTEMPT", record["attributes"]["ApproximateReceiveCount"])
    if record["attributes"]["ApproximateReceiveCount"] == "1":
        raise RuntimeError("first attempt fails")
"""
    deploy(client, "lakelab-retry-fn", {"app.py": code})
    sqs.send_message(QueueUrl=url, MessageBody="flaky")
    client("lambda").create_event_source_mapping(FunctionName="lakelab-retry-fn", EventSourceArn=queue_arn)
    wait_for(lambda: _queue_counts(sqs, url) == (0, 1))  # in flight after the failure, not deleted
    attempts = wait_for(lambda: (a := _lines(client, "lakelab-retry-fn", "ATTEMPT")) and len(a) >= 2 and a)
    assert attempts == ["ATTEMPT 1", "ATTEMPT 2"]
    wait_for(lambda: _queue_counts(sqs, url) == (0, 0))


def test_kinesis_mapping_reads_from_trim_horizon_and_keeps_up(client):
    kinesis = client("kinesis")
    kinesis.create_stream(StreamName="lakelab-clicks", ShardCount=1)
    stream_arn = kinesis.describe_stream(StreamName="lakelab-clicks")["StreamDescription"]["StreamARN"]
    kinesis.put_records(StreamName="lakelab-clicks", Records=[
        {"Data": json.dumps({"click": n}).encode(), "PartitionKey": "p"} for n in range(3)])
    code = """
import base64, json
def handler(event, context):
    clicks = [json.loads(base64.b64decode(r["kinesis"]["data"]))["click"] for r in event["Records"]]
    print("BATCH " + json.dumps(clicks))
    assert all(r["eventSource"] == "aws:kinesis" and r["eventID"].startswith("shardId-") for r in event["Records"])
"""
    deploy(client, "lakelab-clicks-fn", {"app.py": code})
    client("lambda").create_event_source_mapping(FunctionName="lakelab-clicks-fn", EventSourceArn=stream_arn,
                                                 StartingPosition="TRIM_HORIZON", BatchSize=10)
    assert wait_for(lambda: batches(client, "lakelab-clicks-fn")) == [[0, 1, 2]]
    kinesis.put_record(StreamName="lakelab-clicks", Data=json.dumps({"click": 3}).encode(), PartitionKey="p")
    assert wait_for(lambda: (b := batches(client, "lakelab-clicks-fn")) and len(b) == 2 and b) == [[0, 1, 2], [3]]


def test_kinesis_mapping_from_latest_skips_older_records(client):
    kinesis = client("kinesis")
    kinesis.create_stream(StreamName="lakelab-latest", ShardCount=1)
    stream_arn = kinesis.describe_stream(StreamName="lakelab-latest")["StreamDescription"]["StreamARN"]
    kinesis.put_record(StreamName="lakelab-latest", Data=b"old", PartitionKey="p")
    code = """
import base64, json
def handler(event, context):
    print("BATCH " + json.dumps([base64.b64decode(r["kinesis"]["data"]).decode() for r in event["Records"]]))
"""
    deploy(client, "lakelab-latest-fn", {"app.py": code})
    client("lambda").create_event_source_mapping(FunctionName="lakelab-latest-fn", EventSourceArn=stream_arn,
                                                 StartingPosition="LATEST")
    kinesis.put_record(StreamName="lakelab-latest", Data=b"new", PartitionKey="p")
    assert wait_for(lambda: batches(client, "lakelab-latest-fn")) == [["new"]]


def _queue_counts(sqs, url):
    names = ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"]
    attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=names)["Attributes"]
    return tuple(int(attributes[name]) for name in names)


def _lines(client, function, prefix):
    return [line for stream in messages(client, function).values() for line in stream if line.startswith(prefix)]
