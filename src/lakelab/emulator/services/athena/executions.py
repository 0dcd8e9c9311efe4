"""Query executions: QUEUED -> RUNNING -> SUCCEEDED | FAILED | CANCELLED, off the request thread.

StartQueryExecution only records the execution; a small pool of worker threads (not the
emulator's ordered dispatcher, so a long query never delays S3 notifications) plans and runs it.
StopQueryExecution interrupts the engine. Every duration in Statistics is measured.
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from lakelab.emulator import context as request_context
from lakelab.emulator import seam
from lakelab.emulator.engine import connection as engine_connection
from lakelab.emulator.engine import errors
from lakelab.emulator.services.athena import grammar, metrics, results
from lakelab.emulator.services.athena.context import Context

log = logging.getLogger("lakelab.emulator.services.athena")

FINAL_STATES = ("SUCCEEDED", "FAILED", "CANCELLED")
WORKERS = 4

_pool: ThreadPoolExecutor | None = None
_pool_lock = threading.Lock()
_active: dict[str, Execution] = {}
_state_lock = threading.Lock()


@dataclass
class Execution:
    account_id: str
    region: str
    query: str
    workgroup: str
    output_folder: str  # the result location, ending with "/"
    result_configuration: dict[str, Any]
    query_context: dict[str, Any]
    execution_parameters: list[str] | None = None
    scan_limit: int | None = None  # the workgroup's BytesScannedCutoffPerQuery
    id: str = field(default_factory=lambda: str(uuid.uuid4()))
    state: str = "QUEUED"
    reason: str | None = None
    error_category: int | None = None
    submitted: float = field(default_factory=time.time)
    started: float | None = None
    planning_seconds: float = 0.0
    engine_done: float | None = None
    finished: float | None = None
    scanned_bytes: int = 0
    input_rows: int | None = None
    output_rows: int = 0
    output_bytes: int = 0
    manifest: str | None = None
    column_info: list[dict[str, Any]] = field(default_factory=list)
    header: bool = True
    done: threading.Event = field(default_factory=threading.Event, repr=False)
    connection: Any = field(default=None, repr=False)

    def __post_init__(self) -> None:
        self.kind = grammar.classify(self.query)
        self.statement_type, self.substatement_type = grammar.KINDS.get(self.kind, ("DDL", "UNKNOWN"))

    @property
    def output_file(self) -> str:
        if self.kind == "query":
            return f"{self.output_folder}{self.id}.csv"
        if self.kind in ("ctas", "insert", "unload"):
            return f"{self.output_folder}tables/{self.id}"
        return f"{self.output_folder}{self.id}.txt"

    @property
    def database(self) -> str:
        return (self.query_context.get("Database") or "default").strip("`\"").lower()


def submit(execution: Execution) -> None:
    global _pool
    with _pool_lock:
        if _pool is None:
            _pool = ThreadPoolExecutor(max_workers=WORKERS, thread_name_prefix="lakelab-athena")
        _active[execution.id] = execution
    _pool.submit(request_context.carry(_run), execution)  # the query reads and writes as its caller


def stop(execution: Execution) -> None:
    """StopQueryExecution: CANCELLED at once, and the engine is interrupted."""
    if execution.state in FINAL_STATES:
        return
    _finish(execution, "CANCELLED", "Query cancelled by user")
    connection = execution.connection
    if connection is not None:
        try:
            connection.interrupt()
        except Exception:  # the query may just have ended
            pass


def stop_all() -> None:
    for execution in list(_active.values()):
        stop(execution)


def warm_up() -> None:
    """Import the engine side and open the engine, so the first query does not pay for it."""
    from sqlglot.optimizer import annotate_types, qualify  # noqa: F401

    from lakelab.emulator.services.athena import statements  # noqa: F401

    engine_connection.connection().close()


def wait(execution: Execution, timeout: float) -> None:
    execution.done.wait(timeout)


def _run(execution: Execution) -> None:
    with _state_lock:
        if execution.state in FINAL_STATES:  # stopped while queued
            _active.pop(execution.id, None)
            return
        execution.started = time.time()
        execution.state = "RUNNING"
    connection = engine_connection.connection()
    execution.connection = connection
    try:
        _execute(execution, connection)
    except errors.QueryFailed as failure:
        _finish(execution, "FAILED", str(failure), failure.category)
    except Exception as error:  # a fault of the emulator: report it, never hang the query
        log.exception("Athena query %s failed in the emulator", execution.id)
        _finish(execution, "FAILED", f"GENERIC_INTERNAL_ERROR: {error}", errors.SYSTEM)
    finally:
        execution.connection = None
        connection.close()
        _active.pop(execution.id, None)


def _execute(execution: Execution, connection: Any) -> None:
    from lakelab.emulator.services.athena import statements  # the engine side is imported off the request thread
    from lakelab.emulator.services.athena.tokens import bind_parameters

    _check_output_bucket(execution)
    query = bind_parameters(execution.query, execution.execution_parameters)
    statement = grammar.parse(query)
    context = Context(execution.account_id, execution.region, execution.id, query, execution.database,
                      execution.output_folder, connection, scan_limit=execution.scan_limit)
    try:
        result = statements.run(context, statement)
    except errors.ScanLimitExceeded as exceeded:
        # As on AWS: cancelled once the bytes read pass the limit, and what was read until then
        # (the limit plus the rest of the file that passed it) is reported, and billed.
        execution.scanned_bytes, execution.planning_seconds = exceeded.scanned, context.planning_seconds
        _finish(execution, "CANCELLED", exceeded.REASON)
        return
    execution.engine_done = time.time()
    if execution.state not in FINAL_STATES:
        _deliver(execution, context, result)


def _deliver(execution: Execution, context: Context, result: results.Result) -> None:
    """Record what the statement did and write its result files, then SUCCEEDED."""
    execution.planning_seconds = context.planning_seconds
    execution.scanned_bytes = context.scanned_bytes
    execution.input_rows = context.input_rows
    execution.manifest = context.manifest
    execution.column_info, execution.header = result.column_info, result.header
    execution.output_rows = result.update_count if result.update_count is not None else result.rows
    try:
        if result.update_count is None:
            execution.output_bytes = results.write(execution.account_id, execution.output_file, result)
        else:
            results.write_metadata(execution.account_id, execution.output_file, result)
    except PermissionError as denied:  # the caller may not write the workgroup's output location
        raise errors.QueryFailed(f"Access denied when writing output to url: {execution.output_file} ({denied})"
                                 ) from None
    results.keep(execution.id, result)
    _finish(execution, "SUCCEEDED")


def _check_output_bucket(execution: Execution) -> None:
    from lakelab.emulator.common import s3_objects
    bucket, _ = s3_objects.split_uri(execution.output_folder)
    try:
        s3_objects.backend(execution.account_id).get_bucket(bucket)
    except seam.MissingBucket:
        raise errors.QueryFailed(
            f"Unable to verify/create output bucket {bucket}. Error: The specified bucket does not exist"
        ) from None


def _finish(execution: Execution, state: str, reason: str | None = None, category: int | None = None) -> None:
    with _state_lock:
        if execution.state in FINAL_STATES:
            return
        execution.finished = time.time()
        execution.engine_done = execution.engine_done or execution.finished
        execution.state, execution.reason = state, reason
        execution.error_category = category if state == "FAILED" else None
    metrics.query_finished(execution)  # AWS/Athena in CloudWatch, when the workgroup publishes
    execution.done.set()
