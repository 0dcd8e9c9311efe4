"""Helpers for the AppFlow tests: buckets with AppFlow's documented policies, flows as a learner writes them."""

from __future__ import annotations

import json
import time

DESTINATION_ACTIONS = ["s3:PutObject", "s3:AbortMultipartUpload", "s3:ListMultipartUploadParts",
                       "s3:ListBucketMultipartUploads", "s3:GetBucketAcl", "s3:PutObjectAcl"]


def bucket_for_appflow(s3, name: str, actions=("destination",), policy: bool = True) -> None:
    """A bucket whose policy lets AppFlow read it (``source``) and/or write it (``destination``)."""
    s3.create_bucket(Bucket=name)
    if not policy:
        return
    statements = []
    if "source" in actions:
        statements.append({"Sid": "AllowAppFlowSourceActions", "Effect": "Allow",
                           "Principal": {"Service": "appflow.amazonaws.com"},
                           "Action": ["s3:ListBucket", "s3:GetObject"],
                           "Resource": [f"arn:aws:s3:::{name}", f"arn:aws:s3:::{name}/*"]})
    if "destination" in actions:
        statements.append({"Sid": "AllowAppFlowDestinationActions", "Effect": "Allow",
                           "Principal": {"Service": "appflow.amazonaws.com"}, "Action": DESTINATION_ACTIONS,
                           "Resource": [f"arn:aws:s3:::{name}", f"arn:aws:s3:::{name}/*"],
                           "Condition": {"StringEquals": {"aws:SourceAccount": "123456789012"}}})
    s3.put_bucket_policy(Bucket=name, Policy=json.dumps({"Version": "2008-10-17", "Statement": statements}))


def salesforce_profile(appflow, name: str = "lakelab-crm") -> str:
    return appflow.create_connector_profile(
        connectorProfileName=name, connectorType="Salesforce", connectionMode="Public",
        connectorProfileConfig={
            "connectorProfileProperties": {"Salesforce": {"instanceUrl": "https://example.my.salesforce.com"}},
            "connectorProfileCredentials": {"Salesforce": {"accessToken": "secret-access-token",
                                                           "refreshToken": "secret-refresh-token"}}})[
        "connectorProfileArn"]


def map_tasks(fields, connector="Salesforce"):
    projection = {"sourceFields": list(fields), "connectorOperator": {connector: "PROJECTION"}, "taskType": "Filter"}
    maps = [{"sourceFields": [f], "connectorOperator": {connector: "NO_OP"}, "destinationField": f,
             "taskType": "Map", "taskProperties": {}} for f in fields]
    return [projection, *maps]


def s3_destination(bucket: str, prefix: str = "crm", file_type: str = "JSON", **output):
    return [{"connectorType": "S3", "destinationConnectorProperties": {"S3": {
        "bucketName": bucket, "bucketPrefix": prefix,
        "s3OutputFormatConfig": {"fileType": file_type, **output}}}}]


def salesforce_source(object_name: str = "Account", incremental: bool = False, profile: str = "lakelab-crm"):
    source = {"connectorType": "Salesforce", "connectorProfileName": profile,
              "sourceConnectorProperties": {"Salesforce": {"object": object_name}}}
    if incremental:
        source["incrementalPullConfig"] = {"datetimeTypeFieldName": "LastModifiedDate"}
    return source


def wait_for_runs(appflow, flow: str, count: int = 1, timeout: float = 20.0) -> list[dict]:
    """The flow's execution records, newest first, once ``count`` runs have ended."""
    deadline = time.monotonic() + timeout
    while True:
        runs = appflow.describe_flow_execution_records(flowName=flow)["flowExecutions"]
        ended = [r for r in runs if r["executionStatus"] != "InProgress"]
        if len(ended) >= count or time.monotonic() > deadline:
            return runs
        time.sleep(0.1)


def objects(s3, bucket: str, prefix: str = "") -> list[str]:
    return sorted(o["Key"] for o in s3.list_objects_v2(Bucket=bucket, Prefix=prefix).get("Contents", []))
