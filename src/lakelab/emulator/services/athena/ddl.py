"""DDL that changes the Glue catalog: databases, external tables, partitions.

Athena runs these against the Glue Data Catalog and never touches the data: DROP TABLE keeps the
files, MSCK REPAIR TABLE registers the Hive-style ``key=value/`` folders it finds under the table
location, ALTER TABLE ADD PARTITION registers a folder (any folder) as a partition.
"""

from __future__ import annotations

import copy
from typing import Any

from lakelab.emulator.engine import errors, storage
from lakelab.emulator.services.athena import results
from lakelab.emulator.engine.catalog import Column, Table
from lakelab.emulator.services.athena.context import Context
from lakelab.emulator.services.athena.grammar import Statement
from lakelab.emulator.services.athena.results import Result

_HIVE = "org.apache.hadoop.hive"
TEXT_INPUT, TEXT_OUTPUT = "org.apache.hadoop.mapred.TextInputFormat", f"{_HIVE}.ql.io.HiveIgnoreKeyTextOutputFormat"
LAZY_SIMPLE = f"{_HIVE}.serde2.lazy.LazySimpleSerDe"
PARQUET_FORMATS = (f"{_HIVE}.ql.io.parquet.MapredParquetInputFormat", f"{_HIVE}.ql.io.parquet.MapredParquetOutputFormat",
                   f"{_HIVE}.ql.io.parquet.serde.ParquetHiveSerDe")
STORED_AS = {
    "TEXTFILE": (TEXT_INPUT, TEXT_OUTPUT, LAZY_SIMPLE),
    "PARQUET": PARQUET_FORMATS,
    "JSON": (TEXT_INPUT, TEXT_OUTPUT, "org.openx.data.jsonserde.JsonSerDe"),
    "ORC": (f"{_HIVE}.ql.io.orc.OrcInputFormat", f"{_HIVE}.ql.io.orc.OrcOutputFormat", f"{_HIVE}.ql.io.orc.OrcSerde"),
    "AVRO": (f"{_HIVE}.ql.io.avro.AvroContainerInputFormat", f"{_HIVE}.ql.io.avro.AvroContainerOutputFormat",
             f"{_HIVE}.serde2.avro.AvroSerDe"),
}
_DDL_TASK = "FAILED: Execution Error, return code 1 from org.apache.hadoop.hive.ql.exec.DDLTask. "


def create_database(context: Context, statement: Statement) -> Result:
    name = statement.name or ""
    if context.catalog.find_database(name) is not None:
        if statement.options["if_not_exists"]:
            return results.empty_result()
        raise errors.QueryFailed(f"{_DDL_TASK}Database {name} already exists")
    database_input: dict[str, Any] = {"Name": name, "Parameters": statement.options.get("properties", {})}
    for option, key in (("comment", "Description"), ("location", "LocationUri")):
        if option in statement.options:
            database_input[key] = statement.options[option]
    context.catalog.glue.create_database(name, database_input)
    return results.empty_result()


def drop_database(context: Context, statement: Statement) -> Result:
    name = statement.name or ""
    found = context.catalog.find_database(name)
    if found is None:
        if statement.options["if_exists"]:
            return results.empty_result()
        raise errors.QueryFailed(f"FAILED: SemanticException [Error 10072]: Database does not exist: {name}")
    if found.tables and not statement.options["cascade"]:
        raise errors.QueryFailed(f"{_DDL_TASK}InvalidOperationException(message:Database {name} is not empty. "
                                 "One or more tables exist.)")
    context.catalog.glue.delete_database(found.name)
    return results.empty_result()


def create_table(context: Context, statement: Statement) -> Result:
    options = statement.options
    if not options["external"]:
        if options["properties"].get("table_type", "").upper() == "ICEBERG":
            raise errors.not_supported("Creating Iceberg tables")
        raise errors.QueryFailed("NOT_SUPPORTED: Only external table creation is supported: "
                                 "use CREATE EXTERNAL TABLE, or CREATE TABLE AS SELECT")
    database = context.require_database(statement.database)
    if context.catalog.find_table(database, statement.name or "") is not None:
        if options["if_not_exists"]:
            return results.empty_result()
        raise errors.QueryFailed(f"{_DDL_TASK}AlreadyExistsException(message:Table {statement.name} already exists)")
    if not options.get("location", "").startswith("s3://"):
        raise errors.QueryFailed("FAILED: SemanticException An external table needs LOCATION 's3://bucket/folder/'")
    context.catalog.glue.create_table(database, statement.name, table_input(statement))
    return results.empty_result()


def table_input(statement: Statement) -> dict[str, Any]:
    options = statement.options
    input_format, output_format, serde = STORED_AS.get(options.get("stored_as", "TEXTFILE"), STORED_AS["TEXTFILE"])
    storage_descriptor = {
        "Columns": [c.to_glue() for c in options["columns"]],
        "Location": options["location"],
        "InputFormat": options.get("input_format", input_format),
        "OutputFormat": options.get("output_format", output_format),
        "Compressed": False,
        "NumberOfBuckets": int(options.get("bucket_count", -1)),
        "SerdeInfo": {"SerializationLibrary": options.get("serde", serde),
                      "Parameters": dict(options["serde_properties"]) or {"serialization.format": "1"}},
        "BucketColumns": options.get("bucketed_by", []), "SortColumns": [], "StoredAsSubDirectories": False,
    }
    found: dict[str, Any] = {
        "Name": statement.name, "TableType": "EXTERNAL_TABLE",
        "Parameters": {"EXTERNAL": "TRUE", **options["properties"]},
        "PartitionKeys": [c.to_glue() for c in options["partition_keys"]],
        "StorageDescriptor": storage_descriptor,
    }
    if options.get("comment"):
        found["Description"] = options["comment"]
    return found


def drop_table(context: Context, statement: Statement) -> Result:
    database = context.database_of(statement.database)
    found = context.catalog.find_table(database, statement.name or "")
    is_view = found is not None and found.definition.get("TableType") == "VIRTUAL_VIEW"
    if found is None or is_view != (statement.kind == "drop_view"):
        if statement.options["if_exists"]:
            return results.empty_result()
        if statement.kind == "drop_view":
            raise errors.QueryFailed(f"line 1:1: View 'awsdatacatalog.{database}.{statement.name}' does not exist")
        raise errors.QueryFailed(f"FAILED: SemanticException [Error 10001]: Table not found {statement.name}")
    context.catalog.glue.delete_table(found.database, found.name)
    return results.empty_result()


def _table(context: Context, statement: Statement) -> Table:
    table = context.catalog.table(context.database_of(statement.database), statement.name or "")
    if table.definition.get("TableType") == "VIRTUAL_VIEW":
        raise errors.QueryFailed(f"FAILED: SemanticException [Error 10131]: {table.name} is a view")
    return table


def partition_input(table: Table, values: list[str], location: str | None) -> dict[str, Any]:
    """A partition inherits the table's storage (format, SerDe) with its own location."""
    descriptor = copy.deepcopy(table.storage)
    descriptor["Location"] = location or table.default_partition_location(values)
    return {"Values": values, "StorageDescriptor": descriptor}


def add_partitions(context: Context, statement: Statement) -> Result:
    table = _table(context, statement)
    keys = [k.name for k in table.partition_keys]
    existing = {tuple(p.values) for p in table.partitions()}
    for spec, location in statement.options["partitions"]:
        values = _values(table, keys, spec)
        if tuple(values) in existing:
            if statement.options["if_not_exists"]:
                continue
            raise errors.QueryFailed(f"{_DDL_TASK}AlreadyExistsException(message:Partition already exists: {spec})")
        context.catalog.glue.create_partition(table.database, table.name, partition_input(table, values, location))
        existing.add(tuple(values))
    return results.empty_result()


def _values(table: Table, keys: list[str], spec: dict[str, str]) -> list[str]:
    unknown = [k for k in spec if k not in keys]
    if unknown:
        raise errors.QueryFailed(f"FAILED: SemanticException [Error 10098]: Non-Partition column appears in the "
                                 f"partition specification: {unknown[0]}")
    if len(spec) != len(keys):
        raise errors.QueryFailed(f"FAILED: SemanticException partition spec {spec} doesn't contain all "
                                 f"({len(keys)}) partition columns")
    return [spec[k] for k in keys]


def drop_partitions(context: Context, statement: Statement) -> Result:
    table = _table(context, statement)
    keys = [k.name for k in table.partition_keys]
    existing = {tuple(p.values) for p in table.partitions()}
    for spec in statement.options["partitions"]:
        values = _values(table, keys, spec)
        if tuple(values) not in existing:
            if statement.options["if_exists"]:
                continue
            raise errors.QueryFailed(f"FAILED: SemanticException [Error 10006]: Partition not found {spec}")
        context.catalog.glue.delete_partition(table.database, table.name, values)
    return results.empty_result()


def repair(context: Context, statement: Statement) -> Result:
    """MSCK REPAIR TABLE: register every ``k1=v1/k2=v2/`` folder under the location not yet known."""
    table = _table(context, statement)
    keys = [k.name for k in table.partition_keys]
    if not keys:
        return results.text_result(["msck"], [])
    bucket, prefix = storage.folder(table.location)
    known = {tuple(p.values) for p in table.partitions()}
    found: dict[tuple[str, ...], str] = {}
    for key, _ in storage.list_files(context.account_id, bucket, prefix):
        parts = key[len(prefix):].split("/")[: len(keys)]
        pairs = [part.split("=", 1) for part in parts if "=" in part]
        if len(pairs) == len(keys) and [p[0].lower() for p in pairs] == keys:
            values = tuple(p[1] for p in pairs)
            found.setdefault(values, f"s3://{bucket}/{prefix}{'/'.join(parts)}/")
    added = sorted(v for v in found if v not in known)
    for values in added:
        context.catalog.glue.create_partition(table.database, table.name,
                                              partition_input(table, list(values), found[values]))
    return _repair_report(table, keys, added)


def _repair_report(table: Table, keys: list[str], added: list[tuple[str, ...]]) -> Result:
    names = ["/".join(f"{k}={v}" for k, v in zip(keys, values)) for values in added]
    lines = []
    if names:
        lines.append("Partitions not in metastore:\t" + "\t".join(f"{table.name}:{n}" for n in names))
        lines += [f"Repair: Added partition to metastore {table.name}:{n}" for n in names]
    return results.text_result(["msck"], [[line] for line in lines])


def alter_table(context: Context, statement: Statement) -> Result:
    table = _table(context, statement)
    definition = copy.deepcopy(table.definition)
    for key in ("DatabaseName", "CreateTime", "UpdateTime", "VersionId", "CatalogId", "CreatedBy", "IsRegisteredWithLakeFormation"):
        definition.pop(key, None)
    definition["Name"] = table.name
    if statement.kind == "set_location":
        definition["StorageDescriptor"]["Location"] = statement.options["location"]
    elif statement.kind == "set_properties":
        definition["Parameters"] = {**table.parameters, **statement.options["properties"]}
    elif statement.kind == "add_columns":
        new: list[Column] = statement.options["columns"]
        # Hive's DDL refuses a name the table already has (partition keys included), as on AWS; appending it
        # would make a table with two columns of one name that every later query misreads. The text is Hive's
        # (ErrorMsg DUPLICATE_COLUMN_NAMES, 10036); Athena's exact wording for it is unverified.
        taken = {c["Name"].lower() for c in table.storage.get("Columns", []) + table.definition.get("PartitionKeys", [])}
        for column in new:
            if column.name.lower() in taken:
                raise errors.QueryFailed(f"FAILED: SemanticException [Error 10036]: Duplicate column name: "
                                         f"{column.name.lower()}")
            taken.add(column.name.lower())
        definition["StorageDescriptor"]["Columns"] = table.storage.get("Columns", []) + [c.to_glue() for c in new]
    context.catalog.glue.update_table(table.database, table.name, definition)
    return results.empty_result()
