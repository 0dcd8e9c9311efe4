"""Athena extension: queries really run, over the Glue catalog and the emulator's S3.

moto's Athena answers every query SUCCEEDED with no rows. Here a query is planned against the
Glue Data Catalog, translated from Athena's SQL (Trino) to DuckDB with Athena's semantics, run
in-process over the S3 objects, and answered as Athena answers: a CSV in the output location,
typed GetQueryResults pages, honest statistics. Hive DDL, CTAS, INSERT INTO, UNLOAD, views and
MSCK REPAIR TABLE change Glue and S3 as Athena does. Modules, by concern:

- ``api`` (the API operations), ``executions`` (states, worker threads, timings)
- ``grammar``/``grammar_tables``/``tokens`` (which statement; Hive DDL parsing)
- ``query``/``translate``/``joda``/``functions`` (planning and Athena SQL semantics)
- ``catalog``/``scans``/``parquet``/``textformats``/``storage`` (tables, files, bytes scanned)
- ``ddl``/``show``/``ctas``/``insert``/``writes`` (catalog changes and writes)
- ``results`` (rendering, result files, pages); ``metadata`` (ListDatabases... read from Glue)
"""

from __future__ import annotations

SERVICES = ("athena",)


def install() -> None:
    import threading

    from moto.athena.responses import AthenaResponse

    from lakelab.emulator import registry
    from lakelab.emulator.athena import api, executions, metadata, results

    if getattr(AthenaResponse, "_lakelab", False):
        return
    for name, handler in {**api.HANDLERS, **metadata.HANDLERS}.items():
        setattr(AthenaResponse, name, handler)
    AthenaResponse._lakelab = True  # type: ignore[attr-defined]

    def forget() -> None:
        executions.stop_all()
        results.forget_all()

    registry.on_reset(forget)
    threading.Thread(target=executions.warm_up, name="lakelab-athena-warm-up", daemon=True).start()
