"""Planning a query: resolve its tables through the Glue catalog, then translate it.

Each catalog table becomes a temporary engine view over its files (after partition pruning);
views stored in Glue are expanded from their Presto view text.
"""

from __future__ import annotations

import base64
import contextlib
import json
import re
import time
from dataclasses import dataclass, field

from sqlglot import exp

from lakelab.emulator.engine import catalog, errors, scans
from lakelab.emulator.services.athena import governance, projection, translate
from lakelab.emulator.services.athena.context import Context

_MAX_VIEW_DEPTH = 10


@dataclass
class Plan:
    engine_sql: str
    unnamed: list[int] = field(default_factory=list)  # result positions without a name (_colN)


class Planner:
    def __init__(self, context: Context) -> None:
        self.context = context
        self.schema: dict[str, dict[str, str]] = {}

    def plan(self, sql: str, at: tuple[int, int] = (0, 0), database: str | None = None) -> Plan:
        started = time.perf_counter()
        tree = _values_as_select(translate.parse(sql, *at))
        if not isinstance(tree, exp.Query):
            raise errors.QueryFailed(f"line {at[0] + 1}:{at[1] + 1}: mismatched input. Expecting: a query")
        unnamed = translate.name_result_columns(tree)
        tree = self.resolve(tree, self.context.database_of(database), 0)
        plan = Plan(translate.to_engine(tree, self.schema), unnamed)
        self.context.planning_seconds += time.perf_counter() - started
        return plan

    def resolve(self, tree: exp.Expression, database: str, depth: int) -> exp.Expression:
        common_tables = {cte.alias_or_name.lower() for cte in tree.find_all(exp.CTE)}
        _refuse_table_functions(tree)
        for table in list(tree.find_all(exp.Table)):
            if not table.name or (not table.db and table.name.lower() in common_tables):
                continue
            table.replace(self._source(tree, table, database, depth))
        return tree

    def _source(self, tree: exp.Expression, table: exp.Table, database: str, depth: int) -> exp.Expression:
        where = translate.position(table)
        if table.catalog and table.catalog.lower() != catalog.CATALOG:
            raise errors.QueryFailed(f"CATALOG_NOT_FOUND: {where}Catalog '{table.catalog.lower()}' does not exist")
        database = (table.db or database).lower()
        alias = table.args.get("alias") or exp.TableAlias(this=exp.to_identifier(table.name.lower()))
        if database == "information_schema":
            from lakelab.emulator.services.athena import information_schema

            return self._register(information_schema.view(self.context, table.name.lower()), alias)
        from lakelab.emulator.services.athena import iceberg

        iceberg_scan = iceberg.source(self.context, database, table, where, _needed_columns(tree, table))
        if iceberg_scan is not None:  # an Iceberg table, or one of its metadata tables ("t$snapshots")
            return self._register(iceberg_scan, alias)
        found = self.context.catalog.table(database, table.name, where)
        if found.kind == catalog.VIEW:
            return self._view(found, alias, depth)
        governed = governance.govern(self.context, found)  # Lake Formation: None when IAM alone decides
        predicates = _partition_predicates(table, found)
        candidates = projection.partitions(found, predicates) if projection.enabled(found) else None
        needed = _needed_columns(tree, table)
        with governed.reading() if governed else contextlib.nullcontext():
            scan = scans.scan(self.context.connection, self.context.account_id, found,
                              governed.needed(needed) if governed else needed, predicates, self.context.read,
                              candidates)
        if governed:
            scan = governed.apply(scan)
        rows = self.context.input_rows
        self.context.input_rows = None if rows is None or scan.input_rows is None else rows + scan.input_rows
        return self._register(scan, alias)

    def _register(self, scan: scans.Scan, alias: exp.TableAlias) -> exp.Expression:
        name = f"lakelab_scan_{len(self.schema)}"
        self.context.connection.execute(f"CREATE OR REPLACE TEMP VIEW {name} AS {scan.sql}")
        self.schema[name] = scan.columns
        return exp.Table(this=exp.to_identifier(name), alias=alias.copy())

    def _view(self, view: catalog.Table, alias: exp.TableAlias, depth: int) -> exp.Expression:
        if depth >= _MAX_VIEW_DEPTH:
            raise errors.QueryFailed(f"VIEW_IS_RECURSIVE: View '{view.qualified}' is recursive")
        sql, database = view_definition(view)
        tree = translate.parse(sql)
        tree = self.resolve(tree, database, depth + 1)
        return exp.Subquery(this=tree, alias=alias.copy())


def _refuse_table_functions(tree: exp.Expression) -> None:
    """A function in FROM (``read_parquet('...')``) would be the engine's, reading files around the
    catalog, IAM and Lake Formation alike: refused (UNNEST, Athena's own, is not one of these)."""
    for node in tree.find_all(exp.Table, exp.Lateral):
        if isinstance(node.this, exp.Func) and not isinstance(node.this, exp.Unnest):
            name = node.this.sql(dialect="trino").split("(", 1)[0].lower()
            raise errors.not_supported(f"{translate.position(node)}Table function '{name}'")


def _values_as_select(tree: exp.Expression) -> exp.Expression:
    """A bare ``VALUES (...), (...)`` answers columns ``_col0``, ``_col1``... as in Athena."""
    if not isinstance(tree, exp.Values) or not tree.expressions:
        return tree
    first = tree.expressions[0]
    width = len(first.expressions) if isinstance(first, exp.Tuple) else 1
    columns = [exp.to_identifier(f"_col{i}") for i in range(width)]
    tree.set("alias", exp.TableAlias(this=exp.to_identifier("lakelab_values"), columns=columns))
    return exp.select("*").from_(tree)


def view_definition(view: catalog.Table) -> tuple[str, str]:
    """(SQL, database) of a Glue view: Athena stores ``/* Presto View: <base64 JSON> */``."""
    text = view.definition.get("ViewOriginalText") or ""
    found = re.match(r"\s*/\*\s*Presto View:\s*(\S+)\s*\*/", text)
    if not found:
        return text, view.database
    document = json.loads(base64.b64decode(found.group(1)))
    return document.get("originalSql", ""), document.get("schema") or view.database


def _needed_columns(tree: exp.Expression, table: exp.Table) -> set[str] | None:
    """Columns a query may read from ``table`` (None: all); a generous superset is fine."""
    alias = table.alias_or_name.lower()
    for star in tree.find_all(exp.Star):
        parent = star.parent
        if isinstance(parent, exp.Select):
            return None
        if isinstance(parent, exp.Column) and parent.table.lower() in ("", alias):
            return None
    names: set[str] = set()
    for column in tree.find_all(exp.Column):
        names.update(part.name.lower() for part in column.parts)
    return names


def _partition_predicates(table: exp.Table, found: catalog.Table) -> list[str]:
    """WHERE conjuncts that only test this table's partition keys, in engine SQL."""
    keys = {key.name for key in found.partition_keys}
    select = table.find_ancestor(exp.Select)
    where = select.args.get("where") if select is not None else None
    if not keys or where is None:
        return []
    alias = table.alias_or_name.lower()
    condition = where.this
    conjuncts = list(condition.flatten()) if isinstance(condition, exp.And) else [condition]
    predicates = []
    for conjunct in conjuncts:
        columns = list(conjunct.find_all(exp.Column))
        if not columns or conjunct.find(exp.Select, exp.AggFunc, exp.Window):
            continue
        if all(c.name.lower() in keys and c.table.lower() in ("", alias) for c in columns):
            copied = conjunct.copy()
            for column in copied.find_all(exp.Column):
                column.set("table", None)
            try:
                predicates.append(translate.expression_sql(copied))
            except errors.QueryFailed:
                continue
    return predicates

