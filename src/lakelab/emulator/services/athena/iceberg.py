"""Apache Iceberg tables in Athena: the table format is pyiceberg's, the SQL the shared engine's.

What works, as Athena (engine version 3) documents it
(https://docs.aws.amazon.com/athena/latest/ug/querying-iceberg.html and the pages under it):

- ``CREATE TABLE t (...) [PARTITIONED BY (col, day(ts), bucket(16, id), truncate(4, s), ...)]
  LOCATION 's3://...' TBLPROPERTIES ('table_type'='ICEBERG' [, 'format'='parquet',
  'write_compression'='snappy', 'vacuum_max_snapshot_age_seconds'=..., ...])`` and
  ``CREATE TABLE t WITH (table_type='ICEBERG', is_external=false, location='s3://...',
  partitioning=ARRAY['day(ts)']) AS SELECT ...``: an Iceberg v2 table whose metadata, manifests
  and Parquet data files are under the location, registered in Glue as Athena registers it
  (``table_type``=``ICEBERG``, ``metadata_location``, ``previous_metadata_location``; see
  ``iceberg_io``), so pyiceberg's Glue catalog and awswrangler read it.
- ``SELECT`` reads the current snapshot; ``FOR VERSION AS OF <snapshot id>`` and
  ``FOR TIMESTAMP AS OF <timestamp with time zone>`` read an earlier one; the metadata tables
  ``"t$snapshots"``, ``"t$history"``, ``"t$files"``, ``"t$partitions"``, ``"t$manifests"`` and
  ``"t$refs"``. Scanned bytes are counted as for Parquet tables: the footer and the column chunks a
  query needs, of every data file of the snapshot that the WHERE does not prune (see below).
- ``INSERT INTO``, ``UPDATE``, ``DELETE``, ``MERGE INTO`` (the first WHEN clause that applies to a
  row wins; a target row matched by two source rows fails with
  ``MERGE_TARGET_ROW_MULTIPLE_MATCHES``): each a new snapshot (append, overwrite or delete).
- ``OPTIMIZE t REWRITE DATA USING BIN_PACK [WHERE ...]``: in each partition (of the files holding
  rows the WHERE selects), the files outside the size window (``optimize_rewrite_min/max_data_file_
  size_bytes``) are compacted into one file when there are at least
  ``optimize_rewrite_data_file_threshold`` (default 5) of them: a ``replace`` snapshot.
- ``VACUUM t``: snapshots older than ``vacuum_max_snapshot_age_seconds`` (default 432000, five
  days) expire, keeping at least ``vacuum_min_snapshots_to_keep`` (default 1), and the data and
  manifest files under the location that no kept snapshot references and that are older than that
  age are deleted (orphan file removal). ``ALTER TABLE t SET TBLPROPERTIES`` sets these properties.
- ``SHOW CREATE TABLE`` answers Athena's ``CREATE TABLE ... TBLPROPERTIES ('table_type'='iceberg')``
  form; ``CREATE EXTERNAL TABLE`` with ``'table_type'='ICEBERG'`` fails with Athena's message.
- ``ALTER TABLE t ADD COLUMNS (...)``: a new schema; older files read the new columns as NULL.
- ``DROP TABLE``: the Glue table and the table's files under its location are removed, as Athena
  does for Iceberg tables, which it manages.

Fidelity notes (what differs from AWS):

- Copy-on-write. Athena writes merge-on-read position delete files for DELETE, UPDATE and MERGE;
  here a statement rewrites each data file it changes (new files, old ones dropped from the
  snapshot). Rows, snapshots and time travel answer the same; ``"t$files"`` lists no delete files,
  and OPTIMIZE has no delete files to fold in. A table that holds delete files written by another
  engine (Spark merge-on-read) cannot be read here: the query fails with NOT_SUPPORTED.
- A DML statement that changes no row (a replayed MERGE batch whose conditions exclude every row)
  commits no snapshot (unverified whether Athena commits an empty one).
- A MERGE source row matched by no WHEN clause is ignored; a target row matched by two source rows
  fails only when a WHEN MATCHED clause applies to it (unverified for rows no clause applies to).
- Reads prune data files with the WHERE conjuncts that compare a column of the table with a constant
  (=, <>, <, <=, >, >=, IN, BETWEEN; integers, strings, DATE and TIMESTAMP literals), through the
  partition values and the files' min/max statistics, as Athena does; other predicates (functions,
  decimals, OR) read every file of the snapshot, so ``DataScannedInBytes`` can exceed Athena's there.
  Row groups inside a file are not skipped.
- Only Parquet data files; ``'format'='orc'`` or ``'avro'`` fail with NOT_SUPPORTED. Column
  renames, drops and type changes (``ALTER TABLE ... CHANGE/REPLACE COLUMNS``) are not supported, and a
  table whose columns another engine renamed or replaced fails with NOT_SUPPORTED (files are read
  by column name, not by Iceberg's field ids).
- ``"t$files"`` has the columns content, file_path, file_format, spec_id, record_count and
  file_size_in_bytes (Athena has more: bounds, value counts...); ``"t$partitions"`` has partition,
  record_count, file_count and total_size (not ``data``); ``"t$manifests"`` has no
  ``partition_summaries``; ``"t$refs"`` is Trino's. Hive partition DDL (ADD/DROP PARTITION, MSCK
  REPAIR, SHOW PARTITIONS, SET LOCATION) fails with NOT_SUPPORTED, as Iceberg keeps its own partitions.
- Timestamps are stored with Iceberg's microseconds; SELECT shows them at millisecond precision, as
  the emulator reads every table (unverified whether Athena shows six digits), while the rows an
  UPDATE, DELETE, MERGE or OPTIMIZE writes back keep their stored microseconds.
- VACUUM keeps every metadata JSON file (``vacuum_max_metadata_files_to_keep`` is not applied).
- Concurrency: an INSERT INTO retries its commit on top of what others committed meanwhile (so
  concurrent INSERTs all land); an UPDATE, DELETE, MERGE or OPTIMIZE whose table another statement
  changed after it read it fails with ICEBERG_COMMIT_ERROR (Athena retries some of these itself).
- Spark: the Glue and EMR Spark jobs the emulator runs locally (PySpark 3.5.4) do not load the
  Iceberg Spark runtime today, so ``spark.sql("MERGE INTO glue_catalog...")`` does not work in a
  local job. The jar is obtainable from PyPI: ``snowpark-connect-deps-iceberg`` 1.0.3
  (Apache-2.0, a 77 MB wheel) ships ``iceberg-spark-runtime-3.5_2.12-1.10.2.jar`` (Glue 5.0 ships
  Iceberg 1.7; unverified that 1.10 reads the same). That jar has Iceberg's ``GlueCatalog`` and
  ``S3FileIO`` but not the AWS SDK v2 they need (``iceberg-aws-bundle``, which no PyPI package was
  found to ship), so a local job could at most use Iceberg's Hadoop FileIO over S3A. Until that is
  built, a job reads a table's rows with pyiceberg (``load_catalog('glue', ...)``) or through Athena.
"""

from __future__ import annotations

import datetime
import re
import time
import uuid
from typing import Any

from sqlglot import exp

from lakelab.emulator.engine import catalog, errors, parquet, scans, storage, types
from lakelab.emulator.engine.catalog import Column
from lakelab.emulator.engine.quoting import ident
from lakelab.emulator.services.athena import governance, results, translate
from lakelab.emulator.services.athena.context import Context
from lakelab.emulator.services.athena.grammar import Statement

ICEBERG = "ICEBERG"
FILE, POSITION, ACTION = "lakelab_file", "lakelab_pos", "lakelab_action"
# CREATE TABLE's PARTITIONED BY writes bucket(16, id) (Hive's order); CTAS's partitioning property writes
# bucket(id, 16) (Trino's order, https://docs.aws.amazon.com/athena/latest/ug/create-table-as.html).
_TRANSFORM = re.compile(r"\s*(\w+)\s*(?:\(\s*(?:(\d+)\s*,\s*(\w+)|(\w+)\s*,\s*(\d+)|(\w+))\s*\))?\s*$")
# Athena's Iceberg table properties (CREATE TABLE TBLPROPERTIES and CTAS WITH), see
# https://docs.aws.amazon.com/athena/latest/ug/querying-iceberg-creating-tables.html
_PROPERTIES = {"table_type", "format", "write_compression", "optimize_rewrite_min_data_file_size_bytes",
               "optimize_rewrite_max_data_file_size_bytes", "optimize_rewrite_data_file_threshold",
               "optimize_rewrite_delete_file_threshold", "vacuum_min_snapshots_to_keep",
               "vacuum_max_snapshot_age_seconds", "vacuum_max_metadata_files_to_keep",
               "write_target_data_file_size_bytes",
               "is_external", "location", "partitioning", "classification"}
_CODECS = {"SNAPPY": "snappy", "GZIP": "gzip", "ZSTD": "zstd", "NONE": "uncompressed", "LZ4": "lz4"}


def _athena_errors(handler: Any) -> Any:
    """Failures of the table format worded as Athena words them (never GENERIC_INTERNAL_ERROR)."""
    import functools

    @functools.wraps(handler)
    def run(context: Context, *args: Any) -> Any:
        from pyiceberg.exceptions import CommitFailedException

        try:
            return handler(context, *args)
        except PermissionError as denied:
            raise errors.QueryFailed(f"Permission denied on S3 path: {denied}") from None
        except CommitFailedException as conflict:
            raise errors.QueryFailed(f"ICEBERG_COMMIT_ERROR: Failed to commit Iceberg update to table: {conflict}"
                                     ) from None
    return run


def is_iceberg(table: catalog.Table | None) -> bool:
    return table is not None and table.parameters.get("table_type", "").upper() == ICEBERG


def lake_catalog(context: Context) -> Any:
    from lakelab.emulator.services.athena.iceberg_io import LakeCatalog

    return LakeCatalog(context.catalog.glue, context.account_id)


def load(context: Context, table: catalog.Table) -> Any:
    try:
        return lake_catalog(context).load_table((table.database, table.name))
    except FileNotFoundError as missing:
        raise errors.QueryFailed(f"ICEBERG_INVALID_METADATA: Table '{table.qualified}' metadata file is missing: "
                                 f"{missing}") from None
    except PermissionError as denied:
        location = table.parameters.get("metadata_location", table.location)
        raise errors.QueryFailed(f"Permission denied on S3 path: {location} ({denied})") from None


def columns_of(schema: Any) -> list[Column]:
    from pyiceberg.catalog.glue import _IcebergSchemaToGlueType
    from pyiceberg.schema import visit

    return [Column(f.name.lower(), types.parse(visit(f.field_type, _IcebergSchemaToGlueType()))) for f in schema.fields]


# --- creating ------------------------------------------------------------------------------


def _iceberg_properties(properties: dict[str, Any]) -> dict[str, str]:
    unknown = sorted(set(properties) - _PROPERTIES)
    if unknown:
        raise errors.QueryFailed(f"INVALID_TABLE_PROPERTY: Catalog 'awsdatacatalog' table property '{unknown[0]}' "
                                 "does not exist")
    file_format = str(properties.get("format", "PARQUET")).upper()
    if file_format != "PARQUET":
        raise errors.not_supported(f"Iceberg tables in format '{file_format}' (use PARQUET)")
    kept = {k: str(v) for k, v in properties.items()
            if k not in ("table_type", "is_external", "location", "partitioning", "format", "classification")}
    codec = str(properties.get("write_compression", "ZSTD")).upper()  # Athena's Iceberg default: ZSTD
    if codec not in _CODECS:
        raise errors.QueryFailed(f"INVALID_TABLE_PROPERTY: Unsupported compression codec: {codec}")
    kept["write.parquet.compression-codec"] = _CODECS[codec]
    kept["write.format.default"] = "parquet"
    return kept


def _arrow_schema(context: Context, columns: list[Column]) -> Any:
    select = ", ".join(f"CAST(NULL AS {c.type.duckdb()}) AS {ident(c.name)}" for c in columns)
    return context.connection.sql(f"SELECT {select} LIMIT 0").to_arrow_table().schema


def _partition_spec(schema: Any, transforms: list[str]) -> Any:
    from pyiceberg.partitioning import PartitionField, PartitionSpec
    from pyiceberg.transforms import (BucketTransform, DayTransform, HourTransform, IdentityTransform, MonthTransform,
                                      TruncateTransform, YearTransform)

    fields = []
    for index, text in enumerate(transforms):
        found = _TRANSFORM.match(text)
        if not found:
            raise errors.QueryFailed(f"INVALID_TABLE_PROPERTY: Unable to parse partitioning value: {text}")
        name, number, column, trino_column, trino_number, single = found.groups()
        number, column = number or trino_number, column or trino_column or single
        if column is None:
            name, column = "identity", name
        try:
            source = schema.find_field(column.lower())
        except ValueError:
            raise errors.QueryFailed(f"COLUMN_NOT_FOUND: Column '{column.lower()}' specified in partitioning "
                                     "does not exist") from None
        kind = name.lower()
        makers = {"identity": lambda: IdentityTransform(), "year": lambda: YearTransform(),
                  "month": lambda: MonthTransform(), "day": lambda: DayTransform(), "hour": lambda: HourTransform(),
                  "bucket": lambda: BucketTransform(int(number)), "truncate": lambda: TruncateTransform(int(number))}
        if kind not in makers or (kind in ("bucket", "truncate")) != (number is not None):
            raise errors.QueryFailed(f"INVALID_TABLE_PROPERTY: Unable to parse partitioning value: {text}")
        suffix = {"identity": "", "bucket": "_bucket", "truncate": "_trunc"}.get(kind, f"_{kind}")
        transform = makers[kind]()
        if not transform.can_transform(source.field_type):
            raise errors.QueryFailed(f"INVALID_TABLE_PROPERTY: Invalid partition field declaration: {text} "
                                     f"(a {source.field_type} column)")  # unverified wording
        fields.append(PartitionField(source_id=source.field_id, field_id=1000 + index, transform=transform,
                                     name=f"{source.name}{suffix}"))
    return PartitionSpec(*fields)


def create(context: Context, database: str, name: str, columns: list[Column], location: str | None,
           transforms: list[str], properties: dict[str, Any]) -> Any:
    from pyiceberg.catalog import Catalog as IcebergCatalog

    iceberg_properties = _iceberg_properties(properties)
    if not location or not str(location).startswith("s3://"):
        raise errors.QueryFailed("NOT_SUPPORTED: An Iceberg table needs a location: LOCATION 's3://bucket/folder/' "
                                 "(or location = 's3://...' in CTAS)")
    bucket, prefix = storage.folder(str(location))
    if next(iter(storage.list_files(context.account_id, bucket, prefix)), None) is not None:
        raise errors.QueryFailed(f"ICEBERG_FILESYSTEM_ERROR: Cannot create a table on a non-empty location: "
                                 f"{location}, set 'iceberg.unique-table-location=true' in your Iceberg catalog "
                                 "properties to use unique table locations for every table.")  # unverified wording
    seen: set[str] = set()
    for column in columns:
        if column.name in seen:
            raise errors.QueryFailed(f"NOT_SUPPORTED: Column name '{column.name}' specified more than once")
        seen.add(column.name)
    lake = lake_catalog(context)
    from pyiceberg.schema import assign_fresh_schema_ids

    schema = assign_fresh_schema_ids(IcebergCatalog._convert_schema_if_needed(_arrow_schema(context, columns), 2))
    spec = _partition_spec(schema, transforms)
    return lake.create_table((database, name), schema, str(location).rstrip("/"), spec, properties=iceberg_properties)


@_athena_errors
def create_table(context: Context, statement: Statement) -> results.Result:
    """CREATE TABLE ... TBLPROPERTIES ('table_type'='ICEBERG')."""
    options = statement.options
    if options["external"]:
        # https://docs.aws.amazon.com/athena/latest/ug/querying-iceberg-creating-tables.html
        raise errors.QueryFailed("External keyword not supported for table type ICEBERG")
    database = context.require_database(statement.database)
    if context.catalog.find_table(database, statement.name or "") is not None:
        if options["if_not_exists"]:
            return results.empty_result()
        raise errors.QueryFailed(f"TABLE_ALREADY_EXISTS: Table 'awsdatacatalog.{database}.{statement.name}' "
                                 "already exists")
    if options["partition_keys"]:
        raise errors.QueryFailed("NOT_SUPPORTED: Iceberg tables are partitioned by columns of the table: "
                                 "PARTITIONED BY (col, day(ts), bucket(16, id)), without types")
    properties = {k.lower(): v for k, v in options["properties"].items()}
    create(context, database, statement.name or "", options["columns"], options.get("location"),
           options.get("partition_transforms", []), properties)
    return results.empty_result()


@_athena_errors
def ctas(context: Context, statement: Statement) -> results.Result:
    from lakelab.emulator.services.athena.query import Planner
    from lakelab.emulator.services.athena.writes import result_columns

    database = context.require_database(statement.database)
    name = statement.name or ""
    if context.catalog.find_table(database, name) is not None:
        if statement.options["if_not_exists"]:
            return results.empty_result(update_count=0)
        raise errors.QueryFailed(f"TABLE_ALREADY_EXISTS: line 1:1: Table 'awsdatacatalog.{database}.{name}' "
                                 "already exists")
    properties = dict(statement.options["properties"])
    if str(properties.get("is_external", "false")).lower() != "false":
        raise errors.QueryFailed("NOT_SUPPORTED: Iceberg CTAS needs is_external = false")  # unverified wording
    if "external_location" in properties:
        raise errors.QueryFailed("INVALID_TABLE_PROPERTY: Catalog 'awsdatacatalog' table property "
                                 "'external_location' does not exist (Iceberg tables take location)")
    plan = Planner(context).plan(statement.options["query"], statement.options["at"])
    columns = result_columns(context, plan.engine_sql, plan.unnamed)
    partitioning = properties.get("partitioning") or []
    table = create(context, database, name, columns, properties.get("location"),
                   [str(p) for p in partitioning], properties)
    rows = 0
    if statement.options["with_data"]:
        rows = _append(context, table, _shaped(plan.engine_sql, columns, [c.name for c in columns]))
    return results.empty_result(update_count=rows)


# --- reading -------------------------------------------------------------------------------


def source(context: Context, database: str, node: exp.Table, where: str, needed: set[str] | None) -> scans.Scan | None:
    """The engine scan of an Iceberg table (or one of its metadata tables); None for other tables."""
    name = node.name
    if "$" in name:
        base, _, kind = name.partition("$")
        found = context.catalog.find_table(database, base)
        if is_iceberg(found):
            return _metadata_table(context, found, kind.lower(), where)
        return None
    found = context.catalog.find_table(database, name)
    version = node.args.get("version")
    if not is_iceberg(found):
        if found is not None and version is not None:
            raise errors.QueryFailed(f"NOT_SUPPORTED: {where}This connector does not support versioned tables")
        return None
    assert found is not None
    if governance.govern(context, found) is not None:
        raise errors.not_supported(f"Lake Formation fine-grained access on the Iceberg table '{found.qualified}'")
    table = load(context, found)
    snapshot = _snapshot(context, table, version, where)
    target = getattr(context, "iceberg_target", None) == (found.database, found.name)
    return _data_scan(context, table, snapshot, needed, target, row_filter=_row_filter(node, table))


_COMPARISONS = {exp.EQ: "EqualTo", exp.NEQ: "NotEqualTo", exp.LT: "LessThan", exp.LTE: "LessThanOrEqual",
                exp.GT: "GreaterThan", exp.GTE: "GreaterThanOrEqual"}
_FLIPPED = {"LessThan": "GreaterThan", "GreaterThan": "LessThan", "LessThanOrEqual": "GreaterThanOrEqual",
            "GreaterThanOrEqual": "LessThanOrEqual", "EqualTo": "EqualTo", "NotEqualTo": "NotEqualTo"}


def _row_filter(node: exp.Table, table: Any) -> Any:
    """The WHERE conjuncts on this table's columns that Iceberg can prune files with (partition values
    and column min/max), as Athena does; None when there are none. Only null-rejecting comparisons
    with constants are used, so pruning is safe under outer joins too."""
    from pyiceberg import expressions

    select = node.find_ancestor(exp.Select)
    where = select.args.get("where") if select is not None else None
    if where is None:
        return None
    alias = (node.alias or node.name).lower()
    names = {f.name.lower() for f in table.schema().fields}

    def column(found: exp.Expression) -> str | None:
        if isinstance(found, exp.Column) and found.table.lower() in ("", alias) and found.name.lower() in names:
            return found.name.lower()
        return None

    kept = []
    condition = where.this
    for conjunct in (condition.flatten() if isinstance(condition, exp.And) else [condition]):
        try:
            if type(conjunct) in _COMPARISONS:
                operation = _COMPARISONS[type(conjunct)]
                left, right = conjunct.this, conjunct.expression
                if column(left) and _constant(right) is not None:
                    kept.append(getattr(expressions, operation)(column(left), _constant(right)))
                elif column(right) and _constant(left) is not None:
                    kept.append(getattr(expressions, _FLIPPED[operation])(column(right), _constant(left)))
            elif isinstance(conjunct, exp.In) and column(conjunct.this) and not conjunct.args.get("query"):
                values = [_constant(v) for v in conjunct.expressions]
                if values and all(v is not None for v in values):
                    kept.append(expressions.In(column(conjunct.this), set(values)))
            elif isinstance(conjunct, exp.Between) and column(conjunct.this):
                low, high = _constant(conjunct.args["low"]), _constant(conjunct.args["high"])
                if low is not None and high is not None:
                    kept.append(expressions.And(expressions.GreaterThanOrEqual(column(conjunct.this), low),
                                                expressions.LessThanOrEqual(column(conjunct.this), high)))
        except Exception:  # anything unusual: no pruning with this conjunct
            continue
    if not kept:
        return None
    return kept[0] if len(kept) == 1 else expressions.And(*kept)


def _constant(node: exp.Expression) -> Any:
    """A literal's Python value (strings for DATE '...' and TIMESTAMP '...'); None for anything else."""
    if isinstance(node, exp.Paren):
        return _constant(node.this)
    if isinstance(node, exp.Neg):
        inner = _constant(node.this)
        return -inner if isinstance(inner, (int, float)) else None
    if isinstance(node, exp.Cast) and isinstance(node.this, exp.Literal) and node.this.is_string:
        kind = node.to.this
        if kind == exp.DType.DATE:
            return node.this.this
        if kind in (exp.DType.TIMESTAMP, exp.DType.DATETIME):
            return node.this.this.strip().replace(" ", "T", 1)
        return None
    if isinstance(node, exp.Literal):
        if node.is_string:
            return node.this
        text = node.this
        return int(text) if re.fullmatch(r"-?\d+", text) else None  # decimals and doubles: not pruned
    return None


def _snapshot(context: Context, table: Any, version: exp.Version | None, where: str) -> Any:
    if version is None:
        return table.current_snapshot()
    kind = str(version.this).upper()
    value_sql = translate.expression_sql(version.expression)
    if kind == "VERSION":
        value = context.connection.execute(f"SELECT {value_sql}").fetchone()[0]
        snapshot = None
        if isinstance(value, str):
            ref = table.metadata.refs.get(value)
            snapshot = table.snapshot_by_id(ref.snapshot_id) if ref else None
        elif isinstance(value, int):
            snapshot = table.snapshot_by_id(value)
        if snapshot is None:
            raise errors.QueryFailed(f"INVALID_ARGUMENTS: {where}Iceberg snapshot ID does not exists: {value}")
        return snapshot
    try:
        millis = context.connection.execute(f"SELECT epoch_ms(CAST({value_sql} AS TIMESTAMPTZ))").fetchone()[0]
    except Exception:
        raise errors.QueryFailed(f"TYPE_MISMATCH: {where}Type of the timestamp in FOR TIMESTAMP AS OF must be "
                                 "timestamp with time zone") from None
    snapshot = table.snapshot_as_of_timestamp(int(millis))
    if snapshot is None:
        moment = datetime.datetime.fromtimestamp(int(millis) / 1000, datetime.timezone.utc)
        shown = f"{moment:%Y-%m-%d %H:%M:%S}.{moment.microsecond // 1000:03d} UTC"
        raise errors.QueryFailed(f"INVALID_ARGUMENTS: {where}No version history table "
                                 f"{table.name()[-2]}.{table.name()[-1]} at or before {shown}")
    return snapshot


def _data_files(table: Any, snapshot: Any, row_filter: Any = None) -> list[Any]:
    if snapshot is None:
        return []
    found = []
    try:
        from pyiceberg.expressions import AlwaysTrue

        tasks = list(table.scan(snapshot_id=snapshot.snapshot_id, row_filter=row_filter or AlwaysTrue()).plan_files())
    except Exception:  # a filter pyiceberg cannot bind (a type it cannot convert): read every file
        if row_filter is None:
            raise
        tasks = list(table.scan(snapshot_id=snapshot.snapshot_id).plan_files())
    for task in tasks:
        if task.delete_files:
            raise errors.not_supported(f"Reading Iceberg delete files (merge-on-read, written by another engine) "
                                       f"of '{'.'.join(table.name()[-2:])}'")
        found.append(task.file)
    return found


def _schema_of(table: Any, snapshot: Any) -> Any:
    if snapshot is not None and snapshot.schema_id is not None:
        for schema in table.metadata.schemas:
            if schema.schema_id == snapshot.schema_id:
                return schema
    return table.schema()


def _data_scan(context: Context, table: Any, snapshot: Any, needed: set[str] | None, target: bool,
               only: set[str] | None = None, row_filter: Any = None, exact: bool = False) -> scans.Scan:
    """The engine scan of a snapshot's data files (``only`` those paths, when given). ``exact`` keeps
    the stored values as they are (files a statement rewrites keep their microseconds)."""
    _refuse_renames(table)
    # Time travel reads with the snapshot's schema (the current one once it is the current snapshot).
    columns = columns_of(table.schema() if snapshot is None or snapshot == table.current_snapshot()
                         else _schema_of(table, snapshot))
    found = scans.Scan("", {c.name: c.type.duckdb() for c in columns})
    data_files = [f for f in _data_files(table, snapshot, row_filter) if only is None or f.file_path in only]
    files = []
    for data_file in data_files:
        bucket, key = storage.folder(data_file.file_path)[0], data_file.file_path.split("/", 3)[3]
        files.append((bucket, key, data_file.file_size_in_bytes))
        _authorize_read(bucket, key)
    if target:  # a statement's target may be read twice (a subquery on the same table): keep every file
        known = getattr(context, "iceberg_files", None)
        if known is None:
            known = context.iceberg_files = {}  # type: ignore[attr-defined]
        known.update({storage.engine_path(context.account_id, b, k): f for (b, k, _), f in zip(files, data_files)})
        found.columns.update({FILE: "VARCHAR", POSITION: "BIGINT"})
    if not files:
        empty = ", ".join(f"CAST(NULL AS {t}) AS {ident(n)}" for n, t in found.columns.items())
        found.sql = f"SELECT {empty} LIMIT 0"
        return found
    select, scanned, rows = parquet.select_list(context.account_id, columns, files, needed)
    if exact or target:  # no millisecond truncation of timestamps: rows a statement writes back keep theirs
        select = [re.sub(r"^date_trunc\('millisecond', (CAST\(.*\))\) AS ", r"\1 AS ", item) for item in select]
    wanted = {c.name for c in columns} if needed is None else needed
    for bucket, key, _ in files:
        context.read(parquet.read_bytes(parquet.footer(context.account_id, bucket, key), wanted))
    reader = parquet.source([storage.engine_path(context.account_id, b, k) for b, k, _ in files], columns)
    if target:
        reader = reader[:-1] + ", filename = true, file_row_number = true)"
        select = select + [f"filename AS {FILE}", f"file_row_number AS {POSITION}"]
    found.sql = f"SELECT {', '.join(select)} FROM {reader}"
    found.scanned_bytes, found.input_rows = scanned, rows
    return found


def _partitions_table(table: Any) -> Any:
    """``"t$partitions"``: a row per partition of the current snapshot (partition, record_count,
    file_count, total_size; Athena's ``data`` column of per-column statistics is not given)."""
    import pyarrow as pa
    from pyiceberg.io.pyarrow import schema_to_pyarrow

    spec = table.spec()
    partition_type = spec.partition_type(table.schema())
    totals: dict[tuple[Any, ...], list[int]] = {}
    for data_file in _data_files(table, table.current_snapshot()):
        key = tuple(data_file.partition[i] for i in range(len(spec.fields))) if spec.fields else ()
        found = totals.setdefault(key, [0, 0, 0])
        found[0] += data_file.record_count
        found[1] += 1
        found[2] += data_file.file_size_in_bytes
    columns: dict[str, Any] = {}
    if spec.fields:
        arrow_type = schema_to_pyarrow(partition_type, include_field_ids=False)
        values = [dict(zip([f.name for f in partition_type.fields], key)) for key in totals]
        columns["partition"] = pa.array(values, pa.struct(list(arrow_type)))
    columns["record_count"] = pa.array([t[0] for t in totals.values()], pa.int64())
    columns["file_count"] = pa.array([t[1] for t in totals.values()], pa.int64())
    columns["total_size"] = pa.array([t[2] for t in totals.values()], pa.int64())
    return pa.table(columns)


def refuse(context: Context, statement: Statement) -> results.Result:
    """Hive partition DDL on an Iceberg table: Iceberg keeps its partitions itself."""
    what = {"add_partitions": "ALTER TABLE ADD PARTITION", "drop_partitions": "ALTER TABLE DROP PARTITION",
            "msck": "MSCK REPAIR TABLE", "set_location": "ALTER TABLE SET LOCATION",
            "show_partitions": "SHOW PARTITIONS"}[statement.kind]
    hint = ' (query the "$partitions" metadata table)' if statement.kind == "show_partitions" else ""
    raise errors.QueryFailed(f"NOT_SUPPORTED: {what} is not supported for Iceberg table "
                             f"'{context.database_of(statement.database)}.{statement.name}'{hint}")  # unverified


def _refuse_renames(table: Any) -> None:
    """Data files are read by column name: a table whose columns were renamed, or dropped and added
    again (by pyiceberg or Spark), would read wrong values, so it fails instead."""
    by_id: dict[int, str] = {}
    by_name: dict[str, int] = {}
    for schema in table.metadata.schemas:
        for field in schema.fields:
            if by_id.setdefault(field.field_id, field.name) != field.name or \
                    by_name.setdefault(field.name, field.field_id) != field.field_id:
                raise errors.not_supported(f"Reading the Iceberg table '{'.'.join(table.name()[-2:])}', whose "
                                           f"column '{field.name}' was renamed or replaced,")


def _authorize_read(bucket: str, key: str) -> None:
    """The engine reads data files on threads of its own: each is authorized here, as the caller."""
    from lakelab.emulator.common import s3_objects

    try:
        s3_objects.authorize("s3:GetObject", bucket, key)
    except PermissionError as denied:
        raise errors.QueryFailed(f"Permission denied on S3 path: s3://{bucket}/{key} ({denied})") from None


def _metadata_table(context: Context, found: catalog.Table, kind: str, where: str) -> scans.Scan:
    import pyarrow as pa

    table = load(context, found)
    if kind == "snapshots":
        snapshots = table.metadata.snapshots
        data = pa.table({
            "committed_at": pa.array([s.timestamp_ms for s in snapshots], pa.timestamp("ms", tz="UTC")),
            "snapshot_id": pa.array([s.snapshot_id for s in snapshots], pa.int64()),
            "parent_id": pa.array([s.parent_snapshot_id for s in snapshots], pa.int64()),
            "operation": pa.array([s.summary.operation.value if s.summary else None for s in snapshots], pa.string()),
            "manifest_list": pa.array([s.manifest_list for s in snapshots], pa.string()),
            "summary": pa.array([list((s.summary.additional_properties if s.summary else {}).items())
                                 for s in snapshots], pa.map_(pa.string(), pa.string())),
        })
    elif kind == "history":
        ancestors = set()
        current = table.current_snapshot()
        while current is not None:
            ancestors.add(current.snapshot_id)
            current = table.snapshot_by_id(current.parent_snapshot_id) if current.parent_snapshot_id else None
        log = table.metadata.snapshot_log
        parents = {s.snapshot_id: s.parent_snapshot_id for s in table.metadata.snapshots}
        data = pa.table({
            "made_current_at": pa.array([e.timestamp_ms for e in log], pa.timestamp("ms", tz="UTC")),
            "snapshot_id": pa.array([e.snapshot_id for e in log], pa.int64()),
            "parent_id": pa.array([parents.get(e.snapshot_id) for e in log], pa.int64()),
            "is_current_ancestor": pa.array([e.snapshot_id in ancestors for e in log], pa.bool_()),
        })
    elif kind == "files":
        files = _data_files(table, table.current_snapshot())
        data = pa.table({
            "content": pa.array([int(f.content) for f in files], pa.int32()),
            "file_path": pa.array([f.file_path for f in files], pa.string()),
            "file_format": pa.array([str(f.file_format.value) for f in files], pa.string()),
            "spec_id": pa.array([f.spec_id for f in files], pa.int32()),
            "record_count": pa.array([f.record_count for f in files], pa.int64()),
            "file_size_in_bytes": pa.array([f.file_size_in_bytes for f in files], pa.int64()),
        })
    elif kind == "partitions":
        data = _partitions_table(table)
    elif kind == "manifests":
        current = table.current_snapshot()
        manifests = current.manifests(table.io) if current is not None else []
        data = pa.table({
            "path": pa.array([m.manifest_path for m in manifests], pa.string()),
            "length": pa.array([m.manifest_length for m in manifests], pa.int64()),
            "partition_spec_id": pa.array([m.partition_spec_id for m in manifests], pa.int32()),
            "added_snapshot_id": pa.array([m.added_snapshot_id for m in manifests], pa.int64()),
            "added_data_files_count": pa.array([m.added_files_count for m in manifests], pa.int32()),
            "added_rows_count": pa.array([m.added_rows_count for m in manifests], pa.int64()),
            "existing_data_files_count": pa.array([m.existing_files_count for m in manifests], pa.int32()),
            "existing_rows_count": pa.array([m.existing_rows_count for m in manifests], pa.int64()),
            "deleted_data_files_count": pa.array([m.deleted_files_count for m in manifests], pa.int32()),
            "deleted_rows_count": pa.array([m.deleted_rows_count for m in manifests], pa.int64()),
        })
    elif kind == "refs":
        refs = sorted(table.metadata.refs.items())
        data = pa.table({
            "name": pa.array([n for n, _ in refs], pa.string()),
            "type": pa.array([str(r.snapshot_ref_type.value).upper() for _, r in refs], pa.string()),
            "snapshot_id": pa.array([r.snapshot_id for _, r in refs], pa.int64()),
            "max_reference_age_in_ms": pa.array([r.max_ref_age_ms for _, r in refs], pa.int64()),
            "min_snapshots_to_keep": pa.array([r.min_snapshots_to_keep for _, r in refs], pa.int32()),
            "max_snapshot_age_in_ms": pa.array([r.max_snapshot_age_ms for _, r in refs], pa.int64()),
        })
    else:
        raise errors.table_not_found(found.database, f"{found.name}${kind}", where)
    name = f"lakelab_iceberg_{kind}_{uuid.uuid4().hex[:8]}"
    context.connection.register(name, data)
    relation = context.connection.sql(f"SELECT * FROM {name}")
    return scans.Scan(f"SELECT * FROM {name}", {n: str(t) for n, t in zip(relation.columns, relation.types)},
                      input_rows=data.num_rows)


# --- writing -------------------------------------------------------------------------------


def _shaped(engine_sql: str, columns: list[Column], targets: list[str]) -> str:
    aliases = ", ".join(f"lakelab_{i}" for i in range(len(targets)))
    select = []
    for column in columns:
        value = f"lakelab_{targets.index(column.name)}" if column.name in targets else "NULL"
        select.append(f"CAST({value} AS {column.type.duckdb()}) AS {ident(column.name)}")
    return f"SELECT {', '.join(select)} FROM ({engine_sql}) AS lakelab_query({aliases})"


def _arrow(context: Context, table: Any, engine_sql: str) -> Any:
    """The rows to write, as Arrow. The SQL already cast each column to the table's type; pyiceberg
    checks the schema and converts (an Arrow cast to pyiceberg's schema aborts the process on maps)."""
    return context.connection.sql(engine_sql).to_arrow_table()


def _commit(context: Context, table: Any, rows: Any | None, removed: list[Any], operation: str | None = None) -> None:
    """One snapshot: ``removed`` data files dropped, ``rows`` (an Arrow table) written as new files."""
    from pyiceberg.exceptions import CommitFailedException
    from pyiceberg.io.pyarrow import _dataframe_to_data_files
    from pyiceberg.table.snapshots import Operation
    from pyiceberg.table.update.snapshot import _OverwriteFiles

    adds = rows is not None and rows.num_rows > 0
    if operation is None and not removed:
        _append_files(table, rows)
        return
    if operation is None:
        operation = "overwrite" if adds else "delete"
    from pyiceberg.exceptions import ValidationException

    try:
        with table.transaction() as transaction:
            producer = _files_producer(_OverwriteFiles)(operation=Operation(operation), transaction=transaction,
                                                        io=table.io, branch="main", commit_uuid=uuid.uuid4())
            with producer as files:
                for data_file in removed:
                    files.delete_data_file(data_file)
                if adds:
                    for data_file in _dataframe_to_data_files(table_metadata=transaction.table_metadata, df=rows,
                                                              io=table.io, write_uuid=files.commit_uuid):
                        files.append_data_file(data_file)
    except (CommitFailedException, ValidationException) as conflict:
        # Another statement changed the table since this one read it: Athena fails the later commit.
        raise errors.QueryFailed(f"ICEBERG_COMMIT_ERROR: Failed to commit Iceberg update to table: "
                                 f"{'.'.join(table.name()[-2:])} ({conflict})") from None


def _append_files(table: Any, rows: Any, attempts: int = 10) -> None:
    """An append (INSERT INTO, CTAS): the files are written once, and the commit is retried on top of
    whatever another statement committed meanwhile, so concurrent INSERTs all land, as on Athena."""
    from pyiceberg.exceptions import CommitFailedException
    from pyiceberg.io.pyarrow import _dataframe_to_data_files

    data_files = None
    for _ in range(attempts):
        try:
            with table.transaction() as transaction:
                with transaction.update_snapshot().fast_append() as append:
                    if data_files is None:
                        data_files = list(_dataframe_to_data_files(table_metadata=transaction.table_metadata,
                                                                   df=rows, io=table.io,
                                                                   write_uuid=append.commit_uuid))
                    for data_file in data_files:
                        append.append_data_file(data_file)
            return
        except CommitFailedException:
            table = table.refresh()
    raise errors.QueryFailed(f"ICEBERG_COMMIT_ERROR: Failed to commit Iceberg update to table: "
                             f"{'.'.join(table.name()[-2:])} (gave up after {attempts} concurrent commits)")


def _files_producer(base: type) -> type:
    """pyiceberg's overwrite producer, able to write a ``replace`` snapshot (compaction) too."""
    from pyiceberg.table.snapshots import Operation, Summary

    class Producer(base):  # type: ignore[misc, valid-type]
        def _summary(self, snapshot_properties: Any = None) -> Any:
            wanted = self._operation
            if wanted != Operation.REPLACE:
                return super()._summary(snapshot_properties or {})
            self._operation = Operation.OVERWRITE  # pyiceberg totals only append/overwrite/delete
            try:
                summary = super()._summary(snapshot_properties or {})
            finally:
                self._operation = wanted
            return Summary(operation=Operation.REPLACE, **summary.additional_properties)

    return Producer


def _append(context: Context, table: Any, engine_sql: str) -> int:
    rows = _arrow(context, table, engine_sql)
    if rows.num_rows:
        _commit(context, table, rows, [])
    return rows.num_rows


def _target(context: Context, statement_database: str | None, name: str) -> tuple[catalog.Table, Any]:
    database = context.database_of(statement_database)
    found = context.catalog.table(database, name)
    if not is_iceberg(found):
        raise errors.QueryFailed(f"NOT_SUPPORTED: Modifying Hive table rows is only supported for transactional "
                                 f"tables ('{found.qualified}' is not an Iceberg table)")
    return found, load(context, found)


@_athena_errors
def insert(context: Context, statement: Statement) -> results.Result:
    from lakelab.emulator.services.athena.query import Planner

    found, table = _target(context, statement.database, statement.name or "")
    columns = columns_of(table.schema())
    plan = Planner(context).plan(statement.options["query"], statement.options["at"])
    relation = context.connection.sql(plan.engine_sql)
    targets = statement.options["columns"] or [c.name for c in columns]
    unknown = [t for t in targets if t not in {c.name for c in columns}]
    if unknown:
        raise errors.QueryFailed(f"COLUMN_NOT_FOUND: line 1:1: Insert column name does not exist in target table: "
                                 f"{unknown[0]}")
    if len(relation.columns) != len(targets):
        declared = ", ".join(types.athena_name(c.type) for c in columns if c.name in targets)
        given = ", ".join(types.athena_column_info("", t)["Type"] for t in relation.types)
        raise errors.QueryFailed(f"TYPE_MISMATCH: line 1:1: Insert query has mismatched column types: "
                                 f"Table: [{declared}], Query: [{given}]")
    return results.empty_result(update_count=_append(context, table, _shaped(plan.engine_sql, columns, targets)))


def _changes(context: Context, found: catalog.Table, athena_sql: str) -> None:
    """Run the statement's change query (target rows read with their file and position)."""
    from lakelab.emulator.services.athena.query import Planner

    context.iceberg_target = (found.database, found.name)  # type: ignore[attr-defined]
    context.iceberg_files = {}  # type: ignore[attr-defined]
    try:
        plan = Planner(context).plan(athena_sql)
    finally:
        context.iceberg_target = None  # type: ignore[attr-defined]
    context.connection.execute(f"CREATE OR REPLACE TEMP TABLE lakelab_changes AS {plan.engine_sql}")


def _apply(context: Context, table: Any) -> int:
    """Rewrite the data files holding changed rows (copy-on-write) and add the new rows: one snapshot."""
    connection = context.connection
    changed = connection.execute("SELECT count(*) FROM lakelab_changes").fetchone()[0]
    if not changed:
        return 0
    touched = [row[0] for row in connection.execute(
        f"SELECT DISTINCT {FILE} FROM lakelab_changes WHERE {FILE} IS NOT NULL").fetchall()]
    files = context.iceberg_files  # type: ignore[attr-defined]
    removed = [files[path] for path in touched]
    columns = columns_of(table.schema())
    names = ", ".join(ident(c.name) for c in columns)
    parts = [f"SELECT {names} FROM lakelab_changes WHERE {ACTION} IN ('U', 'I')"]
    if removed:
        old = _data_scan(context, table, table.current_snapshot(), None, True, {f.file_path for f in removed},
                         exact=True)
        parts.insert(0, f"SELECT {', '.join('o.' + ident(c.name) for c in columns)} FROM ({old.sql}) AS o "
                        f"ANTI JOIN lakelab_changes AS c ON c.{FILE} = o.{FILE} AND c.{POSITION} = o.{POSITION}")
    rows = _arrow(context, table, " UNION ALL ".join(parts))
    _commit(context, table, rows, removed)
    return changed


def _sql(node: exp.Expression | None) -> str:
    return node.sql(dialect="trino") if node is not None else "TRUE"


def _table_sql(node: exp.Table) -> str:
    alias = node.alias
    plain = exp.Table(this=node.this.copy(), db=node.args["db"].copy() if node.args.get("db") else None)
    return plain.sql(dialect="trino") + (f" AS {exp.to_identifier(alias).sql(dialect='trino')}" if alias else "")


def _parse_dml(context: Context, statement: Statement, kind: type) -> Any:
    tree = translate.parse(statement.options["sql"])
    if not isinstance(tree, kind):
        raise errors.QueryFailed(f"line 1:1: mismatched input. Expecting: {statement.kind.upper()}")
    return tree


def _set_name(node: exp.Expression) -> str:
    return (node.name if isinstance(node, exp.Column) else node.sql()).lower()


@_athena_errors
def delete(context: Context, statement: Statement) -> results.Result:
    tree = _parse_dml(context, statement, exp.Delete)
    found, table = _target(context, statement.database, statement.name or "")
    where = tree.args.get("where")
    nulls = ", ".join(f"NULL AS {ident(c.name)}" for c in columns_of(table.schema()))
    _changes(context, found, f"SELECT {FILE}, {POSITION}, 'D' AS {ACTION}, {nulls} FROM {_table_sql(tree.this)} "
                             f"WHERE {_sql(where.this if where else None)}")
    return results.empty_result(update_count=_apply(context, table))


@_athena_errors
def update(context: Context, statement: Statement) -> results.Result:
    tree = _parse_dml(context, statement, exp.Update)
    found, table = _target(context, statement.database, statement.name or "")
    columns = columns_of(table.schema())
    assigned = {}
    for assignment in tree.expressions:
        name = _set_name(assignment.this)
        if name not in {c.name for c in columns}:
            raise errors.QueryFailed(f"COLUMN_NOT_FOUND: line 1:1: Column '{name}' cannot be resolved")
        assigned[name] = _sql(assignment.expression)
    values = ", ".join(f"CAST({assigned.get(c.name, ident(c.name))} AS {types.athena_name(c.type)}) AS {ident(c.name)}"
                       for c in columns)
    where = tree.args.get("where")
    _changes(context, found, f"SELECT {FILE}, {POSITION}, 'U' AS {ACTION}, {values} FROM {_table_sql(tree.this)} "
                             f"WHERE {_sql(where.this if where else None)}")
    return results.empty_result(update_count=_apply(context, table))


@_athena_errors
def merge(context: Context, statement: Statement) -> results.Result:
    tree = _parse_dml(context, statement, exp.Merge)
    found, table = _target(context, statement.database, statement.name or "")
    columns = columns_of(table.schema())
    names = [c.name for c in columns]
    target = tree.this
    target_alias = exp.to_identifier(target.alias or target.name).sql(dialect="trino")
    matched = f"{target_alias}.{FILE} IS NOT NULL"
    clauses: list[tuple[str, str, dict[str, str]]] = []  # (condition, action, column -> value)
    whens = tree.args.get("whens")
    for when in (whens.expressions if whens is not None else []):
        if when.args.get("source"):
            raise errors.not_supported("WHEN NOT MATCHED BY SOURCE")
        condition = f"({matched}) = {str(bool(when.args.get('matched'))).upper()}"
        if when.args.get("condition") is not None:
            condition += f" AND ({_sql(when.args['condition'])})"
        then = when.args.get("then")
        if isinstance(then, exp.Update):
            values = {n: f"{target_alias}.{ident(n)}" for n in names}
            for assignment in then.expressions:
                name = _set_name(assignment.this)
                if name not in values:
                    raise errors.QueryFailed(f"COLUMN_NOT_FOUND: line 1:1: Column '{name}' cannot be resolved")
                values[name] = _sql(assignment.expression)
            clauses.append((condition, "U", values))
        elif isinstance(then, exp.Insert):
            targets = [_set_name(c) for c in then.this.expressions] if isinstance(then.this, exp.Tuple) else (
                [_set_name(then.this)] if then.this is not None else names)
            given = then.expression.expressions if isinstance(then.expression, exp.Tuple) else [then.expression]
            if len(targets) != len(given):
                raise errors.QueryFailed("line 1:1: Values do not match the columns of the INSERT: "
                                         f"{len(targets)} columns, {len(given)} values")  # unverified wording
            unknown = [t for t in targets if t not in names]
            if unknown:
                raise errors.QueryFailed(f"COLUMN_NOT_FOUND: line 1:1: Column '{unknown[0]}' cannot be resolved")
            clauses.append((condition, "I", {t: _sql(v) for t, v in zip(targets, given)}))
        else:
            clauses.append((condition, "D", {}))
    if not clauses:
        raise errors.QueryFailed("line 1:1: mismatched input '<EOF>'. Expecting: 'WHEN'")
    action = "CASE " + " ".join(f"WHEN {c} THEN '{a}'" for c, a, _ in clauses) + " END"
    values = []
    for column in columns:
        cases = " ".join(f"WHEN {c} THEN {v.get(column.name, 'NULL')}" for c, a, v in clauses if a != "D")
        value = f"CASE {cases} END" if cases else "NULL"
        values.append(f"CAST({value} AS {types.athena_name(column.type)}) AS {ident(column.name)}")
    source = tree.args["using"]
    inner = (f"SELECT {target_alias}.{FILE} AS {FILE}, {target_alias}.{POSITION} AS {POSITION}, "
             f"{action} AS {ACTION}, {', '.join(values)} FROM {source.sql(dialect='trino')} "
             f"LEFT JOIN {_table_sql(target)} ON {_sql(tree.args.get('on'))}")
    _changes(context, found, f"SELECT * FROM ({inner}) AS lakelab_merge WHERE {ACTION} IS NOT NULL")
    duplicated = context.connection.execute(
        f"SELECT 1 FROM lakelab_changes WHERE {FILE} IS NOT NULL GROUP BY {FILE}, {POSITION} HAVING count(*) > 1 "
        "LIMIT 1").fetchone()
    if duplicated:
        # The message Athena answers: https://docs.aws.amazon.com/athena/latest/ug/merge-into-statement.html
        # says "A user error is raised"; its text as observed on Athena engine version 3.
        raise errors.QueryFailed("MERGE_TARGET_ROW_MULTIPLE_MATCHES: One MERGE target table row matched more than "
                                 "one source row")
    return results.empty_result(update_count=_apply(context, table))


# --- maintenance ---------------------------------------------------------------------------


@_athena_errors
def optimize(context: Context, statement: Statement) -> results.Result:
    """OPTIMIZE t REWRITE DATA USING BIN_PACK [WHERE predicate]: one file per partition (a ``replace``)."""
    from lakelab.emulator.services.athena.query import Planner

    found, table = _target(context, statement.database, statement.name or "")
    where = statement.options.get("where")
    data_files = _data_files(table, table.current_snapshot())
    if where:
        context.iceberg_target = (found.database, found.name)  # type: ignore[attr-defined]
        context.iceberg_files = {}  # type: ignore[attr-defined]
        try:
            qualified = f"{exp.to_identifier(found.database).sql('trino')}.{exp.to_identifier(found.name).sql('trino')}"
            plan = Planner(context).plan(f"SELECT DISTINCT {FILE} FROM {qualified} WHERE {where}")
        finally:
            context.iceberg_target = None  # type: ignore[attr-defined]
        chosen = {context.iceberg_files[row[0]].file_path  # type: ignore[attr-defined]
                  for row in context.connection.execute(plan.engine_sql).fetchall()}
        data_files = [f for f in data_files if f.file_path in chosen]
    # Athena's bin packing: in each partition, the files outside [min, max] size are candidates, and a
    # partition is rewritten when it has at least optimize_rewrite_data_file_threshold of them. The
    # defaults are those of Athena's Iceberg table properties (0.75 and 1.8 times the 512 MB target,
    # threshold 5; unverified beyond Athena's table-properties documentation).
    properties = table.properties
    target_size = int(properties.get("write_target_data_file_size_bytes", 536870912))
    smallest = int(properties.get("optimize_rewrite_min_data_file_size_bytes", int(target_size * 0.75)))
    largest = int(properties.get("optimize_rewrite_max_data_file_size_bytes", int(target_size * 1.8)))
    threshold = int(properties.get("optimize_rewrite_data_file_threshold", 5))
    by_partition: dict[Any, list[Any]] = {}
    for data_file in data_files:
        if data_file.file_size_in_bytes < smallest or data_file.file_size_in_bytes > largest:
            by_partition.setdefault((data_file.spec_id, repr(data_file.partition)), []).append(data_file)
    rewritten = [f for group in by_partition.values() if len(group) >= max(threshold, 1) for f in group]
    if not rewritten:
        return results.empty_result()
    old = _data_scan(context, table, table.current_snapshot(), None, False, {f.file_path for f in rewritten},
                     exact=True)
    names = ", ".join(ident(c.name) for c in columns_of(table.schema()))
    _commit(context, table, _arrow(context, table, f"SELECT {names} FROM ({old.sql})"), rewritten, "replace")
    return results.empty_result()


@_athena_errors
def vacuum(context: Context, statement: Statement) -> results.Result:
    """VACUUM t: expire old snapshots (Athena's vacuum_* properties) and delete the files they alone used."""
    found, table = _target(context, statement.database, statement.name or "")
    properties = table.properties
    max_age = int(properties.get("vacuum_max_snapshot_age_seconds", 432000))
    keep = max(1, int(properties.get("vacuum_min_snapshots_to_keep", 1)))
    newest_first = sorted(table.metadata.snapshots, key=lambda s: s.timestamp_ms, reverse=True)
    current = table.current_snapshot()
    cutoff = (time.time() - max_age) * 1000
    expired = [s.snapshot_id for i, s in enumerate(newest_first)
               if i >= keep and s.timestamp_ms < cutoff and (current is None or s.snapshot_id != current.snapshot_id)]
    if expired:
        table.maintenance.expire_snapshots().by_ids(expired).commit()
        table = load(context, found)
    _remove_orphans(context, table, cutoff)
    return results.empty_result()


def _remove_orphans(context: Context, table: Any, cutoff_ms: float) -> None:
    """Data files and manifests under the table location that no kept snapshot references, and that
    are older than the retention period, are deleted (metadata JSON files are kept)."""
    from lakelab.emulator.common import s3_objects

    kept = _referenced(table, table.metadata.snapshots)
    bucket, prefix = storage.folder(table.location())
    for key, _ in list(s3_objects.iter_objects(bucket, prefix, account_id=context.account_id)):
        path = f"s3://{bucket}/{key}"
        if path in kept or key.endswith(".metadata.json"):
            continue
        modified = s3_objects.stored_object(context.account_id, bucket, key).last_modified
        if modified.timestamp() * 1000 <= cutoff_ms:
            s3_objects.delete(bucket, key, account_id=context.account_id)


def _referenced(table: Any, snapshots: list[Any]) -> set[str]:
    paths: set[str] = set()
    for snapshot in snapshots:
        paths.add(snapshot.manifest_list)
        for manifest in snapshot.manifests(table.io):
            paths.add(manifest.manifest_path)
            for entry in manifest.fetch_manifest_entry(table.io, discard_deleted=True):
                paths.add(entry.data_file.file_path)
    return paths


@_athena_errors
def add_columns(context: Context, statement: Statement) -> results.Result:
    from pyiceberg.io.pyarrow import _ConvertToIcebergWithoutIDs, visit_pyarrow

    found, table = _target(context, statement.database, statement.name or "")
    new: list[Column] = statement.options["columns"]
    existing = {c.name for c in columns_of(table.schema())}
    for column in new:
        if column.name in existing:
            raise errors.QueryFailed(f"COLUMN_ALREADY_EXISTS: line 1:1: Column '{column.name}' already exists")
    arrow = _arrow_schema(context, new)
    with table.update_schema() as schema:
        for column, field in zip(new, arrow):
            schema.add_column(column.name, visit_pyarrow(field.type, _ConvertToIcebergWithoutIDs()),
                              doc=column.comment or None)
    return results.empty_result()


@_athena_errors
def set_properties(context: Context, statement: Statement) -> results.Result:
    """ALTER TABLE t SET TBLPROPERTIES (...): Iceberg table properties (VACUUM and OPTIMIZE read them)."""
    found, table = _target(context, statement.database, statement.name or "")
    properties = {str(k): str(v) for k, v in statement.options["properties"].items()}
    if str(properties.pop("table_type", ICEBERG)).upper() != ICEBERG:
        raise errors.QueryFailed("NOT_SUPPORTED: Changing the table_type of an Iceberg table")
    with table.transaction() as transaction:
        transaction.set_properties(properties)
    return results.empty_result()


@_athena_errors
def show_create_table(context: Context, found: catalog.Table) -> results.Result:
    """SHOW CREATE TABLE of an Iceberg table, in Athena's CREATE TABLE ... TBLPROPERTIES form."""
    table = load(context, found)
    columns = columns_of(table.schema())
    lines = [f"CREATE TABLE {found.database}.{found.name} ("]
    for index, column in enumerate(columns):
        lines.append(f"  {column.name} {column.type.hive()}{')' if index == len(columns) - 1 else ','}")
    spec = table.spec()
    if spec.fields:
        names = []
        for field in spec.fields:
            source = table.schema().find_field(field.source_id).name
            transform = str(field.transform)  # identity, day, bucket[16], truncate[4]...
            kind, _, width = transform.rstrip("]").partition("[")
            names.append(f"`{source}`" if kind == "identity" else f"{kind}({width + ', ' if width else ''}`{source}`)")
        lines.append(f"PARTITIONED BY ({', '.join(names)})")
    lines += ["LOCATION", f"  '{table.location()}'", "TBLPROPERTIES ("]
    shown = {"table_type": "iceberg", "format": "parquet",
             "write_compression": table.properties.get("write.parquet.compression-codec", "zstd")}
    shown.update({k: v for k, v in table.properties.items() if k in _PROPERTIES})
    items = list(shown.items())
    lines += [f"  '{k}'='{v}'{')' if i == len(items) - 1 else ','}" for i, (k, v) in enumerate(items)]
    return results.text_result(["createtab_stmt"], [[line] for line in lines])


@_athena_errors
def drop(context: Context, found: catalog.Table) -> results.Result:
    """DROP TABLE of an Iceberg table: Athena manages it, so its files go with it."""
    location = found.location
    context.catalog.glue.delete_table(found.database, found.name)
    if location.startswith("s3://"):
        bucket, prefix = storage.folder(location)
        from lakelab.emulator.common import s3_objects

        for key, _ in list(s3_objects.iter_objects(bucket, prefix, account_id=context.account_id)):
            s3_objects.delete(bucket, key, account_id=context.account_id)
    return results.empty_result()

