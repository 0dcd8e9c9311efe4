"""The calls a state machine's tasks make: in-process, as the role, through the emulator's own request path.

moto's interpreter makes every AWS call of a task through ``boto_client_for(region, service,
state_credentials)`` (Lambda, Glue, Athena, SNS, SQS, the ``aws-sdk:`` integrations, a Map's
ItemReader). Here that is :func:`client_for`: a botocore client whose requests never reach a
socket. Each prepared request is answered in this process by the emulator's dispatcher (moto's
services with every extension, so a Lambda task runs the handler in its warm worker), bound to
the role's session -- ``identity.role_session`` of the state's role (the state machine's, or a
task's ``Credentials``), invoked by ``states.amazonaws.com``. IAM evaluates the call exactly as it
evaluates a request over HTTP (``enforcement.denial_for``, AWS's denial in the service's own
error shape), and CloudTrail records it with that identity.

Why not the ``calls`` modules other services offer: they reach a backend directly, with neither
IAM evaluation nor a CloudTrail record, and each covers a few operations; the request path covers
every operation of every service the ``aws-sdk:`` integrations can name.
"""

from __future__ import annotations

import io
import sys
import threading
import uuid
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import unquote, urlsplit

from lakelab.emulator import context, identity, pipeline
from lakelab.emulator.requests import RequestView

STATES = "states.amazonaws.com"
# The host botocore's requests name, replaced by the emulator's own address when it is known.
_ENDPOINT = "http://127.0.0.1"
_clients: dict[tuple[str, str], Any] = {}
_lock = threading.Lock()
_dispatcher: list[Any] = []


def client_for(region: str, service: str, state_credentials: Any = None) -> ActingClient:
    """``boto_client_for``: a client of ``service`` whose calls are made as the state's role."""
    role_arn = getattr(state_credentials, "role_arn", None) or ""
    return ActingClient(_botocore_client(service, region), role_arn)


def session_name() -> str:
    """The role session's name: one per execution, from the StartExecution request that began it."""
    request_id = context.current().request_id
    try:
        return uuid.UUID(request_id).hex
    except ValueError:
        return uuid.uuid5(uuid.NAMESPACE_URL, request_id).hex


class ActingClient:
    """A botocore client whose operations run bound to the role's session, invoked by Step Functions."""

    def __init__(self, client: Any, role_arn: str) -> None:
        self._client, self._role_arn = client, role_arn

    def __getattr__(self, name: str) -> Any:
        found = getattr(self._client, name)
        if name.startswith("_") or not callable(found):
            return found

        def call(*args: Any, **kwargs: Any) -> Any:
            if not self._role_arn:  # no role to act as (the interpreter always names one): as the caller
                return found(*args, **kwargs)
            session = identity.role_session(self._role_arn, session_name(), invoked_by=STATES)
            with context.acting_as(session, invoked_by=STATES):
                return found(*args, **kwargs)

        return call


def _botocore_client(service: str, region: str) -> Any:
    key = (service, region)
    with _lock:
        if key not in _clients:
            _clients[key] = _new_client(service, region)
        return _clients[key]


def _new_client(service: str, region: str) -> Any:
    import botocore.session
    from botocore.config import Config

    session = botocore.session.Session()
    config = Config(parameter_validation=False, inject_host_prefix=False,
                    retries={"total_max_attempts": 1, "mode": "standard"})
    client = session.create_client(service, region_name=region, endpoint_url=_ENDPOINT, config=config,
                                   aws_access_key_id="states", aws_secret_access_key="states")
    client.meta.events.register("before-send", _answer_in_process)
    return client


# --- answering one prepared request ---------------------------------------------------------


def _answer_in_process(request: Any, **_: Any) -> Any:
    """botocore's ``before-send``: the response, from the emulator, in this thread; no socket."""
    from botocore.awsrequest import AWSResponse

    call = context.current()
    environ = _environ(request, call.endpoint)
    view = RequestView.from_environ(environ)
    answer = _denial(view, call) or _authorized_answer(environ, view, call)
    _record(view, call, *answer)
    status, headers, body = answer
    return AWSResponse(request.url, status, dict(headers), _Body(body))


def _denial(view: RequestView, call: context.RequestContext) -> tuple[int, list[tuple[str, str]], bytes] | None:
    from lakelab.emulator.services.iam import enforcement

    return enforcement.denial_for(view, call)


def _authorized_answer(environ: dict[str, Any], view: RequestView,
                       call: context.RequestContext) -> tuple[int, list[tuple[str, str]], bytes]:
    """The service's answer; S3's DeleteObjects authorized key by key, as the server does it."""
    from lakelab.emulator.services.iam import batch_deletes

    withheld = batch_deletes.withhold_denied(environ, view, call) if batch_deletes.applies(view, call) else []
    status, headers, body = _dispatch(environ)
    if withheld:
        body = batch_deletes.report_denied(body, withheld)
        headers = [(name, value) for name, value in headers if name.lower() != "content-length"]
    return status, headers, body


def _dispatch(environ: dict[str, Any]) -> tuple[int, list[tuple[str, str]], bytes]:
    captured: dict[str, Any] = {}

    def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Callable[..., None]:
        captured["status"], captured["headers"] = int(status.split(" ", 1)[0]), list(headers)
        return lambda data: None

    parts: Iterable[bytes] = _the_dispatcher()(environ, start_response)
    body = b"".join(parts)
    if hasattr(parts, "close"):
        parts.close()  # type: ignore[attr-defined]
    return captured.get("status", 200), captured.get("headers", []), body


def _the_dispatcher() -> Any:
    """moto's dispatcher with every extension, as the server builds it (native services first)."""
    with _lock:
        if not _dispatcher:
            from lakelab.emulator import native, registry, seam

            def create_app_with_extensions(backend: str) -> Any:
                registry.install_for_backend(backend)
                return seam.create_backend_app(backend)

            _dispatcher.append(native.route(seam.DomainDispatcherApplication(create_app_with_extensions)))
        return _dispatcher[0]


def _record(view: RequestView, call: context.RequestContext, status: int, headers: list[tuple[str, str]],
            body: bytes) -> None:
    if not call.settings.record_trail:
        return
    from lakelab.emulator.services import cloudtrail

    if cloudtrail.wanted(view):
        code, message = pipeline.error_of(status, body)
        cloudtrail.record_call(view, call, status, headers, body, code, message)


def _environ(request: Any, endpoint: str) -> dict[str, Any]:
    """The WSGI environ of a botocore ``AWSPreparedRequest``, as werkzeug's server would build it.

    The host is the emulator's own address (``endpoint``, from the request that started the
    execution): code the emulator starts for this call (a Lambda handler) is given it to call back.
    """
    url = urlsplit(request.url)
    if endpoint:
        url = url._replace(netloc=urlsplit(endpoint).netloc)
    body = request.body or b""
    if not isinstance(body, bytes):
        body = body.read() if hasattr(body, "read") else str(body).encode()
    headers = {str(name): value.decode() if isinstance(value, bytes) else str(value)
               for name, value in request.headers.items()}
    environ: dict[str, Any] = {
        "REQUEST_METHOD": request.method, "SCRIPT_NAME": "",
        "PATH_INFO": unquote(url.path).encode("utf-8").decode("latin-1"), "QUERY_STRING": url.query,
        "SERVER_NAME": url.hostname or "127.0.0.1", "SERVER_PORT": str(url.port or 80),
        "SERVER_PROTOCOL": "HTTP/1.1", "REMOTE_ADDR": STATES, "wsgi.version": (1, 0), "wsgi.url_scheme": url.scheme,
        "wsgi.input": io.BytesIO(body), "wsgi.errors": sys.stderr, "wsgi.multithread": True,
        "wsgi.multiprocess": False, "wsgi.run_once": False, "CONTENT_LENGTH": str(len(body)),
        "HTTP_HOST": url.netloc, "HTTP_USER_AGENT": STATES,
    }
    for name, value in headers.items():
        key = name.upper().replace("-", "_")
        if key in ("CONTENT_TYPE", "CONTENT_LENGTH"):
            environ[key] = value
        elif key not in ("HOST", "USER_AGENT"):
            environ[f"HTTP_{key}"] = value
    return environ


class _Body(io.BytesIO):
    """A response body botocore can read whole (``stream``) or as a streaming member (``read``)."""

    def stream(self, **_: Any) -> Iterable[bytes]:
        yield self.read()
