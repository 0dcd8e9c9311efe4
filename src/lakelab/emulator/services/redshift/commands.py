"""One SQL statement on a database: Redshift's own commands first, then anything the engine runs.

COPY, UNLOAD, CREATE EXTERNAL SCHEMA, CREATE TABLE with physical design, materialized views and
late-binding views are handled by name; ANALYZE and VACUUM are accepted and do nothing (the engine
keeps statistics and order itself); every other statement is translated (``dialect``) and run.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from sqlglot import exp

from lakelab.emulator.services.redshift import dialect, loads, spectrum, system, tables, unloads

if TYPE_CHECKING:
    from lakelab.emulator.services.redshift.statements import Run

_MATERIALIZED = re.compile(r"(?is)^\s*CREATE\s+MATERIALIZED\s+VIEW\s+(?P<name>[\w$.\"]+)(?P<options>.*?)\bAS\s+"
                           r"(?P<query>\(?\s*(?:SELECT|WITH)\b.*)$")
_REFRESH = re.compile(r"(?is)^\s*REFRESH\s+MATERIALIZED\s+VIEW\s+(?P<name>[\w$.\"]+)\s*$")
_DROP_MATERIALIZED = re.compile(r"(?is)^\s*DROP\s+MATERIALIZED\s+VIEW\s+(?P<exists>IF\s+EXISTS\s+)?"
                                r"(?P<name>[\w$.\"]+)\s*(?:CASCADE|RESTRICT)?\s*$")
_DROP_SCHEMA = re.compile(r"(?is)^\s*DROP\s+SCHEMA\s+(?:IF\s+EXISTS\s+)?(?P<name>\"?[\w$]+\"?)")
_NO_BINDING = re.compile(r"(?is)\s+WITH\s+NO\s+SCHEMA\s+BINDING\s*$")
_ACCEPTED = ("ANALYZE", "VACUUM")  # accepted, nothing to do (fidelity note in the package)
_SET = ("SET", "RESET")
_USERS = [[verb, noun] for verb in ("CREATE", "ALTER", "DROP") for noun in ("USER", "GROUP", "ROLE")]


def execute(run: Run, sql: str) -> tuple[Any, int, str]:
    """Run one statement: (arrow table or None, rows affected or returned, SYS_QUERY_HISTORY query_type)."""
    words = dialect.first_words(sql, 3)
    if loads.is_copy(sql):
        return None, loads.copy(run, sql), "COPY"
    if unloads.is_unload(sql):
        return None, unloads.unload(run, sql), "UNLOAD"
    if spectrum.is_create(sql):
        spectrum.create_schema(run, sql)
        return None, 0, "DDL"
    if words[:1] and words[0] in _ACCEPTED:
        return None, 0, "UTILITY"
    if words[:1] == ["EXPLAIN"]:
        return _explain(run, sql), 0, "EXPLAIN"
    if words[:1] in (["GRANT"], ["REVOKE"]) or words[:2] in _USERS:
        what = words[0] if words[0] in ("GRANT", "REVOKE") else " ".join(words[:2])
        raise dialect.error(f"{what} is not supported by the Lake Labs emulator: database users, groups and "
                            "permissions are not modelled (whoever connects sees every table)")
    if words[:1] and words[0] in _SET:
        return _set(run, sql), 0, "UTILITY"
    if words[:3] == ["CREATE", "MATERIALIZED", "VIEW"]:
        return None, _create_materialized(run, sql), "DDL"
    if words[:3] == ["REFRESH", "MATERIALIZED", "VIEW"]:
        return None, _refresh(run, sql), "UTILITY"
    if words[:3] == ["DROP", "MATERIALIZED", "VIEW"]:
        return None, _drop_materialized(run, sql), "DDL"
    if words[:2] in (["CREATE", "DATABASE"], ["DROP", "DATABASE"]):
        return None, _database(run, sql, words[0]), "DDL"
    if words[:2] == ["DROP", "SCHEMA"]:
        found = _DROP_SCHEMA.match(sql)
        if found and spectrum.drop_schema(run, found.group("name").strip('"')):
            return None, 0, "DDL"
    if tables.is_create_table(sql):
        return None, _create_table(run, sql), "CTAS" if re.search(r"(?is)\bAS\s*\(?\s*(SELECT|WITH)\b", sql) else "DDL"
    if _NO_BINDING.search(sql):
        sql = _late_binding(sql)
    return _generic(run, sql)


def translate(run: Run, sql: str) -> tuple[str, exp.Expression]:
    tree = dialect.parse(sql)
    return dialect.to_engine(tree, lambda table: _replace_table(run, table)), tree


def _replace_table(run: Run, table: exp.Table) -> exp.Expression | None:
    name, schema = table.name.lower(), (table.db or "").lower()
    if name in system.NAMES and schema in ("", "pg_catalog"):
        alias = table.args.get("alias") or exp.TableAlias(this=exp.to_identifier(name))
        return exp.Table(this=exp.to_identifier(system.register(run.cursor, run.warehouse, name)), alias=alias.copy())
    return spectrum.replace(run, table)


def _generic(run: Run, sql: str) -> tuple[Any, int, str]:
    engine_sql, tree = translate(run, sql)
    kind = _query_type(tree)
    if isinstance(tree, exp.Query):
        table = run.arrow(engine_sql)
        return table, table.num_rows, "SELECT"
    cursor = run.engine(engine_sql)
    if kind in ("INSERT", "UPDATE", "DELETE", "MERGE"):
        found = cursor.fetchone()
        return None, int(found[0]) if found else 0, kind
    return None, 0, kind


def _query_type(tree: exp.Expression) -> str:
    for node, name in ((exp.Query, "SELECT"), (exp.Insert, "INSERT"), (exp.Update, "UPDATE"),
                       (exp.Delete, "DELETE"), (exp.Merge, "MERGE")):
        if isinstance(tree, node):
            return name
    if isinstance(tree, (exp.Create, exp.Drop, exp.Alter)):
        return "DDL"
    return "UTILITY"


def _explain(run: Run, sql: str) -> Any:
    """EXPLAIN answers one ``QUERY PLAN`` column, a row per line: the engine's plan, not Redshift's."""
    import pyarrow as pa

    body = re.sub(r"(?is)^\s*EXPLAIN\s+(VERBOSE\s+)?", "", sql)
    engine_sql, _ = translate(run, body)
    plan = run.engine(f"EXPLAIN {engine_sql}").fetchall()
    lines = [line for _, text in plan for line in str(text).splitlines()]
    return pa.table({"QUERY PLAN": pa.array(lines, pa.string())})


def _set(run: Run, sql: str) -> None:
    found = re.match(r"(?is)^\s*SET\s+search_path\s*(?:TO|=)\s*(.+?)\s*$", sql)
    if found:
        first = found.group(1).split(",")[0].strip().strip("'\"")
        if first and not first.startswith("$"):
            run.cursor.execute(f'USE "{run.warehouse.catalog}"."{first.lower()}"')
    return None  # other settings (query_group, statement_timeout, datestyle...) are accepted and ignored


def _database(run: Run, sql: str, verb: str) -> int:
    from lakelab.emulator.services.redshift import warehouse

    found = re.match(r'(?is)^\s*(?:CREATE|DROP)\s+DATABASE\s+(?:IF\s+(?:NOT\s+)?EXISTS\s+)?("?[\w$]+"?)', sql)
    if not found:
        raise dialect.syntax_error(sql, None)
    name, target = found.group(1).strip('"').lower(), run.target
    arguments = (target.account_id, target.region, target.storage, target.default_database, name)
    if verb == "CREATE" and not warehouse.create_database(*arguments) and "EXISTS" not in sql.upper():
        raise dialect.error(f'database "{name}" already exists')
    if verb == "DROP":
        if name == run.warehouse.database:
            raise dialect.error("cannot drop the currently open database")
        if not warehouse.drop_database(*arguments) and "EXISTS" not in sql.upper():
            raise dialect.error(f'database "{name}" does not exist')
    return 0


def _create_table(run: Run, sql: str) -> int:
    engine_sql, before, schema, table, design = tables.create(run.warehouse, sql, lambda q: translate(run, q)[0])
    for statement in before:
        run.engine(statement)
    cursor = run.engine(engine_sql)
    with run.warehouse.lock:
        run.warehouse.designs[f"{schema}.{table}"] = design
    rows = cursor.fetchone() if cursor.description else None
    return int(rows[0]) if rows and isinstance(rows[0], int) else 0


def _create_materialized(run: Run, sql: str) -> int:
    match = _MATERIALIZED.match(sql)
    if not match:
        raise dialect.syntax_error(sql, None)
    schema, name = tables.split_name(match.group("name"))
    engine_query, _ = translate(run, match.group("query"))
    if run.views:
        raise dialect.not_supported("A materialized view over an external (Spectrum) or system table")
    run.engine(f'CREATE TABLE "{schema}"."{name}" AS {engine_query}')
    with run.warehouse.lock:
        run.warehouse.materialized[f"{schema}.{name}"] = engine_query
    return 0


def _refresh(run: Run, sql: str) -> int:
    match = _REFRESH.match(sql)
    if not match:
        raise dialect.syntax_error(sql, None)
    schema, name = tables.split_name(match.group("name"))
    query = run.warehouse.materialized.get(f"{schema}.{name}")
    if query is None:
        raise dialect.error(f'"{name}" is not a materialized view')  # worded here (unverified)
    run.engine("BEGIN TRANSACTION")
    try:
        run.engine(f'DELETE FROM "{schema}"."{name}"')
        run.engine(f'INSERT INTO "{schema}"."{name}" {query}')
        run.engine("COMMIT")
    except Exception:
        run.engine("ROLLBACK")
        raise
    return 0


def _drop_materialized(run: Run, sql: str) -> int:
    match = _DROP_MATERIALIZED.match(sql)
    if not match:
        raise dialect.syntax_error(sql, None)
    schema, name = tables.split_name(match.group("name"))
    with run.warehouse.lock:
        known = run.warehouse.materialized.pop(f"{schema}.{name}", None)
    if known is None:
        if match.group("exists"):
            return 0
        raise dialect.error(f'materialized view "{name}" does not exist')
    run.engine(f'DROP TABLE IF EXISTS "{schema}"."{name}"')
    return 0


def _late_binding(sql: str) -> str:
    """A late-binding view: every table it names must be schema-qualified, as Redshift requires."""
    stripped = _NO_BINDING.sub("", sql)
    tree = dialect.parse(stripped)
    query = tree.expression if isinstance(tree, exp.Create) else None
    if query is not None:
        common = {cte.alias_or_name.lower() for cte in query.find_all(exp.CTE)}
        for table in query.find_all(exp.Table):
            if table.name and not table.db and table.name.lower() not in common:
                raise dialect.error("All the relations in late binding view should be qualified with a schema name")
    return stripped
