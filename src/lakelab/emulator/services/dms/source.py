"""A PostgreSQL source endpoint: connect as its user, check its rights, read tables and the change stream.

Changes come from PostgreSQL's logical decoding through a replication slot with ``test_decoding``,
the plugin DMS itself uses on RDS when ``pglogical`` is not installed ("AWS DMS uses either the
test_decoding or pglogical plugin for logical decoding" -- DMS user guide, PostgreSQL source). It
needs no publication, and its changes are read with plain SQL (``pg_logical_slot_peek_changes``),
which psycopg speaks (psycopg 3 has no replication protocol). The slot is only advanced past
changes once they are written to S3, so a stopped or failed task loses none.

The user's rights are checked as DMS needs them: to log in, to read the selected tables (the full
load runs as that user), and, for CDC, to use replication (superuser, the ``REPLICATION`` attribute,
or membership of ``rds_replication``, as on RDS). The slot itself is created and read by the
emulator's administrative connection when the database is one of the emulator's RDS instances (RDS
lets ``rds_replication`` members do so; vanilla PostgreSQL does not), else as the user.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import psycopg
from psycopg import sql

PLUGIN = "test_decoding"


class SourceError(RuntimeError):
    """The source cannot be read; the message is what DMS reports."""


@dataclass(frozen=True)
class Settings:
    server: str
    port: int
    database: str
    user: str
    password: str


def settings_of(endpoint: Any) -> Settings:
    extra = endpoint.postgre_sql_settings or {}
    return Settings(server=extra.get("ServerName") or endpoint.server_name or "",
                    port=int(extra.get("Port") or endpoint.port or 5432),
                    database=extra.get("DatabaseName") or endpoint.database_name or "postgres",
                    user=extra.get("Username") or endpoint.username or "",
                    password=extra.get("Password") or endpoint.password or "")


def connect(settings: Settings) -> psycopg.Connection:
    """A connection as the endpoint's user; :class:`SourceError` in DMS's words when refused."""
    try:
        return psycopg.connect(host=settings.server, port=settings.port, dbname=settings.database,
                               user=settings.user, password=settings.password, connect_timeout=5, autocommit=True)
    except psycopg.OperationalError as error:
        raise SourceError(connection_failure(str(error))) from None


def connection_failure(detail: str) -> str:
    """DMS's message for a PostgreSQL endpoint it cannot reach or log in to (shape from DMS; wording unverified)."""
    detail = " ".join(detail.split())
    network = "Network error has occurred" if "password" not in detail else "ODBC general error."
    return (f"Application-Status: 1020912, Application-Message: Cannot connect to ODBC provider {network}, "
            f"Application-Detailed-Message: RetCode: SQL_ERROR SqlState: 08001 NativeError: 101 Message: {detail}")


def admin_connection(settings: Settings) -> psycopg.Connection | None:
    """The emulator's own superuser connection when the endpoint is one of its RDS instances."""
    from lakelab.emulator.services.rds import calls

    server = calls.server_at(settings.server, settings.port)
    return server.admin(settings.database) if server is not None else None


def check_replication_rights(connection: psycopg.Connection, user: str) -> None:
    found = connection.execute(
        "SELECT rolsuper OR rolreplication OR pg_has_role(oid, 'rds_replication', 'MEMBER') FROM pg_roles "
        "WHERE rolname = current_user" if _has_role(connection, "rds_replication") else
        "SELECT rolsuper OR rolreplication FROM pg_roles WHERE rolname = current_user").fetchone()
    if not found or not found[0]:
        raise SourceError(f"Failed to create the replication slot: the user '{user}' lacks replication rights "
                          "(ERROR: permission denied to use replication slots; on RDS, "
                          f"GRANT rds_replication TO {user})")
    level = connection.execute("SHOW wal_level").fetchone()[0]
    if level != "logical":
        raise SourceError("ERROR: logical decoding requires \"wal_level\" >= \"logical\" (on RDS, set "
                          "rds.logical_replication to 1 in the instance's parameter group and reboot it)")


def _has_role(connection: psycopg.Connection, role: str) -> bool:
    return connection.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (role,)).fetchone() is not None


@dataclass(frozen=True)
class Column:
    name: str
    type: str  # PostgreSQL's format_type: integer, numeric(10,2), timestamp without time zone ...


def tables(connection: psycopg.Connection) -> list[tuple[str, str]]:
    """Every user table, as (schema, table), in name order."""
    return [tuple(row) for row in connection.execute(
        "SELECT table_schema, table_name FROM information_schema.tables WHERE table_type = 'BASE TABLE' "
        "AND table_schema NOT IN ('pg_catalog', 'information_schema') ORDER BY 1, 2")]


def columns(connection: psycopg.Connection, schema: str, table: str) -> list[Column]:
    return [Column(name, kind) for name, kind in connection.execute(
        "SELECT a.attname, format_type(a.atttypid, a.atttypmod) FROM pg_attribute a "
        "WHERE a.attrelid = (quote_ident(%s) || '.' || quote_ident(%s))::regclass AND a.attnum > 0 "
        "AND NOT a.attisdropped ORDER BY a.attnum", (schema, table))]


def rows(connection: psycopg.Connection, schema: str, table: str, names: list[str]) -> Any:
    """The table's rows as text (PostgreSQL's output forms, as DMS writes them), streamed."""
    query = sql.SQL("SELECT {} FROM {}.{}").format(
        sql.SQL(", ").join(sql.SQL("{}::text").format(sql.Identifier(name)) for name in names),
        sql.Identifier(schema), sql.Identifier(table))
    try:
        with connection.cursor(name=None) as cursor:
            cursor.execute(query)
            yield from cursor
    except psycopg.errors.InsufficientPrivilege as error:
        raise SourceError(f"Failed to read table {schema}.{table}: {error}") from None


# --- the replication slot ----------------------------------------------------------------------


def create_slot(connection: psycopg.Connection, slot: str) -> None:
    drop_slot(connection, slot)
    try:
        connection.execute("SELECT pg_create_logical_replication_slot(%s, %s)", (slot, PLUGIN))
    except psycopg.Error as error:
        raise SourceError(f"Failed to create the replication slot '{slot}': {error}") from None


def drop_slot(connection: psycopg.Connection, slot: str) -> None:
    if connection.execute("SELECT 1 FROM pg_replication_slots WHERE slot_name = %s", (slot,)).fetchone():
        connection.execute("SELECT pg_drop_replication_slot(%s)", (slot,))


def slot_exists(connection: psycopg.Connection, slot: str) -> bool:
    return connection.execute("SELECT 1 FROM pg_replication_slots WHERE slot_name = %s", (slot,)).fetchone() is not None


@dataclass
class Change:
    op: str  # I, U or D
    schema: str
    table: str
    values: dict[str, str | None]  # column -> text (None for NULL)
    committed: str  # "2024-07-01 12:00:00.123456"


def peek(connection: psycopg.Connection, slot: str) -> tuple[list[Change], str | None]:
    """Committed changes not yet confirmed, and the LSN to advance to once they are written."""
    found = connection.execute(
        "SELECT lsn::text, data FROM pg_logical_slot_peek_changes(%s, NULL, NULL, 'include-timestamp', '1', "
        "'include-xids', '0', 'skip-empty-xacts', '1')", (slot,)).fetchall()
    changes, pending, last = [], [], None
    for lsn, data in found:
        if data.startswith("BEGIN"):
            pending = []
        elif data.startswith("COMMIT"):
            moment = _COMMIT_TIME.search(data)
            for change in pending:
                change.committed = _dms_time(moment.group(1)) if moment else ""
            changes += pending
            last = lsn
        elif data.startswith("table "):
            change = _decode(data)
            if change is not None:
                pending.append(change)
    return changes, last


def advance(connection: psycopg.Connection, slot: str, lsn: str) -> None:
    connection.execute("SELECT pg_replication_slot_advance(%s, %s::pg_lsn)", (slot, lsn))


_COMMIT_TIME = re.compile(r"\(at ([^)]+)\)")
_HEADER = re.compile(r'^table ((?:"(?:[^"]|"")*"|[^.]+))\.((?:"(?:[^"]|"")*"|[^:]+)): (INSERT|UPDATE|DELETE):\s?')
_OPS = {"INSERT": "I", "UPDATE": "U", "DELETE": "D"}


def _dms_time(text: str) -> str:
    """``2026-12-06 20:40:01.12345+00`` -> ``2026-12-06 20:40:01.123450`` (UTC; the server runs in UTC)."""
    stamp = re.sub(r"[+-]\d\d(:?\d\d)?$", "", text.strip())
    whole, _, fraction = stamp.partition(".")
    return f"{whole}.{(fraction + '000000')[:6]}"


def _unquote(name: str) -> str:
    return name[1:-1].replace('""', '"') if name.startswith('"') else name


def _decode(line: str) -> Change | None:
    """One test_decoding line: ``table public.t: UPDATE: id[integer]:1 name[text]:'a b'``."""
    header = _HEADER.match(line)
    if header is None:
        return None
    schema, table, operation = _unquote(header.group(1)), _unquote(header.group(2)), header.group(3)
    body = line[header.end():]
    if body.startswith("(no-tuple-data)"):
        return None
    if "new-tuple: " in body:  # an UPDATE that changed the key: "old-key: ... new-tuple: ..."
        body = body.split("new-tuple: ", 1)[1]
    return Change(_OPS[operation], schema, table, dict(_fields(body)), "")


def _fields(body: str) -> Any:
    position, length = 0, len(body)
    while position < length:
        if body[position] == " ":
            position += 1
            continue
        name, position = _name(body, position)
        position = _skip_type(body, position)
        value, position = _value(body, position + 1)  # past ":"
        yield name, value


def _name(body: str, position: int) -> tuple[str, int]:
    if body[position] == '"':
        end = position + 1
        while True:
            end = body.index('"', end)
            if body.startswith('""', end):
                end += 2
                continue
            return body[position + 1:end].replace('""', '"'), end + 1
    end = body.index("[", position)
    return body[position:end], end


def _skip_type(body: str, position: int) -> int:
    depth = 0
    while True:
        character = body[position]
        depth += character == "["
        depth -= character == "]"
        position += 1
        if depth == 0:
            return position


def _value(body: str, position: int) -> tuple[str | None, int]:
    if body.startswith("'", position):
        parts, position = [], position + 1
        while True:
            end = body.index("'", position)
            parts.append(body[position:end])
            if body.startswith("''", end):
                parts.append("'")
                position = end + 2
                continue
            return "".join(parts), end + 1
    end = body.find(" ", position)
    if end < 0:
        end = len(body)
    token = body[position:end]
    if token == "null":
        return None, end
    if token == "unchanged-toast-datum":
        return None, end
    return token, end
