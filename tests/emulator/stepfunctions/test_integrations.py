"""Service integrations call the services for real, as the state machine's role: SNS, SQS, Glue, Athena."""

import json
import time

import pytest

from .conftest import ACCOUNT, allow, trust


@pytest.fixture(scope="module")
def data(lake):
    """A bucket with a CSV, a Glue database, a crawler, and two Python shell jobs: one fails."""
    s3, glue, iam = lake.client("s3"), lake.client("glue"), lake.client("iam")
    iam.create_role(RoleName="glue-work", AssumeRolePolicyDocument=trust("glue"))
    iam.put_role_policy(RoleName="glue-work", PolicyName="work", PolicyDocument=allow("s3:*", "glue:*", "logs:*"))
    s3.create_bucket(Bucket="lake")
    s3.put_object(Bucket="lake", Key="raw/orders/part-0.csv", Body=b"id,amount\n1,2.5\n2,3.5\n")
    s3.put_object(Bucket="lake", Key="scripts/ok.py", Body=b"print('curated')\n")
    s3.put_object(Bucket="lake", Key="scripts/bad.py", Body=b"raise SystemExit('3 rows have no id')\n")
    for job in ("ok", "bad"):
        glue.create_job(Name=job, Role="glue-work", GlueVersion="5.0", Command={
            "Name": "pythonshell", "ScriptLocation": f"s3://lake/scripts/{job}.py", "PythonVersion": "3.9"})
    glue.create_database(DatabaseInput={"Name": "sales"})
    glue.create_crawler(Name="orders", Role="glue-work", DatabaseName="sales",
                        Targets={"S3Targets": [{"Path": "s3://lake/raw/orders/"}]})
    return lake


def _task(resource, parameters, **state):
    return {"Type": "Task", "Resource": f"arn:aws:states:::{resource}", "Parameters": parameters, **state}


def test_sns_publish_and_sqs_send_message_deliver(lake):
    sns, sqs = lake.client("sns"), lake.client("sqs")
    topic = sns.create_topic(Name="arrivals")["TopicArn"]
    inbox = sqs.create_queue(QueueName="inbox")["QueueUrl"]
    direct = sqs.create_queue(QueueName="direct")["QueueUrl"]
    inbox_arn = sqs.get_queue_attributes(QueueUrl=inbox, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=inbox_arn, Attributes={"RawMessageDelivery": "true"})
    definition = {"StartAt": "Notify", "States": {
        "Notify": _task("sns:publish", {"TopicArn": topic, "Message.$": "$.file"}, ResultPath="$.published",
                        Next="Queue"),
        "Queue": _task("sqs:sendMessage", {"QueueUrl": direct, "MessageBody.$": "$"}, ResultPath=None, End=True)}}
    described = lake.run(lake.machine("notify", definition), {"file": "orders.csv"})
    assert described["status"] == "SUCCEEDED"
    output = json.loads(described["output"])
    assert output["file"] == "orders.csv" and output["published"]["MessageId"]
    assert sqs.receive_message(QueueUrl=inbox, WaitTimeSeconds=2)["Messages"][0]["Body"] == "orders.csv"
    assert json.loads(sqs.receive_message(QueueUrl=direct)["Messages"][0]["Body"])["file"] == "orders.csv"


def test_glue_job_sync_waits_for_the_run_and_a_failed_run_fails_the_task(data):
    def job(name):
        return {"StartAt": "Run", "States": {"Run": _task("glue:startJobRun.sync", {"JobName": name}, End=True)}}

    succeeded = data.run(data.machine("glue-ok", job("ok")))
    assert succeeded["status"] == "SUCCEEDED"
    run = json.loads(succeeded["output"])
    assert (run["JobName"], run["JobRunState"]) == ("ok", "SUCCEEDED") and isinstance(run["CompletedOn"], int)
    failed = data.run(data.machine("glue-bad", job("bad")))
    assert failed["status"] == "FAILED" and failed["error"] == "States.TaskFailed"
    cause = json.loads(failed["cause"])
    assert cause["JobRunState"] == "FAILED" and "3 rows have no id" in cause["ErrorMessage"]
    events = [event["type"] for event in data.history(failed["executionArn"])]
    assert events[2:6] == ["TaskScheduled", "TaskStarted", "TaskSubmitted", "TaskFailed"]


def test_a_crawler_started_through_the_aws_sdk_integration_crawls(data):
    definition = {"StartAt": "Crawl", "States": {"Crawl": _task("aws-sdk:glue:startCrawler", {"Name": "orders"},
                                                                End=True)}}
    assert data.run(data.machine("crawl", definition))["status"] == "SUCCEEDED"
    glue = data.client("glue")
    for _ in range(200):
        if glue.get_crawler(Name="orders")["Crawler"]["State"] == "READY" and glue.get_tables(DatabaseName="sales")[
                "TableList"]:
            break
        time.sleep(0.05)
    assert glue.get_tables(DatabaseName="sales")["TableList"][0]["Name"] == "orders"
    missing = {"StartAt": "Crawl", "States": {"Crawl": _task("aws-sdk:glue:startCrawler", {"Name": "nope"}, End=True)}}
    failed = data.run(data.machine("crawl-missing", missing))
    assert failed["error"] == "Glue.EntityNotFoundException"


def test_athena_query_sync_then_results_and_a_failed_query_fails_the_task(data):
    def query(sql):
        return {"StartAt": "Query", "States": {
            "Query": _task("athena:startQueryExecution.sync", {
                "QueryString": sql, "WorkGroup": "primary", "ResultConfiguration": {"OutputLocation": "s3://lake/results/"}},
                Next="Results"),
            "Results": _task("athena:getQueryResults", {"QueryExecutionId.$": "$.QueryExecution.QueryExecutionId"},
                             OutputPath="$.ResultSet.Rows[1].Data[0].VarCharValue", End=True)}}

    data.client("athena").start_query_execution(
        QueryString="CREATE EXTERNAL TABLE sales.sums (id int, amount double) ROW FORMAT DELIMITED FIELDS TERMINATED "
                    "BY ',' LOCATION 's3://lake/raw/orders/' TBLPROPERTIES ('skip.header.line.count'='1')",
        ResultConfiguration={"OutputLocation": "s3://lake/results/"})
    succeeded = data.run(data.machine("athena-ok", query("SELECT sum(amount) FROM sales.sums")))
    assert succeeded["status"] == "SUCCEEDED" and json.loads(succeeded["output"]) == "6.0"
    failed = data.run(data.machine("athena-bad", query("SELECT nope FROM sales.sums")))
    assert failed["status"] == "FAILED" and failed["error"] == "States.TaskFailed"
    status = json.loads(failed["cause"])["QueryExecution"]["Status"]
    assert status["State"] == "FAILED" and "nope" in status["StateChangeReason"]


def test_an_sdk_call_writes_json_text_and_a_callback_task_waits_for_its_token(data):
    definition = {"StartAt": "Write", "States": {
        "Write": _task("aws-sdk:s3:putObject", {"Bucket": "lake", "Key": "manifests/run 1.json", "Body.$": "$"},
                       ResultPath=None, Next="Read"),
        "Read": _task("aws-sdk:s3:getObject", {"Bucket": "lake", "Key": "manifests/run 1.json"},
                      ResultSelector={"manifest.$": "States.StringToJson($.Body)"}, ResultPath="$.read", Next="Approve"),
        "Approve": _task("lambda:invoke.waitForTaskToken", {
            "FunctionName": "steps", "Payload": {"action": "approve", "token.$": "$$.Task.Token"}},
            ResultPath="$.approval", End=True)}}
    described = data.run(data.machine("manifest", definition), {"files": 2})
    assert described["status"] == "SUCCEEDED"
    assert json.loads(described["output"]) == {"files": 2, "read": {"manifest": {"files": 2}},
                                               "approval": {"approved": True}}
    body = data.client("s3").get_object(Bucket="lake", Key="manifests/run 1.json")["Body"].read()
    assert json.loads(body) == {"files": 2}


def test_cloudtrail_records_the_tasks_calls_as_the_state_machines_role(data):
    definition = {"StartAt": "Run", "States": {"Run": _task("glue:startJobRun", {"JobName": "ok"}, End=True)}}
    described = data.run(data.machine("audited", definition))
    run_id = json.loads(described["output"])["JobRunId"]
    events = data.client("cloudtrail").lookup_events(
        LookupAttributes=[{"AttributeKey": "EventName", "AttributeValue": "StartJobRun"}])["Events"]
    record = next(json.loads(e["CloudTrailEvent"]) for e in events
                  if json.loads(e["CloudTrailEvent"]).get("responseElements", {}).get("jobRunId") == run_id)
    identity = record["userIdentity"]
    assert identity["type"] == "AssumedRole" and identity["invokedBy"] == "states.amazonaws.com"
    assert identity["arn"].startswith(f"arn:aws:sts::{ACCOUNT}:assumed-role/pipeline/")
    assert record["sourceIPAddress"] == "states.amazonaws.com"
