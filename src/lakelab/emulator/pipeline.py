"""What happens to every request before and after moto answers it.

1. Read the request once (:mod:`requests`) and name its principal (:mod:`identity`); refused
   credentials answer as AWS answers them.
2. Bind the request context (:mod:`context`), so extensions and code run for the caller know who
   it is.
3. Evaluate IAM for users and roles (``services.iam.enforcement``), when this emulator enforces it.
4. Let moto (or a native service) answer, then record the call in CloudTrail
   (``services.cloudtrail``) -- denied and failed calls included. Events are built on a recorder
   thread, off the caller's path; :func:`settle` waits for the ones queued so far (LookupEvents,
   trail delivery and ``Emulator.drain`` call it, so nothing recorded is ever missed).
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable, Iterable
from typing import Any
from xml.sax.saxutils import escape

from lakelab.emulator import context, dispatch, identity
from lakelab.emulator.requests import RequestView

log = logging.getLogger("lakelab.emulator")

WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]
_XML_CODE = re.compile(rb"<Code>([^<]+)</Code>")
_XML_MESSAGE = re.compile(rb"<Message>([^<]*)</Message>")
_ACCESS_KEY = re.compile(rb"<AccessKeyId>([^<]+)</AccessKeyId>")
# Bodies kept for CloudTrail's responseElements; larger ones (object downloads) pass straight through.
_RECORDED_BODY_LIMIT = 256 * 1024


def serve(environ: dict[str, Any], start_response: Callable[..., Any], answer: WsgiApp,
          settings: context.Settings | None) -> Iterable[bytes]:
    """Answer one request through ``answer`` (moto's dispatcher or a native service)."""
    settings = settings or context.Settings()
    request = RequestView.from_environ(environ)
    try:
        principal = identity.resolve(request)
    except identity.CredentialError as refused:
        return _respond(start_response, *error_response(request, refused.status, refused.code, refused.message))
    host = environ.get("HTTP_HOST") or f"{environ.get('SERVER_NAME')}:{environ.get('SERVER_PORT')}"
    call = context.RequestContext(principal, settings, request.service, request.region,
                                  request.source_ip, request.user_agent, endpoint=f"http://{host}")
    with context.bound(call):
        denial = _denial(request, call)
        if denial is not None:
            log.info("denied %s %s %s to %s", request.method, request.path, request.operation, principal.arn)
            _record(request, call, denial[0], denial[1], denial[2])
            return _respond(start_response, *denial)
        return _answer_and_record(environ, start_response, answer, request, call)


def _denial(request: RequestView, call: context.RequestContext) -> tuple[int, list[tuple[str, str]], bytes] | None:
    if call.principal.type in (context.ROOT, context.AWS_SERVICE) and request.service != "sts":
        return None  # root is allowed everything; only AssumeRole's trust policy binds it too
    enforcement = _enforcement()
    if enforcement is None:
        return None
    return enforcement.denial_for(request, call)


def _answer_and_record(environ: dict[str, Any], start_response: Callable[..., Any], answer: WsgiApp,
                       request: RequestView, call: context.RequestContext) -> Iterable[bytes]:
    withheld = _withhold_denied_deletes(environ, request, call)
    captured: dict[str, Any] = {}

    def capture(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
        captured["status_line"], captured["headers"] = status, list(headers)
        return lambda data: None  # the legacy write() callable: moto never uses it

    body_parts = answer(environ, capture)
    status_line, headers = captured.get("status_line", "200 OK"), captured.get("headers", [])
    status = int(status_line.split(" ", 1)[0])
    if not withheld and not _wanted(status, headers):
        start_response(status_line, headers)
        _record(request, call, status, headers, b"")
        return body_parts
    body = b"".join(body_parts)
    if hasattr(body_parts, "close"):
        body_parts.close()  # type: ignore[union-attr]
    amended = _amended(request, status, body, withheld)
    if amended is not body:  # (a HEAD answer's Content-Length is the object's, never its empty body's)
        headers = [(name, value) for name, value in headers if name.lower() != "content-length"]
        headers.append(("Content-Length", str(len(amended))))
        body = amended
    start_response(status_line, headers)
    _record(request, call, status, headers, body)
    return [body]


def _withhold_denied_deletes(environ: dict[str, Any], request: RequestView, call: context.RequestContext) -> list[str]:
    if request.service != "s3" or call.principal.type in (context.ROOT, context.AWS_SERVICE):
        return []
    from lakelab.emulator.services.iam import batch_deletes

    return batch_deletes.withhold_denied(environ, request, call) if batch_deletes.applies(request, call) else []


def _amended(request: RequestView, status: int, body: bytes, withheld: list[str]) -> bytes:
    """What AWS's answer has and moto's lacks: per-key AccessDenied of a batch delete; a session's facts."""
    if withheld:
        from lakelab.emulator.services.iam import batch_deletes

        return batch_deletes.report_denied(body, withheld)
    if request.service == "sts" and status == 200 and request.operation == "AssumeRole":
        return _remember_session(request, body)
    return body


def _wanted(status: int, headers: list[tuple[str, str]]) -> bool:
    """Whether the body is small enough to keep for the record (errors always are)."""
    length = next((value for name, value in headers if name.lower() == "content-length"), None)
    return status >= 300 or (length is not None and length.isdigit() and int(length) <= _RECORDED_BODY_LIMIT)


def _remember_session(request: RequestView, body: bytes) -> bytes:
    """Keep the session's source identity and tags, and answer the SourceIdentity as AWS does."""
    found = _ACCESS_KEY.search(body)
    if found is None:
        return body
    tags = {request.params[key]: request.params.get(key[:-3] + "Value", "")
            for key in request.params if key.startswith("Tags.member.") and key.endswith(".Key")}
    source_identity = request.params.get("SourceIdentity")
    identity.remember_session(found.group(1).decode(), source_identity, tags)
    if source_identity and b"<SourceIdentity>" not in body:
        element = f"<SourceIdentity>{escape(source_identity)}</SourceIdentity></AssumeRoleResult>".encode()
        body = body.replace(b"</AssumeRoleResult>", element, 1)
    return body


_recorder = dispatch.OrderedWorker("lakelab-cloudtrail-recorder")


def _record(request: RequestView, call: context.RequestContext, status: int, headers: list[tuple[str, str]],
            body: bytes) -> None:
    if call.settings.record_trail:
        _recorder.submit(lambda: _record_now(request, call, status, headers, body))


def settle(timeout: float = 30.0) -> bool:
    """Wait until every call answered so far is recorded; False if that took over ``timeout``."""
    return _recorder.drain(timeout)


def _record_now(request: RequestView, call: context.RequestContext, status: int, headers: list[tuple[str, str]],
                body: bytes) -> None:
    recorder = _cloudtrail()
    if recorder is None:
        return
    code, message = error_of(status, body)
    try:
        if not recorder.wanted(request):
            return
        with context.bound(call):
            recorder.record_call(request, call, status, headers, body, code, message)
    except Exception:  # a recording fault must never fail the caller's request
        log.exception("CloudTrail could not record %s %s", request.service, request.operation)


def error_of(status: int, body: bytes) -> tuple[str | None, str | None]:
    """The error code and message of a failed answer, in any of the protocols' shapes."""
    if status < 300:
        return None, None
    if body[:1] == b"{":
        try:
            document = json.loads(body)
        except ValueError:
            return str(status), None
        code = str(document.get("__type") or document.get("code") or document.get("Code") or status)
        return code.rsplit("#", 1)[-1], document.get("message") or document.get("Message")
    code, message = _XML_CODE.search(body), _XML_MESSAGE.search(body)
    return (code.group(1).decode() if code else str(status)), (message.group(1).decode() if message else None)


def error_response(request: RequestView, status: int, code: str, message: str) -> tuple[int, list[tuple[str, str]], bytes]:
    """An error answer in the shape the request's protocol expects (what botocore parses)."""
    request_id = context.current().request_id
    if request.protocol in ("json", "rest-json") and request.service != "s3":
        body = json.dumps({"__type": code, "message": message}).encode()
        return status, [("Content-Type", "application/x-amz-json-1.1"), ("x-amzn-ErrorType", code),
                        ("x-amzn-RequestId", request_id)], body
    if request.service == "s3":
        body = (f"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>{code}</Code><Message>{escape(message)}"
                f"</Message><RequestId>{request_id}</RequestId></Error>").encode()
    else:
        body = (f"<ErrorResponse><Error><Type>Sender</Type><Code>{code}</Code><Message>{escape(message)}</Message>"
                f"</Error><RequestId>{request_id}</RequestId></ErrorResponse>").encode()
    return status, [("Content-Type", "text/xml"), ("x-amzn-RequestId", request_id)], body


def _respond(start_response: Callable[..., Any], status: int, headers: list[tuple[str, str]], body: bytes) -> list[bytes]:
    from http import HTTPStatus

    reason = HTTPStatus(status).phrase if status in HTTPStatus._value2member_map_ else ""
    start_response(f"{status} {reason}", [*headers, ("Content-Length", str(len(body)))])
    return [body]


def _enforcement() -> Any:
    try:
        from lakelab.emulator.services.iam import enforcement
    except ImportError:
        return None
    return enforcement


def _cloudtrail() -> Any:
    try:
        from lakelab.emulator.services import cloudtrail
    except ImportError:
        return None
    return cloudtrail if hasattr(cloudtrail, "record_call") else None
