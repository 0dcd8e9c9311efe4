"""Services of our own, for what moto lacks (MWAA next), hosted beside moto's.

A native service is found by its signing name: the ``<service>`` in a SigV4 credential scope
(``Authorization: AWS4-HMAC-SHA256 Credential=AKID/20250101/us-east-1/<service>/aws4_request``,
or ``X-Amz-Credential`` in a presigned URL), which every SDK sends. The server asks
:func:`route` before moto's dispatcher, so a native service sees requests through the same
request pipeline (the caller's context bound, IAM, CloudTrail), and the registry resets it with
every extension on ``/moto-api/reset``.

A package under ``services/`` declares ``NATIVE_SERVICES = {"airflow": ".api:Service"}``
(signing name -> a ``"module:class"`` reference, created on first use); a test may call
``registry.register_native(service)`` directly.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import Any, Protocol, runtime_checkable

from lakelab.emulator import registry

WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]
_CREDENTIAL_SCOPE = re.compile(r"Credential=[^/,\s]+/\d{8}/[^/]+/([^/]+)/aws4_request")
_PRESIGNED_SCOPE = re.compile(r"(?:^|&)X-Amz-Credential=[^&]*?(?:/|%2F)\d{8}(?:/|%2F)[^/&%]+(?:/|%2F)([^/&%]+)")


@runtime_checkable
class NativeService(Protocol):
    """What the server needs of a service of our own."""

    name: str  # the signing name requests for it carry

    def handle(self, request: Any) -> Any:
        """Answer one ``werkzeug.wrappers.Request`` with a ``werkzeug.wrappers.Response``."""

    def reset(self) -> None:
        """Forget every resource, as ``/moto-api/reset`` does for moto's services."""


def signing_name(environ: dict[str, Any]) -> str | None:
    """The service a request was signed for (None for unsigned requests)."""
    found = _CREDENTIAL_SCOPE.search(environ.get("HTTP_AUTHORIZATION", ""))
    found = found or _PRESIGNED_SCOPE.search(environ.get("QUERY_STRING", ""))
    return found.group(1) if found else None


def route(dispatcher: WsgiApp) -> WsgiApp:
    """A WSGI app answering with a native service when one is registered for the request's signing name."""

    def answer(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        name = signing_name(environ)
        service = registry.native(name) if name else None
        if service is None:
            return dispatcher(environ, start_response)
        return _serve(service, environ, start_response)

    return answer


def _serve(service: NativeService, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
    from werkzeug.wrappers import Request

    return service.handle(Request(environ))(environ, start_response)
