"""A replication task running: full load, then changes from the slot, written to S3 per batch interval.

One thread per running task. ``start-replication`` (and ``reload-target``) creates the task's
replication slot first, so changes committed during the full load are captured too, then loads
the selected tables; ``resume-processing`` keeps the slot where the last run left it. CDC reads
the slot every ``CdcMaxBatchInterval`` seconds (S3 endpoint setting; DMS's default 60 s) and writes
one file per table with changes; the slot advances only after the files are written, so stopping,
failing and resuming lose no change. Failures stop the task as DMS does: ``Status: failed`` with
``StopReason`` and ``LastFailureMessage``.
"""

from __future__ import annotations

import datetime as dt
import threading
from dataclasses import dataclass, field
from typing import Any

from lakelab.emulator import context
from lakelab.emulator.services.dms import mappings, source, target

FULL_LOAD, CDC, BOTH = "full-load", "cdc", "full-load-and-cdc"


@dataclass
class TableStats:
    schema: str
    table: str
    inserts: int = 0
    updates: int = 0
    deletes: int = 0
    full_load_rows: int = 0
    state: str = "Before load"
    updated: dt.datetime = field(default_factory=lambda: dt.datetime.now(dt.timezone.utc))

    def to_dict(self) -> dict[str, Any]:
        return {"SchemaName": self.schema, "TableName": self.table, "Inserts": self.inserts, "Deletes": self.deletes,
                "Updates": self.updates, "Ddls": 0, "AppliedInserts": self.inserts, "AppliedDeletes": self.deletes,
                "AppliedUpdates": self.updates, "AppliedDdls": 0, "FullLoadRows": self.full_load_rows,
                "FullLoadCondtnlChkFailedRows": 0, "FullLoadErrorRows": 0,
                "LastUpdateTime": self.updated.timestamp(), "TableState": self.state,
                "ValidationPendingRecords": 0, "ValidationFailedRecords": 0, "ValidationSuspendedRecords": 0,
                "ValidationState": "Not enabled"}


@dataclass
class Table:
    schema: str
    table: str
    columns: list[source.Column]
    target_schema: str
    target_table: str
    target_columns: list[str | None]  # None: removed by a rule


class Run:
    """The state DescribeReplicationTasks shows for one task, and the thread that does its work."""

    def __init__(self, task_id: str, account_id: str) -> None:
        self.task_id, self.account_id = task_id, account_id
        self.status = "ready"
        self.stop_reason = ""
        self.last_failure = ""
        self.stats: dict[tuple[str, str], TableStats] = {}
        self.full_load_percent = 0
        self.started: dt.datetime | None = None
        self.stopped: dt.datetime | None = None
        self.full_load_started: dt.datetime | None = None
        self.full_load_finished: dt.datetime | None = None
        self.has_run = False
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.files_written = 0

    @property
    def slot(self) -> str:
        return "lakelab_dms_" + "".join(c if c.isalnum() else "_" for c in self.task_id.lower())

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def start(self, kind: str, migration_type: str, mapping: mappings.Mapping, source_endpoint: Any,
              target_endpoint: Any) -> None:
        self._stop.clear()
        self.status, self.stop_reason, self.last_failure = "starting", "", ""
        self.started, self.stopped = dt.datetime.now(dt.timezone.utc), None
        self.has_run = True
        work = _Work(self, kind, migration_type, mapping, source.settings_of(source_endpoint),
                     target.settings_of(target_endpoint))
        # carried: the thread keeps the emulator's settings (IAM on or off) of the request that started it
        self._thread = threading.Thread(target=context.carry(work.run), name=f"lakelab-dms-{self.task_id}",
                                        daemon=True)
        self._thread.start()

    def stop(self, reason: str = "Stop Reason STOPPED_BY_USER", wait: float = 30.0) -> None:
        self.status = "stopping"
        self._stop.set()
        if self._thread is not None:
            self._thread.join(wait)
        self.status, self.stop_reason = "stopped", reason
        self.stopped = dt.datetime.now(dt.timezone.utc)

    def fail(self, message: str) -> None:
        self.status = "failed"
        self.stop_reason = "Stop Reason FATAL_ERROR Error Level FATAL"
        self.last_failure = f"Last Error {message} Stop Reason FATAL_ERROR Error Level FATAL"
        self.stopped = dt.datetime.now(dt.timezone.utc)

    def stopping(self) -> bool:
        return self._stop.is_set()

    def wait(self, seconds: float) -> bool:
        """Sleep up to ``seconds``; True when asked to stop meanwhile."""
        return self._stop.wait(seconds)


class _Work:
    def __init__(self, run: Run, kind: str, migration_type: str, mapping: mappings.Mapping,
                 source_settings: source.Settings, target_settings: target.Settings) -> None:
        self.run_state, self.kind, self.migration_type, self.mapping = run, kind, migration_type, mapping
        self.source, self.target = source_settings, target_settings

    def run(self) -> None:
        run = self.run_state
        try:
            self._run()
        except (source.SourceError, target.TargetError, mappings.MappingError) as error:
            run.fail(str(error))
        except Exception as error:  # an emulator fault still ends the task visibly, never silently
            run.fail(f"Internal error: {error!r}")

    def _run(self) -> None:
        run = self.run_state
        with source.connect(self.source) as connection:
            tables = self._tables(connection)
            run.stats = {(t.schema, t.table): run.stats.get((t.schema, t.table)) or TableStats(t.schema, t.table)
                         for t in tables}
            wants_cdc = self.migration_type in (CDC, BOTH)
            slot_connection = None
            if wants_cdc:
                source.check_replication_rights(connection, self.source.user)
                slot_connection = source.admin_connection(self.source) or connection
                fresh = self.kind != "resume-processing" or not source.slot_exists(slot_connection, run.slot)
                if fresh:
                    source.create_slot(slot_connection, run.slot)
            run.status = "running"
            if self.migration_type in (FULL_LOAD, BOTH) and (self.kind != "resume-processing" or
                                                             not run.full_load_finished):
                self._full_load(connection, tables)
            if not wants_cdc:
                run.status, run.stop_reason = "stopped", "Stop Reason FULL_LOAD_ONLY_FINISHED"
                run.stopped = dt.datetime.now(dt.timezone.utc)
                return
            try:
                self._changes(slot_connection, {(t.schema, t.table): t for t in tables})
            finally:
                if slot_connection is not connection:
                    slot_connection.close()

    def _tables(self, connection: Any) -> list[Table]:
        chosen = [(schema, table) for schema, table in source.tables(connection) if self.mapping.selects(schema, table)]
        if not chosen:
            raise mappings.MappingError(
                "No tables were found at task initialization. Either the selected table(s) or schemas(s) no longer "
                "exist or no table(s) or schema(s) match the table mappings.")
        found = []
        for schema, table in chosen:
            columns = source.columns(connection, schema, table)
            found.append(Table(schema, table, columns, self.mapping.target_schema(schema, table),
                               self.mapping.target_table(schema, table),
                               [self.mapping.target_column(schema, table, c.name) for c in columns]))
        return found

    # --- full load --------------------------------------------------------------------------------

    def _full_load(self, connection: Any, tables: list[Table]) -> None:
        run = self.run_state
        run.full_load_started, run.full_load_percent = dt.datetime.now(dt.timezone.utc), 0
        for done, table in enumerate(tables):
            if run.stopping():
                return
            stats = run.stats[(table.schema, table.table)]
            stats.state = "Full load"
            records = []
            for row in source.rows(connection, table.schema, table.table, [c.name for c in table.columns]):
                prefix = ["I"] if self.target.include_op_for_full_load else []
                if self.target.timestamp_column:
                    prefix.append(_now_text())
                records.append(prefix + self._kept(table, list(row)))
            if records:  # DMS makes no folder for an empty table
                header, types = self._header(table, with_op=self.target.include_op_for_full_load)
                key = target.load_key(self.target, table.target_schema, table.target_table, 1)
                target.write(self.target, key, target.body(self.target, header, types, records), run.account_id)
                run.files_written += 1
            stats.full_load_rows, stats.state = len(records), "Table completed"
            stats.updated = dt.datetime.now(dt.timezone.utc)
            run.full_load_percent = int(100 * (done + 1) / len(tables))
        run.full_load_finished = dt.datetime.now(dt.timezone.utc)

    def _kept(self, table: Table, values: list[str | None]) -> list[str | None]:
        return [value for value, name in zip(values, table.target_columns) if name is not None]

    def _header(self, table: Table, with_op: bool) -> tuple[list[str], list[str]]:
        header, types = (["Op"], ["text"]) if with_op else ([], [])
        if self.target.timestamp_column:
            header.append(self.target.timestamp_column)
            types.append("dms timestamp")
        for column, name in zip(table.columns, table.target_columns):
            if name is not None:
                header.append(name)
                types.append(column.type)
        return header, types

    # --- ongoing changes --------------------------------------------------------------------------

    def _changes(self, connection: Any, tables: dict[tuple[str, str], Table]) -> None:
        run = self.run_state
        for stats in run.stats.values():
            stats.state = "Table completed"
        while not run.wait(self.target.batch_interval):
            self._apply_batch(connection, tables)
        self._apply_batch(connection, tables)  # what was committed before the stop is written, then confirmed

    def _apply_batch(self, connection: Any, tables: dict[tuple[str, str], Table]) -> None:
        run = self.run_state
        changes, last = source.peek(connection, run.slot)
        if last is None:
            return
        per_table: dict[tuple[str, str], list[source.Change]] = {}
        for change in changes:
            if (change.schema, change.table) in tables:
                per_table.setdefault((change.schema, change.table), []).append(change)
        written = dt.datetime.now(dt.timezone.utc)
        for key, members in per_table.items():
            self._write_changes(tables[key], members, written)
        source.advance(connection, run.slot, last)
        for key, members in per_table.items():
            stats = run.stats[key]
            for change in members:
                stats.inserts += change.op == "I"
                stats.updates += change.op == "U"
                stats.deletes += change.op == "D"
            stats.updated = written

    def _write_changes(self, table: Table, changes: list[source.Change], written: dt.datetime) -> None:
        header, types = self._header(table, with_op=True)
        records = []
        for change in changes:
            prefix = [change.op] + ([change.committed] if self.target.timestamp_column else [])
            values = [change.values.get(column.name) for column in table.columns]
            records.append(prefix + self._kept(table, values))
        groups: dict[str, list[list[str | None]]] = {}
        for change, record in zip(changes, records):
            key = target.cdc_key(self.target, table.target_schema, table.target_table, written, change.committed)
            groups.setdefault(key, []).append(record)
        for key, members in groups.items():
            target.write(self.target, key, target.body(self.target, header, types, members), self.run_state.account_id)
            self.run_state.files_written += 1


def _now_text() -> str:
    return dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M:%S.%f")
