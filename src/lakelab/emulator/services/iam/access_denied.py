"""A denied request answered as the service answers it: S3's XML, a JSON error, a query ErrorResponse.

The message is AWS's: ``User: <caller ARN> is not authorized to perform: <action> on resource:
<ARN> because no identity-based policy allows the <action> action`` (or ``with an explicit deny
in ...``). S3 quotes the resource; an action checked on ``*`` names no resource at all.
"""

from __future__ import annotations

import json
import uuid
from xml.sax.saxutils import escape

from lakelab.emulator.context import Principal
from lakelab.emulator.services.iam.policy_evaluation import Decision

Answer = tuple[int, list[tuple[str, str]], bytes]
_QUERY_NAMESPACES = {
    "iam": "https://iam.amazonaws.com/doc/2010-05-08/", "sts": "https://sts.amazonaws.com/doc/2011-06-15/",
    "sns": "http://sns.amazonaws.com/doc/2010-03-31/", "sqs": "http://queue.amazonaws.com/doc/2012-11-05/",
    "cloudwatch": "http://monitoring.amazonaws.com/doc/2010-08-01/",
}
_QUERY_COMPATIBLE = {"sqs", "cloudwatch"}  # JSON/CBOR services whose SDKs read the query error code


def denial_message(caller: Principal, decision: Decision, quote_resource: bool = False) -> str:
    """AWS's sentence for ``decision`` (a denial) about ``caller``."""
    who = caller.arn or caller.service or caller.principal_id
    resource = decision.resource
    shown = f'"{resource}"' if quote_resource else resource
    on = "" if resource in ("*", "") else f" on resource: {shown}"
    return f"User: {who} is not authorized to perform: {decision.action}{on} {decision.because}"


def denied_answer(protocol: str, service: str, message: str, request_id: str | None = None) -> Answer:
    """The (status, headers, body) a service of ``protocol`` answers an access denial with."""
    request_id = request_id or str(uuid.uuid4())
    if service == "s3" or protocol == "rest-xml":
        return _s3(message, request_id)
    if protocol in ("json", "rest-json"):
        return _json(service, protocol, message, request_id)
    if protocol == "smithy-rpc-v2-cbor":
        return _cbor(message, request_id)
    return _query(service, message, request_id)


def _s3(message: str, request_id: str) -> Answer:
    body = ('<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>AccessDenied</Code>'
            f"<Message>{escape(message)}</Message><RequestId>{request_id}</RequestId>"
            f"<HostId>{request_id}</HostId></Error>").encode()
    return 403, [("Content-Type", "application/xml"), ("x-amz-request-id", request_id)], body


def _json(service: str, protocol: str, message: str, request_id: str) -> Answer:
    headers = [("x-amzn-ErrorType", "AccessDeniedException"), ("x-amzn-RequestId", request_id)]
    if service in _QUERY_COMPATIBLE:
        headers.append(("x-amzn-query-error", "AccessDenied;Sender"))
    if protocol == "rest-json":  # Lambda and the other REST services answer 403, with "Message"
        body = {"Type": "User", "Message": message}
        return 403, [("Content-Type", "application/json"), *headers], json.dumps(body).encode()
    body = {"__type": "AccessDeniedException", "message": message}
    return 400, [("Content-Type", "application/x-amz-json-1.1"), *headers], json.dumps(body).encode()


def _query(service: str, message: str, request_id: str) -> Answer:
    namespace = _QUERY_NAMESPACES.get(service, "")
    opening = f'<ErrorResponse xmlns="{namespace}">' if namespace else "<ErrorResponse>"
    body = (f"{opening}<Error><Type>Sender</Type><Code>AccessDenied</Code><Message>{escape(message)}</Message>"
            f"</Error><RequestId>{request_id}</RequestId></ErrorResponse>").encode()
    return 403, [("Content-Type", "text/xml"), ("x-amzn-RequestId", request_id)], body


def _cbor(message: str, request_id: str) -> Answer:
    """CloudWatch's Smithy RPC v2 CBOR: a map with ``__type`` and ``message``."""
    body = _cbor_map({"__type": "AccessDenied", "message": message})
    headers = [("Content-Type", "application/cbor"), ("smithy-protocol", "rpc-v2-cbor"),
               ("x-amzn-query-error", "AccessDenied;Sender"), ("x-amzn-RequestId", request_id)]
    return 403, headers, body


def _cbor_head(major: int, length: int) -> bytes:
    if length < 24:
        return bytes([major << 5 | length])
    for extra, size in ((24, 1), (25, 2), (26, 4), (27, 8)):
        if length < 1 << (8 * size):
            return bytes([major << 5 | extra]) + length.to_bytes(size, "big")
    raise ValueError("too long for CBOR")


def _cbor_map(entries: dict[str, str]) -> bytes:
    """A CBOR map of text to text: all an error body needs (RFC 8949, major types 3 and 5)."""
    encoded = _cbor_head(5, len(entries))
    for key, value in entries.items():
        for text in (key.encode(), value.encode()):
            encoded += _cbor_head(3, len(text)) + text
    return encoded
