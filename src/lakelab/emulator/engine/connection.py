"""The shared DuckDB engine: one in-memory database, set up once, a cursor per query.

Set up with the ``lakelab://`` filesystem over the emulator's S3 (``storage``), Athena's session
time zone (UTC), a Parquet footer cache and Athena's functions as macros (``functions``).
"""

from __future__ import annotations

import threading
from typing import Any

from lakelab.emulator.engine.storage import LakeFileSystem

_database: Any = None
_database_lock = threading.Lock()


def connection() -> Any:
    """A new DuckDB connection (own temporary views) to the shared in-memory engine."""
    global _database
    with _database_lock:
        if _database is None:
            _database = _open_database()
        return _database.cursor()


def _open_database() -> Any:
    import duckdb

    database = duckdb.connect(":memory:")
    database.register_filesystem(LakeFileSystem())
    # Athena sessions run in UTC; Parquet footers are cached (objects never change in place).
    database.execute("SET GLOBAL TimeZone = 'UTC'")
    database.execute("SET GLOBAL parquet_metadata_cache = true")
    from lakelab.emulator.engine import functions

    functions.install(database)
    return database
