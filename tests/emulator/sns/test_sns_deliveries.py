"""SNS on the emulator: filter policies, raw delivery, SQS and Lambda subscribers, dead-letter queues,
FIFO topics, email subscriptions that stay pending."""

import io
import json
import zipfile

import pytest
from botocore.exceptions import ClientError

SNS_TO_LOG = """
import json
def handler(event, context):
    print("EVENT " + json.dumps(event["Records"][0]))
"""
TRUST = json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]})


def queue(client, name, **attributes):
    sqs = client("sqs")
    url = sqs.create_queue(QueueName=name, Attributes=attributes)["QueueUrl"]
    return url, sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]


def received(client, url):
    sqs, found = client("sqs"), []
    while messages := sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10,
                                          MessageAttributeNames=["All"]).get("Messages", []):
        found += messages
        for message in messages:
            sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
    return found


def string(value):
    return {"DataType": "String", "StringValue": value}


def number(value):
    return {"DataType": "Number", "StringValue": str(value)}


def test_filter_policies_on_attributes_and_on_the_body(emulator, client):
    sns = client("sns")
    topic = sns.create_topic(Name="lakelab-events")["TopicArn"]
    policies = {
        "exact": {"kind": ["click"]},
        "prefix": {"kind": [{"prefix": "cl"}]},
        "anything-but": {"kind": [{"anything-but": ["click"]}]},
        "numeric": {"price": [{"numeric": [">", 10, "<=", 20]}]},
        "exists": {"kind": [{"exists": False}]},
    }
    urls = {}
    for name, policy in policies.items():
        urls[name], arn = queue(client, f"lakelab-{name}")
        sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=arn,
                      Attributes={"FilterPolicy": json.dumps(policy), "RawMessageDelivery": "true"})
    body_url, body_arn = queue(client, "lakelab-body")
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=body_arn, Attributes={
        "FilterPolicy": json.dumps({"order": {"total": [{"numeric": [">=", 100]}]}}),
        "FilterPolicyScope": "MessageBody", "RawMessageDelivery": "true"})
    sns.publish(TopicArn=topic, Message="m1", MessageAttributes={"kind": string("click"), "price": number(15)})
    sns.publish(TopicArn=topic, Message="m2", MessageAttributes={"kind": string("view"), "price": number(150)})
    sns.publish(TopicArn=topic, Message="m3", MessageAttributes={"price": number(20)})
    sns.publish(TopicArn=topic, Message=json.dumps({"order": {"total": 150}}))
    sns.publish(TopicArn=topic, Message=json.dumps({"order": {"total": 50}}))
    emulator.drain()
    got = {name: sorted(m["Body"] for m in received(client, url)) for name, url in urls.items()}
    assert got == {"exact": ["m1"], "prefix": ["m1"], "anything-but": ["m2"], "numeric": ["m1", "m3"],
                   "exists": ["m3", '{"order": {"total": 150}}', '{"order": {"total": 50}}']}
    assert [m["Body"] for m in received(client, body_url)] == ['{"order": {"total": 150}}']


def test_raw_delivery_and_the_envelope(emulator, client):
    sns = client("sns")
    topic = sns.create_topic(Name="lakelab-events")["TopicArn"]
    raw_url, raw_arn = queue(client, "lakelab-raw")
    wrapped_url, wrapped_arn = queue(client, "lakelab-wrapped")
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=raw_arn, Attributes={"RawMessageDelivery": "true"})
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=wrapped_arn, Attributes={"RawMessageDelivery": "false"})
    sns.publish(TopicArn=topic, Message="lag high", Subject="alert", MessageAttributes={"shard": string("0")})
    emulator.drain()
    raw = received(client, raw_url)[0]
    assert raw["Body"] == "lag high"
    assert raw["MessageAttributes"]["shard"] == {"DataType": "String", "StringValue": "0"}
    envelope = json.loads(received(client, wrapped_url)[0]["Body"])
    assert (envelope["Type"], envelope["TopicArn"], envelope["Message"], envelope["Subject"]) == (
        "Notification", topic, "lag high", "alert")
    assert envelope["MessageAttributes"] == {"shard": {"Type": "String", "Value": "0"}}
    assert envelope["UnsubscribeURL"].endswith(sns.list_subscriptions_by_topic(TopicArn=topic)[
        "Subscriptions"][1]["SubscriptionArn"])


def deploy(client, name):
    iam = client("iam")
    try:
        role = iam.get_role(RoleName="lakelab-test-lambda")["Role"]["Arn"]
    except ClientError:
        role = iam.create_role(RoleName="lakelab-test-lambda", AssumeRolePolicyDocument=TRUST)["Role"]["Arn"]
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as files:
        files.writestr("app.py", SNS_TO_LOG)
    return client("lambda").create_function(FunctionName=name, Runtime="python3.12", Role=role, Handler="app.handler",
                                            Code={"ZipFile": archive.getvalue()})["FunctionArn"]


def logged_events(client, function):
    logs, group = client("logs"), f"/aws/lambda/{function}"
    streams = [s["logStreamName"] for s in logs.describe_log_streams(logGroupName=group)["logStreams"]]
    return [json.loads(e["message"][len("EVENT "):]) for stream in streams
            for e in logs.get_log_events(logGroupName=group, logStreamName=stream)["events"]
            if e["message"].startswith("EVENT ")]


def test_a_lambda_subscriber_gets_the_message_itself(emulator, client):
    sns = client("sns")
    topic = sns.create_topic(Name="lakelab-alerts")["TopicArn"]
    subscription = sns.subscribe(TopicArn=topic, Protocol="lambda", Endpoint=deploy(client, "lakelab-alert-fn"),
                                 ReturnSubscriptionArn=True)["SubscriptionArn"]
    message_id = sns.publish(TopicArn=topic, Message="consumer behind", Subject="lag",
                             MessageAttributes={"stream": string("clicks")})["MessageId"]
    emulator.drain()
    record = logged_events(client, "lakelab-alert-fn")[0]
    assert (record["EventSource"], record["EventSubscriptionArn"]) == ("aws:sns", subscription)
    assert {k: record["Sns"][k] for k in ("MessageId", "TopicArn", "Subject", "Message")} == {
        "MessageId": message_id, "TopicArn": topic, "Subject": "lag", "Message": "consumer behind"}
    assert record["Sns"]["MessageAttributes"] == {"stream": {"Type": "String", "Value": "clicks"}}


def test_failed_deliveries_go_to_the_dead_letter_queue(emulator, client):
    sns = client("sns")
    topic = sns.create_topic(Name="lakelab-alerts")["TopicArn"]
    dlq_url, dlq_arn = queue(client, "lakelab-alerts-dlq")
    gone_url, gone_arn = queue(client, "lakelab-gone")
    redrive = {"RedrivePolicy": json.dumps({"deadLetterTargetArn": dlq_arn})}
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=gone_arn, Attributes=redrive)
    function_arn = deploy(client, "lakelab-gone-fn")
    sns.subscribe(TopicArn=topic, Protocol="lambda", Endpoint=function_arn, Attributes=redrive)
    client("sqs").delete_queue(QueueUrl=gone_url)
    client("lambda").delete_function(FunctionName="lakelab-gone-fn")
    sns.publish(TopicArn=topic, Message="nobody home")  # the publisher is never told
    emulator.drain()
    dead = [json.loads(m["Body"]) for m in received(client, dlq_url)]
    assert [(m["Type"], m["Message"]) for m in dead] == [("Notification", "nobody home")] * 2
    sns.set_subscription_attributes(SubscriptionArn=sns.list_subscriptions_by_topic(TopicArn=topic)[
        "Subscriptions"][0]["SubscriptionArn"], AttributeName="RedrivePolicy", AttributeValue="")
    sns.publish(TopicArn=topic, Message="lost")  # no dead-letter queue: lost, still not the publisher's error


def test_fifo_topics_deduplicate_and_number_their_messages(emulator, client):
    sns = client("sns")
    topic = sns.create_topic(Name="lakelab-orders.fifo", Attributes={
        "FifoTopic": "true", "ContentBasedDeduplication": "true"})["TopicArn"]
    fifo_url, fifo_arn = queue(client, "lakelab-orders.fifo", FifoQueue="true")
    standard_url, standard_arn = queue(client, "lakelab-orders-all")
    for arn in (fifo_arn, standard_arn):
        sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=arn, Attributes={"RawMessageDelivery": "true"})
    answers = [sns.publish(TopicArn=topic, Message=body, MessageGroupId="customer-1")
               for body in ("order-1", "order-2", "order-1")]
    assert answers[2]["MessageId"] == answers[0]["MessageId"], "a duplicate within five minutes is accepted, not sent"
    assert int(answers[0]["SequenceNumber"]) < int(answers[1]["SequenceNumber"])
    batch = sns.publish_batch(TopicArn=topic, PublishBatchRequestEntries=[
        {"Id": "a", "Message": "order-2", "MessageGroupId": "customer-1"},
        {"Id": "b", "Message": "order-3", "MessageGroupId": "customer-1"}])["Successful"]
    assert int(batch[1]["SequenceNumber"]) > int(answers[1]["SequenceNumber"])
    emulator.drain()
    assert [m["Body"] for m in received(client, fifo_url)] == ["order-1", "order-2", "order-3"]
    assert sorted(m["Body"] for m in received(client, standard_url)) == ["order-1", "order-2", "order-3"]
    with pytest.raises(ClientError) as refused:
        sns.subscribe(TopicArn=topic, Protocol="lambda", Endpoint="arn:aws:lambda:us-east-1:123456789012:function:x")
    assert refused.value.response["Error"]["Code"] == "InvalidParameter"
    standard = sns.create_topic(Name="lakelab-plain", Attributes={"FifoTopic": "false"})["TopicArn"]
    assert sns.get_topic_attributes(TopicArn=standard)["Attributes"].get("FifoTopic", "false") == "false"


def test_email_subscriptions_stay_pending(emulator, client):
    sns = client("sns")
    topic = sns.create_topic(Name="lakelab-alerts")["TopicArn"]
    answer = sns.subscribe(TopicArn=topic, Protocol="email", Endpoint="oncall@example.com")
    assert answer["SubscriptionArn"] == "pending confirmation"
    listed = sns.list_subscriptions_by_topic(TopicArn=topic)["Subscriptions"]
    assert [(s["Protocol"], s["SubscriptionArn"]) for s in listed] == [("email", "PendingConfirmation")]
    assert sns.list_subscriptions()["Subscriptions"][0]["SubscriptionArn"] == "PendingConfirmation"
    arn = sns.subscribe(TopicArn=topic, Protocol="email", Endpoint="oncall@example.com",
                        ReturnSubscriptionArn=True)["SubscriptionArn"]
    assert sns.get_subscription_attributes(SubscriptionArn=arn)["Attributes"]["PendingConfirmation"] == "true"
    sns.publish(TopicArn=topic, Message="never mailed")
