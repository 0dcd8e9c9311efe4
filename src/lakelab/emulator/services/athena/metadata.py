"""Athena's catalog API (ListDatabases, GetDatabase, ListTableMetadata, GetTableMetadata), read from Glue.

moto's Athena keeps a database list of its own; Athena reads the Glue Data Catalog, so these
answer with what Glue (and Athena DDL) registered.
"""

from __future__ import annotations

import json
from typing import Any

from lakelab.emulator import seam
from lakelab.emulator.engine.catalog import Catalog, Table


def _catalog(response: Any) -> Catalog:
    backend = response.athena_backend
    return Catalog(backend.account_id, backend.region_name)


def _error(message: str) -> Any:
    return seam.JsonRESTError("MetadataException", message)


def _page(response: Any, items: list[Any]) -> tuple[list[Any], str | None]:
    start = int(response._get_param("NextToken") or 0)
    limit = int(response._get_param("MaxResults") or 50)
    return items[start : start + limit], (str(start + limit) if start + limit < len(items) else None)


def list_databases(self: Any) -> str:
    found = _catalog(self)
    databases = [_database(found.find_database(n)) for n in found.database_names()]
    page, token = _page(self, databases)
    return json.dumps({"DatabaseList": page, **({"NextToken": token} if token else {})})


def get_database(self: Any) -> str:
    name = self._get_param("DatabaseName")
    found = _catalog(self).find_database(name)
    if found is None:
        raise _error(f"Database {name} not found.")
    return json.dumps({"Database": _database(found)})


def _database(database: Any) -> dict[str, Any]:
    return {"Name": database.name, "Description": database.input.get("Description") or "",
            "Parameters": database.input.get("Parameters") or {}}


def list_table_metadata(self: Any) -> str:
    found = _catalog(self)
    name = self._get_param("DatabaseName")
    if found.find_database(name) is None:
        raise _error(f"Database {name} not found.")
    tables = [found.find_table(name, t) for t in found.table_names(name)]
    page, token = _page(self, [_table(t) for t in tables if t is not None])
    return json.dumps({"TableMetadataList": page, **({"NextToken": token} if token else {})})


def get_table_metadata(self: Any) -> str:
    database, name = self._get_param("DatabaseName"), self._get_param("TableName")
    table = _catalog(self).find_table(database, name)
    if table is None:
        raise _error(f"Table {name} not found.")
    return json.dumps({"TableMetadata": _table(table)})


def _table(table: Table) -> dict[str, Any]:
    storage = table.storage
    serde = storage.get("SerdeInfo") or {}
    parameters = {**table.parameters, "location": table.location, "inputformat": storage.get("InputFormat", ""),
                  "outputformat": storage.get("OutputFormat", ""),
                  "serde.serialization.lib": serde.get("SerializationLibrary", "")}
    parameters.update({f"serde.param.{k}": v for k, v in table.serde_parameters.items()})
    created = _epoch(table.fake.created_time) if table.fake is not None else 0
    return {
        "Name": table.name, "CreateTime": created, "TableType": table.definition.get("TableType", "EXTERNAL_TABLE"),
        "Columns": storage.get("Columns") or [], "PartitionKeys": table.definition.get("PartitionKeys") or [],
        "Parameters": parameters,
    }


def _epoch(moment: Any) -> float:
    from datetime import timezone

    return (moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)).timestamp()


HANDLERS = {"list_databases": list_databases, "get_database": get_database,
            "list_table_metadata": list_table_metadata, "get_table_metadata": get_table_metadata}
