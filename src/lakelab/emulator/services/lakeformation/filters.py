"""Data cells filters: a table's rows (a PartiQL ``WHERE`` expression, or all) and columns (named or all but some).

Row filter expressions take the subset of PartiQL Lake Formation documents ("PartiQL support in
row filter expressions"): a column compared with a constant (``=``, ``<>``, ``!=``, ``<``, ``<=``,
``>``, ``>=``, ``BETWEEN``, ``IN``, ``LIKE``, ``IS [NOT] NULL``), combined with ``AND``, ``OR``
and ``NOT``; no functions, no column compared with another. Anything else is refused at create,
so a filter that exists always applies.
"""

from __future__ import annotations

import copy
from typing import Any

import sqlglot
from sqlglot import exp
from sqlglot.errors import ParseError, TokenError

from lakelab.emulator import context
from lakelab.emulator.services.lakeformation import catalog, principals
from lakelab.emulator.services.lakeformation.store import Lake, LakeFormationError, invalid, not_found

_CONNECTIVES = (exp.And, exp.Or, exp.Not, exp.Paren)
_COMPARISONS = (exp.EQ, exp.NEQ, exp.GT, exp.GTE, exp.LT, exp.LTE, exp.Between, exp.In, exp.Like, exp.Is)
_CONSTANTS = (exp.Literal, exp.Boolean, exp.Null, exp.Neg, exp.Tuple)
MAX_EXPRESSION = 2048


def parse_row_filter(expression: str, columns: list[str]) -> exp.Expression:
    """The parsed filter, or InvalidInputException saying what Lake Formation does not take."""
    if len(expression) >= MAX_EXPRESSION:
        raise invalid("Row filter expression must be shorter than 2048 characters.")
    try:
        tree = sqlglot.parse_one(f"SELECT 1 WHERE {expression}", read="trino")
    except (ParseError, TokenError) as error:
        # Lake Formation refuses such a filter with InvalidInputException; its exact words were not observed.
        raise invalid(f"Invalid row filter expression '{expression}': it does not parse ({_first_line(error)}).") \
            from None
    where = tree.args.get("where")
    if where is None or list(tree.args.get("expressions", []))[1:] or tree.args.get("from"):
        raise invalid(f"Invalid row filter expression '{expression}': it does not parse.")
    _check(where.this, expression, {c.lower() for c in columns})
    return where.this


def _first_line(error: Exception) -> str:
    return str(error).splitlines()[0] if str(error) else type(error).__name__


def _check(node: exp.Expression, text: str, columns: set[str]) -> None:
    if isinstance(node, _CONNECTIVES):
        for child in node.iter_expressions():
            _check(child, text, columns)
        return
    if isinstance(node, _COMPARISONS):
        operands = list(node.iter_expressions())
        named = [o for o in operands if isinstance(o, exp.Column)]
        if len(named) != 1 or operands[0] is not named[0]:
            raise invalid(f"Invalid row filter expression '{text}': compare one column with constants "
                          f"(found '{node.sql(dialect='trino')}').")
        if named[0].name.lower() not in columns:
            raise invalid(f"Invalid row filter expression '{text}': column {named[0].name} is not in the table.")
        for constant in operands[1:]:
            _constant(constant, text)
        return
    raise invalid(f"Invalid row filter expression '{text}': '{node.sql(dialect='trino')}' is not supported "
                  "(a column compared with constants, joined by AND, OR, NOT).")


def _constant(node: exp.Expression, text: str) -> None:
    if isinstance(node, exp.Tuple):
        for item in node.expressions:
            _constant(item, text)
        return
    if not isinstance(node, _CONSTANTS) or (isinstance(node, exp.Neg) and not isinstance(node.this, exp.Literal)):
        raise invalid(f"Invalid row filter expression '{text}': '{node.sql(dialect='trino')}' is not a constant.")


# --- the API -----------------------------------------------------------------------------------


def _shaped(lake: Lake, data: dict[str, Any] | None) -> dict[str, Any]:
    if not isinstance(data, dict):
        raise invalid("TableData must be specified.")
    database, table_name, name = (str(data.get(k) or "") for k in ("DatabaseName", "TableName", "Name"))
    if not (database and table_name and name):
        raise invalid("TableData needs DatabaseName, TableName and Name.")
    table = catalog.find_table(lake, database.lower(), table_name.lower())
    if table is None:
        raise not_found(f"Table {table_name.lower()} not found.")
    columns = catalog.column_names(table)
    shaped: dict[str, Any] = {"TableCatalogId": str(data.get("TableCatalogId") or lake.account_id),
                              "DatabaseName": table.database, "TableName": table.name, "Name": name}
    row_filter = data.get("RowFilter") or {}
    if row_filter.get("FilterExpression"):
        parse_row_filter(row_filter["FilterExpression"], columns)
        shaped["RowFilter"] = {"FilterExpression": row_filter["FilterExpression"]}
    elif row_filter.get("AllRowsWildcard") is not None:
        shaped["RowFilter"] = {"AllRowsWildcard": {}}
    else:
        raise invalid("RowFilter needs a FilterExpression or AllRowsWildcard.")
    named, wildcard = data.get("ColumnNames"), data.get("ColumnWildcard")
    if named and wildcard is not None:
        raise invalid("Only one of ColumnNames and ColumnWildcard may be specified.")
    listed = [c.lower() for c in (named or (wildcard or {}).get("ExcludedColumnNames") or [])]
    missing = [c for c in listed if c not in columns]
    if missing:
        raise invalid(f"Column(s) {', '.join(missing)} not found in table {table.database}.{table.name}.")
    if named:
        shaped["ColumnNames"] = listed
    else:
        shaped["ColumnWildcard"] = {"ExcludedColumnNames": listed}
    return shaped


def create(lake: Lake, request: dict[str, Any]) -> None:
    principals.require_admin(lake, context.principal())
    with lake.lock:
        catalog.sync(lake)
        shaped = _shaped(lake, request.get("TableData"))
        key = (shaped["DatabaseName"], shaped["TableName"], shaped["Name"])
        if key in lake.data_filters:
            raise LakeFormationError("AlreadyExistsException",
                                     f"Data cells filter {shaped['Name']} already exists on table {key[0]}.{key[1]}.")
        shaped["VersionId"] = "0"
        lake.data_filters[key] = shaped
        lake.changed()


def update(lake: Lake, request: dict[str, Any]) -> None:
    principals.require_admin(lake, context.principal())
    with lake.lock:
        shaped = _shaped(lake, request.get("TableData"))
        key = (shaped["DatabaseName"], shaped["TableName"], shaped["Name"])
        existing = _existing(lake, *key)
        shaped["VersionId"] = str(int(existing.get("VersionId") or 0) + 1)
        lake.data_filters[key] = shaped
        lake.changed()


def get(lake: Lake, request: dict[str, Any]) -> dict[str, Any]:
    with lake.lock:
        found = _existing(lake, *_named(request))
        return {"DataCellsFilter": copy.deepcopy(found)}


def delete(lake: Lake, request: dict[str, Any]) -> None:
    principals.require_admin(lake, context.principal())
    database, table, name = _named(request)
    with lake.lock:
        _existing(lake, database, table, name)
        del lake.data_filters[(database, table, name)]
        lake.drop_grants(lambda g: g.resource.get("DataCellsFilter", {}) .get("Name") == name and (
            g.resource["DataCellsFilter"]["DatabaseName"], g.resource["DataCellsFilter"]["TableName"]) == (
            database, table))


def list_filters(lake: Lake, request: dict[str, Any]) -> dict[str, Any]:
    table = request.get("Table") or {}
    database, name = (table.get("DatabaseName") or "").lower(), (table.get("Name") or "").lower()
    with lake.lock:
        catalog.sync(lake)
        found = [copy.deepcopy(f) for key, f in sorted(lake.data_filters.items())
                 if not table or (key[0] == database and key[1] == name)]
    from lakelab.emulator.services.lakeformation import grants

    return grants.page(found, request, "DataCellsFilters")


def _named(request: dict[str, Any]) -> tuple[str, str, str]:
    database, table, name = (str(request.get(k) or "") for k in ("DatabaseName", "TableName", "Name"))
    if not (database and table and name):
        raise invalid("DatabaseName, TableName and Name must be specified.")
    return database.lower(), table.lower(), name


def _existing(lake: Lake, database: str, table: str, name: str) -> dict[str, Any]:
    found = lake.data_filters.get((database, table, name))
    if found is None:
        raise not_found(f"Data cells filter {name} not found on table {database}.{table}.")
    return found
