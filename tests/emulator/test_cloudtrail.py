"""CloudTrail records calls in AWS's record shape, answers LookupEvents, and delivers log files Athena reads."""

from __future__ import annotations

import datetime as dt
import gzip
import json
import re
import time

import botocore.exceptions
import pytest

from lakelab.emulator import services
from lakelab.emulator.context import ASSUMED_ROLE, Principal, RequestContext
from lakelab.emulator.requests import RequestView
from lakelab.emulator.services import cloudtrail
from lakelab.emulator.services.cloudtrail import history

ACCOUNT, REGION = "123456789012", "us-east-1"
LOGS = "trail-logs"
HAND_MADE = "192.0.2.7"  # the source address of calls these tests record by hand (the server records the rest)
KEY_PATTERN = re.compile(rf"^AWSLogs/{ACCOUNT}/CloudTrail/{REGION}/\d{{4}}/\d{{2}}/\d{{2}}/"
                         rf"{ACCOUNT}_CloudTrail_{REGION}_\d{{8}}T\d{{4}}Z_[A-Za-z0-9]{{16}}\.json\.gz$")
assert services  # the package the registry scans


def root() -> RequestContext:
    return RequestContext(Principal.root(ACCOUNT, "AKIAROOTEXAMPLE"), service="s3", region=REGION,
                          source_ip=HAND_MADE, user_agent="boto3/1.40")


def role_session() -> RequestContext:
    issued = dt.datetime(2024, 5, 1, 12, 0, tzinfo=dt.timezone.utc)
    who = Principal(ASSUMED_ROLE, ACCOUNT, f"arn:aws:sts::{ACCOUNT}:assumed-role/etl/nightly",
                    "AROAEXAMPLEID:nightly", "ASIAEXAMPLE", role_arn=f"arn:aws:iam::{ACCOUNT}:role/etl",
                    role_id="AROAEXAMPLEID", session_name="nightly", session_issued=issued)
    return RequestContext(who, region=REGION, source_ip=HAND_MADE)


def call(service: str, operation: str, params: dict, protocol: str, ctx: RequestContext | None = None,
         body: bytes = b"", status: int = 200, error: tuple[str, str] | None = None, signing: str = "") -> dict:
    """Record one call as the server's pipeline does, with a hand-built request view."""
    request = RequestView("POST", "/", {}, {"host": "localhost"}, b"", signing_name=signing or service,
                          region=REGION, service=service, operation=operation, params=params, protocol=protocol)
    code, message = error or (None, None)
    return cloudtrail.record_call(request, ctx or root(), status, {}, body, code, message)


@pytest.fixture
def trail_bucket(client):
    s3 = client("s3")
    s3.create_bucket(Bucket=LOGS)
    s3.put_bucket_policy(Bucket=LOGS, Policy=json.dumps(cloudtrail_policy(LOGS)))
    return s3


def cloudtrail_policy(bucket: str, prefix: str = "") -> dict:
    """The bucket policy AWS's guide gives for a trail's bucket."""
    service = {"Service": "cloudtrail.amazonaws.com"}
    return {"Version": "2012-10-17", "Statement": [
        {"Sid": "AclCheck", "Effect": "Allow", "Principal": service, "Action": "s3:GetBucketAcl",
         "Resource": f"arn:aws:s3:::{bucket}"},
        {"Sid": "Write", "Effect": "Allow", "Principal": service, "Action": "s3:PutObject",
         "Resource": f"arn:aws:s3:::{bucket}/{prefix}AWSLogs/{ACCOUNT}/*",
         "Condition": {"StringEquals": {"s3:x-amz-acl": "bucket-owner-full-control"}}}]}


def logging_trail(client, name: str = "audit") -> dict:
    trails = client("cloudtrail")
    trails.create_trail(Name=name, S3BucketName=LOGS)
    trails.start_logging(Name=name)
    return trails


def delivered(s3) -> list[tuple[str, dict]]:
    keys = [o["Key"] for o in s3.list_objects_v2(Bucket=LOGS).get("Contents", [])]
    return [(k, json.loads(gzip.decompress(s3.get_object(Bucket=LOGS, Key=k)["Body"].read()))) for k in keys]


def delivered_by_hand(s3) -> list[str]:
    """Names of the delivered events these tests recorded themselves, oldest first."""
    found = [r for _, document in delivered(s3) for r in document["Records"] if r["sourceIPAddress"] == HAND_MADE]
    return [r["eventName"] for r in sorted(found, key=lambda r: r["eventTime"])]


# --- the record --------------------------------------------------------------------------------


def test_a_call_is_recorded_in_aws_record_shape(emulator):
    record = call("s3", "CreateBucket", {"Bucket": "lake"}, "rest-xml")
    assert record["eventVersion"] == "1.11" and record["eventSource"] == "s3.amazonaws.com"
    assert record["eventName"] == "CreateBucket" and record["awsRegion"] == REGION
    assert record["userIdentity"] == {"type": "Root", "principalId": ACCOUNT, "arn": f"arn:aws:iam::{ACCOUNT}:root",
                                      "accountId": ACCOUNT, "accessKeyId": "AKIAROOTEXAMPLE"}
    assert record["requestParameters"] == {"bucketName": "lake", "Host": "localhost"}
    assert (record["sourceIPAddress"], record["userAgent"]) == (HAND_MADE, "boto3/1.40")
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", record["eventTime"])
    assert (record["readOnly"], record["eventType"], record["managementEvent"], record["eventCategory"]) == (
        False, "AwsApiCall", True, "Management")
    assert record["recipientAccountId"] == ACCOUNT and len(record["eventID"]) == 36
    assert record["resources"] == [{"accountId": ACCOUNT, "type": "AWS::S3::Bucket", "ARN": "arn:aws:s3:::lake"}]


def test_assumed_role_identity_and_a_denied_call(emulator):
    record = call("glue", "CreateDatabase", {"DatabaseInput": {"Name": "raw"}}, "json", ctx=role_session(),
                  status=400, error=("AccessDeniedException", "not authorized"))
    identity = record["userIdentity"]
    assert identity["type"] == "AssumedRole" and identity["principalId"] == "AROAEXAMPLEID:nightly"
    assert identity["sessionContext"]["sessionIssuer"] == {
        "type": "Role", "principalId": "AROAEXAMPLEID", "arn": f"arn:aws:iam::{ACCOUNT}:role/etl",
        "accountId": ACCOUNT, "userName": "etl"}
    assert identity["sessionContext"]["attributes"] == {"creationDate": "2024-05-01T12:00:00Z",
                                                        "mfaAuthenticated": "false"}
    assert (record["errorCode"], record["errorMessage"]) == ("AccessDeniedException", "not authorized")
    assert record["requestParameters"] == {"databaseInput": {"name": "raw"}} and record["responseElements"] is None


def test_secrets_are_not_logged(emulator):
    credentials = {"AssumedRoleUser": {"Arn": "arn:aws:sts::1:assumed-role/r/s", "AssumedRoleId": "AROA:s"},
                   "Credentials": {"AccessKeyId": "ASIAEXAMPLEKEY01", "SecretAccessKey": "s3cr3t",
                                   "SessionToken": "token", "Expiration": "2024-05-01T13:00:00Z"}}
    body = (b"<AssumeRoleResponse xmlns='https://sts.amazonaws.com/doc/2011-06-15/'><AssumeRoleResult>"
            b"<Credentials><AccessKeyId>ASIAEXAMPLEKEY01</AccessKeyId><SecretAccessKey>s3cr3t</SecretAccessKey>"
            b"<SessionToken>token</SessionToken><Expiration>2024-05-01T13:00:00Z</Expiration></Credentials>"
            b"<AssumedRoleUser><Arn>arn:aws:sts::1:assumed-role/r/s</Arn><AssumedRoleId>AROA:s</AssumedRoleId>"
            b"</AssumedRoleUser></AssumeRoleResult></AssumeRoleResponse>")
    assumed = call("sts", "AssumeRole", {"RoleArn": "arn:aws:iam::1:role/r", "RoleSessionName": "s"}, "query",
                   body=body)
    assert credentials and "s3cr3t" not in json.dumps(assumed)
    assert assumed["responseElements"]["credentials"]["accessKeyId"] == "ASIAEXAMPLEKEY01"
    assert assumed["requestParameters"] == {"roleArn": "arn:aws:iam::1:role/r", "roleSessionName": "s"}
    created = call("lambda", "CreateFunction", {"FunctionName": "f", "Code": {"ZipFile": "UEsDBA=="},
                                                "Environment": {"Variables": {"DB_PASSWORD": "hunter2"}}},
                   "rest-json")
    assert created["eventName"] == "CreateFunction20150331"
    assert "hunter2" not in json.dumps(created) and "UEsDBA" not in json.dumps(created)
    assert created["requestParameters"]["environment"] == {"variables": "HIDDEN_DUE_TO_SECURITY_REASONS"}
    login = call("iam", "CreateLoginProfile", {"UserName": "ana", "Password": "Pa55word!"}, "query")
    assert login["requestParameters"]["password"] == "HIDDEN_DUE_TO_SECURITY_REASONS"
    put = call("s3", "PutObject", {"Bucket": "lake", "Key": "a.csv", "Body": b"secret,rows"}, "rest-xml")
    assert put["requestParameters"] == {"bucketName": "lake", "key": "a.csv", "Host": "localhost"}
    assert (put["eventCategory"], put["managementEvent"]) == ("Data", False)


def test_a_service_acting_for_a_principal_is_recorded_with_invoked_by(emulator):
    ctx = root().acting_as(Principal.aws_service("s3.amazonaws.com"))
    arn = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:on-upload"
    record = cloudtrail.record_service_call(ctx, "lambda.amazonaws.com", "Invoke", {"functionName": arn},
                                            resources=(("AWS::Lambda::Function", arn),))
    assert record["userIdentity"] == {"type": "AWSService", "invokedBy": "s3.amazonaws.com"}
    assert record["sourceIPAddress"] == "s3.amazonaws.com" and record["eventCategory"] == "Data"
    acting = root().acting_as(Principal.root(ACCOUNT), invoked_by="athena.amazonaws.com")
    on_behalf = cloudtrail.record_service_call(acting, "glue.amazonaws.com", "GetTable", {"name": "t"})
    assert on_behalf["userIdentity"]["invokedBy"] == "athena.amazonaws.com"
    assert on_behalf["eventType"] == "AwsApiCall" and on_behalf["readOnly"] is True


# --- LookupEvents ---------------------------------------------------------------------------------


def test_lookup_filters_newest_first_and_pages(client):
    for index in range(7):
        call("s3", "CreateBucket", {"Bucket": f"b{index}"}, "rest-xml")
        call("s3", "ListBuckets", {}, "rest-xml")
    call("s3", "GetObject", {"Bucket": "b1", "Key": "k"}, "rest-xml")  # a data event: never in Event history
    trails = client("cloudtrail")
    by_name = [{"AttributeKey": "EventName", "AttributeValue": "CreateBucket"}]
    first = trails.lookup_events(LookupAttributes=by_name, MaxResults=5)
    assert [json.loads(e["CloudTrailEvent"])["requestParameters"]["bucketName"] for e in first["Events"]] == [
        "b6", "b5", "b4", "b3", "b2"]
    rest = trails.lookup_events(LookupAttributes=by_name, MaxResults=5, NextToken=first["NextToken"])
    assert [e["Resources"][0]["ResourceName"] for e in rest["Events"]] == ["b1", "b0"] and "NextToken" not in rest
    event = first["Events"][0]
    assert (event["EventName"], event["ReadOnly"], event["EventSource"], event["Username"]) == (
        "CreateBucket", "false", "s3.amazonaws.com", "root")
    assert event["Resources"] == [{"ResourceType": "AWS::S3::Bucket", "ResourceName": "b6"}]
    by_source = [{"AttributeKey": "EventSource", "AttributeValue": "s3.amazonaws.com"}]
    assert len(trails.lookup_events(LookupAttributes=by_source)["Events"]) == 14
    read_only = [{"AttributeKey": "ReadOnly", "AttributeValue": "true"}]
    read = {e["EventName"] for e in trails.lookup_events(LookupAttributes=read_only)["Events"]}
    assert read - {"LookupEvents"} == {"ListBuckets"}  # the server records the lookups themselves too
    named = [{"AttributeKey": "ResourceName", "AttributeValue": "b3"}]
    assert [e["EventName"] for e in trails.lookup_events(LookupAttributes=named)["Events"]] == ["CreateBucket"]
    later = dt.datetime.now(dt.timezone.utc) + dt.timedelta(hours=1)
    assert trails.lookup_events(StartTime=later)["Events"] == []


@pytest.mark.parametrize("arguments, code", [
    ({"LookupAttributes": [{"AttributeKey": "EventName", "AttributeValue": "A"},
                           {"AttributeKey": "Username", "AttributeValue": "B"}]}, "InvalidLookupAttributesException"),
    ({"LookupAttributes": [{"AttributeKey": "Colour", "AttributeValue": "A"}]}, "InvalidLookupAttributesException"),
    ({"MaxResults": 51}, "InvalidMaxResultsException"),
    ({"StartTime": dt.datetime(2024, 2, 1), "EndTime": dt.datetime(2024, 1, 1)}, "InvalidTimeRangeException"),
    ({"NextToken": "not-a-token"}, "InvalidNextTokenException"),
])
def test_lookup_refuses_what_aws_refuses(client, arguments, code):
    with pytest.raises(botocore.exceptions.ClientError) as refused:
        client("cloudtrail").lookup_events(**arguments)
    assert refused.value.response["Error"]["Code"] == code


# --- trails and delivery -----------------------------------------------------------------------------


def test_create_trail_checks_the_bucket_and_its_policy(client):
    trails, s3 = client("cloudtrail"), client("s3")
    with pytest.raises(botocore.exceptions.ClientError) as missing:
        trails.create_trail(Name="audit", S3BucketName="nowhere")
    assert missing.value.response["Error"]["Code"] == "S3BucketDoesNotExistException"
    s3.create_bucket(Bucket=LOGS)
    with pytest.raises(botocore.exceptions.ClientError) as refused:
        trails.create_trail(Name="audit", S3BucketName=LOGS)
    assert refused.value.response["Error"] == {
        "Code": "InsufficientS3BucketPolicyException",
        "Message": f"Incorrect S3 bucket policy is detected for bucket: {LOGS}"}
    s3.put_bucket_policy(Bucket=LOGS, Policy=json.dumps(cloudtrail_policy(LOGS, prefix="other/")))
    with pytest.raises(botocore.exceptions.ClientError):
        trails.create_trail(Name="audit", S3BucketName=LOGS)  # the policy covers another prefix
    assert trails.create_trail(Name="audit", S3BucketName=LOGS, S3KeyPrefix="other")["Name"] == "audit"


def test_a_logging_trail_delivers_gzipped_records(client, trail_bucket):
    trails = logging_trail(client)
    call("s3", "CreateBucket", {"Bucket": "lake"}, "rest-xml")
    call("s3", "PutObject", {"Bucket": "lake", "Key": "a.csv"}, "rest-xml")  # not selected: data event
    cloudtrail.flush()
    files = delivered(trail_bucket)
    assert files and all(KEY_PATTERN.match(key) for key, _ in files), files
    assert delivered_by_hand(trail_bucket) == ["CreateBucket"]
    status = trails.get_trail_status(Name="audit")
    assert status["IsLogging"] and "LatestDeliveryError" not in status
    assert status["LatestDeliveryTime"] >= status["StartLoggingTime"]
    trails.stop_logging(Name="audit")
    call("s3", "CreateBucket", {"Bucket": "late"}, "rest-xml")
    cloudtrail.flush()
    assert delivered_by_hand(trail_bucket) == ["CreateBucket"]
    assert not trails.get_trail_status(Name="audit")["IsLogging"]


def test_data_events_only_when_selected(client, trail_bucket):
    trails = logging_trail(client)
    trails.put_event_selectors(TrailName="audit", EventSelectors=[{
        "ReadWriteType": "WriteOnly", "IncludeManagementEvents": False,
        "DataResources": [{"Type": "AWS::S3::Object", "Values": ["arn:aws:s3:::lake/raw/"]}]}])
    call("s3", "PutObject", {"Bucket": "lake", "Key": "raw/a.csv"}, "rest-xml")
    call("s3", "PutObject", {"Bucket": "lake", "Key": "curated/a.csv"}, "rest-xml")
    call("s3", "GetObject", {"Bucket": "lake", "Key": "raw/a.csv"}, "rest-xml")  # a read: WriteOnly skips it
    call("s3", "CreateBucket", {"Bucket": "other"}, "rest-xml")  # management: excluded
    cloudtrail.flush()
    [record] = [r for _, d in delivered(trail_bucket) for r in d["Records"] if r["sourceIPAddress"] == HAND_MADE]
    assert record["eventName"] == "PutObject" and record["resources"][0]["ARN"] == "arn:aws:s3:::lake/raw/a.csv"
    writes = [r for _, d in delivered(trail_bucket) for r in d["Records"] if r["eventName"] == "PutObject"]
    assert writes == [record]  # the log files' own PutObject were not recorded


def test_advanced_selectors_choose_data_events(client, trail_bucket):
    trails = logging_trail(client)
    trails.put_event_selectors(TrailName="audit", AdvancedEventSelectors=[{"Name": "reads", "FieldSelectors": [
        {"Field": "eventCategory", "Equals": ["Data"]}, {"Field": "resources.type", "Equals": ["AWS::S3::Object"]},
        {"Field": "readOnly", "Equals": ["true"]}]}])
    call("s3", "GetObject", {"Bucket": "lake", "Key": "a"}, "rest-xml")
    call("s3", "PutObject", {"Bucket": "lake", "Key": "a"}, "rest-xml")
    cloudtrail.flush()
    assert delivered_by_hand(trail_bucket) == ["GetObject"]


def test_a_failed_delivery_is_reported_and_retried(client, trail_bucket):
    trails = logging_trail(client)
    trail_bucket.delete_bucket_policy(Bucket=LOGS)
    call("s3", "CreateBucket", {"Bucket": "lake"}, "rest-xml")
    assert cloudtrail.flush() == 0
    assert trails.get_trail_status(Name="audit")["LatestDeliveryError"] == "AccessDenied"
    trail_bucket.put_bucket_policy(Bucket=LOGS, Policy=json.dumps(cloudtrail_policy(LOGS)))
    cloudtrail.flush()
    assert "LatestDeliveryError" not in trails.get_trail_status(Name="audit")
    assert delivered_by_hand(trail_bucket) == ["CreateBucket"]


def test_reset_forgets_events_and_trails(client, emulator, trail_bucket):
    logging_trail(client)
    call("s3", "CreateBucket", {"Bucket": "lake"}, "rest-xml")
    assert len(history.of(ACCOUNT, REGION)) >= 1
    emulator.reset()
    assert len(history.of(ACCOUNT, REGION)) == 0 and cloudtrail.flush() == 0


# --- Athena reads the log files --------------------------------------------------------------------

CLOUDTRAIL_TABLE = f"""CREATE EXTERNAL TABLE cloudtrail_logs (
  eventversion STRING,
  useridentity STRUCT<type:STRING, principalid:STRING, arn:STRING, accountid:STRING, invokedby:STRING,
    accesskeyid:STRING, username:STRING,
    sessioncontext:STRUCT<attributes:STRUCT<mfaauthenticated:STRING, creationdate:STRING>,
      sessionissuer:STRUCT<type:STRING, principalid:STRING, arn:STRING, accountid:STRING, username:STRING>,
      sourceidentity:STRING>>,
  eventtime STRING, eventsource STRING, eventname STRING, awsregion STRING, sourceipaddress STRING,
  useragent STRING, errorcode STRING, errormessage STRING, requestparameters STRING,
  responseelements STRING, additionaleventdata STRING, requestid STRING, eventid STRING,
  resources ARRAY<STRUCT<arn:STRING, accountid:STRING, type:STRING>>,
  eventtype STRING, apiversion STRING, readonly STRING, recipientaccountid STRING,
  serviceeventdetails STRING, sharedeventid STRING, vpcendpointid STRING, eventcategory STRING)
ROW FORMAT SERDE 'org.apache.hive.hcatalog.data.JsonSerDe'
STORED AS INPUTFORMAT 'com.amazon.emr.cloudtrail.CloudTrailInputFormat'
OUTPUTFORMAT 'org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat'
LOCATION 's3://{LOGS}/AWSLogs/{ACCOUNT}/CloudTrail/'"""


def athena_rows(athena, sql: str) -> list[list[str | None]]:
    started = athena.start_query_execution(QueryString=sql, ResultConfiguration={
        "OutputLocation": f"s3://{LOGS}-results/"})["QueryExecutionId"]
    for _ in range(300):
        status = athena.get_query_execution(QueryExecutionId=started)["QueryExecution"]["Status"]
        if status["State"] in ("SUCCEEDED", "FAILED", "CANCELLED"):
            break
        time.sleep(0.05)
    assert status["State"] == "SUCCEEDED", status
    rows = athena.get_query_results(QueryExecutionId=started)["ResultSet"]["Rows"][1:]
    return [[cell.get("VarCharValue") for cell in row["Data"]] for row in rows]


def test_athena_queries_delivered_logs_with_the_documented_table(client, trail_bucket):
    trail_bucket.create_bucket(Bucket=f"{LOGS}-results")
    logging_trail(client)
    call("s3", "CreateBucket", {"Bucket": "lake"}, "rest-xml")
    call("glue", "CreateDatabase", {"DatabaseInput": {"Name": "raw"}}, "json", ctx=role_session())
    cloudtrail.flush()
    athena = client("athena")
    athena_rows(athena, CLOUDTRAIL_TABLE)
    assert athena_rows(athena, "SELECT eventname, useridentity.arn FROM cloudtrail_logs "
                               "WHERE eventname = 'CreateBucket'") == [["CreateBucket", f"arn:aws:iam::{ACCOUNT}:root"]]
    assert athena_rows(athena, "SELECT useridentity.sessioncontext.sessionissuer.username, "
                               "json_extract_scalar(requestparameters, '$.databaseInput.name'), readonly "
                               "FROM cloudtrail_logs WHERE eventsource = 'glue.amazonaws.com'") == [
        ["etl", "raw", "false"]]


# --- real requests, once the server records them -----------------------------------------------------


@pytest.fixture
def pipeline_records(client):
    """Skips unless the server's request pipeline calls record_call (the lead wires it)."""
    client("s3").list_buckets()
    if not len(history.of(ACCOUNT, REGION)):
        pytest.skip("the server does not record requests in CloudTrail yet")


def test_real_requests_are_found_by_lookup(client, pipeline_records):
    client("s3").create_bucket(Bucket="lake")
    found = client("cloudtrail").lookup_events(
        LookupAttributes=[{"AttributeKey": "EventName", "AttributeValue": "CreateBucket"}])["Events"]
    record = json.loads(found[0]["CloudTrailEvent"])
    assert record["requestParameters"]["bucketName"] == "lake" and record["userIdentity"]["accountId"] == ACCOUNT


def test_real_requests_are_delivered_but_not_the_trails_own_writes(client, trail_bucket, pipeline_records):
    logging_trail(client)
    client("s3").create_bucket(Bucket="lake")
    cloudtrail.flush()
    names = [r["eventName"] for _, d in delivered(trail_bucket) for r in d["Records"]]
    assert "CreateBucket" in names and "StartLogging" in names and "PutObject" not in names


def test_delete_trail_takes_a_name_or_an_arn_and_refuses_an_unknown_trail(client, trail_bucket):
    trails = client("cloudtrail")
    arn = trails.create_trail(Name="by-arn", S3BucketName=LOGS)["TrailARN"]
    trails.create_trail(Name="by-name", S3BucketName=LOGS)
    trails.delete_trail(Name=arn)
    trails.delete_trail(Name="by-name")
    assert trails.describe_trails()["trailList"] == []
    with pytest.raises(trails.exceptions.TrailNotFoundException):
        trails.delete_trail(Name="by-name")
