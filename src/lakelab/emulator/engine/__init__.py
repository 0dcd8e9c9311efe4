"""The shared SQL engine: DuckDB over the emulator's in-process S3 store and Glue Data Catalog.

- ``connection`` (the shared in-memory DuckDB, set up once) and ``functions`` (Athena's functions
  as engine macros)
- ``storage`` (the ``lakelab://`` filesystem DuckDB reads S3 objects through, table folders)
- ``catalog`` (tables, columns and partitions read from Glue), ``types`` (the one Hive type
  model: Hive, engine, Athena and Arrow spellings)
- ``scans`` (the SQL reading one table, and its bytes scanned), ``parquet`` (the one Parquet
  footer reader), ``textformats`` (CSV, text and JSON SerDes)
- ``quoting`` and ``errors`` (failures worded as Athena words them)

Athena queries with it; the crawler reads Parquet footers and types through it.
"""
