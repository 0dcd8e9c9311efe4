"""Recording: every answered call becomes a CloudTrail event, filed in Event history and queued for trails.

The server calls :func:`record_call` once per answered request; code the emulator runs on a
principal's behalf (Lambda invoked for an S3 notification, a crawler reading a bucket) calls
:func:`record_service_call`. Management events go to Event history; every event goes to the
logging trails that select it. Recording never raises: an event that cannot be built is logged
as a warning and the request is answered as if nothing happened.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from lakelab.emulator.context import RequestContext
from lakelab.emulator.services.cloudtrail import delivery, elements, history, records, resources, trails

log = logging.getLogger("lakelab.emulator")
_REQUEST_ID_HEADERS = ("x-amzn-requestid", "x-amz-request-id", "x-amzn-request-id")
_CLOUDTRAIL = "cloudtrail.amazonaws.com"


def record_call(request: Any, ctx: RequestContext, status: int, response_headers: Any, response_body: bytes,
                error_code: str | None, error_message: str | None) -> dict[str, Any] | None:
    """Record one answered request (a :class:`~lakelab.emulator.requests.RequestView`); the record, or None."""
    if not ctx.settings.record_trail or not request.operation:
        return None  # calls no API operation answers (health checks, unknown paths) are not events
    try:
        return _accept(ctx, _call_of(request, status, dict(_lower(response_headers)), response_body or b"",
                                     error_code, error_message, ctx.principal.account_id))
    except Exception:
        log.warning("CloudTrail could not record %s %s", request.service, request.operation, exc_info=True)
        return None


def wanted(request: Any) -> bool:
    """Whether an event of ``request`` would be kept anywhere: data events live only in trails that
    select them, so with no trail logging, an object read or write need not be built at all."""
    if trails.logging_trails() or not request.operation:
        return bool(request.operation)
    source = records.event_source(request.service, request.signing_name)
    return not records.is_data_event(source, records.event_name(request.service, request.operation))


def _lower(headers: Any) -> list[tuple[str, str]]:
    pairs = headers.items() if hasattr(headers, "items") else headers or []
    return [(str(name).lower(), str(value)) for name, value in pairs]


def _call_of(request: Any, status: int, headers: dict[str, str], body: bytes, error_code: str | None,
             error_message: str | None, account: str) -> records.Call:
    service, operation = request.service, request.operation
    source = records.event_source(service, request.signing_name)
    name = records.event_name(service, operation)
    failed = bool(error_code) or status >= 400
    answer = None if failed or records.read_only(name) else elements.response_elements(
        service, operation, request.protocol, status, headers, body)
    return records.Call(
        event_source=source, event_name=name, region=request.region,
        request_parameters=elements.request_parameters(service, operation, request.params,
                                                       request.headers.get("host", "")),
        response_elements=answer, error_code=error_code or (f"Http{status}" if failed else None),
        error_message=error_message, request_id=next((headers[h] for h in _REQUEST_ID_HEADERS if h in headers), None),
        resource_arns=resources.record_resources(source, name, request.params, account, request.region),
        additional_event_data=_transfer_sizes(source, name, request.body, body),
    )


def _transfer_sizes(source: str, name: str, sent: bytes, received: bytes) -> dict[str, Any] | None:
    if not records.is_data_event(source, name) or source != "s3.amazonaws.com":
        return None
    return {"SignatureVersion": "SigV4", "AuthenticationMethod": "AuthHeader",
            "bytesTransferredIn": len(sent or b""), "bytesTransferredOut": len(received or b"")}


def record_service_call(ctx: RequestContext, event_source: str, event_name: str,
                        request_parameters: dict[str, Any] | None = None,
                        response_elements: dict[str, Any] | None = None, error_code: str | None = None,
                        error_message: str | None = None, resources: tuple[tuple[str, str], ...] = (),
                        event_type: str | None = None, region: str | None = None) -> dict[str, Any] | None:
    """Record a call the emulator made for ``ctx``'s principal (``ctx.invoked_by`` names the service).

    ``request_parameters`` and ``response_elements`` are given already in CloudTrail's naming;
    ``resources`` are (type, ARN) pairs such as ``("AWS::Lambda::Function", arn)``.
    """
    if not ctx.settings.record_trail:
        return None
    call = records.Call(event_source=event_source, event_name=event_name, region=region or ctx.region,
                        request_parameters=request_parameters, response_elements=response_elements,
                        error_code=error_code, error_message=error_message, resource_arns=tuple(resources),
                        event_type=event_type)
    try:
        return _accept(ctx, call)
    except Exception:
        log.warning("CloudTrail could not record %s %s", event_source, event_name, exc_info=True)
        return None


def _accept(ctx: RequestContext, call: records.Call) -> dict[str, Any] | None:
    if ctx.invoked_by == _CLOUDTRAIL or ctx.principal.service == _CLOUDTRAIL:
        return None  # CloudTrail's own deliveries are never events of its trails (no feedback loop)
    record = records.build(ctx, call)
    record_json = json.dumps(record, separators=(",", ":"), default=str)
    if record["managementEvent"]:
        history.of(record["recipientAccountId"], record["awsRegion"]).add(record, record_json, ctx.event_time)
    delivery.route(record, record_json, trails.logging_trails())
    return record


def _clear_on_reset() -> None:
    """Events are recorded before CloudTrail's own API is first called, so reset must clear them regardless."""
    from lakelab.emulator import registry
    from lakelab.emulator.services import cloudtrail

    registry.on_reset(cloudtrail.reset)


_clear_on_reset()
