"""Flows: what CreateFlow and UpdateFlow check, their states, and which ones are due to run.

States: an ``OnDemand`` flow is ``Active`` at once and runs at each StartFlow; a ``Scheduled`` one is
created ``Draft``, StartFlow activates it (``Active``, runs on its schedule) and StopFlow suspends it
(``Suspended``); StopFlow on an on-demand flow is an ``UnsupportedOperationException``, as AWS's
reference says. ``Event`` triggers are refused by name (no SaaS here sends change events).
"""

from __future__ import annotations

import datetime as dt
import re
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from lakelab.emulator import context
from lakelab.emulator.services.appflow import bucket_access, crm, profiles, schedules, tasks
from lakelab.emulator.services.appflow.errors import AppflowError, conflict, not_found, validation

_NAME = re.compile(r"^[a-zA-Z0-9][\w!@#.-]+$")
SOURCES = ("S3", "Salesforce")


@dataclass
class Execution:
    id: str
    started: float
    status: str = "InProgress"
    updated: float = field(default_factory=time.time)
    records: int = 0
    bytes_read: int = 0
    bytes_written: int = 0
    message: str | None = None
    pull_start: float | None = None
    pull_end: float | None = None

    def describe(self) -> dict[str, Any]:
        result: dict[str, Any] = {"bytesProcessed": self.bytes_read, "bytesWritten": self.bytes_written,
                                  "recordsProcessed": self.records, "numParallelProcesses": 1}
        if self.message:
            result["errorInfo"] = {"putFailuresCount": 0, "executionMessage": self.message}
        found = {"executionId": self.id, "executionStatus": self.status, "executionResult": result,
                 "startedAt": self.started, "lastUpdatedAt": self.updated}
        if self.pull_end is not None:
            found["dataPullEndTime"] = self.pull_end
            if self.pull_start is not None:
                found["dataPullStartTime"] = self.pull_start
        return found


@dataclass
class Flow:
    name: str
    account_id: str
    region: str
    definition: dict[str, Any]
    schedule: schedules.Schedule | None
    created_by: str
    tags: dict[str, str] = field(default_factory=dict)
    status: str = "Active"
    created: float = field(default_factory=time.time)
    updated: float = field(default_factory=time.time)
    updated_by: str = ""
    schema_version: int = 1
    executions: list[Execution] = field(default_factory=list)
    next_run: dt.datetime | None = None
    running: bool = False

    @property
    def arn(self) -> str:
        return f"arn:aws:appflow:{self.region}:{self.account_id}:flow/{self.name}"

    @property
    def trigger_type(self) -> str:
        return self.definition["triggerConfig"]["triggerType"]

    def last_run(self) -> dict[str, Any]:
        if not self.executions:
            return {}
        last = self.executions[-1]
        return {"mostRecentExecutionStatus": last.status, "mostRecentExecutionTime": last.started,
                "mostRecentExecutionMessage": last.message or ""}

    def summary(self) -> dict[str, Any]:
        source, destination = self.definition["sourceFlowConfig"], self.definition["destinationFlowConfigList"][0]
        return {"flowArn": self.arn, "flowName": self.name, "description": self.definition.get("description", ""),
                "flowStatus": self.status, "sourceConnectorType": source["connectorType"],
                "destinationConnectorType": destination["connectorType"], "triggerType": self.trigger_type,
                "createdAt": self.created, "lastUpdatedAt": self.updated, "createdBy": self.created_by,
                "lastUpdatedBy": self.updated_by or self.created_by, "tags": dict(self.tags),
                "lastRunExecutionDetails": self.last_run()}

    def describe(self) -> dict[str, Any]:
        return {**{k: v for k, v in self.definition.items() if k not in ("clientToken", "tags", "flowName")},
                "flowArn": self.arn, "flowName": self.name, "flowStatus": self.status, "createdAt": self.created,
                "lastUpdatedAt": self.updated, "createdBy": self.created_by,
                "lastUpdatedBy": self.updated_by or self.created_by, "tags": dict(self.tags),
                "lastRunExecutionDetails": self.last_run(), "schemaVersion": self.schema_version}


@dataclass
class Store:
    flows: dict[str, Flow] = field(default_factory=dict)
    profiles: dict[str, profiles.Profile] = field(default_factory=dict)


_stores: dict[tuple[str, str], Store] = {}
lock = threading.RLock()


def store(account_id: str, region: str) -> Store:
    with lock:
        return _stores.setdefault((account_id, region), Store())


def all_flows() -> list[Flow]:
    with lock:
        return [flow for found in _stores.values() for flow in found.flows.values()]


def forget() -> None:
    with lock:
        _stores.clear()


def get(found: Store, name: str) -> Flow:
    if name not in found.flows:
        raise not_found(f"Flow {name} does not exist.")  # wording unverified
    return found.flows[name]


def checked(found: Store, body: dict[str, Any], account_id: str, region: str, name: str) -> schedules.Schedule | None:
    """Check a CreateFlow or UpdateFlow request; return its schedule (None for on demand)."""
    if body.get("metadataCatalogConfig"):
        raise validation("metadataCatalogConfig (registering the output in the Glue Data Catalog) is not supported "
                         "by this emulator: crawl the destination with a Glue crawler instead.")
    schedule = _trigger(body.get("triggerConfig") or {})
    source = body.get("sourceFlowConfig") or {}
    known = _source(found, source, account_id, schedule)
    destinations = body.get("destinationFlowConfigList") or []
    if len(destinations) != 1 or destinations[0].get("connectorType") != "S3":
        raise validation("This emulator's flows write to exactly one destination, of connector type S3.")
    arn = f"arn:aws:appflow:{region}:{account_id}:flow/{name}"
    properties = (destinations[0].get("destinationConnectorProperties") or {}).get("S3") or {}
    _bucket(account_id, properties, bucket_access.DESTINATION_ACTIONS, arn, "destination")
    tasks.check(body.get("tasks") or [], known)
    return schedule


def _trigger(trigger: dict[str, Any]) -> schedules.Schedule | None:
    kind = trigger.get("triggerType")
    if kind == "OnDemand":
        return None
    if kind != "Scheduled":
        raise validation(f"Trigger type {kind} is not supported by this emulator (supported: OnDemand, Scheduled).")
    properties = (trigger.get("triggerProperties") or {}).get("Scheduled") or {}
    if not properties.get("scheduleExpression"):
        raise validation("A Scheduled trigger needs triggerProperties.Scheduled.scheduleExpression.")
    return schedules.parse(properties["scheduleExpression"])


def _source(found: Store, source: dict[str, Any], account_id: str, schedule: Any) -> tuple[str, ...] | None:
    kind = source.get("connectorType")
    properties = (source.get("sourceConnectorProperties") or {}).get(kind or "")
    if kind not in SOURCES or properties is None:
        raise validation(f"Source connector type {kind} is not supported by this emulator (supported: "
                         f"{', '.join(SOURCES)}), or its sourceConnectorProperties are missing.")
    if kind == "S3":
        # "If you use Amazon S3 as the data source, you must place your source files inside a folder in your S3
        # bucket" (https://docs.aws.amazon.com/appflow/latest/userguide/s3.html).
        if not (properties.get("bucketPrefix") or "").strip("/"):
            raise validation("An S3 source reads the files inside a folder: set bucketPrefix to the folder "
                             "(source files must be inside a folder of the bucket).")  # wording unverified
        if source.get("incrementalPullConfig"):
            raise validation("incrementalPullConfig applies to SaaS sources with a datetime field; an S3 source "
                             "is read whole at every run.")  # unverified: AWS may accept and ignore it
        _bucket(account_id, properties, bucket_access.SOURCE_ACTIONS, "", "source")
        return None
    profile = profiles.get(found.profiles, str(source.get("connectorProfileName") or ""))
    if profile.connector_type != kind:
        raise validation(f"Connector profile {profile.name} is a {profile.connector_type} profile, not {kind}.")
    fields = crm.fields(str(properties.get("object") or ""))
    pull_field = (source.get("incrementalPullConfig") or {}).get("datetimeTypeFieldName")
    if pull_field and pull_field not in crm.DATETIME_FIELDS:
        raise validation(f"datetimeTypeFieldName {pull_field} is not a datetime field of {properties['object']} "
                         f"({', '.join(crm.DATETIME_FIELDS)}).")
    return fields


def _bucket(account_id: str, properties: dict[str, Any], actions: tuple[str, ...], arn: str, role: str) -> None:
    name = properties.get("bucketName")
    found = bucket_access.bucket(account_id, str(name)) if name else None
    if found is None:
        raise validation(f"The {role} bucket {name} does not exist.")  # wording unverified
    missing = bucket_access.missing_actions(found, actions, account_id, arn, str(properties.get("bucketPrefix") or ""))
    if missing:
        raise AppflowError("AccessDeniedException",
                           f"Amazon AppFlow does not have access to the {role} bucket {name}: its bucket policy must "
                           f"allow the service principal {bucket_access.SERVICE_PRINCIPAL} {', '.join(missing)}. See "
                           "'Amazon S3 bucket policies for Amazon AppFlow' in the AppFlow User Guide.")  # unverified


def create(found: Store, body: dict[str, Any], account_id: str, region: str) -> Flow:
    name = str(body.get("flowName") or "")
    if not _NAME.match(name) or len(name) > 256:
        raise validation(f"flowName {name!r} must match [a-zA-Z0-9][\\w!@#.-]+ and be at most 256 characters.")
    if name in found.flows:
        raise conflict(f"Flow {name} already exists.")  # wording unverified
    schedule = checked(found, body, account_id, region, name)
    flow = Flow(name, account_id, region, dict(body), schedule, context.principal().arn,
                tags=dict(body.get("tags") or {}), status="Draft" if schedule else "Active")
    found.flows[name] = flow
    return flow


def update(found: Store, body: dict[str, Any]) -> Flow:
    flow = get(found, str(body.get("flowName") or ""))
    schedule = checked(found, body, flow.account_id, flow.region, flow.name)
    if (schedule is None) != (flow.schedule is None):
        raise validation("UpdateFlow cannot change a flow between on-demand and scheduled triggers: create a new "
                         "flow.")  # unverified
    mapped = lambda definition: [t for t in definition.get("tasks") or [] if t.get("taskType") == "Map"]  # noqa: E731
    if mapped(body) != mapped(flow.definition):
        flow.schema_version += 1
    flow.definition = {**dict(body), "tags": flow.tags}
    flow.schedule, flow.updated, flow.updated_by = schedule, time.time(), context.principal().arn
    if flow.status == "Active" and schedule is not None:
        flow.next_run = first_run(flow, dt.datetime.now(dt.timezone.utc))
    return flow


def first_run(flow: Flow, now: dt.datetime) -> dt.datetime:
    properties = flow.definition["triggerConfig"].get("triggerProperties", {}).get("Scheduled", {})
    start = properties.get("scheduleStartTime")
    if start is not None:
        start = dt.datetime.fromtimestamp(float(start), dt.timezone.utc) if not isinstance(start, str) \
            else dt.datetime.fromisoformat(start.replace("Z", "+00:00"))
    return max(now, start) if start else now


def schedule_ended(flow: Flow, now: dt.datetime) -> bool:
    end = flow.definition["triggerConfig"].get("triggerProperties", {}).get("Scheduled", {}).get("scheduleEndTime")
    return end is not None and not isinstance(end, str) and now.timestamp() > float(end)
