"""Redshift Spectrum: external schemas over the Glue Data Catalog, read from S3 as the schema's role.

``CREATE EXTERNAL SCHEMA s FROM DATA CATALOG DATABASE 'db' IAM_ROLE '...'`` maps ``s`` to a Glue
database (https://docs.aws.amazon.com/redshift/latest/dg/r_CREATE_EXTERNAL_SCHEMA.html); a query
naming ``s.t`` reads the Glue table ``db.t`` with the engine's table reader (``engine/scans``, the
one Athena uses: Parquet, CSV, JSON, partitions), listing and reading its files as a session of the
role, so that role's S3 permissions decide. Glue views (Athena's) are refused, as Spectrum cannot
read them. Lake Formation does not govern these reads here.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from sqlglot import exp

from lakelab.emulator.engine import catalog as engine_catalog
from lakelab.emulator.engine import errors as engine_errors
from lakelab.emulator.engine import scans
from lakelab.emulator.services.redshift import dialect, options

if TYPE_CHECKING:
    from lakelab.emulator.services.redshift.statements import Run

_CREATE = re.compile(r"(?is)^\s*CREATE\s+EXTERNAL\s+SCHEMA\s+(?P<exists>IF\s+NOT\s+EXISTS\s+)?(?P<name>\"?[\w$]+\"?)\s+"
                     r"FROM\s+DATA\s+CATALOG\s+DATABASE\s+'(?P<database>[^']+)'(?P<options>.*)$")


def is_create(sql: str) -> bool:
    return dialect.first_words(sql, 3) == ["CREATE", "EXTERNAL", "SCHEMA"]


def create_schema(run: Run, sql: str) -> None:
    match = _CREATE.match(sql)
    if not match:
        if re.search(r"(?i)\bFROM\s+(HIVE\s+METASTORE|POSTGRES|MYSQL|KINESIS|MSK|REDSHIFT)\b", sql):
            raise dialect.not_supported("An external schema other than FROM DATA CATALOG")
        raise dialect.syntax_error(sql, None)
    name = match.group("name").strip('"').lower()
    rest = re.sub(r"(?is)\bCREATE\s+EXTERNAL\s+DATABASE\s+IF\s+NOT\s+EXISTS\b", "", match.group("options"))
    found = options.parse(rest)
    role = options.role_of(run.target, found, run.user)
    database = match.group("database").lower()
    glue = engine_catalog.Catalog(run.target.account_id, run.target.region)
    if glue.find_database(database) is None:
        if not re.search(r"(?i)CREATE\s+EXTERNAL\s+DATABASE\s+IF\s+NOT\s+EXISTS", match.group("options")):
            raise dialect.error(f"External database \"{database}\" does not exist in the Data Catalog")  # worded here
        glue.glue.create_database(database, {"Name": database})
    with run.warehouse.lock:
        if name in run.warehouse.external_schemas or name in run.warehouse.schemas():
            if match.group("exists"):
                return
            raise dialect.error(f'Schema "{name}" already exists')
        run.warehouse.external_schemas[name] = (database, role)


def drop_schema(run: Run, name: str) -> bool:
    """DROP SCHEMA of an external schema (its Glue database stays, as without DROP EXTERNAL DATABASE)."""
    with run.warehouse.lock:
        return run.warehouse.external_schemas.pop(name.lower(), None) is not None


def replace(run: Run, table: exp.Table) -> exp.Expression | None:
    """The engine view for an external table, or None for a table that is not one."""
    schema = (table.db or "").lower()
    if schema not in run.warehouse.external_schemas:
        return None
    database, role = run.warehouse.external_schemas[schema]
    glue = engine_catalog.Catalog(run.target.account_id, run.target.region)
    found = glue.find_table(database, table.name)
    if found is None:
        raise dialect.error(f'relation "{schema}.{table.name.lower()}" does not exist')
    try:
        if found.kind == engine_catalog.VIEW:
            raise dialect.not_supported(f"Reading the Glue view {database}.{found.name} through Spectrum")
        with options.as_role(role):
            scan = scans.scan(run.cursor, run.target.account_id, found, None, [])
    except engine_errors.QueryFailed as failure:
        raise dialect.error(f"Spectrum Scan Error: {failure}") from None
    view = f"lakelab_spectrum_{len(run.views)}"
    run.cursor.execute(f"CREATE OR REPLACE TEMP VIEW {view} AS {scan.sql}")
    run.views.append(view)
    alias = table.args.get("alias") or exp.TableAlias(this=exp.to_identifier(table.name.lower()))
    return exp.Table(this=exp.to_identifier(view), alias=alias.copy())
