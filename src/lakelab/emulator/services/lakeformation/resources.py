"""Resources a grant names: checked against the catalog, and put in the one shape the API answers.

A grant's ``Resource`` names exactly one of: ``Catalog``, ``Database``, ``Table`` (by name or
``TableWildcard``), ``TableWithColumns`` (``ColumnNames``, or ``ColumnWildcard`` with
``ExcludedColumnNames``), ``DataLocation``, ``DataCellsFilter``, ``LFTag`` or ``LFTagPolicy``. Names
are stored lower case (Glue's own), ``CatalogId`` filled in. A database, table, column, data filter,
location or LF-tag that does not exist is refused, so a typo never becomes a grant that silently
matches nothing.
"""

from __future__ import annotations

import copy
from typing import Any

from lakelab.emulator.services.lakeformation import catalog
from lakelab.emulator.services.lakeformation.store import Lake, invalid, not_found

# Permissions each kind of resource takes (Lake Formation's "Lake Formation permissions reference").
APPLICABLE: dict[str, set[str]] = {
    "Catalog": {"ALL", "CREATE_DATABASE", "DESCRIBE", "ALTER", "DROP", "CREATE_CATALOG", "SUPER_USER",
                "CREATE_LF_TAG", "CREATE_LF_TAG_EXPRESSION"},
    "Database": {"ALL", "ALTER", "CREATE_TABLE", "DESCRIBE", "DROP"},
    "Table": {"ALL", "ALTER", "DELETE", "DESCRIBE", "DROP", "INSERT", "SELECT"},
    "TableWithColumns": {"SELECT"},
    "DataLocation": {"DATA_LOCATION_ACCESS"},
    "DataCellsFilter": {"SELECT", "DESCRIBE", "DROP"},
    "LFTag": {"ASSOCIATE", "DESCRIBE", "ALTER", "DROP", "GRANT_WITH_LF_TAG_EXPRESSION"},
    "LFTagPolicy": {"ALL", "ALTER", "CREATE_TABLE", "DESCRIBE", "DROP", "DELETE", "INSERT", "SELECT"},
}
KINDS = tuple(APPLICABLE)


def kind_of(resource: dict[str, Any]) -> str:
    present = [k for k in KINDS if resource.get(k) is not None]
    if not present:
        raise invalid("Resource must have either the catalog, table or database field populated.")
    if len(present) > 1:
        raise invalid(f"Only one resource may be specified; found {', '.join(present)}.")
    return present[0]


def normalized(lake: Lake, resource: dict[str, Any] | None, check: bool = True) -> dict[str, Any]:
    """``resource`` in stored form; with ``check``, refused when what it names does not exist."""
    if not isinstance(resource, dict):
        raise invalid("Resource must have either the catalog, table or database field populated.")
    kind = kind_of(resource)
    body = copy.deepcopy(resource[kind])
    shaped = _SHAPERS[kind](lake, body, check)
    return {kind: shaped}


def check_permissions(kind: str, permissions: set[str], resource: dict[str, Any]) -> None:
    if not permissions:
        raise invalid("Permissions must not be empty.")
    wrong = sorted(permissions - APPLICABLE[kind])
    if kind == "LFTagPolicy" and resource["LFTagPolicy"]["ResourceType"] == "DATABASE":
        wrong = sorted(permissions - APPLICABLE["Database"])
    if kind == "LFTagPolicy" and resource["LFTagPolicy"]["ResourceType"] == "TABLE":
        wrong = sorted(permissions - APPLICABLE["Table"])
    if wrong:
        # Wording not observed on AWS; the exception type is the one the API reference lists.
        raise invalid(f"Permissions modification is invalid: {', '.join(wrong)} cannot be granted on a "
                      f"{_KIND_NAMES.get(kind, kind)} resource.")


_KIND_NAMES = {"Catalog": "catalog", "Database": "database", "Table": "table", "TableWithColumns": "column",
               "DataLocation": "data location", "DataCellsFilter": "data cells filter", "LFTag": "LF-tag",
               "LFTagPolicy": "LF-tag policy"}


def _catalog_id(lake: Lake, body: dict[str, Any]) -> str:
    return str(body.get("CatalogId") or lake.account_id)


def _catalog(lake: Lake, body: dict[str, Any], check: bool) -> dict[str, Any]:
    return {} if not body.get("Id") else {"Id": body["Id"]}


def _database(lake: Lake, body: dict[str, Any], check: bool) -> dict[str, Any]:
    name = _required(body, "Name", "Database").lower()
    if check and not catalog.database_exists(lake, name):
        raise not_found(f"Database {name} not found.")
    return {"CatalogId": _catalog_id(lake, body), "Name": name}


def _table(lake: Lake, body: dict[str, Any], check: bool) -> dict[str, Any]:
    database = _required(body, "DatabaseName", "Table").lower()
    shaped: dict[str, Any] = {"CatalogId": _catalog_id(lake, body), "DatabaseName": database}
    if body.get("Name") and body.get("TableWildcard") is not None:
        raise invalid("Table name and table wildcard cannot both be present.")
    if body.get("TableWildcard") is not None:
        if check and not catalog.database_exists(lake, database):
            raise not_found(f"Database {database} not found.")
        shaped["TableWildcard"] = {}
        return shaped
    if not body.get("Name"):
        raise invalid("Table name and table wildcard cannot both be empty.")
    shaped["Name"] = body["Name"].lower()
    if check:
        _existing_table(lake, database, shaped["Name"])
    return shaped


def _existing_table(lake: Lake, database: str, name: str) -> Any:
    if not catalog.database_exists(lake, database):
        raise not_found(f"Database {database} not found.")
    found = catalog.find_table(lake, database, name)
    if found is None:
        # Glue's wording for a missing table ("Table <name> not found."), which Lake Formation passes on.
        raise not_found(f"Table {name} not found.")
    return found


def _table_with_columns(lake: Lake, body: dict[str, Any], check: bool) -> dict[str, Any]:
    database = _required(body, "DatabaseName", "TableWithColumns").lower()
    name = _required(body, "Name", "TableWithColumns").lower()
    shaped: dict[str, Any] = {"CatalogId": _catalog_id(lake, body), "DatabaseName": database, "Name": name}
    named, wildcard = body.get("ColumnNames"), body.get("ColumnWildcard")
    if (named is None) == (wildcard is None):
        raise invalid("Exactly one of ColumnNames and ColumnWildcard must be specified.")
    columns = [c.lower() for c in (named if named is not None else (wildcard or {}).get("ExcludedColumnNames") or [])]
    if named is not None and not columns:
        raise invalid("ColumnNames must not be empty.")
    if check:
        _check_columns(_existing_table(lake, database, name), columns)
    if named is not None:
        shaped["ColumnNames"] = columns
    else:
        shaped["ColumnWildcard"] = {"ExcludedColumnNames": columns} if columns else {}
    return shaped


def _check_columns(table: Any, columns: list[str]) -> None:
    missing = [c for c in columns if c not in catalog.column_names(table)]
    if missing:
        # Wording not observed on AWS (it refuses such a grant with InvalidInputException).
        raise invalid(f"Column(s) {', '.join(missing)} not found in table {table.database}.{table.name}.")


def _data_location(lake: Lake, body: dict[str, Any], check: bool) -> dict[str, Any]:
    arn = _required(body, "ResourceArn", "DataLocation")
    if check and arn.rstrip("/") not in {a.rstrip("/") for a in lake.locations}:
        raise not_found(f"Location {arn} is not registered with Lake Formation.")
    return {"CatalogId": _catalog_id(lake, body), "ResourceArn": arn}


def _data_cells_filter(lake: Lake, body: dict[str, Any], check: bool) -> dict[str, Any]:
    database = _required(body, "DatabaseName", "DataCellsFilter").lower()
    table = _required(body, "TableName", "DataCellsFilter").lower()
    name = _required(body, "Name", "DataCellsFilter")
    if check and (database, table, name) not in lake.data_filters:
        raise not_found(f"Data cells filter {name} not found on table {database}.{table}.")
    return {"TableCatalogId": str(body.get("TableCatalogId") or lake.account_id), "DatabaseName": database,
            "TableName": table, "Name": name}


def _lf_tag(lake: Lake, body: dict[str, Any], check: bool) -> dict[str, Any]:
    key = _required(body, "TagKey", "LFTag")
    values = list(body.get("TagValues") or [])
    if check:
        check_tag_values(lake, key, values)
    return {"CatalogId": _catalog_id(lake, body), "TagKey": key, "TagValues": values}


def _lf_tag_policy(lake: Lake, body: dict[str, Any], check: bool) -> dict[str, Any]:
    resource_type = body.get("ResourceType")
    if resource_type not in ("DATABASE", "TABLE"):
        raise invalid("ResourceType must be DATABASE or TABLE.")
    expression = body.get("Expression")
    if body.get("ExpressionName") and not expression:
        raise invalid("Saved LF-tag expressions (ExpressionName) are not supported by the Lake Labs emulator.")
    if not expression:
        raise invalid("Expression must not be empty.")
    shaped = []
    for condition in expression:
        key, values = condition.get("TagKey"), list(condition.get("TagValues") or [])
        if check:
            check_tag_values(lake, key, values)
        shaped.append({"TagKey": key, "TagValues": values})
    return {"CatalogId": _catalog_id(lake, body), "ResourceType": resource_type, "Expression": shaped}


def check_tag_values(lake: Lake, key: str | None, values: list[str]) -> None:
    if not key or key not in lake.lf_tags:
        raise not_found("Tag or tag value does not exist.")  # moto's (and Lake Formation's) words
    if not values or any(v != "*" and v not in lake.lf_tags[key] for v in values):
        raise not_found("Tag or tag value does not exist.")


def _required(body: dict[str, Any], name: str, kind: str) -> str:
    value = body.get(name)
    if not value or not isinstance(value, str):
        raise invalid(f"{kind}.{name} must be specified.")
    return value


_SHAPERS = {"Catalog": _catalog, "Database": _database, "Table": _table, "TableWithColumns": _table_with_columns,
            "DataLocation": _data_location, "DataCellsFilter": _data_cells_filter, "LFTag": _lf_tag,
            "LFTagPolicy": _lf_tag_policy}
