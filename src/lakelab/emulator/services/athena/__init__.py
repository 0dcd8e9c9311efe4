"""Athena extension: queries really run, over the Glue catalog and the emulator's S3.

moto's Athena answers every query SUCCEEDED with no rows. Here a query is planned against the
Glue Data Catalog, translated from Athena's SQL (Trino) to DuckDB with Athena's semantics, run
in-process over the S3 objects, and answered as Athena answers: a CSV in the output location,
typed GetQueryResults pages, honest statistics. Hive DDL, CTAS, INSERT INTO, UNLOAD, views and
MSCK REPAIR TABLE change Glue and S3 as Athena does. Modules, by concern:

- ``api`` (the API operations), ``executions`` (states, worker threads, timings), ``calls``
  (queries started by other services, as the caller)
- ``grammar``/``grammar_tables``/``tokens`` (which statement; Hive DDL parsing)
- ``query``/``translate``/``joda`` (planning and Athena SQL semantics)
- ``ddl``/``show``/``ctas``/``insert``/``writes`` (catalog changes and writes)
- ``results`` (rendering, result files, pages); ``metadata`` (ListDatabases... read from Glue)

The engine underneath (tables, files, types, bytes scanned, the DuckDB connection) is
``engine/``, shared with the services that will query the lake next.
"""

from __future__ import annotations

from lakelab.emulator.seam import Patch

SERVICES = ("athena",)

_MOTO_LACKS = ("batch_get_query_execution", "list_table_metadata", "get_table_metadata", "update_work_group")
_API = ("start_query_execution", "get_query_execution", "batch_get_query_execution", "list_query_executions",
        "stop_query_execution", "get_query_results", "get_query_runtime_statistics", "get_work_group",
        "update_work_group")
_METADATA = ("list_databases", "get_database", "list_table_metadata", "get_table_metadata")

PATCHES = tuple(
    Patch("AthenaResponse", operation, value=f".{module}:{operation}", adds=operation in _MOTO_LACKS,
          why="moto answers every query SUCCEEDED with no rows; here queries run and metadata is Glue's")
    for module, operations in (("api", _API), ("metadata", _METADATA)) for operation in operations
)


def install() -> None:
    """Executions stop and result caches clear on reset; the engine warms up off the request thread."""
    import threading

    from lakelab.emulator import registry
    from lakelab.emulator.services.athena import executions, results

    def forget() -> None:
        executions.stop_all()
        results.forget_all()

    registry.on_reset(forget)
    threading.Thread(target=executions.warm_up, name="lakelab-athena-warm-up", daemon=True).start()
