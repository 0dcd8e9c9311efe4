"""The Glue Data Catalog as Lake Formation sees it, and the default permissions of new resources.

Lake Formation gives a new database the grants of ``CreateDatabaseDefaultPermissions`` and a new
table those its database was created with (the database's ``CreateTableDefaultPermissions``,
copied from the settings when the database was created). Databases and tables are created
through Glue, Athena DDL, awswrangler or crawlers, so rather than hook every path, Lake Formation
applies the defaults the first time it sees a resource -- and, before the settings change, to
every resource not seen yet, so each gets the settings in force when it was created. A resource
deleted and created again (a new creation time) starts again from the defaults; the grants on the
old one go with it, as they do on AWS.
"""

from __future__ import annotations

import copy
from typing import Any

from lakelab.emulator.engine.catalog import Catalog, Table
from lakelab.emulator.services.lakeformation.store import Grant, Lake


def glue(lake: Lake) -> Catalog:
    return Catalog(lake.account_id, lake.region)


def sync(lake: Lake) -> None:
    """Apply creation defaults to every database and table not seen yet; forget deleted ones."""
    catalog = glue(lake)
    present: set[tuple[str, ...]] = set()
    with lake.lock:
        for database in list(catalog.glue.databases.values()):
            db_key = ("database", database.name)
            present.add(db_key)
            if lake.seen.get(db_key) != database.created_time:
                _first_sight_of_database(lake, database)
            for table in list(database.tables.values()):
                table_key = ("table", database.name, table.name)
                present.add(table_key)
                if lake.seen.get(table_key) != table.created_time:
                    _first_sight_of_table(lake, database.name, table)
        for gone in [key for key in lake.seen if key not in present]:
            _forget(lake, gone)


def _first_sight_of_database(lake: Lake, database: Any) -> None:
    if ("database", database.name) in lake.seen:
        _forget(lake, ("database", database.name))
    lake.seen[("database", database.name)] = database.created_time
    defaults = lake.settings.get("CreateDatabaseDefaultPermissions") or []
    _grant_defaults(lake, defaults, {"Database": {"CatalogId": lake.account_id, "Name": database.name}})
    own = (database.input or {}).get("CreateTableDefaultPermissions")
    lake.table_defaults[database.name] = copy.deepcopy(
        own if own is not None else lake.settings.get("CreateTableDefaultPermissions") or [])


def _first_sight_of_table(lake: Lake, database: str, table: Any) -> None:
    if ("table", database, table.name) in lake.seen:
        _forget(lake, ("table", database, table.name))
    lake.seen[("table", database, table.name)] = table.created_time
    defaults = lake.table_defaults.get(database, lake.settings.get("CreateTableDefaultPermissions") or [])
    _grant_defaults(lake, defaults, {"Table": {"CatalogId": lake.account_id, "DatabaseName": database,
                                               "Name": table.name}})


def _grant_defaults(lake: Lake, defaults: list[dict[str, Any]], resource: dict[str, Any]) -> None:
    for default in defaults:
        principal = (default.get("Principal") or {}).get("DataLakePrincipalIdentifier")
        if principal:
            lake.add_grant(Grant(principal, copy.deepcopy(resource), set(default.get("Permissions") or []),
                                 updated_by="lakeformation.amazonaws.com"))


def _forget(lake: Lake, key: tuple[str, ...]) -> None:
    """A deleted database or table: its grants, tags and data filters go with it."""
    lake.seen.pop(key, None)
    database = key[1]
    name = key[2] if key[0] == "table" else None
    lake.drop_grants(lambda g: _names(g.resource) == (database, name) or (name is None and _names(g.resource)[0]
                                                                           == database))
    for assigned in [k for k in lake.assignments if k[1] == database and (name is None or k[2:3] == (name,))]:
        del lake.assignments[assigned]
    for found in [k for k in lake.data_filters if k[0] == database and (name is None or k[1] == name)]:
        del lake.data_filters[found]
    for opted in [k for k, entry in lake.opt_ins.items() if _names(entry["Resource"]) == (database, name)
                  or (name is None and _names(entry["Resource"])[0] == database)]:
        del lake.opt_ins[opted]
    if name is None:
        lake.table_defaults.pop(database, None)


def _names(resource: dict[str, Any]) -> tuple[str | None, str | None]:
    """(database, table) a catalog resource names (table None for a database or a table wildcard)."""
    if "Database" in resource:
        return resource["Database"].get("Name"), None
    for kind in ("Table", "TableWithColumns"):
        if kind in resource:
            return resource[kind].get("DatabaseName"), resource[kind].get("Name")
    if "DataCellsFilter" in resource:
        return resource["DataCellsFilter"].get("DatabaseName"), resource["DataCellsFilter"].get("TableName")
    return None, None


def find_table(lake: Lake, database: str, name: str) -> Table | None:
    return glue(lake).find_table(database, name)


def database_exists(lake: Lake, database: str) -> bool:
    return glue(lake).find_database(database) is not None


def database_location(lake: Lake, database: str) -> str:
    found = glue(lake).find_database(database)
    return ((found.input or {}).get("LocationUri") or "") if found is not None else ""


def column_names(table: Table) -> list[str]:
    return [c.name for c in table.columns + table.partition_keys]
