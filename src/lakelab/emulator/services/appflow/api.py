"""AppFlow's API (REST/JSON, signing name ``appflow``): each operation a POST to its own path.

Paths and shapes are botocore's (``appflow`` 2020-08-23); errors carry their code in
``x-amzn-ErrorType`` and ``{"message": ...}`` in the body. One route is not AWS's:
``POST /_lakelab/crm/edit-record`` is how the kit's ``lakelab.lab.crm.edit_record`` edits a record of
the seeded CRM (on AWS you would edit it in Salesforce).
"""

from __future__ import annotations

import json
import urllib.parse
from typing import Any

from lakelab.emulator import context
from lakelab.emulator.services.appflow import crm, entities, flows, profiles, runs, schedules
from lakelab.emulator.services.appflow.errors import AppflowError, conflict, not_found, validation

clock = schedules.Clock(runs.run_due)


class Service:
    """The native service the emulator routes ``appflow``-signed requests to."""

    name = "appflow"

    def handle(self, request: Any) -> Any:
        from werkzeug.wrappers import Response

        try:
            body = self._answer(request)
        except AppflowError as error:
            return Response(json.dumps({"message": error.message}), status=error.status,
                            content_type="application/json", headers={"x-amzn-ErrorType": error.code})
        return Response(json.dumps(body), status=200, content_type="application/json")

    def reset(self) -> None:
        clock.stop()
        flows.forget()
        crm.forget()

    def _answer(self, request: Any) -> dict[str, Any]:
        caller = context.current()
        account_id, region = caller.principal.account_id, caller.region or context.DEFAULT_REGION
        found = flows.store(account_id, region)
        body = request.get_json(silent=True) or {}
        path = request.path
        if path.startswith("/tags/"):
            return _tags(found, request.method, urllib.parse.unquote(path[len("/tags/"):]), body, request.args)
        operation = OPERATIONS.get(path.rstrip("/"))
        if operation is None or request.method != "POST":
            raise AppflowError("UnknownOperationException", f"{request.method} {path} is not an AppFlow operation.")
        with flows.lock:
            return operation(found, body, account_id, region)


def _create_profile(found: flows.Store, body: dict[str, Any], account_id: str, region: str) -> dict[str, Any]:
    return {"connectorProfileArn": profiles.create(found.profiles, body, account_id, region).arn}


def _delete_profile(found: flows.Store, body: dict[str, Any], *_: Any) -> dict[str, Any]:
    profile = profiles.get(found.profiles, str(body.get("connectorProfileName") or ""))
    users = [f.name for f in found.flows.values()
             if f.definition["sourceFlowConfig"].get("connectorProfileName") == profile.name]
    if users and not body.get("forceDelete"):
        raise conflict(f"Connector profile {profile.name} is in use by flows {', '.join(users)}: delete them first or "
                       "pass forceDelete.")  # wording unverified
    del found.profiles[profile.name]
    return {}


def _create_flow(found: flows.Store, body: dict[str, Any], account_id: str, region: str) -> dict[str, Any]:
    flow = flows.create(found, body, account_id, region)
    return {"flowArn": flow.arn, "flowStatus": flow.status}


def _delete_flow(found: flows.Store, body: dict[str, Any], *_: Any) -> dict[str, Any]:
    flow = flows.get(found, str(body.get("flowName") or ""))
    if flow.running and not body.get("forceDelete"):
        raise conflict(f"Flow {flow.name} is running: wait for the run to end or pass forceDelete.")  # unverified
    flow.status = "Deleted"
    del found.flows[flow.name]
    return {}


def _list_flows(found: flows.Store, body: dict[str, Any], *_: Any) -> dict[str, Any]:
    size = int(body.get("maxResults") or 100)
    if not 1 <= size <= 100:
        raise validation("maxResults must be between 1 and 100.")
    listed = sorted(found.flows.values(), key=lambda f: f.created)
    start = int(body.get("nextToken") or 0)
    answer: dict[str, Any] = {"flows": [f.summary() for f in listed[start:start + size]]}
    if start + size < len(listed):
        answer["nextToken"] = str(start + size)
    return answer


def _start_flow(found: flows.Store, body: dict[str, Any], *_: Any) -> dict[str, Any]:
    import datetime as dt

    flow = flows.get(found, str(body.get("flowName") or ""))
    if flow.schedule is None:
        return {"flowArn": flow.arn, "flowStatus": flow.status, "executionId": runs.start(flow).id}
    if flow.status == "Active":
        raise conflict(f"Flow {flow.name} is already active.")  # wording unverified
    flow.status = "Active"
    flow.next_run = flows.first_run(flow, dt.datetime.now(dt.timezone.utc))
    clock.ensure_running()
    return {"flowArn": flow.arn, "flowStatus": flow.status}


def _stop_flow(found: flows.Store, body: dict[str, Any], *_: Any) -> dict[str, Any]:
    flow = flows.get(found, str(body.get("flowName") or ""))
    if flow.schedule is None:
        raise AppflowError("UnsupportedOperationException",
                           f"Flow {flow.name} runs on demand: StopFlow deactivates only scheduled and event-triggered "
                           "flows.")
    if flow.status != "Active":
        raise conflict(f"Flow {flow.name} is not active (it is {flow.status}).")  # wording unverified
    flow.status, flow.next_run = "Suspended", None
    return {"flowArn": flow.arn, "flowStatus": flow.status}


def _execution_records(found: flows.Store, body: dict[str, Any], *_: Any) -> dict[str, Any]:
    flow = flows.get(found, str(body.get("flowName") or ""))
    size = int(body.get("maxResults") or 100)
    newest_first = list(reversed(flow.executions))
    start = int(body.get("nextToken") or 0)
    answer: dict[str, Any] = {"flowExecutions": [e.describe() for e in newest_first[start:start + size]]}
    if start + size < len(newest_first):
        answer["nextToken"] = str(start + size)
    return answer


def _edit_crm_record(found: flows.Store, body: dict[str, Any], account_id: str, region: str) -> dict[str, Any]:
    record = crm.edit(account_id, region, str(body.get("object") or ""), str(body.get("id") or ""),
                      body.get("changes") or {})
    return {"record": record}


def _tags(found: flows.Store, method: str, arn: str, body: dict[str, Any], args: Any) -> dict[str, Any]:
    with flows.lock:
        flow = next((f for f in found.flows.values() if f.arn == arn), None)
        if flow is None:
            raise not_found(f"Resource {arn} does not exist.")  # wording unverified
        if method == "GET":
            return {"tags": dict(flow.tags)}
        if method == "POST":
            flow.tags.update(body.get("tags") or {})
            return {}
        if method == "DELETE":
            for key in args.getlist("tagKeys"):
                flow.tags.pop(key, None)
            return {}
    raise AppflowError("UnknownOperationException", f"{method} /tags is not an AppFlow operation.")


OPERATIONS: dict[str, Any] = {
    "/create-connector-profile": _create_profile,
    "/describe-connector-profiles": lambda found, body, *_: profiles.describe(found.profiles, body),
    "/update-connector-profile": lambda found, body, *_: {
        "connectorProfileArn": profiles.update(found.profiles, body).arn},
    "/delete-connector-profile": _delete_profile,
    "/list-connector-entities": lambda found, body, *_: entities.list_entities(found, body),
    "/describe-connector-entity": lambda found, body, *_: entities.describe_entity(found, body),
    "/create-flow": _create_flow,
    "/describe-flow": lambda found, body, *_: flows.get(found, str(body.get("flowName") or "")).describe(),
    "/update-flow": lambda found, body, *_: {"flowStatus": flows.update(found, body).status},
    "/delete-flow": _delete_flow,
    "/list-flows": _list_flows,
    "/start-flow": _start_flow,
    "/stop-flow": _stop_flow,
    "/describe-flow-execution-records": _execution_records,
    "/_lakelab/crm/edit-record": _edit_crm_record,
}
