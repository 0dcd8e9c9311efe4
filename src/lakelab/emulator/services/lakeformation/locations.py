"""Data location permissions: a table pointing into a registered location needs ``DATA_LOCATION_ACCESS``.

Lake Formation lets a principal create (or move) a catalog table onto a registered S3 location only
when it holds ``DATA_LOCATION_ACCESS`` on that location (or one that contains it), or is a data lake
administrator. Tables are created through Glue's API, Athena's DDL and CTAS, and crawlers -- all by
Glue's backend -- so the check wraps its ``create_table`` and ``update_table``. A Glue call is
refused with Glue's ``AccessDeniedException``; an Athena statement fails as Athena's DDL fails,
"FAILED: Execution Error, return code 1 from org.apache.hadoop.hive.ql.exec.DDLTask.
MetaException(message:Insufficient Lake Formation permission(s): ...)" (seen for a database in
aws-samples/experimental-programmatic-access-ccft issue 5; AWS's knowledge center article
"athena-insufficient-lake-formation-permissions" describes this case for a location). The same wrapper
asks ``creation`` whether the caller may create a table in the database, and records who created it.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from lakelab.emulator import context, seam
from lakelab.emulator.services.lakeformation import creation, decisions, principals, store


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
    refuse(f"Insufficient Lake Formation permission(s) on {location}")


def refuse(message: str) -> None:
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
        creation.check_create_table(self, database_name)
        check(self.account_id, self.region_name, _location(table_input))
        created = create_table(self, database_name, table_name, table_input, *args, **kwargs)
        creation.remember_table_creator(self, database_name, table_name)
        return created

    return create


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
