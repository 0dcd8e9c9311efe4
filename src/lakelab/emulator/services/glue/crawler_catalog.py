"""Writing a crawl's tables and partitions to moto's Glue catalog, as a crawler does.

Tables carry what crawled tables carry on AWS (``classification``, ``recordCount``,
``UPDATED_BY_CRAWLER``, ... in both the table's and the storage descriptor's parameters).
``SchemaChangePolicy`` decides what happens to existing tables: ``UPDATE_IN_DATABASE`` replaces
their definition, ``LOG`` leaves it (new tables and partitions are still added, as on AWS),
and the ``MergeNewColumns`` configuration only appends new columns. Tables of this crawler
whose data is gone are deleted, marked with ``DEPRECATED_BY_CRAWLER`` (epoch milliseconds, as
AWS writes it) or only logged; vanished partitions are deleted under ``DELETE_FROM_DATABASE``
and otherwise kept and logged.

The catalog is shared with request threads, so dictionaries are replaced by updated copies
rather than changed in place: a ``GetPartitions`` during a crawl never sees one half-written.
"""

from __future__ import annotations

import hashlib
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from lakelab.emulator import seam
from lakelab.emulator.services.glue.crawler_layout import Partition, TablePlan
from lakelab.emulator.services.glue.schema_inference import JSON_SERDE, FileSchema, Format, hive_type

MAX_NAME = 128
_RUN_SPECIFIC = ("CRAWL_RUN_ID",)
# Keys GetTable adds to what was written; a TableInput must not carry them.
_DESCRIBED_ONLY = ("DatabaseName", "CreateTime", "UpdateTime", "VersionId", "CatalogId")


@dataclass
class CrawlContext:
    crawler_name: str
    database: str
    table_prefix: str
    update_behavior: str  # UPDATE_IN_DATABASE | LOG
    delete_behavior: str  # DEPRECATE_IN_DATABASE | DELETE_FROM_DATABASE | LOG
    merge_new_columns: bool
    crawl_id: str
    created_by: str
    target_locations: list[str]
    log: Callable[[str], None]


@dataclass
class CatalogChanges:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)
    partitions_added: int = 0


def write_catalog(backend: Any, context: CrawlContext, plans: list[TablePlan]) -> CatalogChanges:
    """Create or update the planned tables, then handle this crawler's tables whose data is gone."""
    database = backend.get_database(context.database)  # EntityNotFoundException fails the crawl
    changes = CatalogChanges()
    written: set[str] = set()
    for plan in plans:
        name = _unique_name(database, context, plan, written)
        written.add(name)
        _write_table(backend, database, context, name, plan, changes)
    _handle_vanished_tables(database, context, written, changes)
    return changes


def _unique_name(database: Any, context: CrawlContext, plan: TablePlan, taken: set[str]) -> str:
    """TablePrefix + name; a clash with another location gets a hash suffix, as Glue adds one."""
    name = (context.table_prefix + plan.name)[:MAX_NAME]
    existing = database.tables.get(name)
    clash = name in taken or (existing is not None and _location(existing.as_dict()) != plan.location)
    if not clash:
        return name
    suffix = "_" + hashlib.md5(plan.location.encode()).hexdigest()
    return name[: MAX_NAME - len(suffix)] + suffix


def _write_table(
    backend: Any, database: Any, context: CrawlContext, name: str, plan: TablePlan, changes: CatalogChanges
) -> None:
    wanted = table_input(context, name, plan)
    existing = database.tables.get(name)
    if existing is None:
        _replace_table(backend, database, name, wanted)
        _audit("CreateTable", context, name)
        changes.created.append(name)
        context.log(f"INFO : Created table {name} in database {context.database}")
        schema_updated = False
    else:
        schema_updated = _update_table(backend, database, context, name, existing, wanted)
    table = database.tables[name]
    if table.as_dict().get("PartitionKeys", []) == wanted["PartitionKeys"]:
        added, removed = _sync_partitions(table, context, name, plan)
    else:
        context.log(f"WARN : Table {name} keeps its old partition keys, so the crawler adds no partitions to it")
        added = removed = 0
    changes.partitions_added += added
    if existing is not None and (schema_updated or added or removed):
        changes.updated.append(name)


def _update_table(
    backend: Any, database: Any, context: CrawlContext, name: str, existing: Any, wanted: dict[str, Any]
) -> bool:
    """Apply UpdateBehavior to an existing table; True when its definition changed."""
    current = {key: value for key, value in existing.as_dict().items() if key in wanted}
    if context.merge_new_columns:
        wanted = _with_new_columns_only(current, wanted)
    if _comparable(current) == _comparable(wanted):
        return False
    schema_changed = _schema(current) != _schema(wanted)
    if context.update_behavior == "LOG":
        if schema_changed:
            context.log(
                f"WARN : The schema of table {name} in database {context.database} has changed; "
                "the change is not applied because SchemaChangePolicy.UpdateBehavior is LOG"
            )
        return False
    backend.update_table(context.database, name, wanted)
    _audit("UpdateTable", context, name)
    if schema_changed:
        context.log(f"INFO : Table {name} in database {context.database} has been updated with new schema")
    return schema_changed or _is_deprecated(current)


def _with_new_columns_only(current: dict[str, Any], wanted: dict[str, Any]) -> dict[str, Any]:
    columns = list(current.get("StorageDescriptor", {}).get("Columns", []))
    known = {column["Name"] for column in columns}
    columns += [column for column in wanted["StorageDescriptor"]["Columns"] if column["Name"] not in known]
    merged = {**wanted, "StorageDescriptor": {**wanted["StorageDescriptor"], "Columns": columns}}
    merged["PartitionKeys"] = current.get("PartitionKeys", wanted["PartitionKeys"])
    return merged


def _comparable(table: dict[str, Any]) -> Any:
    """A table input without what changes on every crawl, for "did anything change?"."""
    def strip(parameters: dict[str, str]) -> dict[str, str]:
        return {key: value for key, value in parameters.items() if key not in _RUN_SPECIFIC}

    storage = table.get("StorageDescriptor", {})
    return (
        _schema(table), strip(table.get("Parameters", {})), strip(storage.get("Parameters", {})),
        storage.get("SerdeInfo"), storage.get("InputFormat"), storage.get("Location"),
    )


def _schema(table: dict[str, Any]) -> Any:
    return table.get("StorageDescriptor", {}).get("Columns"), table.get("PartitionKeys")


def _location(table: dict[str, Any]) -> str:
    return table.get("StorageDescriptor", {}).get("Location", "")


# --- partitions -----------------------------------------------------------------------------


def _sync_partitions(table: Any, context: CrawlContext, name: str, plan: TablePlan) -> tuple[int, int]:
    """Add new partitions, refresh changed ones, handle vanished ones; (added, vanished)."""
    partitions = OrderedDict(table.partitions)
    added: list[list[str]] = []
    for partition in plan.partitions:
        key, wanted = str(partition.values), partition_input(context, plan, partition)
        old = partitions.get(key)
        if old is None:
            added.append(partition.values)
        elif context.update_behavior == "LOG" or _comparable(old.partition_input) == _comparable(wanted):
            continue
        partitions[key] = seam.FakePartition(context.database, name, wanted)
        if old is not None:
            partitions[key].creation_time = old.creation_time
    present = {str(partition.values) for partition in plan.partitions}
    vanished = [key for key in partitions if key not in present] if plan.partition_keys else []
    if vanished and context.delete_behavior == "DELETE_FROM_DATABASE":
        for key in vanished:
            del partitions[key]
        context.log(f"INFO : Deleted partitions {_values(vanished)} of table {name}: their data is gone")
    elif vanished:
        context.log(f"INFO : Partitions {_values(vanished)} of table {name} have no data; DeleteBehavior keeps them")
    table.partitions = partitions
    if added:
        listed = ", ".join("[" + ", ".join(values) + "]" for values in added)
        where = f"table {name} in database {context.database}"
        context.log(f"INFO : Created partitions with values [{listed}] for {where}")
    return len(added), len(vanished)


def _values(keys: list[str]) -> str:
    return ", ".join(keys)


# --- vanished tables ------------------------------------------------------------------------


def _handle_vanished_tables(database: Any, context: CrawlContext, written: set[str], changes: CatalogChanges) -> None:
    for name, table in list(database.tables.items()):
        current = table.as_dict()
        mine = current.get("Parameters", {}).get("UPDATED_BY_CRAWLER") == context.crawler_name
        inside = any(_location(current).startswith(location) for location in context.target_locations)
        if name in written or not mine or not inside:
            continue
        if context.delete_behavior == "DELETE_FROM_DATABASE":
            database.tables = OrderedDict((key, value) for key, value in database.tables.items() if key != name)
            context.log(f"INFO : Deleted table {name} from database {context.database}: its data is gone")
            changes.deleted.append(name)
        elif context.delete_behavior == "DEPRECATE_IN_DATABASE" and not _is_deprecated(current):
            table.update(_deprecated(current))
            context.log(f"INFO : Table {name} in database {context.database} is marked deprecated: its data is gone")
            changes.deleted.append(name)
        elif context.delete_behavior == "LOG":
            context.log(f"INFO : Table {name} has no data any more; DeleteBehavior LOG leaves it in the catalog")


def _is_deprecated(table: dict[str, Any]) -> bool:
    return "DEPRECATED_BY_CRAWLER" in table.get("Parameters", {})


def _deprecated(current: dict[str, Any]) -> dict[str, Any]:
    marker = {"DEPRECATED_BY_CRAWLER": str(int(time.time() * 1000))}
    kept = {key: value for key, value in current.items() if key not in _DESCRIBED_ONLY}
    storage = kept.get("StorageDescriptor", {})
    kept["Parameters"] = {**kept.get("Parameters", {}), **marker}
    kept["StorageDescriptor"] = {**storage, "Parameters": {**storage.get("Parameters", {}), **marker}}
    return kept


def _audit(event_name: str, context: CrawlContext, name: str) -> None:
    """CloudTrail records the crawler's catalog changes as its role's session's calls, as on AWS."""
    from lakelab.emulator import context as request_context
    from lakelab.emulator.services import cloudtrail

    cloudtrail.record_service_call(request_context.current(), "glue.amazonaws.com", event_name,
                                   {"databaseName": context.database, "tableInput": {"name": name}})


def _replace_table(backend: Any, database: Any, name: str, wanted: dict[str, Any]) -> None:
    tables = OrderedDict(database.tables)
    tables[name] = seam.FakeTable(database.name, name, wanted, catalog_id=backend.account_id)
    database.tables = tables


# --- table and partition definitions --------------------------------------------------------


def table_input(context: CrawlContext, name: str, plan: TablePlan) -> dict[str, Any]:
    parameters = _parameters(context, plan.format, plan.files)
    return {
        "Name": name,
        "Owner": "owner",
        "Retention": 0,
        "TableType": "EXTERNAL_TABLE",
        "CreatedBy": context.created_by,
        "PartitionKeys": [{"Name": key, "Type": "string"} for key in plan.partition_keys],
        "Parameters": parameters,
        "StorageDescriptor": _storage(plan.location, plan.columns, plan.format, parameters, plan.files),
    }


def partition_input(context: CrawlContext, plan: TablePlan, partition: Partition) -> dict[str, Any]:
    parameters = _parameters(context, plan.format, partition.files)
    storage = _storage(partition.location, partition.columns, plan.format, parameters, partition.files)
    return {"Values": partition.values, "StorageDescriptor": storage, "Parameters": parameters}


def _parameters(context: CrawlContext, fmt: Format, files: list[FileSchema]) -> dict[str, str]:
    size = sum(schema.size for schema in files)
    records = sum(schema.records for schema in files)
    parameters = {
        "CrawlerSchemaDeserializerVersion": "1.0",
        "CrawlerSchemaSerializerVersion": "1.0",
        "UPDATED_BY_CRAWLER": context.crawler_name,
        "CRAWL_RUN_ID": context.crawl_id,
        "averageRecordSize": str(size // records if records else 0),
        "classification": fmt.classification,
        "compressionType": fmt.compression,
        "objectCount": str(len(files)),
        "recordCount": str(records),
        "sizeKey": str(size),
        "typeOfData": "file",
    }
    parameters.update(fmt.table_parameters)
    return parameters


def _storage(
    location: str, columns: dict[str, Any], fmt: Format, parameters: dict[str, str], files: list[FileSchema]
) -> dict[str, Any]:
    serde_parameters = dict(fmt.serde_parameters)
    if fmt.serde == JSON_SERDE:
        serde_parameters["paths"] = ",".join(sorted(set().union(*(schema.source_names for schema in files))))
    return {
        "Columns": [{"Name": column, "Type": hive_type(kind)} for column, kind in columns.items()],
        "Location": location,
        "InputFormat": fmt.input_format,
        "OutputFormat": fmt.output_format,
        "Compressed": False,
        "NumberOfBuckets": -1,
        "SerdeInfo": {"SerializationLibrary": fmt.serde, "Parameters": serde_parameters},
        "BucketColumns": [],
        "SortColumns": [],
        "Parameters": dict(parameters),
        "StoredAsSubDirectories": False,
    }
