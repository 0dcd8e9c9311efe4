"""What one principal may read of one table: Lake Formation's decision, as an engine applies it.

A table is left to IAM (no decision) when ``IAMAllowedPrincipals`` holds ALL or SELECT on it, or
when its location is registered in hybrid access mode and the principal is not opted in (an
opted-in principal is governed, ``IAMAllowedPrincipals`` or not). Otherwise the
principal needs SELECT through some grant -- on the table, on all tables of its database
(``TableWildcard``), on columns, through a data cells filter, or through an LF-tag expression its
table or columns match; the table's creator holds ALL on it implicitly -- or it is denied. When the table's data is in a registered location,
the grants narrow what is read: only the granted columns exist, rows pass the union (OR) of the
principal's row filters, and a cell shows only when a grant covering its column also covers its
row (otherwise NULL: cell-level security). A location that is not registered gets no credential
vending, hence no narrowing: Lake Formation only decides whether the table can be read at all.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any

from lakelab.emulator import context
from lakelab.emulator.services.lakeformation import catalog, optins, principals, tags
from lakelab.emulator.services.lakeformation.store import IAM_ALLOWED_PRINCIPALS, Grant, Lake, Location

_READING = {"SELECT", "ALL"}
ALL_ROWS = None  # a grant's row filter when it covers every row


class Denied(Exception):
    """The principal holds no SELECT on the table."""

    def __init__(self, principal_arn: str, database: str, table: str) -> None:
        super().__init__(f"{principal_arn} has no SELECT on {database}.{table}")
        self.principal_arn, self.database, self.table = principal_arn, database, table


@dataclass(frozen=True)
class TableAccess:
    """What a principal may read of a table Lake Formation governs."""

    database: str
    table: str
    all_columns: tuple[str, ...]
    # column -> the row filters under which its cells show (ALL_ROWS among them: always)
    columns: dict[str, tuple[str | None, ...]] = field(default_factory=dict)
    fine_grained: bool = True  # False: a location not registered, read with IAM
    read_as: str | None = None  # the registered location's role

    @property
    def rows(self) -> tuple[str | None, ...]:
        """The row filters whose union is the rows the principal sees (ALL_ROWS: every row)."""
        found: list[str | None] = []
        for filters in self.columns.values():
            for row_filter in filters:
                if row_filter not in found:
                    found.append(row_filter)
        return (ALL_ROWS,) if ALL_ROWS in found else tuple(found)

    @property
    def hidden(self) -> tuple[str, ...]:
        return tuple(c for c in self.all_columns if c not in self.columns)


_cache: dict[tuple[Any, ...], TableAccess | Denied | None] = {}
_cache_lock = threading.Lock()


def decide(lake: Lake, who: context.Principal, database: str, table: str) -> TableAccess | None:
    """The principal's access to ``database.table`` (None: IAM alone decides); raises :class:`Denied`."""
    if who.type in (context.ROOT, context.AWS_SERVICE):
        return None  # see the package's fidelity notes: the course's root credentials are not governed
    catalog.sync(lake)
    found = catalog.find_table(lake, database, table)
    if found is None:
        return None  # the engine reports a missing table in its own words
    key = (lake.account_id, lake.region, lake.revision, who.arn, found.database, found.name, found.fake.created_time,
           found.location)
    with _cache_lock:
        if key in _cache:
            return _answer(_cache[key])
    decided: TableAccess | Denied | None
    try:
        decided = _decide(lake, who, found)
    except Denied as denied:
        decided = denied
    with _cache_lock:
        if len(_cache) > 10_000:
            _cache.clear()
        _cache[key] = decided
    return _answer(decided)


def lacks(lake: Lake, who: context.Principal, database: str, table: str, needed: frozenset[str]) -> frozenset[str]:
    """Which of ``needed`` (INSERT, DELETE, DROP, ALTER) the principal lacks to change a table (empty: none).

    The table is left to IAM as for reading (hybrid access mode and not opted in), or when
    ``IAMAllowedPrincipals`` holds ALL or every needed permission on it. Otherwise the principal needs them
    through grants on the table (by name or ``TableWildcard``) or an LF-tag policy its tags match; ALL
    covers every one. Column grants and data filters give SELECT only. Permission names per resource:
    https://docs.aws.amazon.com/lake-formation/latest/dg/lf-permissions-reference.html
    """
    if who.type in (context.ROOT, context.AWS_SERVICE) or not needed:
        return frozenset()
    catalog.sync(lake)
    found = catalog.find_table(lake, database, table)
    if found is None:
        return frozenset()  # the engine reports a missing table in its own words
    database, name = found.database, found.name
    with lake.lock:
        grants = list(lake.grants.values())
        identifiers = principals.identifiers(who)
        _, opted_in = _hybrid(lake, identifiers, found)
        if opted_in is False:
            return frozenset()
        if opted_in is None:
            everyone = set().union(*(_on_table(lake, g, database, name) for g in grants
                                     if g.principal == IAM_ALLOWED_PRINCIPALS))
            if "ALL" in everyone or needed <= everyone:
                return frozenset()
        held = set().union(*(_on_table(lake, g, database, name) for g in grants if g.principal in identifiers))
        if _created_by(lake, found, identifiers):
            held.add("ALL")
    return frozenset() if "ALL" in held else frozenset(needed - held)


def on_database(lake: Lake, database: str, identifiers: set[str]) -> set[str]:
    """The permissions ``identifiers`` hold on a database, by name or through an LF-tag policy on databases."""
    held: set[str] = set()
    for grant in list(lake.grants.values()):
        if grant.principal not in identifiers:
            continue
        kind, body = next(iter(grant.resource.items()))
        if kind == "Database" and body.get("Name") == database:
            held |= grant.permissions
        elif kind == "LFTagPolicy" and body.get("ResourceType") == "DATABASE" and \
                tags.matches(body["Expression"], tags.database_tags(lake, database)):
            held |= grant.permissions
    return held


def _created_by(lake: Lake, table: Any, identifiers: set[str]) -> bool:
    """Whether the principal created this table (this one: not an earlier table of the same name)."""
    from lakelab.emulator.services.lakeformation import creation

    return creation.created_by(lake.creators.get((table.database.lower(), table.name.lower())),
                               table.fake.created_time, identifiers)


def _on_table(lake: Lake, grant: Grant, database: str, table: str) -> set[str]:
    """The permissions ``grant`` gives on the whole table (not on some of its columns)."""
    kind, body = next(iter(grant.resource.items()))
    if kind == "Table" and body.get("DatabaseName") == database and (
            "TableWildcard" in body or body.get("Name") == table):
        return set(grant.permissions)
    if kind == "LFTagPolicy" and body.get("ResourceType") == "TABLE" and \
            tags.matches(body["Expression"], tags.table_tags(lake, database, table)):
        return set(grant.permissions)
    return set()


def _hybrid(lake: Lake, identifiers: Any, table: Any) -> tuple[Location | None, bool | None]:
    """The registered location covering a table and, if it is in hybrid access mode, whether the principal
    is opted in (None: not hybrid, ``IAMAllowedPrincipals`` then decides whether IAM does)."""
    location = registration(lake, table.location or catalog.database_location(lake, table.database))
    if location is None or not location.hybrid:
        return location, None
    return location, optins.opted_in(lake, identifiers, table.database, table.name)


def _answer(decided: TableAccess | Denied | None) -> TableAccess | None:
    if isinstance(decided, Denied):  # a new exception each time: a cached one would grow its traceback
        raise Denied(decided.principal_arn, decided.database, decided.table)
    return decided


def _decide(lake: Lake, who: context.Principal, table: Any) -> TableAccess | None:
    database, name = table.database, table.name
    with lake.lock:
        grants = list(lake.grants.values())
        identifiers = principals.identifiers(who)
        location, opted_in = _hybrid(lake, identifiers, table)
        if opted_in is False:
            return None  # hybrid access mode: IAM decides for every principal not opted in
        if opted_in is None and any(_reads_table(g, database, name) for g in grants
                                    if g.principal == IAM_ALLOWED_PRINCIPALS):
            return None
        mine = [g for g in grants if g.principal in identifiers]
        if _created_by(lake, table, identifiers):  # a table creator's implicit permissions: all of them
            mine.append(Grant(next(iter(identifiers)), {"Table": {"DatabaseName": database, "Name": name}}, {"ALL"}))
        all_columns = tuple(catalog.column_names(table))
        columns: dict[str, list[str | None]] = {}
        for covered, row_filter in _sources(lake, mine, database, name, all_columns):
            for column in covered:
                if row_filter not in columns.setdefault(column, []):
                    columns[column].append(row_filter)
    if not columns:
        raise Denied(who.arn, database, name)
    if location is None:
        return TableAccess(database, name, all_columns, {c: (ALL_ROWS,) for c in all_columns}, fine_grained=False)
    shaped = {c: ((ALL_ROWS,) if ALL_ROWS in columns[c] else tuple(columns[c])) for c in all_columns if c in columns}
    return TableAccess(database, name, all_columns, shaped, read_as=location.role_arn)


def visible_columns(lake: Lake, who: context.Principal, database: str, table: str) -> tuple[str, ...] | None:
    """The columns whose metadata the principal sees (None: all of them; empty: the table is hidden).

    DESCRIBE on the table (or all tables of its database) shows every column, as it does for a data
    lake administrator; otherwise the columns the principal may read.
    """
    try:
        access = decide(lake, who, database, table)
    except Denied:
        access = TableAccess(database, table, ())
    if access is None or principals.is_admin(lake, who):
        return None
    with lake.lock:
        described = any(_describes(g, access.database, access.table) for g in lake.grants.values()
                        if g.principal in principals.identifiers(who))
    return None if described else tuple(access.columns)


def _describes(grant: Grant, database: str, table: str) -> bool:
    body = grant.resource.get("Table")
    if body is None or body.get("DatabaseName") != database or not grant.permissions & {"DESCRIBE", "ALL"}:
        return False
    return "TableWildcard" in body or body.get("Name") == table


def registration(lake: Lake, location: str) -> Location | None:
    """The registered location that covers ``location`` (the longest one), if any."""
    covering = [found for found in lake.locations.values() if location and found.covers(location)]
    return max(covering, key=lambda found: len(found.path)) if covering else None


def _reads_table(grant: Grant, database: str, table: str) -> bool:
    body = grant.resource.get("Table")
    if body is None or body.get("DatabaseName") != database or not grant.permissions & _READING:
        return False
    return "TableWildcard" in body or body.get("Name") == table


def _sources(lake: Lake, grants: list[Grant], database: str, table: str,
             all_columns: tuple[str, ...]) -> list[tuple[tuple[str, ...], str | None]]:
    """(columns, row filter) pairs, one per grant that lets the principal read some of the table."""
    found: list[tuple[tuple[str, ...], str | None]] = []
    for grant in grants:
        if not grant.permissions & _READING:
            continue
        kind, body = next(iter(grant.resource.items()))
        if kind == "Table" and _reads_table(grant, database, table):
            found.append((all_columns, ALL_ROWS))
        elif kind == "TableWithColumns" and (body["DatabaseName"], body["Name"]) == (database, table):
            found.append((_columns_of(body, all_columns), ALL_ROWS))
        elif kind == "DataCellsFilter" and (body["DatabaseName"], body["TableName"]) == (database, table):
            data_filter = lake.data_filters.get((database, table, body["Name"]))
            if data_filter is not None:
                found.append((_columns_of(data_filter, all_columns),
                              (data_filter.get("RowFilter") or {}).get("FilterExpression") or ALL_ROWS))
        elif kind == "LFTagPolicy" and body["ResourceType"] == "TABLE":
            matched = tuple(c for c in all_columns
                            if tags.matches(body["Expression"], tags.column_tags(lake, database, table, c)))
            if matched:
                found.append((matched, ALL_ROWS))
    return found


def _columns_of(body: dict[str, Any], all_columns: tuple[str, ...]) -> tuple[str, ...]:
    if "ColumnNames" in body:
        return tuple(c for c in all_columns if c in body["ColumnNames"])
    excluded = (body.get("ColumnWildcard") or {}).get("ExcludedColumnNames") or []
    return tuple(c for c in all_columns if c not in excluded)


def forget() -> None:
    with _cache_lock:
        _cache.clear()
