"""The resources an event touched, in the two forms CloudTrail gives them.

A record's ``resources`` lists ARNs where AWS fills it (S3 objects and buckets, Lambda functions,
an assumed role); LookupEvents answers ``Resources`` as (type, name) pairs, read from the request
parameters, and finds events by them (the ``ResourceName`` and ``ResourceType`` lookup attributes).
"""

from __future__ import annotations

from typing import Any

from lakelab.emulator.services.cloudtrail.records import is_data_event

# requestParameters member (CloudTrail's name) -> the resource type it names, for LookupEvents.
_NAMED_BY = {
    "bucketName": "AWS::S3::Bucket", "functionName": "AWS::Lambda::Function", "roleName": "AWS::IAM::Role",
    "roleArn": "AWS::IAM::Role", "userName": "AWS::IAM::User", "groupName": "AWS::IAM::Group",
    "policyArn": "AWS::IAM::Policy", "instanceProfileName": "AWS::IAM::InstanceProfile",
    "databaseName": "AWS::Glue::Database", "crawlerName": "AWS::Glue::Crawler", "jobName": "AWS::Glue::Job",
    "workGroup": "AWS::Athena::WorkGroup", "streamName": "AWS::Kinesis::Stream",
    "deliveryStreamName": "AWS::KinesisFirehose::DeliveryStream", "topicArn": "AWS::SNS::Topic",
    "queueUrl": "AWS::SQS::Queue", "logGroupName": "AWS::Logs::LogGroup", "trailName": "AWS::CloudTrail::Trail",
    "stateMachineArn": "AWS::StepFunctions::StateMachine",
}
# Sources whose create calls name their resource "name" (CreateTrail's Name is the trail).
_NAME_MEANS = {"cloudtrail.amazonaws.com": "AWS::CloudTrail::Trail", "athena.amazonaws.com": "AWS::Athena::WorkGroup"}


def record_resources(event_source: str, event_name: str, params: dict[str, Any], account: str,
                     region: str) -> tuple[tuple[str, str], ...]:
    """(type, ARN) pairs for a record's ``resources``, from the call's inputs by API member name."""
    if event_source == "s3.amazonaws.com":
        return _s3_resources(event_name, params)
    if event_source == "lambda.amazonaws.com" and params.get("FunctionName"):
        name = str(params["FunctionName"])
        arn = name if name.startswith("arn:") else f"arn:aws:lambda:{region}:{account}:function:{name}"
        return (("AWS::Lambda::Function", arn),)
    if event_source == "sts.amazonaws.com" and params.get("RoleArn"):
        return (("AWS::IAM::Role", str(params["RoleArn"])),)
    return ()


def _s3_resources(event_name: str, params: dict[str, Any]) -> tuple[tuple[str, str], ...]:
    bucket, key = params.get("Bucket"), params.get("Key")
    if not bucket:
        return ()
    bucket_arn = f"arn:aws:s3:::{bucket}"
    if key and is_data_event("s3.amazonaws.com", event_name):
        return (("AWS::S3::Object", f"{bucket_arn}/{key}"), ("AWS::S3::Bucket", bucket_arn))
    return (("AWS::S3::Bucket", bucket_arn),)


def lookup_resources(record: dict[str, Any]) -> list[dict[str, str]]:
    """LookupEvents' ``Resources`` of a record: (ResourceType, ResourceName), without repeats."""
    found: list[dict[str, str]] = []
    parameters = record.get("requestParameters") or {}
    for member, value in parameters.items():
        kind = _NAMED_BY.get(member) or (_NAME_MEANS.get(record["eventSource"]) if member == "name" else None)
        if kind and isinstance(value, str):
            _add(found, kind, value)
    for resource in record.get("resources") or ():
        _add(found, resource["type"], resource["ARN"].split(":::", 1)[-1])
    return found


def _add(found: list[dict[str, str]], kind: str, name: str) -> None:
    entry = {"ResourceType": kind, "ResourceName": name}
    if entry not in found:
        found.append(entry)
