"""Subscription filters send the events their pattern matches, after PutLogEvents has answered."""

import gzip
import io
import json
import time
import zipfile

import pytest
from botocore.exceptions import ClientError

GROUP = "/lakelab/app"
PRINT_EVENTS = """
import base64, gzip, json
def handler(event, context):
    data = json.loads(gzip.decompress(base64.b64decode(event["awslogs"]["data"])))
    print("GOT " + json.dumps([data["messageType"], data["logGroup"], data["subscriptionFilters"],
                               [e["message"] for e in data["logEvents"]]]))
"""


@pytest.fixture
def logs(client):
    logs = client("logs")
    logs.create_log_group(logGroupName=GROUP)
    logs.create_log_stream(logGroupName=GROUP, logStreamName="web-1")
    return logs


def _put(logs, *messages):
    stamp = int(time.time() * 1000)
    logs.put_log_events(logGroupName=GROUP, logStreamName="web-1",
                        logEvents=[{"timestamp": stamp + i, "message": m} for i, m in enumerate(messages)])


def _wait(predicate, timeout=20.0):
    deadline = time.time() + timeout
    while time.time() < deadline:
        found = predicate()
        if found:
            return found
        time.sleep(0.2)
    raise AssertionError(f"nothing arrived within {timeout} s")


def _zip(source):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("app.py", source)
    return buffer.getvalue()


def test_a_subscription_sends_matching_events_to_lambda(client, logs, service_role):
    function = client("lambda").create_function(
        FunctionName="lakelab-log-reader", Runtime="python3.12", Role=service_role("lambda", "lakelab-log-reader"),
        Handler="app.handler", Code={"ZipFile": _zip(PRINT_EVENTS)})["FunctionArn"]
    with pytest.raises(ClientError, match="Make sure you have given CloudWatch Logs permission"):
        logs.put_subscription_filter(logGroupName=GROUP, filterName="errors", filterPattern="",
                                     destinationArn=function)
    client("lambda").add_permission(FunctionName="lakelab-log-reader", StatementId="logs",
                                    Action="lambda:InvokeFunction", Principal="logs.amazonaws.com",
                                    SourceArn=f"arn:aws:logs:us-east-1:123456789012:log-group:{GROUP}:*")
    logs.put_subscription_filter(logGroupName=GROUP, filterName="errors", filterPattern='{ $.level = "ERROR" }',
                                 destinationArn=function)
    _put(logs, json.dumps({"level": "INFO"}), json.dumps({"level": "ERROR", "id": 1}))
    _put(logs, json.dumps({"level": "INFO"}))  # nothing matches: no invocation

    def received():
        try:
            events = logs.filter_log_events(logGroupName="/aws/lambda/lakelab-log-reader")["events"]
        except logs.exceptions.ResourceNotFoundException:
            return []  # the function has not run yet
        return [json.loads(e["message"][4:]) for e in events if e["message"].startswith("GOT ")]

    assert _wait(received) == [["DATA_MESSAGE", GROUP, ["errors"], ['{"level": "ERROR", "id": 1}']]]
    time.sleep(1)
    assert len(received()) == 1


def test_a_subscription_sends_matching_events_through_firehose(client, logs, service_role):
    client("s3").create_bucket(Bucket="lakelab-log-archive")
    stream = client("firehose").create_delivery_stream(
        DeliveryStreamName="lakelab-logs", ExtendedS3DestinationConfiguration={
            "BucketARN": "arn:aws:s3:::lakelab-log-archive", "RoleARN": service_role("firehose", "lakelab-fh"),
            "BufferingHints": {"SizeInMBs": 1, "IntervalInSeconds": 1}})["DeliveryStreamARN"]
    time.sleep(0.6)  # CREATING, briefly
    logs.put_subscription_filter(logGroupName=GROUP, filterName="warnings", filterPattern="WARN",
                                 destinationArn=stream)
    _put(logs, "WARN disk at 91%", "INFO all fine")
    s3 = client("s3")
    keys = _wait(lambda: [o["Key"] for o in s3.list_objects_v2(Bucket="lakelab-log-archive").get("Contents", [])])
    record = s3.get_object(Bucket="lakelab-log-archive", Key=keys[0])["Body"].read()
    payload = json.loads(gzip.decompress(record))
    assert [e["message"] for e in payload["logEvents"]] == ["WARN disk at 91%"]
    assert payload["subscriptionFilters"] == ["warnings"] and payload["logStream"] == "web-1"
