"""The metrics AWS services publish about themselves, published by the emulator's services:
Lambda invocations, Glue job runs (and their EventBridge state changes), Athena queries, Kinesis."""

import io
import json
import time
import zipfile
from datetime import UTC, datetime, timedelta

import pytest


def _statistics(cloudwatch, namespace, name, dimensions, statistics=("Sum",), timeout=20.0):
    deadline = time.time() + timeout
    while True:
        now = datetime.now(UTC)
        points = cloudwatch.get_metric_statistics(Namespace=namespace, MetricName=name, Dimensions=dimensions,
                                                  StartTime=now - timedelta(minutes=10),
                                                  EndTime=now + timedelta(minutes=1), Period=3600,
                                                  Statistics=list(statistics))["Datapoints"]
        if points or time.time() > deadline:
            return points
        time.sleep(0.2)


def _zip(source):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("app.py", source)
    return buffer.getvalue()


FLAKY = """
def handler(event, context):
    if event.get("fail"):
        raise ValueError("bad record")
    return "ok"
"""


def test_lambda_publishes_invocations_errors_and_duration(client, service_role):
    functions = client("lambda")
    functions.create_function(FunctionName="lakelab-flaky", Runtime="python3.12", Handler="app.handler",
                              Role=service_role("lambda", "lakelab-flaky"), Code={"ZipFile": _zip(FLAKY)})
    for event in ({}, {"fail": True}, {}):
        functions.invoke(FunctionName="lakelab-flaky", Payload=json.dumps(event))
    cloudwatch = client("cloudwatch")
    by_function = [{"Name": "FunctionName", "Value": "lakelab-flaky"}]
    assert _statistics(cloudwatch, "AWS/Lambda", "Invocations", by_function)[0]["Sum"] == 3.0
    assert _statistics(cloudwatch, "AWS/Lambda", "Errors", by_function)[0]["Sum"] == 1.0
    assert _statistics(cloudwatch, "AWS/Lambda", "Throttles", by_function)[0]["Sum"] == 0.0
    duration = _statistics(cloudwatch, "AWS/Lambda", "Duration", by_function, ("Maximum",))[0]
    assert duration["Unit"] == "Milliseconds" and 0 < duration["Maximum"] < 5000
    assert _statistics(cloudwatch, "AWS/Lambda", "Invocations", [])[0]["Sum"] == 3.0  # the account-wide series


def test_an_alarm_on_lambda_errors_fires(client, service_role):
    functions = client("lambda")
    functions.create_function(FunctionName="lakelab-flaky", Runtime="python3.12", Handler="app.handler",
                              Role=service_role("lambda", "lakelab-flaky"), Code={"ZipFile": _zip(FLAKY)})
    cloudwatch = client("cloudwatch")
    cloudwatch.put_metric_alarm(AlarmName="ingest-errors", Namespace="AWS/Lambda", MetricName="Errors",
                                Dimensions=[{"Name": "FunctionName", "Value": "lakelab-flaky"}], Statistic="Sum",
                                Period=10, EvaluationPeriods=1, Threshold=0, TreatMissingData="notBreaching",
                                ComparisonOperator="GreaterThanThreshold")
    functions.invoke(FunctionName="lakelab-flaky", Payload=json.dumps({"fail": True}))
    deadline = time.time() + 15
    while time.time() < deadline:
        found = cloudwatch.describe_alarms(AlarmNames=["ingest-errors"])["MetricAlarms"][0]
        if found["StateValue"] == "ALARM":
            break
        time.sleep(0.2)
    assert found["StateValue"] == "ALARM", found["StateReason"]


SHELL = """
import sys
if "--fail" in sys.argv:
    raise RuntimeError("the input is missing")
print("done")
"""


@pytest.mark.slow
def test_glue_job_runs_send_state_changes_and_elapsed_time(client, service_role):
    s3, glue, events, sqs = client("s3"), client("glue"), client("events"), client("sqs")
    s3.create_bucket(Bucket="lake")
    s3.put_object(Bucket="lake", Key="scripts/job.py", Body=SHELL.encode())
    role = service_role("glue", "lakelab-glue")
    glue.create_job(Name="lakelab-curate", Role=role, GlueVersion="5.0", DefaultArguments={"--enable-metrics": "true"},
                    Command={"Name": "pythonshell", "PythonVersion": "3.9",
                             "ScriptLocation": "s3://lake/scripts/job.py"})
    url = sqs.create_queue(QueueName="glue-failures")["QueueUrl"]
    queue = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    events.put_rule(Name="glue-failed", EventPattern=json.dumps({
        "source": ["aws.glue"], "detail-type": ["Glue Job State Change"], "detail": {"state": ["FAILED"]}}))
    events.put_targets(Rule="glue-failed", Targets=[{"Id": "queue", "Arn": queue}])
    for arguments in ({}, {"--fail": "yes"}):
        run_id = glue.start_job_run(JobName="lakelab-curate", Arguments=arguments)["JobRunId"]
        deadline = time.time() + 120
        while glue.get_job_run(JobName="lakelab-curate", RunId=run_id)["JobRun"]["JobRunState"] not in (
                "SUCCEEDED", "FAILED") and time.time() < deadline:
            time.sleep(0.5)
    messages = sqs.receive_message(QueueUrl=url, WaitTimeSeconds=2).get("Messages", [])
    [event] = [json.loads(m["Body"]) for m in messages]
    assert event["source"] == "aws.glue" and event["detail-type"] == "Glue Job State Change"
    assert {k: event["detail"][k] for k in ("jobName", "severity", "state", "jobRunId")} == {
        "jobName": "lakelab-curate", "severity": "ERROR", "state": "FAILED", "jobRunId": run_id}
    elapsed = _statistics(client("cloudwatch"), "Glue", "glue.driver.aggregate.elapsedTime", [
        {"Name": "JobName", "Value": "lakelab-curate"}, {"Name": "JobRunId", "Value": "ALL"},
        {"Name": "Type", "Value": "count"}], ("SampleCount", "Maximum"))[0]
    assert elapsed["SampleCount"] == 2.0 and elapsed["Unit"] == "Milliseconds" and elapsed["Maximum"] > 0


def test_athena_publishes_query_metrics_for_workgroups_that_ask(client):
    s3, athena = client("s3"), client("athena")
    s3.create_bucket(Bucket="lakelab-results")
    output = {"OutputLocation": "s3://lakelab-results/"}
    athena.create_work_group(Name="analysts", Configuration={"ResultConfiguration": output,
                                                             "PublishCloudWatchMetricsEnabled": True})
    athena.create_work_group(Name="quiet", Configuration={"ResultConfiguration": output,
                                                          "PublishCloudWatchMetricsEnabled": False})
    for workgroup in ("analysts", "quiet"):
        query_id = athena.start_query_execution(QueryString="SELECT 1 AS x", WorkGroup=workgroup)["QueryExecutionId"]
        while athena.get_query_execution(QueryExecutionId=query_id)["QueryExecution"]["Status"]["State"] in (
                "QUEUED", "RUNNING"):
            time.sleep(0.1)
    cloudwatch = client("cloudwatch")
    dimensions = [{"Name": "QueryState", "Value": "SUCCEEDED"}, {"Name": "QueryType", "Value": "DML"},
                  {"Name": "WorkGroup", "Value": "analysts"}]
    total = _statistics(cloudwatch, "AWS/Athena", "TotalExecutionTime", dimensions, ("SampleCount",))[0]
    assert total["SampleCount"] == 1.0 and total["Unit"] == "Milliseconds"
    assert _statistics(cloudwatch, "AWS/Athena", "ProcessedBytes", dimensions)[0]["Unit"] == "Bytes"
    quiet = [{**d, "Value": "quiet"} if d["Name"] == "WorkGroup" else d for d in dimensions]
    assert _statistics(cloudwatch, "AWS/Athena", "TotalExecutionTime", quiet, timeout=0.5) == []


def test_kinesis_publishes_incoming_records_and_iterator_age(client):
    kinesis = client("kinesis")
    kinesis.create_stream(StreamName="clicks", ShardCount=1)
    kinesis.put_records(StreamName="clicks", Records=[{"Data": b"x", "PartitionKey": str(i)} for i in range(5)])
    shard = kinesis.describe_stream(StreamName="clicks")["StreamDescription"]["Shards"][0]["ShardId"]
    iterator = kinesis.get_shard_iterator(StreamName="clicks", ShardId=shard,
                                          ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
    kinesis.get_records(ShardIterator=iterator)
    cloudwatch, by_stream = client("cloudwatch"), [{"Name": "StreamName", "Value": "clicks"}]
    assert _statistics(cloudwatch, "AWS/Kinesis", "IncomingRecords", by_stream)[0]["Sum"] == 5.0
    age = _statistics(cloudwatch, "AWS/Kinesis", "GetRecords.IteratorAgeMilliseconds", by_stream, ("Maximum",))[0]
    assert age["Unit"] == "Milliseconds" and age["Maximum"] >= 0


def test_an_alarm_on_firehose_data_freshness_fires(client, service_role):
    client("s3").create_bucket(Bucket="lakelab-fresh")
    firehose = client("firehose")
    firehose.create_delivery_stream(DeliveryStreamName="clicks", ExtendedS3DestinationConfiguration={
        "BucketARN": "arn:aws:s3:::lakelab-fresh", "RoleARN": service_role("firehose", "lakelab-fh", ("s3:*",)),
        "BufferingHints": {"SizeInMBs": 1, "IntervalInSeconds": 1}})
    time.sleep(0.6)  # CREATING, briefly
    cloudwatch = client("cloudwatch")
    cloudwatch.put_metric_alarm(AlarmName="ingestion-lags", Namespace="AWS/Firehose",
                                MetricName="DeliveryToS3.DataFreshness", Statistic="Maximum", Period=10,
                                EvaluationPeriods=1, Threshold=0.5, ComparisonOperator="GreaterThanThreshold",
                                Dimensions=[{"Name": "DeliveryStreamName", "Value": "clicks"}])
    firehose.put_record(DeliveryStreamName="clicks", Record={"Data": b'{"page": "/"}\n'})
    deadline = time.time() + 15
    while time.time() < deadline:
        found = cloudwatch.describe_alarms(AlarmNames=["ingestion-lags"])["MetricAlarms"][0]
        if found["StateValue"] == "ALARM":
            break
        time.sleep(0.2)
    assert found["StateValue"] == "ALARM", found["StateReason"]  # the record waited for the 1 s buffer
