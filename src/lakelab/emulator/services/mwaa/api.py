"""MWAA's API (REST/JSON, signing name ``airflow``), answered by the environments of ``environments``.

InvokeRestApi passes ``Method``, ``Path`` (as MWAA takes it: ``/dags``, not ``/api/v2/dags``),
``QueryParameters`` and ``Body`` to the environment's Airflow REST API and answers with its status and
body: ``RestApiClientException`` for a 4xx answer and ``RestApiServerException`` for a 5xx one, each
carrying Airflow's status and body, as MWAA does; the call gives up after 30 s (MWAA: 10 s).
"""

from __future__ import annotations

import json
import secrets
import socket
import urllib.error
import urllib.parse
from typing import Any

from lakelab.emulator import context
from lakelab.emulator.services.mwaa import environments
from lakelab.emulator.services.mwaa.environments import MwaaError, validation

# MWAA: "The default timeout for the InvokeRestApi operation is 10 seconds". Locally 30 s: a laptop running
# Spark beside Airflow answers more slowly than MWAA's own web servers (a fidelity note of week 5).
INVOKE_TIMEOUT_SECONDS = 30.0
METHODS = ("GET", "PUT", "POST", "PATCH", "DELETE")


class Service:
    """The native service the emulator routes ``airflow``-signed requests to."""

    name = "airflow"

    def handle(self, request: Any) -> Any:
        from werkzeug.wrappers import Response

        try:
            status, body = self._answer(request)
        except MwaaError as error:
            payload = {"message": str(error), "Message": str(error), **error.extra}
            return Response(json.dumps(payload), status=error.status, content_type="application/json",
                            headers={"x-amzn-ErrorType": error.code})
        return Response(json.dumps(body), status=status, content_type="application/json")

    def reset(self) -> None:
        environments.stop_all()

    # --- routing --------------------------------------------------------------------------------

    def _answer(self, request: Any) -> tuple[int, dict[str, Any]]:
        parts = [urllib.parse.unquote(p) for p in request.path.strip("/").split("/")]
        method = request.method
        body = request.get_json(silent=True) or {}
        if parts[0] == "environments" and len(parts) == 1 and method == "GET":
            return 200, _list(request.args)
        if parts[0] == "environments" and len(parts) == 2:
            name = parts[1]
            if method == "PUT":
                endpoint = request.host_url.rstrip("/")
                return 200, {"Arn": environments.create(name, body, endpoint).arn}
            if method == "GET":
                return 200, {"Environment": environments.get(name).describe()}
            if method == "PATCH":
                return 200, {"Arn": environments.update(name, body).arn}
            if method == "DELETE":
                environments.delete(name)
                return 200, {}
        if parts[0] == "restapi" and len(parts) == 2 and method == "POST":
            return 200, invoke_rest_api(parts[1], body)
        if parts[0] == "clitoken" and len(parts) == 2 and method == "POST":
            environment = _available(parts[1])
            return 200, {"CliToken": secrets.token_urlsafe(32), "WebServerHostname": f"127.0.0.1:{environment.port}"}
        if parts[0] == "webtoken" and len(parts) == 2 and method == "POST":
            environment = _available(parts[1])
            who = context.principal()
            return 200, {"WebToken": secrets.token_urlsafe(32), "WebServerHostname": f"127.0.0.1:{environment.port}",
                         "IamIdentity": who.arn, "AirflowIdentity": who.arn.split(":", 5)[-1]}
        if parts[0] == "tags" and len(parts) >= 2:
            return 200, _tags(method, "/".join(parts[1:]), body, request.args)
        if parts[0] == "metrics":
            return 200, {}  # PublishMetrics: MWAA's own, internal; accepted and dropped
        raise MwaaError("UnknownOperationException", f"{method} {request.path} is not an MWAA operation.", 404)


def _list(args: Any) -> dict[str, Any]:
    names = [env.name for env in environments.listed()]
    try:
        limit = int(args.get("MaxResults", 25))
    except ValueError:
        raise validation("MaxResults must be a number from 1 to 25.") from None
    if not 1 <= limit <= 25:
        raise validation("MaxResults must be a number from 1 to 25.")
    start = int(args.get("NextToken") or 0) if (args.get("NextToken") or "0").isdigit() else 0
    answer: dict[str, Any] = {"Environments": names[start:start + limit]}
    if start + limit < len(names):
        answer["NextToken"] = str(start + limit)
    return answer


def _available(name: str) -> environments.Environment:
    environment = environments.get(name)
    if environment.status != "AVAILABLE" or environment.airflow is None:
        raise validation(f"Environment {name} is {environment.status}: its Apache Airflow answers once it is "
                         "AVAILABLE.")
    return environment


def invoke_rest_api(name: str, request: dict[str, Any]) -> dict[str, Any]:
    environment = _available(name)
    method = str(request.get("Method", "")).upper()
    path = str(request.get("Path", ""))
    if method not in METHODS:
        raise validation(f"Method must be one of {', '.join(METHODS)}.")
    if not path.startswith("/") or not 1 <= len(path) <= 64:
        raise validation("Path must start with '/' and be 1 to 64 characters long.")
    query = request.get("QueryParameters") or None
    if query is not None and not isinstance(query, dict):
        raise validation("QueryParameters must be a JSON object.")
    assert environment.airflow is not None
    try:
        status, answer = environment.airflow.call(method, path, query, request.get("Body"), INVOKE_TIMEOUT_SECONDS)
    except (TimeoutError, socket.timeout, urllib.error.URLError) as error:
        reason = getattr(error, "reason", error)
        detail = (f"within {INVOKE_TIMEOUT_SECONDS:.0f} seconds" if isinstance(reason, (TimeoutError, socket.timeout))
                  else f"({reason}; Airflow {'is running' if environment.airflow.running() else 'has stopped'})")
        raise MwaaError("InternalServerException", f"The Apache Airflow REST API did not answer {method} {path} "
                        f"{detail}.", 500) from None
    if status >= 500:
        raise MwaaError("RestApiServerException", f"Apache Airflow answered {status}.", 400,
                        {"RestApiStatusCode": status, "RestApiResponse": answer})
    if status >= 400:
        raise MwaaError("RestApiClientException", f"Apache Airflow answered {status}.", 400,
                        {"RestApiStatusCode": status, "RestApiResponse": answer})
    return {"RestApiStatusCode": status, "RestApiResponse": answer}


def _tags(method: str, arn: str, body: dict[str, Any], args: Any) -> dict[str, Any]:
    environment = environments.by_arn(arn)
    if method == "GET":
        return {"Tags": dict(environment.tags)}
    if method == "POST":
        tags = body.get("Tags") or {}
        if not isinstance(tags, dict):
            raise validation("Tags must be a map of keys to values.")
        environment.tags.update(tags)
        return {}
    if method == "DELETE":
        for key in args.getlist("tagKeys"):
            environment.tags.pop(key, None)
        return {}
    raise MwaaError("UnknownOperationException", f"{method} /tags is not an MWAA operation.", 404)
