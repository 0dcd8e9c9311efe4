import json
import socket
import time

import pytest

from lakelab.emulator import Emulator, EmulatorError
from lakelab.emulator.server import probe


def test_health_identifies_the_emulator(emulator):
    assert probe(emulator.endpoint)["service"] == "lakelab-emulator"


def test_probe_of_a_closed_port_is_none():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    assert probe(f"http://127.0.0.1:{port}") is None


def test_port_in_use_gets_a_clear_message():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        with pytest.raises(EmulatorError, match="already in use"):
            Emulator(port=sock.getsockname()[1]).start()


def test_reset_forgets_resources(emulator, client):
    client("s3").create_bucket(Bucket="lakelab-reset-test")
    emulator.reset()
    assert client("s3").list_buckets()["Buckets"] == []


def test_s3_notification_is_delivered_after_the_put_returns(emulator, client, monkeypatch):
    """The PUT answers before delivery (as on AWS), and the event still arrives."""
    from lakelab.emulator import seam

    s3, sqs = client("s3"), client("sqs")
    s3.create_bucket(Bucket="lakelab-async")
    queue_url = sqs.create_queue(QueueName="lakelab-async-q")["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    s3.put_bucket_notification_configuration(
        Bucket="lakelab-async",
        NotificationConfiguration={"QueueConfigurations": [{"QueueArn": arn, "Events": ["s3:ObjectCreated:*"]}]},
    )
    assert seam.chain("s3_notifications", "send_event"), "S3 extension not installed"

    from lakelab.emulator import dispatch

    gate = __import__("threading").Event()
    dispatch.submit(lambda: gate.wait(10))  # hold the dispatcher: delivery must wait, the PUT must not
    started = time.perf_counter()
    s3.put_object(Bucket="lakelab-async", Key="raw/a b.csv", Body=b"x")
    assert time.perf_counter() - started < 2
    body = _bodies(sqs, queue_url, wait=0)
    assert not any("Records" in b for b in body), "delivered inside the PUT"
    gate.set()
    emulator.drain()
    records = [r for b in _bodies(sqs, queue_url, wait=1) for r in b.get("Records", [])]
    assert [r["s3"]["object"]["key"] for r in records] == ["raw/a+b.csv"]


def _bodies(sqs, queue_url, wait):
    messages = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=wait).get("Messages", [])
    return [json.loads(m["Body"]) for m in messages]


def test_tls_only_bucket_policy_does_not_lock_the_bucket(client):
    """Requests stand in for AWS's HTTPS endpoint: a deny-without-TLS policy must not deny them."""
    s3 = client("s3")
    s3.create_bucket(Bucket="lakelab-tls")
    statement = {"Effect": "Deny", "Principal": "*", "Action": "s3:*",
                 "Resource": ["arn:aws:s3:::lakelab-tls", "arn:aws:s3:::lakelab-tls/*"]}
    tls_only = dict(statement, Condition={"Bool": {"aws:SecureTransport": "false"}})
    s3.put_bucket_policy(Bucket="lakelab-tls", Policy=json.dumps({"Version": "2012-10-17", "Statement": [tls_only]}))
    s3.put_object(Bucket="lakelab-tls", Key="a", Body=b"1")
    answer = s3.delete_objects(Bucket="lakelab-tls", Delete={"Objects": [{"Key": "a"}]})
    assert not answer.get("Errors")
    # A deny with no condition still denies: the policy is evaluated, not ignored.
    s3.put_bucket_policy(Bucket="lakelab-tls", Policy=json.dumps({"Version": "2012-10-17", "Statement": [statement]}))
    answer = s3.delete_objects(Bucket="lakelab-tls", Delete={"Objects": [{"Key": "b"}]})
    assert answer["Errors"][0]["Code"] == "AccessDenied"


def test_aws_managed_policies_exist_on_first_use(client):
    iam = client("iam")
    iam.create_role(RoleName="lakelab-policy-test", AssumeRolePolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]}))
    arn = "arn:aws:iam::aws:policy/service-role/AWSGlueServiceRole"
    iam.attach_role_policy(RoleName="lakelab-policy-test", PolicyArn=arn)
    attached = iam.list_attached_role_policies(RoleName="lakelab-policy-test")["AttachedPolicies"]
    assert attached == [{"PolicyName": "AWSGlueServiceRole", "PolicyArn": arn}]
    assert "glue:*" in json.dumps(iam.get_policy_version(PolicyArn=arn, VersionId=iam.get_policy(PolicyArn=arn)["Policy"]["DefaultVersionId"])["PolicyVersion"]["Document"])
    with pytest.raises(iam.exceptions.NoSuchEntityException):
        iam.attach_role_policy(RoleName="lakelab-policy-test", PolicyArn="arn:aws:iam::aws:policy/NoSuchPolicyAnywhere")


def _queue_rule(arn, prefix, suffix, events=("s3:ObjectCreated:*",)):
    rules = [{"Name": "prefix", "Value": prefix}, {"Name": "suffix", "Value": suffix}]
    return {"QueueArn": arn, "Events": list(events), "Filter": {"Key": {"FilterRules": rules}}}


def test_overlapping_notification_rules_are_refused_as_s3_refuses_them(client):
    s3, sqs = client("s3"), client("sqs")
    s3.create_bucket(Bucket="lakelab-overlap")
    url = sqs.create_queue(QueueName="lakelab-overlap-q")["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    ambiguous = [_queue_rule(arn, "raw/", ".csv"), _queue_rule(arn, "raw/orders/", ".csv", ["s3:ObjectCreated:Put"])]
    with pytest.raises(s3.exceptions.ClientError) as raised:
        s3.put_bucket_notification_configuration(Bucket="lakelab-overlap",
                                                 NotificationConfiguration={"QueueConfigurations": ambiguous})
    assert raised.value.response["Error"]["Code"] == "InvalidArgument"
    assert "ambiguously defined" in raised.value.response["Error"]["Message"]
    distinct = [_queue_rule(arn, "raw/orders/", ".csv"), _queue_rule(arn, "raw/customers/", ".csv"),
                _queue_rule(arn, "raw/", ".json"), _queue_rule(arn, "raw/", ".csv", ["s3:ObjectRemoved:*"])]
    s3.put_bucket_notification_configuration(Bucket="lakelab-overlap",
                                             NotificationConfiguration={"QueueConfigurations": distinct})
    assert len(s3.get_bucket_notification_configuration(Bucket="lakelab-overlap")["QueueConfigurations"]) == 4
