"""Who may create catalog resources, and who created them: Lake Formation's implicit permissions.

"Implicit Lake Formation permissions" (https://docs.aws.amazon.com/lake-formation/latest/dg/implicit-permissions.html):
a database's creator may create tables in it, and a table's creator holds all permissions on it. Glue
creates both for every caller (its API, Athena's DDL and CTAS, crawlers), so the creator is recorded
there, with the resource's creation time: a resource dropped and created again by someone else is not
the first creator's. Creating a table in a database that ``IAMAllowedPrincipals`` does not cover needs
CREATE_TABLE on it (``check_create_table``); the refusal has the words of ``locations``.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from lakelab.emulator import context
from lakelab.emulator.services.lakeformation import catalog, decisions, principals, store
from lakelab.emulator.services.lakeformation.store import IAM_ALLOWED_PRINCIPALS

_CREATES_TABLES = {"ALL", "CREATE_TABLE"}


def check_create_table(backend: Any, database: str) -> None:
    """Refuse the caller a table in a database Lake Formation governs, unless it holds CREATE_TABLE there.

    A database is left to IAM while ``IAMAllowedPrincipals`` holds ALL or CREATE_TABLE on it (the default
    for a new database). Otherwise the principal needs CREATE_TABLE or ALL on the database, through a grant
    or an LF-tag policy its tags match, or to be its creator.
    """
    from lakelab.emulator.services.lakeformation import locations

    who = context.principal()
    if who.type in (context.ROOT, context.AWS_SERVICE):
        return
    lake = store.lake(backend.account_id, backend.region_name)
    catalog.sync(lake)
    found = backend.databases.get(database)
    if found is None:
        return  # Glue reports the missing database in its own words
    mine = principals.identifiers(who)
    with lake.lock:
        if decisions.on_database(lake, database, {IAM_ALLOWED_PRINCIPALS, *mine}) & _CREATES_TABLES:
            return
        if created_by(lake.database_creators.get(database.lower()), found.created_time, mine):
            return
    locations.refuse(f"Insufficient Lake Formation permission(s) on {database} (Database name: {database})")


def created_by(recorded: tuple[Any, frozenset[str]] | None, created_time: Any, identifiers: set[str]) -> bool:
    """Whether a recorded creator is one of ``identifiers``, for the resource created at ``created_time``."""
    return recorded is not None and recorded[0] == created_time and bool(recorded[1] & identifiers)


def remembers_database_creator(create_database: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(create_database)
    def create(self: Any, database_name: str, *args: Any, **kwargs: Any) -> Any:
        created = create_database(self, database_name, *args, **kwargs)
        lake = store.lake(self.account_id, self.region_name)
        _record(lake, lake.database_creators, database_name.lower(), created.created_time)
        return created

    return create


def remember_table_creator(backend: Any, database: str, table: str) -> None:
    lake = store.lake(backend.account_id, backend.region_name)
    _record(lake, lake.creators, (database.lower(), table.lower()), backend.get_table(database, table).created_time)


def _record(lake: store.Lake, creators: dict[Any, tuple[Any, frozenset[str]]], key: Any, created_time: Any) -> None:
    """Keep the caller as the creator; root or a service implies no grants, and ends an earlier creator's."""
    mine = frozenset(principals.identifiers(context.principal()))
    with lake.lock:
        if mine:
            creators[key] = (created_time, mine)
        elif creators.pop(key, None) is None:
            return
        lake.changed()  # decisions are cached per revision
