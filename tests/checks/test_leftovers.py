"""Checks that see what an earlier attempt left behind name it, and say how to clear it."""

import json

import pytest

from lakelab.checks.framework import CheckFailed, checks_for
from lakelab.course import naming


def _failure(week: int, number: str) -> str:
    check = next(check for check in checks_for(week) if check.number == number)
    with pytest.raises(CheckFailed) as raised:
        check()
    return str(raised.value)


@pytest.fixture
def raw_events(client):
    """Week 1's queue, notified by the lake bucket: S3 sends its s3:TestEvent when the configuration is set."""
    names = naming.for_week(1)
    bucket, sqs = names.bucket("lake"), client("sqs")
    client("s3").create_bucket(Bucket=bucket)
    url = sqs.create_queue(QueueName=names.resource("raw-events"), Attributes={"VisibilityTimeout": "45"})["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    policy = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "s3.amazonaws.com"},
              "Action": "sqs:SendMessage", "Resource": arn, "Condition": {"ArnLike": {"aws:SourceArn":
                                                                          f"arn:aws:s3:::{bucket}"}}}]}
    sqs.set_queue_attributes(QueueUrl=url, Attributes={"Policy": json.dumps(policy)})
    client("s3").put_bucket_notification_configuration(Bucket=bucket, NotificationConfiguration={
        "QueueConfigurations": [{"QueueArn": arn, "Events": ["s3:ObjectCreated:*"], "Filter": {"Key": {
            "FilterRules": [{"Name": "prefix", "Value": "raw/"}, {"Name": "suffix", "Value": ".csv"}]}}}]})
    return url


def test_a_left_over_s3_test_event_is_named_with_how_to_clear_it(client, raw_events):
    message = _failure(1, "1.7")
    assert "1 waiting, 0 received but not deleted; 1 of the waiting ones is an s3:TestEvent" in message
    assert "re-running exercise 1.5 adds one" in message and "purge_queue" in message
    assert client("sqs").get_queue_attributes(QueueUrl=raw_events, AttributeNames=["ApproximateNumberOfMessages"])[
        "Attributes"]["ApproximateNumberOfMessages"] == "1", "the check's look leaves the message visible"


def test_messages_in_flight_name_the_visibility_timeout_and_purge_queue(client, raw_events):
    sqs = client("sqs")
    assert sqs.receive_message(QueueUrl=raw_events, MaxNumberOfMessages=10)["Messages"]  # a drain that crashed
    message = _failure(1, "1.7")
    assert "0 waiting, 1 received but not deleted" in message
    assert "visibility timeout (45 s)" in message and "wait 45 s" in message
    assert "sqs.purge_queue(QueueUrl=queue_url)" in message
    sqs.purge_queue(QueueUrl=raw_events)
    _check = next(check for check in checks_for(1) if check.number == "1.7")
    _check()  # purged: nothing waiting or in flight, the check passes


def test_a_notification_bound_to_an_old_published_version_is_named(client):
    from test_user_code import _deploy

    names = naming.for_week(3)
    bucket, function, aws_lambda = names.bucket("lake"), names.resource("validator"), client("lambda")
    client("s3").create_bucket(Bucket=bucket)
    _deploy(client, function, "def handler(e, c):\n    pass\n")
    version = aws_lambda.publish_version(FunctionName=function)["FunctionArn"]
    for qualifier in (None, "1"):
        aws_lambda.add_permission(FunctionName=function, StatementId=f"s3-{qualifier}", Action="lambda:InvokeFunction",
                                  Principal="s3.amazonaws.com", SourceArn=f"arn:aws:s3:::{bucket}",
                                  SourceAccount=names.account, **({"Qualifier": qualifier} if qualifier else {}))
    client("s3").put_bucket_notification_configuration(Bucket=bucket, NotificationConfiguration={
        "LambdaFunctionConfigurations": [{"LambdaFunctionArn": version, "Events": ["s3:ObjectCreated:*"], "Filter": {
            "Key": {"FilterRules": [{"Name": "prefix", "Value": "raw/"}, {"Name": "suffix", "Value": ".csv"}]}}}]})
    message = _failure(3, "3.3")
    assert f"configured for {version}, a published version or alias" in message
    assert "a published version is frozen" in message and "update_function_code" in message
