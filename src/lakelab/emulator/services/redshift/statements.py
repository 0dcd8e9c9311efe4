"""Statements: SUBMITTED -> PICKED -> STARTED -> FINISHED | FAILED | ABORTED, off the request thread.

ExecuteStatement and BatchExecuteStatement only record the statement; a small pool of worker
threads runs it on a new cursor of the shared engine, as the caller (S3 reads in COPY, UNLOAD and
Spectrum are then done as the command's IAM role). A batch runs its SQL in order in one transaction:
the first failure rolls the batch back and fails it, and the sub-statements after it are ABORTED
(https://docs.aws.amazon.com/redshift-data/latest/APIReference/API_BatchExecuteStatement.html).
CancelStatement interrupts the engine.
"""

from __future__ import annotations

import datetime as dt
import logging
import random
import re
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from lakelab.emulator import context as request_context
from lakelab.emulator.services.redshift import commands, dialect, events, results
from lakelab.emulator.services.redshift.dialect import engine_error
from lakelab.emulator.services.redshift.targets import Target
from lakelab.emulator.services.redshift.warehouse import QueryRecord, Warehouse

log = logging.getLogger("lakelab.emulator.services.redshift")

FINAL = ("FINISHED", "FAILED", "ABORTED")
WORKERS = 4

_pool: ThreadPoolExecutor | None = None
_pool_lock = threading.Lock()


def _now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


@dataclass
class SubStatement:
    sql: str
    index: int
    parent_id: str
    status: str = "SUBMITTED"
    error: str | None = None
    created: dt.datetime = field(default_factory=_now)
    updated: dt.datetime = field(default_factory=_now)
    duration_ns: int = -1
    has_result_set: bool = False
    result_rows: int = -1
    result_size: int = -1
    query_id: int = 0
    result: results.Result | None = None

    @property
    def id(self) -> str:
        return f"{self.parent_id}:{self.index}"


@dataclass
class Statement:
    target: Target
    database: str
    user: str
    sqls: list[str]
    is_batch: bool
    parameters: list[dict[str, str]] | None = None
    name: str | None = None
    secret_arn: str | None = None
    db_user: str | None = None
    result_format: str = "JSON"
    with_event: bool = False
    last_copy_id: int = -1  # PG_LAST_COPY_ID() in this statement's session (a batch's later SQL sees it)
    id: str = field(default_factory=lambda: str(uuid.uuid4()))
    status: str = "SUBMITTED"
    error: str | None = None
    created: dt.datetime = field(default_factory=_now)
    updated: dt.datetime = field(default_factory=_now)
    duration_ns: int = -1
    pid: int = field(default_factory=lambda: random.randint(1073741824, 1073841824))
    subs: list[SubStatement] = field(default_factory=list)
    done: threading.Event = field(default_factory=threading.Event, repr=False)
    cursor: Any = field(default=None, repr=False)
    principal: str = field(default_factory=lambda: request_context.principal().arn)
    owner: str = field(default_factory=lambda: request_context.principal().role_arn or request_context.principal().arn)

    def __post_init__(self) -> None:
        self.subs = [SubStatement(sql, index + 1, self.id) for index, sql in enumerate(self.sqls)]

    @property
    def last(self) -> SubStatement:
        return self.subs[-1]


_LAST_COPY_ID = re.compile(r"(?i)\bpg_last_copy_id\s*\(\s*\)")


@dataclass
class Run:
    """What running one statement needs: its database, target, user, cursor and temporary views."""

    warehouse: Warehouse
    target: Target
    user: str
    cursor: Any
    query_id: int = 0
    views: list[str] = field(default_factory=list)
    last_copy_id: int = -1  # the session's most recent COPY, for PG_LAST_COPY_ID()

    def session_sql(self, sql: str) -> str:
        """``PG_LAST_COPY_ID()`` is the query id of the session's most recent COPY, -1 before any
        (https://docs.aws.amazon.com/redshift/latest/dg/PG_LAST_COPY_ID.html): a Data API statement or
        batch is one session, an Endpoint connection another."""
        return _LAST_COPY_ID.sub(str(self.last_copy_id), sql)

    def engine(self, sql: str) -> Any:
        try:
            return self.cursor.execute(sql)
        except dialect.StatementFailed:
            raise
        except Exception as failure:
            raise engine_error(failure) from None

    def arrow(self, sql: str) -> Any:
        """The rows of an engine query as an Arrow table (read once, without a DB-API copy)."""
        try:
            return self.cursor.sql(sql).to_arrow_table()
        except Exception as failure:
            raise engine_error(failure) from None

    def query_arrow(self, sql: str) -> Any:
        """Run a query (UNLOAD's) and answer its rows as an Arrow table."""
        engine_sql, tree = commands.translate(self, sql)
        from sqlglot import exp

        if not isinstance(tree, exp.Query):
            raise dialect.error("UNLOAD's statement must be a SELECT")  # worded here (unverified)
        if tree.args.get("limit") is not None or tree.args.get("fetch") is not None:
            # AWS: "The SELECT query can't use a LIMIT clause in the outer SELECT" (r_UNLOAD, usage notes);
            # the wording is the one users report (unverified).
            raise dialect.error(f"Limit clause is not supported: {sql.strip()}")
        return self.arrow(engine_sql)


def submit(statement: Statement, warehouse: Warehouse) -> None:
    global _pool
    with _pool_lock:
        if _pool is None:
            _pool = ThreadPoolExecutor(max_workers=WORKERS, thread_name_prefix="lakelab-redshift")
    _pool.submit(request_context.carry(_run), statement, warehouse)


def cancel(statement: Statement) -> bool:
    if statement.status in FINAL:
        return False
    _finish(statement, "ABORTED", "Query cancelled.")  # unverified wording
    cursor = statement.cursor
    if cursor is not None:
        try:
            cursor.interrupt()
        except Exception:  # it may just have ended
            pass
    return True


def _run(statement: Statement, warehouse: Warehouse) -> None:
    if statement.status in FINAL:  # cancelled while queued
        return
    statement.status, statement.updated = "STARTED", _now()
    started, cursor = time.perf_counter_ns(), None
    try:
        cursor = statement.cursor = warehouse.cursor()
        _run_all(statement, warehouse, cursor)
    except Exception as failure:  # a fault of the emulator: report it, never hang the statement
        log.exception("Redshift statement %s failed in the emulator", statement.id)
        _finish(statement, "FAILED", f"ERROR: internal error in the Lake Labs emulator: {failure}")
    finally:
        statement.duration_ns = time.perf_counter_ns() - started
        statement.cursor = None
        if cursor is not None:
            cursor.close()
        if statement.status not in FINAL:
            _finish(statement, "FINISHED")


def _run_all(statement: Statement, warehouse: Warehouse, cursor: Any) -> None:
    if statement.is_batch:
        cursor.execute("BEGIN TRANSACTION")
    for sub in statement.subs:
        if statement.status in FINAL:
            sub.status = "ABORTED"
            continue
        failure = _run_one(statement, sub, warehouse, cursor)
        if failure is not None:
            for later in statement.subs[sub.index:]:
                later.status, later.updated = "ABORTED", _now()
            if statement.is_batch:
                _rollback(cursor)
            _finish(statement, "FAILED", failure)
            return
    if statement.is_batch and statement.status not in FINAL:
        cursor.execute("COMMIT")


def _rollback(cursor: Any) -> None:
    try:
        cursor.execute("ROLLBACK")
    except Exception:  # the engine may have rolled back already
        pass


def _run_one(statement: Statement, sub: SubStatement, warehouse: Warehouse, cursor: Any) -> str | None:
    """Run one sub-statement; its error, or None."""
    sub.status, sub.query_id = "STARTED", warehouse.next_query_id()
    run = Run(warehouse, statement.target, statement.user, cursor, sub.query_id,
              last_copy_id=statement.last_copy_id)
    began, started = time.time(), time.perf_counter_ns()
    kind, error = query_type(sub.sql), None
    try:
        sql = run.session_sql(dialect.bind(sub.sql, statement.parameters))
        table, rows, kind = commands.execute(run, sql)
        if table is not None:
            sub.result = _result(table)
            sub.has_result_set, sub.result_size = True, sub.result.size
        sub.result_rows = rows
        sub.status = "FINISHED"
    except dialect.StatementFailed as failure:
        error = str(failure)
    except Exception as failure:
        error = str(engine_error(failure)) if statement.status not in FINAL else "Query cancelled."
    finally:
        statement.last_copy_id = run.last_copy_id
        for view in run.views:
            _drop_view(cursor, view)
    sub.duration_ns, sub.updated = time.perf_counter_ns() - started, _now()
    if error is not None:
        sub.status, sub.error = "FAILED", error
    remember(warehouse, sub.query_id, statement.user, sub.sql, kind, began,
             max(sub.result_rows, 0) if sub.has_result_set else 0, error)
    return error


def remember(warehouse: Warehouse, query_id: int, user: str, sql: str, kind: str, began: float,
             returned_rows: int, error: str | None) -> None:
    """A statement's row in SYS_QUERY_HISTORY (the Data API's and the Endpoint's alike)."""
    with warehouse.lock:
        warehouse.history.append(QueryRecord(query_id, user, sql, kind, "success" if error is None else "failed",
                                             began, time.time(), returned_rows, error or ""))


def query_type(sql: str) -> str:
    """SYS_QUERY_HISTORY's query_type from a statement's first word (for one that failed)."""
    first = (dialect.first_words(sql, 1) or ["?"])[0]
    if first in ("SELECT", "WITH", "VALUES"):
        return "SELECT"
    if first in ("INSERT", "UPDATE", "DELETE", "MERGE", "COPY", "UNLOAD"):
        return first
    return "DDL" if first in ("CREATE", "DROP", "ALTER", "TRUNCATE") else "UTILITY"


def _drop_view(cursor: Any, view: str) -> None:
    try:
        cursor.execute(f"DROP VIEW IF EXISTS {view}")
    except Exception:  # an aborted transaction: the view goes with the cursor
        pass


def _result(table: Any) -> results.Result:
    names = [name if name == "QUERY PLAN" else name.lower() for name in table.column_names]
    engine_types = [_engine_type(f.type) for f in table.schema]
    rows = list(zip(*[column.to_pylist() for column in table.columns]))  # names may repeat (?column?)
    for index, engine_type in enumerate(engine_types):
        # The engine sums integers into a 128-bit integer where Redshift answers BIGINT (SUM of INT):
        # shown as int8 while every value fits in 64 bits.
        if engine_type == "DECIMAL(38,0)" and all(r[index] is None or abs(r[index]) < 2**63 for r in rows):
            engine_types[index] = "BIGINT"
    return results.Result(list(zip(names, engine_types)), rows)


def _engine_type(arrow_type: Any) -> str:
    import pyarrow as pa

    for check, name in ((pa.types.is_boolean, "BOOLEAN"), (pa.types.is_int8, "SMALLINT"),
                        (pa.types.is_int16, "SMALLINT"),
                        (pa.types.is_int32, "INTEGER"), (pa.types.is_int64, "BIGINT"), (pa.types.is_float32, "REAL"),
                        (pa.types.is_float64, "DOUBLE"), (pa.types.is_date, "DATE"), (pa.types.is_time, "TIME")):
        if check(arrow_type):
            return name
    if pa.types.is_decimal(arrow_type):
        return f"DECIMAL({arrow_type.precision},{arrow_type.scale})"
    if pa.types.is_timestamp(arrow_type):
        return "TIMESTAMP WITH TIME ZONE" if arrow_type.tz else "TIMESTAMP"
    if pa.types.is_unsigned_integer(arrow_type):
        return "BIGINT"
    return "VARCHAR"


def _finish(statement: Statement, status: str, error: str | None = None) -> None:
    if statement.status in FINAL:
        return
    statement.status, statement.updated = status, _now()
    if error:
        statement.error = error
    statement.done.set()
    if statement.with_event:
        events.status_change(statement)
