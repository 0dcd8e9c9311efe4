"""What a call to one of the course's JSON and query services asks IAM for.

The action is ``<IAM prefix>:<operation>`` (the prefix is not always botocore's name: Step
Functions is ``states``, MWAA ``airflow``), a few renamed (Lambda's ``Invoke`` is
``lambda:InvokeFunction``). The resource is the ARN built from the call's parameters where the
action has resource-level permissions, and ``*`` where AWS checks ``*``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from lakelab.emulator.services.iam import catalog_resources as catalog

IAM_PREFIXES = {"stepfunctions": "states", "mwaa": "airflow", "emr-serverless": "emr-serverless",
                "cloudwatch": "cloudwatch", "logs": "logs", "redshift-data": "redshift-data",
                "accessanalyzer": "access-analyzer"}
RENAMED = {
    ("lambda", "Invoke"): "InvokeFunction", ("lambda", "InvokeWithResponseStream"): "InvokeFunction",
    ("sqs", "SendMessageBatch"): "SendMessage", ("sqs", "DeleteMessageBatch"): "DeleteMessage",
    ("sqs", "ChangeMessageVisibilityBatch"): "ChangeMessageVisibility",
}
Where = tuple[str, str]  # (region, account)
ResourceBuilder = Callable[[str, dict[str, Any], Where], list[str]]


def iam_action(service: str, operation: str) -> str:
    return f"{IAM_PREFIXES.get(service, service)}:{RENAMED.get((service, operation), operation)}"


def _lambda(operation: str, params: dict[str, Any], where: Where) -> list[str]:
    name = params.get("FunctionName")
    if not name or operation in ("CreateEventSourceMapping", "ListEventSourceMappings"):
        return ["*"]
    return [function_arn(str(name), params.get("Qualifier"), where)]


def function_arn(name: str, qualifier: str | None, where: Where) -> str:
    """A function's name, partial ARN (``123456789012:function:f``) or ARN, as its full ARN."""
    region, account = where
    parts = name.split(":")
    if name.startswith("arn:"):
        region, account, parts = parts[3], parts[4], parts[6:]
    elif len(parts) >= 3 and parts[1] == "function":
        account, parts = parts[0], parts[2:]
    arn = f"arn:aws:lambda:{region}:{account}:function:{parts[0]}"
    qualifier = qualifier or (parts[1] if len(parts) > 1 else None)
    return f"{arn}:{qualifier}" if qualifier else arn


def _sqs(operation: str, params: dict[str, Any], where: Where) -> list[str]:
    url = params.get("QueueUrl")
    if url:  # https://sqs.us-east-1.amazonaws.com/123456789012/name (or the emulator's address)
        account, name = str(url).rstrip("/").split("/")[-2:]
        return [f"arn:aws:sqs:{where[0]}:{account}:{name}"]
    if params.get("QueueName"):
        return [f"arn:aws:sqs:{where[0]}:{where[1]}:{params['QueueName']}"]
    return ["*"]


def _sns(operation: str, params: dict[str, Any], where: Where) -> list[str]:
    arn = params.get("TopicArn") or params.get("TargetArn") or params.get("ResourceArn")
    if not arn and params.get("SubscriptionArn"):
        arn = str(params["SubscriptionArn"]).rsplit(":", 1)[0]
    if not arn and operation == "CreateTopic":
        arn = f"arn:aws:sns:{where[0]}:{where[1]}:{params.get('Name', '')}"
    return [str(arn)] if arn else ["*"]


def _named(template: str, *members: str) -> ResourceBuilder:
    """A builder for ``arn:aws:svc:{region}:{account}:kind/{name}`` from the first member given."""

    def build(operation: str, params: dict[str, Any], where: Where) -> list[str]:
        for member in members:
            value = params.get(member)
            if isinstance(value, str) and value.startswith("arn:"):
                return [value]
            if value:
                return [template.format(region=where[0], account=where[1], name=value)]
        return ["*"]

    return build


def _logs(operation: str, params: dict[str, Any], where: Where) -> list[str]:
    group = params.get("logGroupName") or params.get("logGroupIdentifier")
    if not group:
        return ["*"]
    base = f"arn:aws:logs:{where[0]}:{where[1]}:log-group:{group}"
    stream = params.get("logStreamName")
    return [f"{base}:log-stream:{stream}" if stream else f"{base}:*"]


def _glue(operation: str, params: dict[str, Any], where: Where) -> list[str]:
    if operation in ("GetTags", "TagResource", "UntagResource"):  # the resource the tags are on
        return [params["ResourceArn"]] if params.get("ResourceArn") else ["*"]
    if "Crawler" in operation:
        return _named("arn:aws:glue:{region}:{account}:crawler/{name}", "Name", "CrawlerName")(operation, params, where)
    if "Trigger" in operation:
        return _named("arn:aws:glue:{region}:{account}:trigger/{name}", "Name", "TriggerName")(operation, params, where)
    if "Job" in operation:
        job = params.get("JobName") or params.get("Name")
        return [f"arn:aws:glue:{where[0]}:{where[1]}:job/{job}"] if job else ["*"]
    return catalog.glue_catalog_arns(operation, params, where)


def _emr_serverless(operation: str, params: dict[str, Any], where: Where) -> list[str]:
    base = f"arn:aws:emr-serverless:{where[0]}:{where[1]}:/applications"
    application, run = params.get("applicationId"), params.get("jobRunId")
    if application and run:
        return [f"{base}/{application}/jobruns/{run}"]
    return [f"{base}/{application}" if application else f"{base}/*"]


def _states(operation: str, params: dict[str, Any], where: Where) -> list[str]:
    arn = params.get("executionArn") or params.get("stateMachineArn") or params.get("resourceArn")
    if arn:
        return [str(arn)]
    if operation == "CreateStateMachine" and params.get("name"):
        return [f"arn:aws:states:{where[0]}:{where[1]}:stateMachine:{params['name']}"]
    return ["*"]


def _iam(operation: str, params: dict[str, Any], where: Where) -> list[str]:
    account = where[1]
    if params.get("PolicyArn"):
        return [str(params["PolicyArn"])]
    for member, kind in (("RoleName", "role"), ("UserName", "user"), ("GroupName", "group"),
                         ("InstanceProfileName", "instance-profile"), ("PolicyName", "policy")):
        if params.get(member) and not (member == "PolicyName" and operation != "CreatePolicy"):
            path = str(params.get("Path") or "/") if operation.startswith("Create") else "/"
            return [f"arn:aws:iam::{account}:{kind}{path}{params[member]}"]
    return ["*"]


def _sts(operation: str, params: dict[str, Any], where: Where) -> list[str]:
    return [str(params["RoleArn"])] if params.get("RoleArn") else ["*"]


def _athena(operation: str, params: dict[str, Any], where: Where) -> list[str]:
    workgroup = params.get("WorkGroup") or (params.get("Name") if "WorkGroup" in operation else None)
    if operation in ("StartQueryExecution", "ListQueryExecutions", "ListNamedQueries", "CreateNamedQuery"):
        workgroup = workgroup or "primary"
    if not workgroup and params.get("QueryExecutionId"):
        workgroup = catalog.athena_workgroup_of(str(params["QueryExecutionId"]), where)
    return [f"arn:aws:athena:{where[0]}:{where[1]}:workgroup/{workgroup}"] if workgroup else ["*"]


def _redshift_data(operation: str, params: dict[str, Any], where: Where) -> list[str]:
    cluster = params.get("ClusterIdentifier")
    return [f"arn:aws:redshift:{where[0]}:{where[1]}:cluster:{cluster}"] if cluster else ["*"]


BUILDERS: dict[str, ResourceBuilder] = {
    "lambda": _lambda, "sqs": _sqs, "sns": _sns, "logs": _logs, "glue": _glue, "athena": _athena,
    "emr-serverless": _emr_serverless, "stepfunctions": _states, "iam": _iam, "sts": _sts,
    "redshift-data": _redshift_data,
    "kinesis": _named("arn:aws:kinesis:{region}:{account}:stream/{name}", "StreamARN", "StreamName"),
    "firehose": _named("arn:aws:firehose:{region}:{account}:deliverystream/{name}", "DeliveryStreamName"),
    "cloudtrail": _named("arn:aws:cloudtrail:{region}:{account}:trail/{name}", "Name", "TrailName"),
    "mwaa": _named("arn:aws:airflow:{region}:{account}:environment/{name}", "Name"),
    "cloudwatch": _named("arn:aws:cloudwatch:{region}:{account}:alarm:{name}", "AlarmName"),
}


def service_resources(service: str, operation: str, params: dict[str, Any], where: Where) -> list[str]:
    """The resource ARNs the action is checked against (all must be allowed); ``["*"]`` if none."""
    builder = BUILDERS.get(service)
    return builder(operation, params, where) if builder else ["*"]


# (service, operation) -> the parameter paths naming a role the call passes to the service
PASSED_ROLES: dict[tuple[str, str], tuple[str, ...]] = {
    ("lambda", "CreateFunction"): ("Role",), ("lambda", "UpdateFunctionConfiguration"): ("Role",),
    ("glue", "CreateJob"): ("Role",), ("glue", "UpdateJob"): ("JobUpdate.Role",),
    ("glue", "CreateCrawler"): ("Role",), ("glue", "UpdateCrawler"): ("Role",),
    ("emr-serverless", "StartJobRun"): ("executionRoleArn",),
    ("stepfunctions", "CreateStateMachine"): ("roleArn",), ("stepfunctions", "UpdateStateMachine"): ("roleArn",),
    ("firehose", "CreateDeliveryStream"): ("ExtendedS3DestinationConfiguration.RoleARN",
                                           "S3DestinationConfiguration.RoleARN",
                                           "KinesisStreamSourceConfiguration.RoleARN"),
    ("mwaa", "CreateEnvironment"): ("ExecutionRoleArn",), ("mwaa", "UpdateEnvironment"): ("ExecutionRoleArn",),
    # "The role must allow the iam:PassRole action" (DMS API reference, S3Settings.ServiceAccessRoleArn)
    ("dms", "CreateEndpoint"): ("S3Settings.ServiceAccessRoleArn", "ServiceAccessRoleArn"),
    ("dms", "ModifyEndpoint"): ("S3Settings.ServiceAccessRoleArn", "ServiceAccessRoleArn"),
    # A role handed to Lake Formation or to a Redshift Serverless namespace is passed too (unverified: AWS's
    # pages read say the role is assumed by the service, not in so many words that the call checks PassRole).
    ("lakeformation", "RegisterResource"): ("RoleArn",), ("lakeformation", "UpdateResource"): ("RoleArn",),
    ("redshift-serverless", "CreateNamespace"): ("defaultIamRoleArn", "iamRoles"),
    ("redshift-serverless", "UpdateNamespace"): ("defaultIamRoleArn", "iamRoles"),
}
SERVICE_PRINCIPALS = {"lambda": "lambda.amazonaws.com", "glue": "glue.amazonaws.com",
                      "emr-serverless": "emr-serverless.amazonaws.com", "stepfunctions": "states.amazonaws.com",
                      "firehose": "firehose.amazonaws.com", "mwaa": "airflow.amazonaws.com",
                      "dms": "dms.amazonaws.com", "lakeformation": "lakeformation.amazonaws.com"}


def passed_roles(service: str, operation: str, params: dict[str, Any], account_id: str) -> list[str]:
    """ARNs of the roles this call hands to the service (each needs ``iam:PassRole``)."""
    found = []
    for path in PASSED_ROLES.get((service, operation), ()):
        value: Any = params
        for member in path.split("."):
            value = value.get(member) if isinstance(value, dict) else None
        for role in (value if isinstance(value, list) else [value]):  # iamRoles is a list
            if isinstance(role, str) and role and role not in found:
                found.append(role if role.startswith("arn:") else f"arn:aws:iam::{account_id}:role/{role}")
    return found
