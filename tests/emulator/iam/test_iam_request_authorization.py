"""What a request asks IAM for: actions, resource ARNs and condition keys (requests built by hand)."""

from __future__ import annotations

import pytest

from lakelab.emulator.context import IAM_USER, Principal, RequestContext
from lakelab.emulator.requests import RequestView
from lakelab.emulator.services.iam.request_authorization import requested

ACCOUNT = "123456789012"
ANALYST = Principal(IAM_USER, ACCOUNT, f"arn:aws:iam::{ACCOUNT}:user/analyst", "AIDAANALYST", user_name="analyst")


def view(service: str, operation: str, params: dict | None = None, protocol: str = "json", **extra) -> RequestView:
    return RequestView(extra.pop("method", "POST"), "/", {}, extra.pop("headers", {}), extra.pop("body", b""),
                       service=service, operation=operation, params=params or {}, protocol=protocol, **extra)


def checks(service: str, operation: str, params: dict | None = None, **extra) -> list[tuple[str, str]]:
    found = requested(view(service, operation, params, **extra), RequestContext(ANALYST))
    assert found is not None
    return found.checks


@pytest.mark.parametrize("operation, params, expected", [
    ("ListObjectsV2", {"Bucket": "lake"}, [("s3:ListBucket", "arn:aws:s3:::lake")]),
    ("HeadBucket", {"Bucket": "lake"}, [("s3:ListBucket", "arn:aws:s3:::lake")]),
    ("HeadObject", {"Bucket": "lake", "Key": "a/b.csv"}, [("s3:GetObject", "arn:aws:s3:::lake/a/b.csv")]),
    ("GetObject", {"Bucket": "lake", "Key": "k", "VersionId": "v1"}, [("s3:GetObjectVersion", "arn:aws:s3:::lake/k")]),
    ("DeleteObject", {"Bucket": "lake", "Key": "k", "VersionId": "v1"}, [("s3:DeleteObjectVersion", "arn:aws:s3:::lake/k")]),
    ("PutBucketNotificationConfiguration", {"Bucket": "lake"}, [("s3:PutBucketNotification", "arn:aws:s3:::lake")]),
    ("ListBuckets", {}, [("s3:ListAllMyBuckets", "*")]),
    ("CreateBucket", {"Bucket": "lake"}, [("s3:CreateBucket", "arn:aws:s3:::lake")]),
    ("CreateMultipartUpload", {"Bucket": "lake", "Key": "k"}, [("s3:PutObject", "arn:aws:s3:::lake/k")]),
    ("UploadPart", {"Bucket": "lake", "Key": "k"}, [("s3:PutObject", "arn:aws:s3:::lake/k")]),
    ("CompleteMultipartUpload", {"Bucket": "lake", "Key": "k"}, [("s3:PutObject", "arn:aws:s3:::lake/k")]),
    ("PutBucketPolicy", {"Bucket": "lake"}, [("s3:PutBucketPolicy", "arn:aws:s3:::lake")]),
    ("CopyObject", {"Bucket": "lake", "Key": "to", "CopySource": "/src/from%20here?versionId=v2"},
     [("s3:GetObjectVersion", "arn:aws:s3:::src/from here"), ("s3:PutObject", "arn:aws:s3:::lake/to")]),
    ("CopyObject", {"Bucket": "lake", "Key": "to", "CopySource": "src/from"},
     [("s3:GetObject", "arn:aws:s3:::src/from"), ("s3:PutObject", "arn:aws:s3:::lake/to")]),
])
def test_s3_operations_map_to_their_iam_actions(operation, params, expected):
    assert checks("s3", operation, params, protocol="rest-xml") == expected


def test_delete_objects_checks_every_key():
    body = b"<Delete><Object><Key>a</Key></Object><Object><Key>b/c</Key></Object></Delete>"
    assert checks("s3", "DeleteObjects", {"Bucket": "lake"}, protocol="rest-xml", body=body) == [
        ("s3:DeleteObject", "arn:aws:s3:::lake/a"), ("s3:DeleteObject", "arn:aws:s3:::lake/b/c")]


def test_s3_condition_keys():
    listing = requested(view("s3", "ListObjectsV2", {"Bucket": "lake", "Prefix": "raw/", "Delimiter": "/"},
                             protocol="rest-xml"), RequestContext(ANALYST))
    assert listing.keys["s3:prefix"] == "raw/" and listing.keys["s3:delimiter"] == "/"
    put = requested(view("s3", "PutObject", {"Bucket": "lake", "Key": "k"}, protocol="rest-xml",
                         headers={"x-amz-server-side-encryption": "AES256"}), RequestContext(ANALYST))
    assert put.keys["s3:x-amz-server-side-encryption"] == "AES256"
    assert put.keys["aws:securetransport"] == "true" and put.keys["aws:sourceip"] == "127.0.0.1"


def test_calls_made_by_a_service_carry_called_via():
    context = RequestContext(ANALYST, invoked_by="athena.amazonaws.com")
    found = requested(view("s3", "GetObject", {"Bucket": "lake", "Key": "k"}, protocol="rest-xml"), context)
    assert found.keys["aws:calledvia"] == ["athena.amazonaws.com"] and found.keys["aws:viaawsservice"] == "true"


FUNCTION = f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:ingest"


@pytest.mark.parametrize("service, operation, params, expected", [
    ("lambda", "Invoke", {"FunctionName": "ingest"}, [("lambda:InvokeFunction", FUNCTION)]),
    ("lambda", "GetFunction", {"FunctionName": f"{ACCOUNT}:function:ingest:live"},
     [("lambda:GetFunction", FUNCTION + ":live")]),
    ("lambda", "GetFunction", {"FunctionName": FUNCTION, "Qualifier": "3"}, [("lambda:GetFunction", FUNCTION + ":3")]),
    ("lambda", "ListFunctions", {}, [("lambda:ListFunctions", "*")]),
    ("lambda", "CreateFunction", {"FunctionName": "ingest", "Role": f"arn:aws:iam::{ACCOUNT}:role/fn"},
     [("lambda:CreateFunction", FUNCTION), ("iam:PassRole", f"arn:aws:iam::{ACCOUNT}:role/fn")]),
    ("sqs", "SendMessageBatch", {"QueueUrl": f"http://127.0.0.1:5000/{ACCOUNT}/jobs"},
     [("sqs:SendMessage", f"arn:aws:sqs:us-east-1:{ACCOUNT}:jobs")]),
    ("sns", "Publish", {"TopicArn": f"arn:aws:sns:us-east-1:{ACCOUNT}:alerts"},
     [("sns:Publish", f"arn:aws:sns:us-east-1:{ACCOUNT}:alerts")]),
    ("glue", "StartJobRun", {"JobName": "etl"}, [("glue:StartJobRun", f"arn:aws:glue:us-east-1:{ACCOUNT}:job/etl")]),
    ("glue", "StartCrawler", {"Name": "raw"}, [("glue:StartCrawler", f"arn:aws:glue:us-east-1:{ACCOUNT}:crawler/raw")]),
    ("glue", "GetTags", {"ResourceArn": f"arn:aws:glue:us-east-1:{ACCOUNT}:crawler/raw"},
     [("glue:GetTags", f"arn:aws:glue:us-east-1:{ACCOUNT}:crawler/raw")]),
    ("glue", "TagResource", {"ResourceArn": f"arn:aws:glue:us-east-1:{ACCOUNT}:job/etl", "TagsToAdd": {"a": "b"}},
     [("glue:TagResource", f"arn:aws:glue:us-east-1:{ACCOUNT}:job/etl")]),
    ("glue", "CreateCrawler", {"Name": "raw", "Role": "crawler-role"},
     [("glue:CreateCrawler", f"arn:aws:glue:us-east-1:{ACCOUNT}:crawler/raw"),
      ("iam:PassRole", f"arn:aws:iam::{ACCOUNT}:role/crawler-role")]),
    ("glue", "GetTable", {"DatabaseName": "sales", "Name": "orders"},
     [("glue:GetTable", f"arn:aws:glue:us-east-1:{ACCOUNT}:catalog"),
      ("glue:GetTable", f"arn:aws:glue:us-east-1:{ACCOUNT}:database/sales"),
      ("glue:GetTable", f"arn:aws:glue:us-east-1:{ACCOUNT}:table/sales/orders")]),
    ("glue", "GetDatabase", {"Name": "sales"}, [("glue:GetDatabase", f"arn:aws:glue:us-east-1:{ACCOUNT}:catalog"),
                                                ("glue:GetDatabase", f"arn:aws:glue:us-east-1:{ACCOUNT}:database/sales")]),
    ("athena", "StartQueryExecution", {"QueryString": "SELECT 1"},
     [("athena:StartQueryExecution", f"arn:aws:athena:us-east-1:{ACCOUNT}:workgroup/primary")]),
    ("logs", "PutLogEvents", {"logGroupName": "/aws/lambda/ingest", "logStreamName": "s1"},
     [("logs:PutLogEvents", f"arn:aws:logs:us-east-1:{ACCOUNT}:log-group:/aws/lambda/ingest:log-stream:s1")]),
    ("logs", "CreateLogGroup", {"logGroupName": "/aws/lambda/ingest"},
     [("logs:CreateLogGroup", f"arn:aws:logs:us-east-1:{ACCOUNT}:log-group:/aws/lambda/ingest:*")]),
    ("kinesis", "PutRecord", {"StreamName": "clicks"},
     [("kinesis:PutRecord", f"arn:aws:kinesis:us-east-1:{ACCOUNT}:stream/clicks")]),
    ("firehose", "PutRecord", {"DeliveryStreamName": "to-lake"},
     [("firehose:PutRecord", f"arn:aws:firehose:us-east-1:{ACCOUNT}:deliverystream/to-lake")]),
    ("stepfunctions", "StartExecution", {"stateMachineArn": f"arn:aws:states:us-east-1:{ACCOUNT}:stateMachine:etl"},
     [("states:StartExecution", f"arn:aws:states:us-east-1:{ACCOUNT}:stateMachine:etl")]),
    ("emr-serverless", "StartJobRun", {"applicationId": "app1", "executionRoleArn": f"arn:aws:iam::{ACCOUNT}:role/emr"},
     [("emr-serverless:StartJobRun", f"arn:aws:emr-serverless:us-east-1:{ACCOUNT}:/applications/app1"),
      ("iam:PassRole", f"arn:aws:iam::{ACCOUNT}:role/emr")]),
    ("iam", "GetRole", {"RoleName": "etl"}, [("iam:GetRole", f"arn:aws:iam::{ACCOUNT}:role/etl")]),
    ("iam", "ListRoles", {}, [("iam:ListRoles", "*")]),
    ("sts", "AssumeRole", {"RoleArn": f"arn:aws:iam::{ACCOUNT}:role/etl", "RoleSessionName": "s"},
     [("sts:AssumeRole", f"arn:aws:iam::{ACCOUNT}:role/etl")]),
    ("mwaa", "CreateCliToken", {"Name": "airflow"},
     [("airflow:CreateCliToken", f"arn:aws:airflow:us-east-1:{ACCOUNT}:environment/airflow")]),
    ("cloudwatch", "PutMetricData", {"Namespace": "lake"}, [("cloudwatch:PutMetricData", "*")]),
    ("lakeformation", "GetDataAccess", {}, [("lakeformation:GetDataAccess", "*")]),
])
def test_json_and_query_services(service, operation, params, expected):
    assert checks(service, operation, params) == expected


def test_get_caller_identity_needs_no_permission():
    assert checks("sts", "GetCallerIdentity") == []


def test_unknown_operation_is_not_checked():
    assert requested(view("s3", None), RequestContext(ANALYST)) is None


def test_the_deprecated_lifecycle_operations_need_the_lifecycle_configuration_actions():
    """GetBucketLifecycle and PutBucketLifecycle share ?lifecycle with the ...Configuration operations; IAM has
    no s3:GetBucketLifecycle or s3:PutBucketLifecycle action."""
    from lakelab.emulator.services.iam.s3_actions import s3_requests

    assert s3_requests("GetBucketLifecycle", {"Bucket": "b"}, b"") == [("s3:GetLifecycleConfiguration", "arn:aws:s3:::b")]
    assert s3_requests("PutBucketLifecycle", {"Bucket": "b"}, b"") == [("s3:PutLifecycleConfiguration", "arn:aws:s3:::b")]
