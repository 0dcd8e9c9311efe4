"""Resources of the Glue Data Catalog and Athena that a call's parameters name.

A Glue catalog call is allowed only if the catalog, the database and (for table and partition
calls) the table ARNs are all allowed. An Athena call about a query execution is checked on the
execution's workgroup, which only the execution knows.
"""

from __future__ import annotations

from typing import Any

from lakelab.emulator import seam

_DATABASE_CALLS = {"CreateDatabase", "GetDatabase", "UpdateDatabase", "DeleteDatabase"}
_ALL_TABLES_CALLS = {"GetTables", "SearchTables", "BatchDeleteTable"}
_CONNECTION_CALLS = {"CreateConnection", "GetConnection", "UpdateConnection", "DeleteConnection"}


def glue_catalog_arns(operation: str, params: dict[str, Any], where: tuple[str, str]) -> list[str]:
    """catalog (+ database (+ table)) ARNs for a Data Catalog call; the catalog alone otherwise."""
    region, account = where[0], str(params.get("CatalogId") or where[1])
    catalog = f"arn:aws:glue:{region}:{account}:catalog"
    if operation in _CONNECTION_CALLS:
        name = params.get("Name") or (params.get("ConnectionInput") or {}).get("Name") or "*"
        return [catalog, f"arn:aws:glue:{region}:{account}:connection/{name}"]
    database = params.get("DatabaseName")
    if operation in _DATABASE_CALLS:
        database = params.get("Name") or (params.get("DatabaseInput") or {}).get("Name")
    if not database:
        return [catalog]
    arns = [catalog, f"arn:aws:glue:{region}:{account}:database/{database}"]
    table = params.get("TableName") or params.get("Name") or (params.get("TableInput") or {}).get("Name")
    if operation in _ALL_TABLES_CALLS:
        table = "*"
    if table and operation not in _DATABASE_CALLS:
        arns.append(f"arn:aws:glue:{region}:{account}:table/{database}/{table}")
    return arns


def athena_workgroup_of(execution_id: str, where: tuple[str, str]) -> str | None:
    """The workgroup a query execution ran in (None when there is no such execution)."""
    try:
        execution = seam.backend("athena", where[1], where[0]).executions.get(execution_id)
    except (KeyError, AttributeError):
        return None
    workgroup = getattr(execution, "workgroup", None)
    return getattr(workgroup, "name", workgroup) if workgroup is not None else None
