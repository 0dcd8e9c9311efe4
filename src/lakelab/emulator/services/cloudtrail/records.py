"""One CloudTrail event, in the record shape AWS writes to log files and answers LookupEvents with.

The fields and their meaning are AWS's ("CloudTrail record contents"): who called
(``userIdentity``), what (``eventSource``, ``eventName``, ``requestParameters``), what came of it
(``responseElements`` or ``errorCode``), and how CloudTrail files it: a management event (kept in
Event history, delivered by trails by default) or a data event (object reads and writes, Lambda
invokes: delivered only by trails that select them, never in Event history).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from lakelab.emulator.context import ASSUMED_ROLE, AWS_SERVICE, IAM_USER, ROOT, Principal, RequestContext
from lakelab.emulator.services.cloudtrail import elements

EVENT_VERSION = "1.11"
API_CALL, SERVICE_EVENT = "AwsApiCall", "AwsServiceEvent"
_READ_ONLY_PREFIXES = ("Get", "List", "Describe", "Head", "Lookup", "BatchGet", "Search", "Scan", "Query",
                       "Select")
_S3_OBJECT_EVENTS = frozenset({
    "GetObject", "PutObject", "HeadObject", "DeleteObject", "DeleteObjects", "CopyObject", "RestoreObject",
    "CreateMultipartUpload", "UploadPart", "UploadPartCopy", "CompleteMultipartUpload", "AbortMultipartUpload",
    "ListParts", "GetObjectAcl", "PutObjectAcl", "GetObjectTagging", "PutObjectTagging", "DeleteObjectTagging",
    "GetObjectAttributes", "GetObjectRetention", "PutObjectRetention", "GetObjectLegalHold",
    "PutObjectLegalHold", "SelectObjectContent", "GetObjectTorrent"})
# Listing a bucket's objects is a data event too, on the bucket (AWS::S3::Object selectors cover it).
_S3_BUCKET_DATA_EVENTS = frozenset({"ListObjects", "ListObjectsV2", "ListObjectVersions", "ListMultipartUploads"})
_DATA_EVENTS = {"s3.amazonaws.com": _S3_OBJECT_EVENTS | _S3_BUCKET_DATA_EVENTS,
                "lambda.amazonaws.com": frozenset({"Invoke", "InvokeWithResponseStream", "InvokeAsync"})}
# CloudTrail names Lambda's control-plane calls after their API version (CreateFunction20150331);
# these four carry a "v2" since Lambda revised them.
_LAMBDA_V2 = frozenset({"UpdateFunctionCode", "UpdateFunctionConfiguration", "AddPermission", "RemovePermission"})
GLOBAL_SOURCES = frozenset({"iam.amazonaws.com", "sts.amazonaws.com", "cloudfront.amazonaws.com"})


@dataclass
class Call:
    """What happened, whoever reports it: the server for a request, a service for its own work."""

    event_source: str
    event_name: str
    region: str
    request_parameters: dict[str, Any] | None = None
    response_elements: dict[str, Any] | None = None
    error_code: str | None = None
    error_message: str | None = None
    request_id: str | None = None
    resource_arns: tuple[tuple[str, str], ...] = ()  # (type, ARN) the service names, for ``resources``
    event_type: str | None = None
    additional_event_data: dict[str, Any] | None = None


def event_source(service: str, signing_name: str = "") -> str:
    """``s3.amazonaws.com``, ``monitoring.amazonaws.com`` ...: the service's endpoint prefix."""
    model = elements.service_model(service) if service else None
    prefix = (model.metadata.get("endpointPrefix") if model is not None else None) or signing_name or service
    return f"{prefix}.amazonaws.com"


def event_name(service: str, operation: str) -> str:
    if service != "lambda" or operation in _DATA_EVENTS["lambda.amazonaws.com"]:
        return operation
    found = elements.operation_model(service, operation)
    version = (found.http.get("requestUri", "") if found is not None else "").strip("/").split("/")[0]
    suffix = version.replace("-", "") if version[:2] == "20" else ""
    return f"{operation}{suffix}{'v2' if suffix and operation in _LAMBDA_V2 else ''}"


def read_only(event_name: str) -> bool:
    return event_name.startswith(_READ_ONLY_PREFIXES)


def is_data_event(event_source: str, event_name: str) -> bool:
    return event_name in _DATA_EVENTS.get(event_source, ())


def user_identity(principal: Principal, invoked_by: str | None) -> dict[str, Any]:
    """The ``userIdentity`` element ("CloudTrail userIdentity element" in AWS's guide)."""
    if principal.type == AWS_SERVICE:
        return {"type": AWS_SERVICE, "invokedBy": principal.service or invoked_by}
    identity: dict[str, Any] = {"type": principal.type, "principalId": principal.principal_id,
                                "arn": principal.arn, "accountId": principal.account_id,
                                "accessKeyId": principal.access_key_id}
    if principal.type == IAM_USER:
        identity["userName"] = principal.user_name
    if principal.type == ASSUMED_ROLE:
        identity["sessionContext"] = _session_context(principal)
    if invoked_by:
        identity["invokedBy"] = invoked_by
    return identity


def _session_context(principal: Principal) -> dict[str, Any]:
    issued = principal.session_issued
    context: dict[str, Any] = {
        "sessionIssuer": {"type": "Role", "principalId": principal.role_id, "arn": principal.role_arn,
                          "accountId": principal.account_id, "userName": principal.role_name},
        "webIdFederationData": {},
        "attributes": {"creationDate": issued.strftime("%Y-%m-%dT%H:%M:%SZ") if issued else None,
                       "mfaAuthenticated": "false"},
    }
    if principal.source_identity:
        context["sourceIdentity"] = principal.source_identity
    return context


def username(identity: dict[str, Any]) -> str | None:
    """The user name LookupEvents shows: the IAM user, the role session, or ``root``."""
    kind = identity.get("type")
    if kind == ROOT:
        return "root"
    if kind == IAM_USER:
        return identity.get("userName")
    if kind == ASSUMED_ROLE:
        return str(identity.get("principalId", "")).rpartition(":")[2] or None
    return None


def build(ctx: RequestContext, call: Call) -> dict[str, Any]:
    """The event record of ``call`` made by ``ctx``'s principal, in AWS's field order."""
    principal, acting_service = ctx.principal, ctx.invoked_by
    data = is_data_event(call.event_source, call.event_name)
    service_caller = acting_service or (principal.service if principal.type == AWS_SERVICE else None)
    record: dict[str, Any] = {
        "eventVersion": EVENT_VERSION,
        "userIdentity": user_identity(principal, acting_service),
        "eventTime": ctx.event_time.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "eventSource": call.event_source,
        "eventName": call.event_name,
        "awsRegion": call.region,
        "sourceIPAddress": service_caller or ctx.source_ip,
        "userAgent": service_caller or ctx.user_agent,
    }
    if call.error_code:
        record["errorCode"], record["errorMessage"] = call.error_code, call.error_message or ""
    record["requestParameters"] = call.request_parameters
    record["responseElements"] = None if call.error_code else call.response_elements
    if call.additional_event_data:
        record["additionalEventData"] = call.additional_event_data
    record.update(_filing(ctx, call, data))
    return record


def _filing(ctx: RequestContext, call: Call, data: bool) -> dict[str, Any]:
    account = ctx.principal.account_id
    filed: dict[str, Any] = {
        "requestID": call.request_id or ctx.request_id,
        "eventID": str(uuid.uuid4()),
        "readOnly": read_only(call.event_name),
    }
    resources = [{"accountId": account, "type": kind, "ARN": arn} if kind != "AWS::S3::Object"
                 else {"type": kind, "ARN": arn} for kind, arn in call.resource_arns]
    if resources:
        filed["resources"] = resources
    service_event = ctx.principal.type == AWS_SERVICE and not ctx.invoked_by
    filed["eventType"] = call.event_type or (SERVICE_EVENT if service_event else API_CALL)
    filed["managementEvent"] = not data
    filed["recipientAccountId"] = account
    filed["eventCategory"] = "Data" if data else "Management"
    return filed
