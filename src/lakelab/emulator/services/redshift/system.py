"""The system tables and views the course reads, built for the statement that names them.

- ``SVV_TABLE_INFO``: a row per non-empty user table (AWS: "doesn't return any information for empty
  tables"), its design (``diststyle`` as ``KEY(col)``/``EVEN``/``ALL``/``AUTO(EVEN)``, ``sortkey1``,
  ``sortkey_num``, ``encoded``) and ``tbl_rows``; sizes are the engine's, in 1 MB blocks.
- ``PG_TABLE_DEF``: a row per column of the tables in ``public`` (the search path), with ``encoding``,
  ``distkey``, ``sortkey`` (its position; negative for interleaved keys) and ``notnull``.
- ``STL_LOAD_ERRORS``: the rows ``COPY`` rejected (https://docs.aws.amazon.com/redshift/latest/dg/r_STL_LOAD_ERRORS.html).
- ``SYS_LOAD_ERROR_DETAIL``: the same rejected rows with the SYS view's columns, in its documented order
  (https://docs.aws.amazon.com/redshift/latest/dg/SYS_LOAD_ERROR_DETAIL.html); ``line_number`` counts
  every line of the file, a header that ``IGNOREHEADER`` skipped included.
- ``SYS_LOAD_HISTORY``: a row per COPY, ``completed`` or ``aborted``, with rows and bytes loaded, the
  files and bytes of the source and the rows rejected
  (https://docs.aws.amazon.com/redshift/latest/dg/SYS_LOAD_HISTORY.html).
- ``SVV_MV_INFO``: a row per materialized view, never stale here (a view is refreshed when asked, and
  its ``state`` is 1 (its meaning unverified); ``autorefresh`` and
  ``autorewrite`` are not modelled: 0) (https://docs.aws.amazon.com/redshift/latest/dg/r_SVV_MV_INFO.html).
- ``SYS_QUERY_HISTORY``: the statements run, with status, times in microseconds and rows returned.

Redshift Serverless has the SYS views and SVV_TABLE_INFO but not the provisioned-only STL and STV ones
("You can't query STL, STV, SVCS, SVL, and some SVV system tables and views with Amazon Redshift
Serverless": https://docs.aws.amazon.com/redshift/latest/mgmt/serverless-monitoring.html): on a
workgroup they fail with ``permission denied for relation stl_load_errors``, the error Serverless users
report (unverified beyond those reports).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from lakelab.emulator.services.redshift.warehouse import Warehouse

NAMES = ("svv_table_info", "pg_table_def", "stl_load_errors", "sys_query_history", "stv_tbl_perm",
         "sys_load_error_detail", "sys_load_history", "svv_mv_info")
_PROVISIONED_ONLY = ("stl_", "stv_", "svl_", "svcs_")
_VERSION = "1.0.0 (Lake Labs emulator)"  # Redshift's own would be 1.0.<patch build>


def register(cursor: Any, found: Warehouse, name: str) -> str:
    """Register the system view ``name`` on ``cursor`` for one statement; its engine name."""
    import pyarrow as pa

    from lakelab.emulator.services.redshift import dialect

    if name.startswith(_PROVISIONED_ONLY) and found.target.startswith(("namespace/", "workgroup/")):
        raise dialect.error(f"permission denied for relation {name}")
    rows = {"svv_table_info": _table_info, "pg_table_def": _table_def, "stl_load_errors": _load_errors,
            "sys_query_history": _history, "stv_tbl_perm": _table_info, "sys_load_error_detail": _error_detail,
            "sys_load_history": _load_history, "svv_mv_info": _mv_info}[name](found)
    engine_name = f"lakelab_redshift_{name}"
    cursor.register(engine_name, pa.Table.from_pylist(rows[1], schema=pa.schema(rows[0])))
    return engine_name


def _time(seconds: float) -> dt.datetime:
    return dt.datetime.fromtimestamp(seconds, dt.timezone.utc).replace(tzinfo=None)


def _table_info(found: Warehouse) -> tuple[list[Any], list[dict[str, Any]]]:
    import pyarrow as pa

    schema = [("database", pa.string()), ("schema", pa.string()), ("table_id", pa.int64()), ("table", pa.string()),
              ("encoded", pa.string()), ("diststyle", pa.string()), ("sortkey1", pa.string()),
              ("max_varchar", pa.int64()), ("sortkey_num", pa.int64()), ("size", pa.int64()),
              ("pct_used", pa.float64()), ("unsorted", pa.float64()), ("stats_off", pa.float64()),
              ("tbl_rows", pa.float64()), ("estimated_visible_rows", pa.float64()), ("skew_rows", pa.float64())]
    rows = []
    cursor = found.cursor()
    try:
        for table_schema, table, kind in found.tables():
            if kind != "TABLE":
                continue
            count = cursor.execute(f'SELECT count(*) FROM "{table_schema}"."{table}"').fetchone()[0]
            if not count:
                continue
            design = found.designs.get(f"{table_schema}.{table}")
            diststyle = "AUTO(EVEN)" if design is None else (
                f"KEY({design.distkey})" if design.diststyle == "KEY" else
                "AUTO(EVEN)" if design.diststyle == "AUTO" else design.diststyle)
            sortkeys = design.sortkeys if design else []
            first = sortkeys[0] if sortkeys else None
            if first and design and design.sortkey_kind == "INTERLEAVED":
                first = f"INTERLEAVED({first})"
            rows.append({"database": found.database, "schema": table_schema,
                         "table_id": found.table_id(f"{table_schema}.{table}"), "table": table,
                         "encoded": "Y" if design and design.encodings else "N", "diststyle": diststyle,
                         "sortkey1": first, "max_varchar": _max_varchar(design), "sortkey_num": len(sortkeys),
                         "size": max(1, count * 64 // (1 << 20)), "pct_used": 0.0,
                         "unsorted": 0.0 if sortkeys else None, "stats_off": 0.0, "tbl_rows": float(count),
                         "estimated_visible_rows": float(count), "skew_rows": 1.0})
    finally:
        cursor.close()
    return schema, rows


def _max_varchar(design: Any) -> int:
    return max([n for kind, n in design.lengths.values() if kind == "varchar"] or [0]) if design else 0


def _table_def(found: Warehouse) -> tuple[list[Any], list[dict[str, Any]]]:
    import pyarrow as pa

    schema = [("schemaname", pa.string()), ("tablename", pa.string()), ("column", pa.string()),
              ("type", pa.string()), ("encoding", pa.string()), ("distkey", pa.bool_()), ("sortkey", pa.int64()),
              ("notnull", pa.bool_())]
    from lakelab.emulator.services.redshift import results

    rows = []
    for table_schema, table, kind in found.tables():
        if table_schema != "public" or kind != "TABLE":
            continue
        design = found.designs.get(f"{table_schema}.{table}")
        for name, engine_type, nullable, _ in found.columns(table_schema, table):
            position = design.sortkeys.index(name) + 1 if design and name in design.sortkeys else 0
            if position and design and design.sortkey_kind == "INTERLEAVED":
                position = -position
            declared = results.declared_type(engine_type)
            if design and name in design.lengths:
                kind, length = design.lengths[name]
                declared = f"{'character' if kind == 'char' else 'character varying'}({length})"
            rows.append({"schemaname": table_schema, "tablename": table, "column": name,
                         "type": declared,
                         "encoding": (design.encodings.get(name) if design else None) or "none",
                         "distkey": bool(design and design.distkey == name), "sortkey": position,
                         "notnull": not nullable})
    return schema, rows


def _load_errors(found: Warehouse) -> tuple[list[Any], list[dict[str, Any]]]:
    import pyarrow as pa

    schema = [("userid", pa.int64()), ("slice", pa.int64()), ("tbl", pa.int64()), ("starttime", pa.timestamp("us")),
              ("session", pa.int64()), ("query", pa.int64()), ("filename", pa.string()), ("line_number", pa.int64()),
              ("colname", pa.string()), ("type", pa.string()), ("col_length", pa.string()), ("position", pa.int64()),
              ("raw_line", pa.string()), ("raw_field_value", pa.string()), ("err_code", pa.int64()),
              ("err_reason", pa.string())]
    rows = [{"userid": 100, "slice": 0, "tbl": e.table_id, "starttime": _time(e.starttime), "session": 1073741824,
             "query": e.query, "filename": e.filename, "line_number": e.line_number, "colname": e.colname,
             "type": e.type, "col_length": e.col_length, "position": e.position, "raw_line": e.raw_line,
             "raw_field_value": e.raw_field_value, "err_code": e.err_code, "err_reason": e.err_reason}
            for e in list(found.load_errors)]
    return schema, rows


def _error_detail(found: Warehouse) -> tuple[list[Any], list[dict[str, Any]]]:
    import pyarrow as pa

    schema = [("user_id", pa.int32()), ("query_id", pa.int64()), ("transaction_id", pa.int64()),
              ("session_id", pa.int32()), ("database_name", pa.string()), ("table_id", pa.int32()),
              ("start_time", pa.timestamp("us")), ("file_name", pa.string()), ("line_number", pa.int64()),
              ("column_name", pa.string()), ("column_type", pa.string()), ("column_length", pa.string()),
              ("position", pa.int32()), ("error_code", pa.int32()), ("error_message", pa.string())]
    rows = [{"user_id": 100, "query_id": e.query, "transaction_id": e.query, "session_id": 1073741824,
             "database_name": found.database, "table_id": e.table_id, "start_time": _time(e.starttime),
             "file_name": e.filename, "line_number": e.line_number, "column_name": e.colname, "column_type": e.type,
             "column_length": e.col_length, "position": e.position, "error_code": e.err_code,
             "error_message": e.err_reason}
            for e in list(found.load_errors)]
    return schema, rows


def _load_history(found: Warehouse) -> tuple[list[Any], list[dict[str, Any]]]:
    import pyarrow as pa

    schema = [("user_id", pa.int32()), ("query_id", pa.int64()), ("transaction_id", pa.int64()),
              ("session_id", pa.int32()), ("database_name", pa.string()), ("status", pa.string()),
              ("table_name", pa.string()), ("start_time", pa.timestamp("us")), ("end_time", pa.timestamp("us")),
              ("duration", pa.int64()), ("data_source", pa.string()), ("file_format", pa.string()),
              ("loaded_rows", pa.int64()), ("loaded_bytes", pa.int64()), ("source_file_count", pa.int32()),
              ("source_file_bytes", pa.int64()), ("file_count_scanned", pa.int32()),
              ("file_bytes_scanned", pa.int64()), ("error_count", pa.int64()), ("copy_job_id", pa.int64())]
    rows = []
    for load in list(found.loads):
        ended = load.end_time or None
        rows.append({"user_id": 100, "query_id": load.query_id, "transaction_id": load.query_id,
                     "session_id": 1073741824, "database_name": found.database, "status": load.status,
                     "table_name": load.table_name, "start_time": _time(load.start_time),
                     "end_time": _time(ended) if ended else None,
                     "duration": int(((ended or load.start_time) - load.start_time) * 1e6),
                     "data_source": load.data_source, "file_format": load.file_format,
                     "loaded_rows": load.loaded_rows, "loaded_bytes": load.loaded_bytes,
                     "source_file_count": load.source_file_count, "source_file_bytes": load.source_file_bytes,
                     "file_count_scanned": load.source_file_count, "file_bytes_scanned": load.source_file_bytes,
                     "error_count": load.error_count, "copy_job_id": 0})
    return schema, rows


def _history(found: Warehouse) -> tuple[list[Any], list[dict[str, Any]]]:
    """The documented columns through ``redshift_version``, in their order
    (https://docs.aws.amazon.com/redshift/latest/dg/SYS_QUERY_HISTORY.html), then ``user_name``, this
    emulator's (users are not modelled, so ``user_id`` is 100 for everyone); the later columns (usage
    limits, compile and planning times, service classes, query hashes) are not modelled."""
    import pyarrow as pa

    schema = [("user_id", pa.int32()), ("query_id", pa.int64()), ("query_label", pa.string()),
              ("transaction_id", pa.int64()), ("session_id", pa.int32()), ("database_name", pa.string()),
              ("query_type", pa.string()), ("status", pa.string()), ("result_cache_hit", pa.bool_()),
              ("start_time", pa.timestamp("us")), ("end_time", pa.timestamp("us")), ("elapsed_time", pa.int64()),
              ("queue_time", pa.int64()), ("execution_time", pa.int64()), ("error_message", pa.string()),
              ("returned_rows", pa.int64()), ("returned_bytes", pa.int64()), ("query_text", pa.string()),
              ("redshift_version", pa.string()), ("user_name", pa.string())]
    rows = [{"user_id": 100, "query_id": q.query_id, "query_label": "default", "transaction_id": q.query_id,
             "session_id": 1073741824, "database_name": found.database, "query_type": q.query_type,
             "status": q.status, "result_cache_hit": False, "start_time": _time(q.start_time),
             "end_time": _time(q.end_time), "elapsed_time": int((q.end_time - q.start_time) * 1e6), "queue_time": 0,
             "execution_time": int((q.end_time - q.start_time) * 1e6), "error_message": q.error_message,
             "returned_rows": q.returned_rows, "returned_bytes": 0, "query_text": q.query_text[:4000],
             "redshift_version": _VERSION, "user_name": q.user}
            for q in list(found.history)]
    return schema, rows


def _mv_info(found: Warehouse) -> tuple[list[Any], list[dict[str, Any]]]:
    import pyarrow as pa

    schema = [("database_name", pa.string()), ("schema_name", pa.string()), ("user_name", pa.string()),
              ("name", pa.string()), ("is_stale", pa.string()), ("state", pa.int64()), ("autorewrite", pa.string()),
              ("autorefresh", pa.string())]
    rows = [{"database_name": found.database, "schema_name": qualified.split(".", 1)[0], "user_name": "admin",
             "name": qualified.split(".", 1)[1], "is_stale": "f", "state": 1, "autorewrite": "f", "autorefresh": "f"}
            for qualified in list(found.materialized)]
    return schema, rows
