"""Lambda for other services (a Step Functions task, say): Invoke, in-process, as the caller.

The same path as the Invoke API over HTTP (moto finds the function and version, then the
handler runs in its warm worker), in the caller's account and region, read from the request
context in force. ``Event`` invocations run after the call returns, as on AWS.
"""

from __future__ import annotations

import json
from typing import Any

from lakelab.emulator import context, registry, seam

_STATUS = {"RequestResponse": 200, "Event": 202, "DryRun": 204}


def invoke(function_name: str, payload: Any = None, invocation_type: str = "RequestResponse",
           qualifier: str | None = None) -> dict[str, Any]:
    """Invoke a function; ``StatusCode``, ``Payload`` (bytes), and ``FunctionError``/``ExecutedVersion`` when set.

    ``payload`` is JSON text or bytes, or any value JSON can encode.
    """
    registry.install_for_backend("awslambda")
    caller = context.current()
    backend = seam.backend("awslambda", caller.principal.account_id, caller.region)
    body = payload if isinstance(payload, (str, bytes)) else json.dumps(payload if payload is not None else {})
    response_headers: dict[str, str] = {}
    answer = backend.invoke(function_name, qualifier, body, {"x-amz-invocation-type": invocation_type},
                            response_headers)
    result: dict[str, Any] = {"StatusCode": _STATUS.get(invocation_type, 200), "Payload": bytes(answer or b"")}
    if "x-amz-function-error" in response_headers:
        result["FunctionError"] = response_headers["x-amz-function-error"]
    if "x-amz-executed-version" in response_headers:
        result["ExecutedVersion"] = response_headers["x-amz-executed-version"]
    return result
