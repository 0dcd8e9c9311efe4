"""Work the emulator does for someone is done as them: Athena reads as its caller, a crawler as its role."""

from __future__ import annotations

import json
import time

import boto3
import pytest

ACCOUNT = "123456789012"
TRUST_ACCOUNT = {"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"}, "Action": "sts:AssumeRole"}]}
QUERYING = ["athena:StartQueryExecution", "athena:GetQueryExecution", "glue:GetDatabase", "glue:GetTable",
            "glue:GetPartitions"]


def _policy(*statements):
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def _allow(actions, resources):
    return {"Effect": "Allow", "Action": actions, "Resource": resources}


def _session(emulator, client, role, *statements):
    iam = client("iam")
    iam.create_role(RoleName=role, AssumeRolePolicyDocument=json.dumps(TRUST_ACCOUNT))
    iam.put_role_policy(RoleName=role, PolicyName="work", PolicyDocument=_policy(*statements))
    credentials = client("sts").assume_role(RoleArn=f"arn:aws:iam::{ACCOUNT}:role/{role}",
                                            RoleSessionName="notebook")["Credentials"]
    return lambda service: boto3.client(service, region_name="us-east-1", endpoint_url=emulator.endpoint,
                                        aws_access_key_id=credentials["AccessKeyId"],
                                        aws_secret_access_key=credentials["SecretAccessKey"],
                                        aws_session_token=credentials["SessionToken"])


@pytest.fixture
def orders_table(client):
    s3, athena = client("s3"), client("athena")
    for bucket in ("lake", "results"):
        s3.create_bucket(Bucket=bucket)
    s3.put_object(Bucket="lake", Key="raw/orders/orders.csv", Body=b"1,2.50\n2,4.00\n")
    client("glue").create_database(DatabaseInput={"Name": "sales"})
    _query(athena, "CREATE EXTERNAL TABLE orders (id int, amount double) ROW FORMAT DELIMITED "
                   "FIELDS TERMINATED BY ',' LOCATION 's3://lake/raw/orders/'")


def _query(athena, sql):
    execution_id = athena.start_query_execution(
        QueryString=sql, QueryExecutionContext={"Database": "sales"},
        ResultConfiguration={"OutputLocation": "s3://results/q/"})["QueryExecutionId"]
    for _ in range(200):
        status = athena.get_query_execution(QueryExecutionId=execution_id)["QueryExecution"]["Status"]
        if status["State"] in ("SUCCEEDED", "FAILED", "CANCELLED"):
            return status
        time.sleep(0.05)
    raise AssertionError("the query did not finish")


def test_athena_reads_the_data_as_its_caller(emulator, client, orders_table):
    writes_results = _allow(["s3:PutObject", "s3:GetObject"], "arn:aws:s3:::results/*")
    no_data = _session(emulator, client, "analyst", _allow(QUERYING, "*"), writes_results)
    status = _query(no_data("athena"), "SELECT sum(amount) FROM orders")
    assert status["State"] == "FAILED"
    assert "Permission denied on S3 path: s3://lake/raw/orders/" in status["StateChangeReason"]
    assert "assumed-role/analyst/notebook is not authorized to perform: s3:ListBucket" in status["StateChangeReason"]
    reads = [_allow("s3:ListBucket", "arn:aws:s3:::lake"), _allow("s3:GetObject", "arn:aws:s3:::lake/raw/*")]
    with_data = _session(emulator, client, "reader", _allow(QUERYING, "*"), writes_results, *reads)
    assert _query(with_data("athena"), "SELECT sum(amount) FROM orders")["State"] == "SUCCEEDED"


def test_athena_writes_results_as_its_caller(emulator, client, orders_table):
    reads = [_allow("s3:ListBucket", "arn:aws:s3:::lake"), _allow("s3:GetObject", "arn:aws:s3:::lake/raw/*")]
    no_results = _session(emulator, client, "analyst", _allow(QUERYING, "*"), *reads)
    status = _query(no_results("athena"), "SELECT count(*) FROM orders")
    assert status["State"] == "FAILED"
    assert status["StateChangeReason"].startswith("Access denied when writing output to url: s3://results/q/")


def _crawl(glue, role_name):
    glue.create_crawler(Name="orders", Role=role_name, DatabaseName="sales",
                        Targets={"S3Targets": [{"Path": "s3://lake/raw/orders/"}]})
    glue.start_crawler(Name="orders")
    for _ in range(200):
        crawler = glue.get_crawler(Name="orders")["Crawler"]
        if crawler["State"] == "READY" and crawler.get("LastCrawl"):
            return crawler["LastCrawl"]
        time.sleep(0.05)
    raise AssertionError("the crawl did not finish")


def test_a_crawler_reads_as_its_role(client, service_role):
    s3, glue = client("s3"), client("glue")
    s3.create_bucket(Bucket="lake")
    s3.put_object(Bucket="lake", Key="raw/orders/orders.csv", Body=b"id,amount\n1,2.50\n")
    glue.create_database(DatabaseInput={"Name": "sales"})
    service_role("glue", "NoS3Crawler", actions=("logs:*",))
    last = _crawl(glue, "NoS3Crawler")
    assert last["Status"] == "FAILED"
    assert "assumed-role/NoS3Crawler/AWS-Crawler is not authorized to perform: s3:ListBucket" in last["ErrorMessage"]
    glue.delete_crawler(Name="orders")
    service_role("glue", "LakeCrawler")
    assert _crawl(glue, "LakeCrawler")["Status"] == "SUCCEEDED"
    assert glue.get_tables(DatabaseName="sales")["TableList"][0]["Name"] == "orders"


def test_cloudtrail_shows_the_crawlers_role_session_creating_the_table(client, service_role):
    s3, glue = client("s3"), client("glue")
    s3.create_bucket(Bucket="lake")
    s3.put_object(Bucket="lake", Key="raw/orders/orders.csv", Body=b"id,amount\n1,2.50\n")
    glue.create_database(DatabaseInput={"Name": "sales"})
    service_role("glue", "LakeCrawler")
    assert _crawl(glue, "LakeCrawler")["Status"] == "SUCCEEDED"
    events = client("cloudtrail").lookup_events(
        LookupAttributes=[{"AttributeKey": "EventName", "AttributeValue": "CreateTable"}])["Events"]
    record = json.loads(events[0]["CloudTrailEvent"])
    assert record["userIdentity"]["arn"] == f"arn:aws:sts::{ACCOUNT}:assumed-role/LakeCrawler/AWS-Crawler"
    assert record["userIdentity"]["invokedBy"] == "glue.amazonaws.com"
    assert record["requestParameters"]["tableInput"] == {"name": "orders"}


def test_a_handler_whose_role_lacks_a_permission_fails_with_access_denied_in_its_logs(client, service_role):
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("app.py", "import boto3\ndef handler(event, context):\n"
                                   "    boto3.client('s3').put_object(Bucket='lake', Key='x', Body=b'x')\n")
    client("s3").create_bucket(Bucket="lake")
    role = service_role("lambda", "ReadOnlyHandler", actions=("s3:GetObject",))
    client("lambda").create_function(FunctionName="writer", Runtime="python3.12", Role=role,
                                     Handler="app.handler", Code={"ZipFile": buffer.getvalue()})
    answer = client("lambda").invoke(FunctionName="writer", LogType="Tail")
    assert answer["FunctionError"] == "Unhandled"
    logs = __import__("base64").b64decode(answer["LogResult"]).decode()
    assert "AccessDenied" in logs and "assumed-role/ReadOnlyHandler/writer is not authorized" in logs
    assert "s3:PutObject" in logs
