"""The engine's view of S3: DuckDB reads and writes the emulator's objects in-process.

DuckDB cannot reach S3 here (``INSTALL httpfs`` needs a download), and going through the HTTP
endpoint would copy whole objects for every ranged read. So a small fsspec filesystem,
registered in DuckDB under ``lakelab://<account>/<bucket>/<key>``, serves reads from the memory
moto keeps objects in (zero-copy: large objects are memory-mapped from moto's spool file) and
turns written files into S3 objects. Measured on a 55 MB Parquet file, a GROUP BY through it is as
fast as reading the file from local disk.
"""

from __future__ import annotations

import datetime
import io
import mmap
import threading
import weakref
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import quote, unquote

from fsspec.spec import AbstractFileSystem

from lakelab.emulator import s3_store
from lakelab.emulator.athena import errors

PROTOCOL = "lakelab"
# Hive and Athena skip these: _SUCCESS markers, .crc files, folder placeholders.
_HIDDEN_PREFIXES = ("_", ".")


def engine_path(account_id: str, bucket: str, key: str) -> str:
    # Quoting keeps glob characters in keys (*, ?, [) from being expanded by DuckDB.
    return f"{PROTOCOL}://{account_id}/{bucket}/{quote(key, safe='/=-_.~+@:, ')}"


def _split(path: str) -> tuple[str, str, str]:
    account_id, bucket, key = path.split("://", 1)[-1].split("/", 2)
    return account_id, bucket, unquote(key)


def fake_key(account_id: str, bucket: str, key: str) -> Any:
    from moto.s3.exceptions import MissingBucket

    try:
        found = s3_store.backend(account_id).get_object(bucket, key)
    except MissingBucket:
        found = None
    if found is None or s3_store.is_delete_marker(found):
        raise FileNotFoundError(f"s3://{bucket}/{key}")
    return found


def object_view(found: Any) -> Any:
    """The bytes of a moto object without copying them (a memory map once moto spilled to disk)."""
    buffer = getattr(found, "_value_buffer", None)
    if buffer is None or not hasattr(buffer, "_rolled"):
        return found.value
    with found.lock:
        if not buffer._rolled:
            return buffer._file.getvalue()
        return mmap.mmap(buffer.fileno(), 0, access=mmap.ACCESS_READ)


class _View(io.RawIOBase):
    """A read-only, seekable file over a buffer."""

    def __init__(self, buffer: Any) -> None:
        self._view = memoryview(buffer)
        self._position = 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def seek(self, offset: int, whence: int = 0) -> int:
        base = {0: 0, 1: self._position, 2: len(self._view)}[whence]
        self._position = max(0, base + offset)
        return self._position

    def tell(self) -> int:
        return self._position

    def read(self, size: int = -1) -> bytes:
        end = len(self._view) if size is None or size < 0 else min(len(self._view), self._position + size)
        data = self._view[self._position : end].tobytes()
        self._position = max(self._position, end)
        return data

    def readinto(self, target: Any) -> int:
        data = self.read(len(target))
        target[: len(data)] = data
        return len(data)


class _Upload(io.BytesIO):
    """A file DuckDB writes; it becomes an S3 object when closed."""

    def __init__(self, path: str) -> None:
        super().__init__()
        self._path = path

    def close(self) -> None:
        if not self.closed:
            account_id, bucket, key = _split(self._path)
            s3_store.write_bytes(bucket, key, self.getvalue(), account_id=account_id)
        super().close()


class LakeFileSystem(AbstractFileSystem):
    protocol = PROTOCOL

    def _open(self, path: str, mode: str = "rb", **kwargs: Any) -> Any:
        if "w" in mode:
            return _Upload(path)
        return _View(object_view(fake_key(*_split(path))))

    def info(self, path: str, **kwargs: Any) -> dict[str, Any]:
        found = fake_key(*_split(path))
        return {"name": path, "size": found.size, "type": "file"}

    def modified(self, path: str) -> datetime.datetime:
        return fake_key(*_split(path)).last_modified

    def ls(self, path: str, detail: bool = True, **kwargs: Any) -> list[Any]:
        account_id, bucket, prefix = _split(path.rstrip("/") + "/")
        found = [{"name": engine_path(account_id, bucket, k), "size": s, "type": "file"}
                 for k, s in list_files(account_id, bucket, prefix)]
        return found if detail else [f["name"] for f in found]


def list_files(account_id: str, bucket: str, prefix: str) -> Iterator[tuple[str, int]]:
    """Data files under a folder, as Athena sees them: no folder markers, no hidden files."""
    from moto.s3.exceptions import MissingBucket

    try:
        objects = list(s3_store.iter_objects(bucket, prefix, account_id=account_id))
    except MissingBucket:
        raise errors.QueryFailed(f"HIVE_FILESYSTEM_ERROR: The specified bucket does not exist: {bucket}") from None
    for key, size in objects:
        relative = key[len(prefix) :]
        if key.endswith("/") or key.endswith("_$folder$"):
            continue
        if any(part.startswith(_HIDDEN_PREFIXES) for part in relative.split("/")):
            continue
        yield key, size


def folder(location: str) -> tuple[str, str]:
    """``s3://bucket/path`` -> ``("bucket", "path/")``: a table location is a folder."""
    bucket, key = s3_store.split_uri(location)
    return bucket, (key.rstrip("/") + "/") if key.strip("/") else ""


# --- cached per-object facts (Parquet footers), dropped with the object ----------------------

_cache: weakref.WeakKeyDictionary[Any, dict[str, Any]] = weakref.WeakKeyDictionary()
_cache_lock = threading.Lock()


def cached(account_id: str, bucket: str, key: str, name: str, compute: Callable[[Any], Any]) -> Any:
    """``compute(buffer)`` once per S3 object version; moto's key objects never change content."""
    found = fake_key(account_id, bucket, key)
    with _cache_lock:
        entry = _cache.setdefault(found, {})
        if name in entry:
            return entry[name]
    value = compute(object_view(found))
    with _cache_lock:
        entry[name] = value
    return value


# --- the engine ------------------------------------------------------------------------------

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
    from lakelab.emulator.athena import functions

    functions.install(database)
    return database
