"""Calls between services: in-process, through the API's own code path, as the caller."""

import io
import json
import zipfile

import pytest

from lakelab.emulator import context
from lakelab.emulator.services.athena import calls as athena
from lakelab.emulator.services.awslambda import calls as awslambda
from lakelab.emulator.services.glue import calls as glue
from lakelab.emulator.services.sns import calls as sns

ROLE = "arn:aws:iam::123456789012:role/lakelab-calls"
TRUST = json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]})


def _zip(source: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("app.py", source)
    return buffer.getvalue()


@pytest.fixture
def lake(client, service_role):
    client("s3").create_bucket(Bucket="lake")
    service_role("glue", "lakelab-crawls")  # crawls read S3 as their role
    return client


def test_lambda_invoke_runs_the_handler_and_reports_errors(lake):
    role = lake("iam").create_role(RoleName="lakelab-calls", AssumeRolePolicyDocument=TRUST)["Role"]["Arn"]
    source = "def handler(event, context):\n    if event.get('fail'):\n        raise ValueError('no')\n    return {'doubled': event['n'] * 2}\n"
    lake("lambda").create_function(FunctionName="double", Runtime="python3.12", Role=role, Handler="app.handler",
                                   Code={"ZipFile": _zip(source)})
    answer = awslambda.invoke("double", {"n": 21})
    assert answer["StatusCode"] == 200 and json.loads(answer["Payload"]) == {"doubled": 42}
    assert awslambda.invoke("double", {"fail": True})["FunctionError"] == "Unhandled"
    assert awslambda.invoke("double", {"n": 1}, invocation_type="DryRun")["StatusCode"] == 204
    with context.acting_as(context.Principal.root("210987654321")):  # the caller's account has no "double"
        with pytest.raises(Exception, match="Function not found"):
            awslambda.invoke("double", {"n": 1})


def test_lambda_invoke_of_an_unknown_function_fails_as_the_api_does(emulator):
    with pytest.raises(Exception, match="Function not found"):
        awslambda.invoke("missing", {})


def test_glue_job_run_runs_the_script_and_the_wait_returns_its_final_state(lake):
    lake("s3").put_object(Bucket="lake", Key="scripts/hello.py", Body=b"import sys\nprint('hello', sys.argv[-1])\n")
    lake("glue").create_job(Name="hello", Role=ROLE, GlueVersion="5.0",
                            Command={"Name": "pythonshell", "ScriptLocation": "s3://lake/scripts/hello.py",
                                     "PythonVersion": "3.9"})
    run_id = glue.start_job_run("hello", {"--who": "world"})
    assert glue.wait_for_job_run("hello", run_id, timeout=120) == "SUCCEEDED"
    described = lake("glue").get_job_run(JobName="hello", RunId=run_id)["JobRun"]
    assert described["Arguments"] == {"--who": "world"} and described["JobRunState"] == "SUCCEEDED"


def test_glue_crawler_crawls_and_the_wait_returns_the_outcome(lake):
    lake("s3").put_object(Bucket="lake", Key="raw/orders/part-0.csv", Body=b"id,amount\n1,2.5\n2,3.5\n")
    lake("glue").create_database(DatabaseInput={"Name": "sales"})
    lake("glue").create_crawler(Name="orders", Role="lakelab-crawls", DatabaseName="sales",
                                Targets={"S3Targets": [{"Path": "s3://lake/raw/orders/"}]})
    glue.start_crawler("orders")
    assert glue.wait_for_crawler("orders", timeout=60) == "SUCCEEDED"
    assert lake("glue").get_table(DatabaseName="sales", Name="orders")["Table"]["Name"] == "orders"
    with pytest.raises(Exception, match="missing"):  # the API's own check
        glue.start_crawler("missing")


def test_athena_query_runs_and_the_wait_describes_it(lake):
    execution_id = athena.start_query("SELECT 7 / 2 AS half", output_location="s3://lake/results/")
    described = athena.wait_for_query(execution_id, timeout=60)
    assert described["Status"]["State"] == "SUCCEEDED"
    rows = lake("athena").get_query_results(QueryExecutionId=execution_id)["ResultSet"]["Rows"]
    assert rows[1]["Data"][0]["VarCharValue"] == "3"


def test_athena_query_without_an_output_location_is_refused_as_the_api_refuses_it(emulator):
    with pytest.raises(Exception, match="No output location provided"):
        athena.start_query("SELECT 1")


def test_sns_publish_delivers_to_subscribers(client, emulator):
    topic = client("sns").create_topic(Name="events")["TopicArn"]
    queue_url = client("sqs").create_queue(QueueName="events-q")["QueueUrl"]
    queue_arn = client("sqs").get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    client("sns").subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue_arn)
    message_id = sns.publish(topic, "hello", subject="greeting")
    messages = client("sqs").receive_message(QueueUrl=queue_url, WaitTimeSeconds=2)["Messages"]
    body = json.loads(messages[0]["Body"])
    assert body["MessageId"] == message_id and body["Message"] == "hello" and body["Subject"] == "greeting"
