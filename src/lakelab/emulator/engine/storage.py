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
import threading
import weakref
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import quote, unquote

from fsspec.spec import AbstractFileSystem

from lakelab.emulator import seam
from lakelab.emulator.common import s3_objects
from lakelab.emulator.engine import errors

PROTOCOL = "lakelab"
# Hive and Athena skip these: _SUCCESS markers, .crc files, folder placeholders.
_HIDDEN_PREFIXES = ("_", ".")


def engine_path(account_id: str, bucket: str, key: str) -> str:
    # Quoting keeps glob characters in keys (*, ?, [) from being expanded by DuckDB.
    return f"{PROTOCOL}://{account_id}/{bucket}/{quote(key, safe='/=-_.~+@:, ')}"


def _split(path: str) -> tuple[str, str, str]:
    account_id, bucket, key = path.split("://", 1)[-1].split("/", 2)
    return account_id, bucket, unquote(key)


class _Upload(io.BytesIO):
    """A file DuckDB writes; it becomes an S3 object when closed."""

    def __init__(self, path: str) -> None:
        super().__init__()
        self._path = path

    def close(self) -> None:
        if not self.closed:
            account_id, bucket, key = _split(self._path)
            s3_objects.write_bytes(bucket, key, self.getvalue(), account_id=account_id)
        super().close()


class LakeFileSystem(AbstractFileSystem):
    protocol = PROTOCOL

    def _open(self, path: str, mode: str = "rb", **kwargs: Any) -> Any:
        if "w" in mode:
            return _Upload(path)
        return s3_objects.ObjectFile(s3_objects.view(s3_objects.stored_object(*_split(path))))

    def info(self, path: str, **kwargs: Any) -> dict[str, Any]:
        found = s3_objects.stored_object(*_split(path))
        return {"name": path, "size": found.size, "type": "file"}

    def modified(self, path: str) -> datetime.datetime:
        return s3_objects.stored_object(*_split(path)).last_modified

    def ls(self, path: str, detail: bool = True, **kwargs: Any) -> list[Any]:
        account_id, bucket, prefix = _split(path.rstrip("/") + "/")
        found = [{"name": engine_path(account_id, bucket, k), "size": s, "type": "file"}
                 for k, s in list_files(account_id, bucket, prefix)]
        return found if detail else [f["name"] for f in found]


def list_files(account_id: str, bucket: str, prefix: str) -> Iterator[tuple[str, int]]:
    """Data files under a folder, as Athena sees them: no folder markers, no hidden files.

    The caller in force must be allowed to list the folder and read each file (the engine reads
    them on threads of its own, which do not know the caller: so each file is authorized here).
    """
    try:
        objects = list(s3_objects.iter_objects(bucket, prefix, account_id=account_id))
    except seam.MissingBucket:
        raise errors.QueryFailed(f"HIVE_FILESYSTEM_ERROR: The specified bucket does not exist: {bucket}") from None
    except PermissionError as denied:
        raise _permission_denied(f"s3://{bucket}/{prefix}", denied) from None
    for key, size in objects:
        relative = key[len(prefix) :]
        if key.endswith("/") or key.endswith("_$folder$"):
            continue
        if any(part.startswith(_HIDDEN_PREFIXES) for part in relative.split("/")):
            continue
        try:
            s3_objects.authorize("s3:GetObject", bucket, key)
        except PermissionError as denied:
            raise _permission_denied(f"s3://{bucket}/{key}", denied) from None
        yield key, size


def _permission_denied(path: str, denied: Exception) -> errors.QueryFailed:
    """Athena's failure for data its caller may not read, with IAM's reason."""
    return errors.QueryFailed(f"Permission denied on S3 path: {path} ({denied})")


def folder(location: str) -> tuple[str, str]:
    """``s3://bucket/path`` -> ``("bucket", "path/")``: a table location is a folder."""
    bucket, key = s3_objects.split_uri(location)
    return bucket, (key.rstrip("/") + "/") if key.strip("/") else ""


# --- cached per-object facts (Parquet footers), dropped with the object ----------------------

_cache: weakref.WeakKeyDictionary[Any, dict[str, Any]] = weakref.WeakKeyDictionary()
_cache_lock = threading.Lock()


def cached(account_id: str, bucket: str, key: str, name: str, compute: Callable[[Any], Any]) -> Any:
    """``compute(buffer)`` once per S3 object version; moto's key objects never change content."""
    found = s3_objects.stored_object(account_id, bucket, key)
    with _cache_lock:
        entry = _cache.setdefault(found, {})
        if name in entry:
            return entry[name]
    value = compute(s3_objects.view(found))
    with _cache_lock:
        entry[name] = value
    return value
