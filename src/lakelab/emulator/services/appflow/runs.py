"""One run of a flow: read the source, apply the tasks, write the destination, keep the record.

A run starts ``InProgress`` and ends ``Successful`` or ``Error`` (with ``errorInfo.executionMessage``)
on a worker thread. An incremental run (a Scheduled trigger with ``dataPullMode`` ``Incremental``, a
Salesforce source and ``incrementalPullConfig.datetimeTypeFieldName``) reads the records modified
after the previous successful run's ``dataPullEndTime`` (the first: after ``firstExecutionFrom``, or
every record); a failed run moves nothing forward, so the next one reads its records again.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
import uuid
from typing import Any

from lakelab.emulator import context
from lakelab.emulator.services.appflow import bucket_access, destinations, flows, sources, tasks
from lakelab.emulator.services.appflow.flows import Execution, Flow


def start(flow: Flow) -> Execution:
    """Begin a run of ``flow`` on a worker thread; the caller holds ``flows.lock``."""
    execution = Execution(str(uuid.uuid4()), time.time())
    flow.executions.append(execution)
    flow.running = True
    threading.Thread(target=context.carry(_run), args=(flow, execution), name=f"appflow-{flow.name}",
                     daemon=True).start()
    return execution


def _run(flow: Flow, execution: Execution) -> None:
    try:
        # AppFlow reads and writes S3 as its service principal (the bucket policies allow it, not a role).
        with context.acting_as(context.Principal.aws_service(bucket_access.SERVICE_PRINCIPAL, flow.account_id)):
            _transfer(flow, execution)
        execution.status = "Successful"
    except sources.RunFailed as failed:
        execution.status, execution.message = "Error", str(failed)
    except Exception as error:  # a bug here must show as a failed run, not a run InProgress forever
        execution.status, execution.message = "Error", f"Internal error: {error!r}"
    finally:
        execution.updated = time.time()
        with flows.lock:
            flow.running = False
            _deactivate_after_errors(flow)


def _deactivate_after_errors(flow: Flow) -> None:
    """``flowErrorDeactivationThreshold``: that many failed runs in a row deactivate a scheduled flow
    (reported ``Suspended``, as StopFlow leaves it: unverified)."""
    scheduled = flow.definition["triggerConfig"].get("triggerProperties", {}).get("Scheduled", {})
    threshold = scheduled.get("flowErrorDeactivationThreshold")
    if flow.schedule is None or not threshold or flow.status != "Active":
        return
    failed = 0
    for execution in reversed(flow.executions):
        if execution.status != "Error":
            break
        failed += 1
    if failed >= int(threshold):
        flow.status, flow.next_run = "Suspended", None


def _transfer(flow: Flow, execution: Execution) -> None:
    definition = flow.definition
    source = definition["sourceFlowConfig"]
    now = _pull_end()
    if source["connectorType"] == "S3":
        raw, execution.bytes_read = sources.read_s3(flow.account_id, source["sourceConnectorProperties"]["S3"])
        typed = raw
    else:
        profile = source.get("connectorProfileName")
        if profile not in flows.store(flow.account_id, flow.region).profiles:
            raise sources.RunFailed(f"Connector profile {profile} does not exist: it was deleted after the flow "
                                    "was created.")  # wording unverified
        field, since = _incremental(flow)
        raw, execution.bytes_read = sources.read_crm(flow.account_id, flow.region,
                                                     source["sourceConnectorProperties"]["Salesforce"]["object"],
                                                     field, since, now)
        typed = sources.typed(raw)
        if field:
            execution.pull_start = since.timestamp() if since else None
            execution.pull_end = now.timestamp()
    task_list = definition.get("tasks") or []
    records, typed_records = tasks.apply(task_list, raw), tasks.apply(task_list, typed)
    properties = definition["destinationFlowConfigList"][0]["destinationConnectorProperties"]["S3"]
    _may_write(flow, properties)
    execution.bytes_written, _ = destinations.write(flow.account_id, properties, flow.name, execution.id,
                                                    flow.schema_version, records, typed_records, now)
    execution.records = len(records)


def _pull_end() -> dt.datetime:
    """Where this run's pull window ends: the last whole millisecond before now. Salesforce stamps records
    to the millisecond, so a record saved in the current millisecond falls to the next run, never between."""
    now = dt.datetime.now(dt.timezone.utc)
    return now.replace(microsecond=now.microsecond // 1000 * 1000) - dt.timedelta(milliseconds=1)


def _incremental(flow: Flow) -> tuple[str | None, dt.datetime | None]:
    """The datetime field an incremental run filters on, and the moment records must be modified after."""
    definition = flow.definition
    scheduled = definition["triggerConfig"].get("triggerProperties", {}).get("Scheduled", {})
    field = (definition["sourceFlowConfig"].get("incrementalPullConfig") or {}).get("datetimeTypeFieldName")
    if flow.schedule is None or scheduled.get("dataPullMode", "Incremental") != "Incremental" or not field:
        return None, None
    done = [e for e in flow.executions if e.status == "Successful" and e.pull_end is not None]
    if done:
        return field, dt.datetime.fromtimestamp(done[-1].pull_end, dt.timezone.utc)
    first = scheduled.get("firstExecutionFrom")
    return field, dt.datetime.fromtimestamp(float(first), dt.timezone.utc) if first is not None else None


def _may_write(flow: Flow, properties: dict[str, Any]) -> None:
    found = bucket_access.bucket(flow.account_id, properties["bucketName"])
    if found is None:
        raise sources.RunFailed(f"The destination bucket {properties['bucketName']} does not exist.")
    missing = bucket_access.missing_actions(found, bucket_access.DESTINATION_ACTIONS, flow.account_id, flow.arn,
                                            str(properties.get("bucketPrefix") or ""))
    if missing:
        raise sources.RunFailed(f"Access Denied: the bucket policy of {properties['bucketName']} does not allow "
                                f"{bucket_access.SERVICE_PRINCIPAL} {', '.join(missing)}.")  # wording unverified


def run_due(now: dt.datetime) -> None:
    """Start every Active scheduled flow whose next run has come (the schedule clock's tick)."""
    with flows.lock:
        for flow in flows.all_flows():
            if flow.status != "Active" or flow.schedule is None or flow.next_run is None or flow.next_run > now:
                continue
            if flows.schedule_ended(flow, now):
                flow.next_run = None
                continue
            if not flow.running:  # AppFlow skips a run while the previous one is still going (unverified)
                start(flow)
            flow.next_run = flow.schedule.next_after(flow.next_run if flow.schedule.every_minutes else now)
            if flow.next_run <= now:
                flow.next_run = flow.schedule.next_after(now)
