"""Data location permissions: a table pointing into a registered location needs ``DATA_LOCATION_ACCESS``.

Lake Formation lets a principal create (or move) a catalog table onto a registered S3 location only
when it holds ``DATA_LOCATION_ACCESS`` on that location (or one that contains it), or is a data lake
administrator. Tables are created through Glue's API, Athena's DDL and CTAS, and crawlers -- all by
Glue's backend -- so the check wraps its ``create_table`` and ``update_table``. A Glue call is
refused with Glue's ``AccessDeniedException``; an Athena statement fails as Athena's DDL fails,
"FAILED: Execution Error, return code 1 from org.apache.hadoop.hive.ql.exec.DDLTask.
MetaException(message:Insufficient Lake Formation permission(s): ...)" (seen for a database in
aws-samples/experimental-programmatic-access-ccft issue 5; AWS's knowledge center article
"athena-insufficient-lake-formation-permissions" describes this case for a location).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from lakelab.emulator import context, seam
from lakelab.emulator.services.lakeformation import decisions, principals, store
from lakelab.emulator.services.lakeformation.store import IAM_ALLOWED_PRINCIPALS


def check(account_id: str, region: str, location: str | None) -> None:
    """Refuse the caller in force a table at ``location`` it holds no data location permission on."""
    who = context.principal()
    if not location or who.type in (context.ROOT, context.AWS_SERVICE):
        return
    lake = store.lake(account_id, region)
    with lake.lock:
        registered = decisions.registration(lake, location)
        if registered is None or principals.is_admin(lake, who):
            return
        mine = principals.identifiers(who)
        for grant in lake.grants.values():
            body = grant.resource.get("DataLocation")
            if grant.principal in mine and body and "DATA_LOCATION_ACCESS" in grant.permissions | grant.grantable:
                path = "s3://" + body["ResourceArn"].split(":::", 1)[-1].rstrip("/")
                if location.rstrip("/") == path or location.startswith(path + "/"):
                    return
    _refuse(f"Insufficient Lake Formation permission(s) on {location}")


def _refuse(message: str) -> None:
    if context.current().service == "athena":
        from lakelab.emulator.engine import errors

        raise errors.QueryFailed("FAILED: Execution Error, return code 1 from org.apache.hadoop.hive.ql.exec.DDLTask. "
                                 f"MetaException(message:{message} (Service: AmazonDataCatalog; Status Code: 400; "
                                 "Error Code: AccessDeniedException))")
    raise seam.JsonRESTError("AccessDeniedException", message)


def _location(table_input: dict[str, Any]) -> str | None:
    return (table_input.get("StorageDescriptor") or {}).get("Location")


def checks_create_table(create_table: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(create_table)
    def create(self: Any, database_name: str, table_name: str, table_input: dict[str, Any], *args: Any,
               **kwargs: Any) -> Any:
        check_create_table(self, database_name)
        check(self.account_id, self.region_name, _location(table_input))
        created = create_table(self, database_name, table_name, table_input, *args, **kwargs)
        _remember_creator(self, database_name, table_name)
        return created

    return create


def check_create_table(backend: Any, database: str) -> None:
    """Refuse the caller a table in a database Lake Formation governs, unless it holds CREATE_TABLE there.

    A database is left to IAM while ``IAMAllowedPrincipals`` holds ALL or CREATE_TABLE on it (the default
    for a new database). Otherwise the principal needs CREATE_TABLE or ALL on the database, through a grant
    or an LF-tag policy its tags match, or to be its creator ("Implicit Lake Formation permissions").
    """
    who = context.principal()
    if who.type in (context.ROOT, context.AWS_SERVICE):
        return
    lake = store.lake(backend.account_id, backend.region_name)
    from lakelab.emulator.services.lakeformation import catalog

    catalog.sync(lake)
    found = backend.databases.get(database)
    if found is None:
        return  # Glue reports the missing database in its own words
    mine = principals.identifiers(who)
    with lake.lock:
        everyone = decisions.on_database(lake, database, {IAM_ALLOWED_PRINCIPALS})
        if everyone & {"ALL", "CREATE_TABLE"}:
            return
        if decisions.on_database(lake, database, mine) & {"ALL", "CREATE_TABLE"}:
            return
        recorded = lake.database_creators.get(database.lower())
        if recorded is not None and recorded[0] == found.created_time and recorded[1] & mine:
            return
    _refuse(f"Insufficient Lake Formation permission(s) on {database} (Database name: {database})")


def remembers_database_creator(create_database: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(create_database)
    def create(self: Any, database_name: str, *args: Any, **kwargs: Any) -> Any:
        created = create_database(self, database_name, *args, **kwargs)
        lake = store.lake(self.account_id, self.region_name)
        mine = frozenset(principals.identifiers(context.principal()))
        with lake.lock:
            if mine:
                lake.database_creators[database_name.lower()] = (created.created_time, mine)
            else:
                lake.database_creators.pop(database_name.lower(), None)
        return created

    return create


def _remember_creator(backend: Any, database: str, table: str) -> None:
    """Table creators hold all permissions on the tables they create ("Implicit Lake Formation permissions")."""
    lake = store.lake(backend.account_id, backend.region_name)
    mine = frozenset(principals.identifiers(context.principal()))
    with lake.lock:
        key = (database.lower(), table.lower())
        if mine:
            lake.creators[key] = (backend.get_table(database, table).created_time, mine)
        else:  # root or a service: no grants to imply, and an earlier creator's are gone with its table
            lake.creators.pop(key, None)
        lake.changed()


def checks_update_table(update_table: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(update_table)
    def update(self: Any, database_name: str, table_name: str, table_input: dict[str, Any], *args: Any,
               **kwargs: Any) -> Any:
        moved = _location(table_input)
        current = self.get_table(database_name, table_name)
        if moved != _location(current.get_version(str(current._current_version))):
            check(self.account_id, self.region_name, moved)  # only a table moved needs the new location
        return update_table(self, database_name, table_name, table_input, *args, **kwargs)

    return update
