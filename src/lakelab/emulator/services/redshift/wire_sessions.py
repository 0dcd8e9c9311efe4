"""What a connection to the Endpoint runs: a session of Redshift SQL on one database of the engine.

Statements run through ``commands`` as through the Data API; results go back as Buena Vista's
``QueryResult`` (PostgreSQL type OIDs from the Arrow types, text format); ``$1``-style parameters
of the extended protocol are bound as literals; BEGIN/COMMIT/ROLLBACK open and close a transaction.
"""

from __future__ import annotations

import re
import time
from typing import Any

from lakelab.emulator import context
from lakelab.emulator.services.redshift import commands, dialect, targets, warehouse
from lakelab.emulator.services.redshift import statements as statements_module
from lakelab.emulator.services.redshift.dialect import engine_error
from lakelab.emulator.services.redshift.statements import Run
from lakelab.emulator.services.redshift.targets import Target


def _classes() -> tuple[Any, Any, Any, Any]:
    from buenavista.core import BVType, Connection, QueryResult, Session

    return BVType, Connection, QueryResult, Session


def _bv_type(arrow_type: Any) -> Any:
    import pyarrow as pa

    BVType = _classes()[0]
    for check, found in ((pa.types.is_boolean, BVType.BOOL), (pa.types.is_int64, BVType.BIGINT),
                         (pa.types.is_integer, BVType.INTEGER), (pa.types.is_floating, BVType.FLOAT),
                         (pa.types.is_decimal, BVType.DECIMAL), (pa.types.is_date, BVType.DATE),
                         (pa.types.is_timestamp, BVType.TIMESTAMP), (pa.types.is_time, BVType.TIME)):
        if check(arrow_type):
            return found
    return BVType.TEXT


def _result(table: Any, status: str) -> Any:
    QueryResult = _classes()[2]

    class Result(QueryResult):  # type: ignore[misc, valid-type]
        def __init__(self) -> None:
            super().__init__()
            self.table = table
            self.tag = status

        def has_results(self) -> bool:
            return self.table is not None

        def column_count(self) -> int:
            return 0 if self.table is None else self.table.num_columns

        def column(self, index: int) -> tuple[str, Any]:
            field = self.table.schema.field(index)
            return field.name.lower(), _bv_type(field.type)

        def rows(self) -> Any:
            # A client that asks for a TIMESTAMP column in binary (redshift_connector does) gets microseconds
            # since 2000-01-01, which Buena Vista computes from an aware datetime: a naive one is UTC here.
            formats = getattr(self, "result_format", None) or []
            binary = {i for i, f in enumerate(formats) if f == 1 and i < self.table.num_columns}
            for row in zip(*[column.to_pylist() for column in self.table.columns]):  # names may repeat
                yield [_binary_safe(v) if i in binary else _text_safe(v) for i, v in enumerate(row)]

        def status(self) -> str:
            return self.tag

    return Result()


def _binary_safe(value: Any) -> Any:
    import datetime as dt

    if isinstance(value, dt.datetime) and value.tzinfo is None:
        return value.replace(tzinfo=dt.timezone.utc)
    return _text_safe(value)


def _text_safe(value: Any) -> Any:
    if isinstance(value, (list, dict)):
        import json

        return json.dumps(value, default=str)
    return value


_POSITIONAL = re.compile(r"('(?:[^']|'')*')|(\"(?:[^\"]|\"\")*\")|\$(\d+)")


def _bind_positional(sql: str, params: list[Any] | None) -> str:
    """``$1``, ``$2``... replaced by the Bind message's values, as literals."""
    if not params:
        return sql

    def replace(found: re.Match[str]) -> str:
        if found.group(3) is None:
            return found.group(0)
        value = params[int(found.group(3)) - 1]
        if value is None:
            return "NULL"
        if isinstance(value, bool):
            return "TRUE" if value else "FALSE"
        if isinstance(value, (int, float)):
            return repr(value)
        return "'" + str(value).replace("'", "''") + "'"

    return _POSITIONAL.sub(replace, sql)


def connection(target: Target, request: Any) -> Any:
    _, Connection, _, Session = _classes()

    class WarehouseSession(Session):  # type: ignore[misc, valid-type]
        def __init__(self) -> None:
            super().__init__()
            self.cursor: Any = None
            self.run: Run | None = None
            self.transaction = False

        def open(self, database: str, user: str) -> None:
            names = warehouse.databases(target.account_id, target.region, target.storage, target.default_database)
            if database not in names:
                raise dialect.error(f'database "{database}" does not exist')
            found = warehouse.warehouse(target.account_id, target.region, target.storage, database)
            self.cursor = found.cursor()
            self.run = Run(found, target, user, self.cursor, found.next_query_id())

        def execute_sql(self, sql: str, params: Any = None) -> Any:
            assert self.run is not None
            statements = dialect.split(sql)
            if not statements:
                return _result(None, "EMPTY")
            for earlier in statements[:-1]:  # a simple query may hold several: the last one answers
                self.execute_sql(earlier, params)
            sql = statements[-1]
            words = dialect.first_words(sql, 1)
            if words and words[0] in ("BEGIN", "START", "COMMIT", "END", "ROLLBACK", "ABORT"):
                return self._transaction(words[0])
            self.run.query_id, self.run.views = self.run.warehouse.next_query_id(), []
            self.run.target = targets.refreshed(target)  # roles UpdateNamespace/ModifyClusterIamRoles changed
            began, kind = time.time(), statements_module.query_type(sql)
            with context.bound(request):
                try:
                    table, rows, kind = commands.execute(self.run, self.run.session_sql(_bind_positional(sql, params)))
                except Exception as failure:
                    failed = failure if isinstance(failure, dialect.StatementFailed) else engine_error(failure)
                    statements_module.remember(self.run.warehouse, self.run.query_id, self.run.user, sql, kind,
                                               began, 0, str(failed))
                    raise failed from None
            statements_module.remember(self.run.warehouse, self.run.query_id, self.run.user, sql, kind, began,
                                       rows if table is not None else 0, None)
            return _result(table, f"SELECT {rows}" if table is not None else _tag(kind, rows))

        def describe_sql(self, sql: str) -> Any:
            """The columns a query will answer (run with LIMIT 0 and NULL parameters), or None."""
            assert self.run is not None
            words = dialect.first_words(sql, 1)
            if not words or words[0] not in ("SELECT", "WITH", "VALUES", "SHOW"):
                return None
            bound = self.run.session_sql(_POSITIONAL.sub(lambda m: m.group(0) if m.group(3) is None else "NULL", sql))
            with context.bound(request):
                engine_sql, _ = commands.translate(self.run, bound)
                return _result(self.run.arrow(f"SELECT * FROM ({engine_sql}) AS lakelab_described LIMIT 0"), "")

        def _transaction(self, word: str) -> Any:
            assert self.cursor is not None
            if word in ("BEGIN", "START"):
                if not self.transaction:
                    self.cursor.execute("BEGIN TRANSACTION")
                self.transaction = True
                return _result(None, "BEGIN")
            if self.transaction:
                self.cursor.execute("ROLLBACK" if word in ("ROLLBACK", "ABORT") else "COMMIT")
            self.transaction = False
            return _result(None, "ROLLBACK" if word in ("ROLLBACK", "ABORT") else "COMMIT")

        def in_transaction(self) -> bool:
            return self.transaction

        def close(self) -> None:
            if self.cursor is not None:
                self.cursor.close()

    class WarehouseConnection(Connection):  # type: ignore[misc, valid-type]
        def new_session(self) -> Any:
            return WarehouseSession()

        def parameters(self) -> dict[str, str]:
            return {"server_version": "8.0.2", "client_encoding": "UTF8", "DateStyle": "ISO, MDY",
                    "TimeZone": "UTC", "integer_datetimes": "on", "server_protocol_version": "0"}

    return WarehouseConnection()


def _tag(kind: str, rows: int) -> str:
    return {"INSERT": f"INSERT 0 {rows}", "UPDATE": f"UPDATE {rows}", "DELETE": f"DELETE {rows}",
            "MERGE": f"MERGE {rows}", "COPY": f"COPY {rows}", "UNLOAD": f"UNLOAD {rows}"}.get(kind, kind)
