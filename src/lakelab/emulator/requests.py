"""One request as the emulator's own layers see it: who signed it, which API operation, which inputs.

moto decides per service how to parse a request; identity, IAM enforcement and CloudTrail need the
same facts for every service before moto runs. :meth:`RequestView.from_environ` reads them once:
the signing name and access key from SigV4 (header or presigned URL), the operation from
botocore's model of that service (``X-Amz-Target`` for JSON services, ``Action=`` for query
services, the HTTP method and URI template for REST services), and the input members by their
API names. The body is read and put back, so moto reads it as if nobody had.
"""

from __future__ import annotations

import functools
import io
import json
import re
import threading
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, unquote

_LEGACY_HEADER = re.compile(r"AWS ([^:\s]+):")
_CREDENTIAL = re.compile(r"Credential=([^/,\s]+)/\d{8}/([^/]+)/([^/]+)/aws4_request")
# Signing names whose botocore service name differs (the rest are the same).
_SERVICE_BY_SIGNING_NAME = {
    "states": "stepfunctions", "monitoring": "cloudwatch", "airflow": "mwaa", "elasticmapreduce": "emr",
    "tagging": "resourcegroupstaggingapi", "execute-api": "apigateway", "email": "ses",
    "access-analyzer": "accessanalyzer",
}
_JSON_BODIES = ("json", "rest-json")
_MAX_PARSED_BODY = 1 << 20
_RESOLVING = threading.RLock()  # inputs of larger bodies (object uploads) are not parsed


class RequestView:
    """One request: always its signature's facts; its operation and inputs on first use.

    Resolving the operation loads botocore's model of the service, so it waits until IAM
    evaluation or CloudTrail asks (root's requests are answered without it).
    """

    _LAZY = ("operation", "params", "protocol", "service")

    def __init__(self, method: str, path: str, query: dict[str, list[str]], headers: dict[str, str], body: bytes,
                 signing_name: str = "", region: str = "us-east-1", access_key_id: str = "",
                 session_token: str | None = None, source_ip: str = "127.0.0.1", user_agent: str = "",
                 service: str = "", operation: str | None = None, params: dict[str, Any] | None = None,
                 protocol: str = "", resolved: bool = True) -> None:
        self.method, self.path, self.query, self.headers, self.body = method, path, query, headers, body
        self.signing_name, self.region, self.access_key_id = signing_name, region, access_key_id
        self.session_token, self.source_ip, self.user_agent = session_token, source_ip, user_agent
        self._service, self._operation, self._params, self._protocol = service, operation, dict(params or {}), protocol
        self._resolved = resolved

    @classmethod
    def from_environ(cls, environ: dict[str, Any]) -> RequestView:
        headers = _headers(environ)
        query = parse_qs(environ.get("QUERY_STRING", ""), keep_blank_values=True)
        view = cls(environ.get("REQUEST_METHOD", "GET"), unquote(environ.get("PATH_INFO", "")), query, headers,
                   _body(environ), source_ip=environ.get("REMOTE_ADDR") or "127.0.0.1",
                   user_agent=headers.get("user-agent", ""), resolved=False)
        view.access_key_id, view.region, view.signing_name = _credential(headers, query)
        view.session_token = headers.get("x-amz-security-token") or _first(query, "X-Amz-Security-Token")
        view._service = _SERVICE_BY_SIGNING_NAME.get(view.signing_name, view.signing_name)
        return view

    @property
    def service(self) -> str:
        """botocore's name of the service ("stepfunctions" for the signing name "states")."""
        return self._service

    @property
    def operation(self) -> str | None:
        self._resolve()
        return self._operation

    @property
    def params(self) -> dict[str, Any]:
        self._resolve()
        return self._params

    @property
    def protocol(self) -> str:
        self._resolve()
        return self._protocol

    def _resolve(self) -> None:
        if not self._resolved:
            with _RESOLVING:  # the caller's thread and the CloudTrail recorder may both ask
                if not self._resolved:
                    _resolve_operation(self)
                    self._resolved = True

    def first(self, name: str) -> str | None:
        return _first(self.query, name)

    def __repr__(self) -> str:
        return f"RequestView({self.method} {self.path} {self.service}:{self.operation})"


def _headers(environ: dict[str, Any]) -> dict[str, str]:
    found = {key[5:].replace("_", "-").lower(): str(value) for key, value in environ.items() if key.startswith("HTTP_")}
    for key in ("CONTENT_TYPE", "CONTENT_LENGTH"):
        if environ.get(key):
            found[key.replace("_", "-").lower()] = str(environ[key])
    return found


def _body(environ: dict[str, Any]) -> bytes:
    """Read the body and put it back for moto (chunked transfer included)."""
    from werkzeug.wsgi import get_input_stream

    body = get_input_stream(environ).read()
    environ["wsgi.input"] = io.BytesIO(body)
    environ["CONTENT_LENGTH"] = str(len(body))
    environ.pop("HTTP_TRANSFER_ENCODING", None)
    environ.pop("wsgi.input_terminated", None)
    return body


def _first(query: dict[str, list[str]], name: str) -> str | None:
    values = query.get(name)
    return values[0] if values else None


def _credential(headers: dict[str, str], query: dict[str, list[str]]) -> tuple[str, str, str]:
    """(access key id, region, signing name) from SigV4, in a header or a presigned URL."""
    found = _CREDENTIAL.search(headers.get("authorization", "")) or _CREDENTIAL.search(
        "Credential=" + (_first(query, "X-Amz-Credential") or ""))
    if found:
        return found.group(1), found.group(2), found.group(3)
    # Signature version 2, which only S3 still accepts (boto3 presigns S3 URLs with it by default).
    legacy = _first(query, "AWSAccessKeyId") or _LEGACY_HEADER.match(headers.get("authorization", ""))
    if legacy:
        return (legacy if isinstance(legacy, str) else legacy.group(1)), "us-east-1", "s3"
    return "", "us-east-1", ""


# --- which operation, from botocore's model ------------------------------------------------------


@functools.lru_cache(maxsize=64)
def _model(service: str) -> Any:
    try:
        return _botocore_session().get_service_model(service)
    except Exception:  # a service botocore does not know (a native service of ours, say)
        return None


@functools.lru_cache(maxsize=1)
def _botocore_session() -> Any:
    import botocore.session

    return botocore.session.get_session()


def _resolve_operation(view: RequestView) -> None:
    model = _model(view.service) if view.service else None
    if model is None:
        return
    view._protocol = model.protocol
    target = view.headers.get("x-amz-target", "")
    if target:
        view._operation, view._protocol = target.rsplit(".", 1)[-1], "json"
    elif "/operation/" in view.path:  # Smithy RPC v2 (CloudWatch): /service/<id>/operation/<Name>
        view._operation = view.path.rsplit("/operation/", 1)[-1]
    elif view._protocol in ("query", "ec2") or _form_action(view):
        view._protocol = "query" if view._protocol not in ("query", "ec2") else view._protocol
        view._operation = _form_action(view)
    else:
        view._operation, labels = _match_rest(view, _rest_routes(view.service))
        view._params.update(labels)
    _read_inputs(view, model)


def _form_action(view: RequestView) -> str | None:
    action = view.first("Action")
    if action is None and "x-www-form-urlencoded" in view.headers.get("content-type", ""):
        action = _first(parse_qs(view.body.decode("utf-8", "replace")), "Action")
    return action


@dataclass(frozen=True)
class _Route:
    operation: str
    method: str
    pattern: re.Pattern[str]
    required_query: tuple[tuple[str, str | None], ...]  # (key, value or None) the URI template demands
    literal_length: int
    required_headers: tuple[str, ...] = ()  # CopyObject is PutObject's URI plus x-amz-copy-source


@functools.lru_cache(maxsize=64)
def _rest_routes(service: str) -> tuple[_Route, ...]:
    model = _model(service)
    routes = [_route(name, model.operation_model(name)) for name in model.operation_names]
    # The most specific template first: more query literals, then more literal path characters.
    return tuple(sorted(routes, key=lambda route: (-len(route.required_query) - len(route.required_headers),
                                                   -route.literal_length)))


def _route(operation: str, operation_model: Any) -> _Route:
    http = operation_model.http
    path, _, query = http.get("requestUri", "/").partition("?")
    required = tuple((key, value or None) for key, _, value in (part.partition("=") for part in query.split("&") if part)
                     if key != "x-id")  # x-id names the operation; older clients leave it out
    located = _required_members(operation_model.input_shape)
    required += tuple((wire, None) for location, wire in located if location == "querystring")
    headers = tuple(wire.lower() for location, wire in located if location == "header")
    regex, literal = "", 0
    for piece in re.split(r"(\{[^}]+\})", path):
        if piece.startswith("{"):
            name = piece[1:-1]
            greedy = name.endswith("+")
            regex += f"(?P<{_group(name.rstrip('+'))}>{'.+' if greedy else '[^/]+'})"
        else:
            regex += re.escape(piece)
            literal += len(piece)
    regex = regex.rstrip("/") if regex != "/" else regex
    return _Route(operation, http.get("method", "POST"), re.compile(f"^{regex}/?$"), required, literal, headers)


def _required_members(shape: Any) -> list[tuple[str, str]]:
    """(location, wire name) of the required query-string and header members of an input shape."""
    if shape is None:
        return []
    members = [(shape.members[name].serialization, name) for name in shape.required_members if name in shape.members]
    return [(wire["location"], wire.get("name", name)) for wire, name in members
            if wire.get("location") in ("querystring", "header")]


def _group(label: str) -> str:
    return "L_" + re.sub(r"\W", "_", label)


def _match_rest(view: RequestView, routes: tuple[_Route, ...]) -> tuple[str | None, dict[str, str]]:
    x_id = view.first("x-id")
    candidates = []
    for route in routes:
        if route.method != view.method:
            continue
        matched = route.pattern.match(view.path)
        if matched and all(key in view.query and (value is None or value in view.query[key])
                           for key, value in route.required_query) and all(
                               header in view.headers for header in route.required_headers):
            if x_id == route.operation:
                candidates.insert(0, (route, matched))
                break
            candidates.append((route, matched))
    if not candidates:
        return None, {}
    route, matched = candidates[0]
    labels = {key[2:]: value for key, value in matched.groupdict().items()}
    return route.operation, labels


def _read_inputs(view: RequestView, model: Any) -> None:
    """The input members by API name, where they can be read cheaply."""
    if not view._operation or len(view.body) > _MAX_PARSED_BODY:
        return
    try:
        shape = model.operation_model(view._operation).input_shape
    except Exception:
        return
    if view._protocol in _JSON_BODIES and view.body[:1] in (b"{", b"["):
        try:
            view._params.update(json.loads(view.body))
        except ValueError:
            pass
    elif view._protocol in ("query", "ec2"):
        form = parse_qs(view.body.decode("utf-8", "replace")) if view.method == "POST" else {}
        view._params.update({key: values[0] for key, values in {**view.query, **form}.items() if key != "Action"})
    if shape is not None and view._protocol.startswith("rest"):
        _rest_members(view, shape)


def _rest_members(view: RequestView, shape: Any) -> None:
    """Path labels, query string and header members, renamed to their API member names."""
    for name, member in shape.members.items():
        location, wire = member.serialization.get("location"), member.serialization.get("name", name)
        if location == "uri" and wire in view._params:
            view._params[name] = view._params.pop(wire)
        elif location == "querystring" and wire in view.query:
            view._params[name] = view.query[wire][0]
        elif location == "header" and wire.lower() in view.headers:
            view._params[name] = view.headers[wire.lower()]
