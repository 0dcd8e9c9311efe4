"""``requestParameters`` and ``responseElements``: an API call's inputs and outputs, as CloudTrail logs them.

CloudTrail names members in lowerCamelCase (``FunctionName`` becomes ``functionName``, ``VPCConfig``
becomes ``vpcConfig``) and keeps map keys (tags, environment names) as they were sent. What must
not be written to a log is not: members the API model marks sensitive read
``HIDDEN_DUE_TO_SECURITY_REASONS`` (passwords, Lambda environment variables), binary members are
left out (object bodies, ``ZipFile``, ``Payload``), and an STS ``SecretAccessKey`` is left out
entirely, as AWS leaves it out of ``AssumeRole`` events.

Read-only calls (Get, List, Describe ...) log ``responseElements`` as null, as AWS does for most
of them; a failed call logs null too.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import re
from typing import Any

HIDDEN = "HIDDEN_DUE_TO_SECURITY_REASONS"
_LEFT_OUT = frozenset({"SecretAccessKey"})  # CloudTrail drops it rather than hiding it
_LEADING_CAPITALS = re.compile(r"^([A-Z]+)(?=[A-Z][a-z]|[0-9]|$)|^[A-Z]")
# S3 logs the bucket as bucketName and the host it was called on (requestParameters.Host).
_S3_NAMES = {"Bucket": "bucketName", "Key": "key"}


def lower_camel(name: str) -> str:
    """``FunctionName`` -> ``functionName``; ``VPCConfig`` -> ``vpcConfig``; ``S3Bucket`` -> ``s3Bucket``."""
    return _LEADING_CAPITALS.sub(lambda found: found.group(0).lower(), name, count=1)


@functools.lru_cache(maxsize=64)
def service_model(service: str) -> Any:
    """botocore's model of ``service`` (None for a service botocore does not know)."""
    import botocore.session

    try:
        return _botocore_session().get_service_model(service)
    except Exception:
        return None


@functools.lru_cache(maxsize=1)
def _botocore_session() -> Any:
    import botocore.session

    return botocore.session.get_session()


def operation_model(service: str, operation: str | None) -> Any:
    model = service_model(service) if service and operation else None
    try:
        return model.operation_model(operation) if model is not None else None
    except Exception:  # an operation botocore's model lacks
        return None


def request_parameters(service: str, operation: str | None, params: dict[str, Any],
                       host: str = "") -> dict[str, Any] | None:
    """The call's inputs, named and redacted as CloudTrail logs them (None when there were none)."""
    found = operation_model(service, operation)
    shaped = logged(params, found.input_shape if found is not None else None, service)
    if service == "s3" and host:
        shaped = {**(shaped or {}), "Host": host}
    return shaped or None


def response_elements(service: str, operation: str | None, protocol: str, status: int,
                      headers: dict[str, str], body: bytes) -> dict[str, Any] | None:
    """The call's outputs as CloudTrail logs them: parsed from JSON, or by botocore's parser for XML."""
    found = operation_model(service, operation)
    if found is None or found.output_shape is None:
        return None
    parsed = _parsed_response(found, protocol, status, headers, body)
    if not parsed:
        return None
    return logged(parsed, found.output_shape, service) or None


def _parsed_response(found: Any, protocol: str, status: int, headers: dict[str, str], body: bytes) -> Any:
    if protocol in ("json", "rest-json") and body[:1] in (b"{", b"["):
        try:
            return json.loads(body)
        except ValueError:
            return None
    if protocol in ("query", "rest-xml", "ec2"):
        from botocore.parsers import create_parser

        try:
            parsed = create_parser(protocol).parse({"body": body, "headers": headers, "status_code": status},
                                                   found.output_shape)
        except Exception:  # a response botocore cannot read is logged as null, never an error
            return None
        parsed.pop("ResponseMetadata", None)
        return parsed
    return None


def logged(value: Any, shape: Any, service: str = "") -> Any:
    """``value`` (by API member names) with CloudTrail's member names, secrets hidden, binaries left out."""
    if shape is not None and shape.metadata.get("sensitive"):
        return HIDDEN
    kind = shape.type_name if shape is not None else None
    if isinstance(value, dict) and kind != "map":
        return _structure(value, shape, service)
    if isinstance(value, dict):
        return {key: logged(item, shape.value, service) for key, item in value.items()}
    if isinstance(value, list):
        return [logged(item, getattr(shape, "member", None), service) for item in value]
    if isinstance(value, (bytes, bytearray)):
        return None
    if isinstance(value, dt.datetime):
        return _element_time(value)
    return value


def _element_time(moment: dt.datetime) -> str:
    """``Jun 15, 2024, 5:41:15 PM``: the form CloudTrail logs timestamps in elements."""
    hour = moment.hour % 12 or 12
    return f"{moment:%b} {moment.day}, {moment.year}, {hour}:{moment:%M:%S} {moment:%p}"


def _structure(value: dict[str, Any], shape: Any, service: str) -> dict[str, Any]:
    members = shape.members if shape is not None and shape.type_name == "structure" else {}
    found: dict[str, Any] = {}
    for name, item in value.items():
        member = members.get(name)
        if name in _LEFT_OUT or _binary(member):
            continue
        found[_logged_name(name, member, service)] = logged(item, member, service)
    return found


def _binary(member: Any) -> bool:
    return member is not None and (member.type_name == "blob" or bool(member.serialization.get("streaming")))


def _logged_name(name: str, member: Any, service: str) -> str:
    if service == "s3":
        if name in _S3_NAMES:
            return _S3_NAMES[name]
        if member is not None and member.serialization.get("location") == "header":
            return member.serialization.get("name", name)  # S3 logs header members by header name
    return lower_camel(name)
