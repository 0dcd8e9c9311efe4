"""Read and write the emulator's S3 objects in-process, without an HTTP round trip: the one reader.

Extensions that compute (Athena, crawlers, jobs) read the data where moto keeps it: going
through the HTTP endpoint would copy whole objects for every ranged read. :func:`view` gives an
object's bytes without copying them (memory-mapped once moto spilled the object to disk), and
:func:`open_object` a seekable file over them, which the engine and pyarrow read from.

Reads and writes happen as the principal in force (``context.principal()``): an Athena query as
its caller, a crawler as its role. A user or role whose policies do not allow the object's
``s3:GetObject`` (``s3:ListBucket`` for a listing, ``s3:PutObject`` for a write) gets
``AccessDeniedError`` with AWS's message, as the same call over HTTP would.
"""

from __future__ import annotations

import io
import mmap
from collections.abc import Iterator
from typing import Any

from urllib.parse import urlparse

from lakelab.emulator import context, seam

DEFAULT_ACCOUNT = "123456789012"


def backend(account_id: str = DEFAULT_ACCOUNT) -> Any:
    return seam.backend("s3", account_id)


def split_uri(uri: str) -> tuple[str, str]:
    """``s3://bucket/some/key`` -> ``("bucket", "some/key")``."""
    parsed = urlparse(uri)
    if parsed.scheme not in ("s3", "s3a", "s3n") or not parsed.netloc:
        raise ValueError(f"not an S3 location: {uri!r} (expected s3://bucket/key)")
    return parsed.netloc, parsed.path.lstrip("/")


def authorize(action: str, bucket: str, key: str | None = None, condition_keys: dict[str, Any] | None = None) -> None:
    """Raise ``AccessDeniedError`` unless the principal in force may do ``action`` on the bucket or object.

    Reading an SSE-KMS object needs ``kms:Decrypt`` on its key too, writing one ``kms:GenerateDataKey``
    (``services.kms``: asked for every principal, so S3's KMS calls are recorded for root as well).
    """
    who = context.principal()
    if who.type not in (context.ROOT, context.AWS_SERVICE) and context.settings().enforce_iam:
        from lakelab.emulator.services.iam import enforcement

        resource = f"arn:aws:s3:::{bucket}" + (f"/{key}" if key is not None else "")
        enforcement.require(who, action, resource, condition_keys)
    if key is not None and action in ("s3:GetObject", "s3:PutObject"):
        _use_encryption_key(action, bucket, key)


def _use_encryption_key(action: str, bucket: str, key: str) -> None:
    from lakelab.emulator.services.iam.enforcement import AccessDeniedError
    from lakelab.emulator.services.kms import s3_encryption

    uses = s3_encryption.reading(bucket, key) if action == "s3:GetObject" else s3_encryption.writing(bucket, key, {})
    try:
        s3_encryption.check_all(uses)
    except s3_encryption.KeyRefused as refused:
        raise AccessDeniedError(refused.message) from None


def iter_objects(bucket: str, prefix: str = "", account_id: str = DEFAULT_ACCOUNT) -> Iterator[tuple[str, int]]:
    """(key, size) of the current version of every object under ``prefix``, sorted by key."""
    authorize("s3:ListBucket", bucket, condition_keys={"s3:prefix": prefix})
    store = backend(account_id).get_bucket(bucket).keys
    for key_name in sorted(k for k in store.keys() if k.startswith(prefix)):
        key = store.get(key_name)
        if key is not None and not is_delete_marker(key):
            yield key_name, key.size


def is_delete_marker(key: object) -> bool:
    """The current version of a deleted key in a versioned bucket (moto's FakeDeleteMarker)."""
    return isinstance(key, seam.FakeDeleteMarker)


def read_bytes(bucket: str, key: str, account_id: str = DEFAULT_ACCOUNT) -> bytes:
    authorize("s3:GetObject", bucket, key)
    found = backend(account_id).get_object(bucket, key)
    if found is None:
        raise FileNotFoundError(f"s3://{bucket}/{key}")
    return bytes(found.value)


def read_range(bucket: str, key: str, start: int, stop: int | None = None, account_id: str = DEFAULT_ACCOUNT) -> bytes:
    """Bytes ``[start:stop]`` of an object, slice-style (negative offsets count from the end).

    Readers that need a file's head or footer only (format sniffing, Parquet metadata) would
    otherwise copy the whole object.
    """
    authorize("s3:GetObject", bucket, key)
    found = backend(account_id).get_object(bucket, key)
    if found is None:
        raise FileNotFoundError(f"s3://{bucket}/{key}")
    begin, end, _ = slice(start, stop).indices(found.size)
    with found.lock:
        found._value_buffer.seek(begin)
        return bytes(found._value_buffer.read(max(0, end - begin)))


def write_bytes(bucket: str, key: str, data: bytes, account_id: str = DEFAULT_ACCOUNT) -> None:
    """Write an object as the service itself would (no notification for engine output files)."""
    authorize("s3:PutObject", bucket, key)
    backend(account_id).put_object(bucket, key, data, disable_notification=True)


def delete(bucket: str, key: str, account_id: str = DEFAULT_ACCOUNT) -> None:
    authorize("s3:DeleteObject", bucket, key)
    backend(account_id).delete_object(bucket, key)


def stored_object(account_id: str, bucket: str, key: str) -> Any:
    """moto's current version of an object; FileNotFoundError when there is none (or no bucket)."""
    try:
        found = backend(account_id).get_object(bucket, key)
    except seam.MissingBucket:
        found = None
    if found is None or is_delete_marker(found):
        raise FileNotFoundError(f"s3://{bucket}/{key}")
    return found


def view(found: Any) -> Any:
    """The bytes of a moto object without copying them (a memory map once moto spilled to disk)."""
    buffer = getattr(found, "_value_buffer", None)
    if buffer is None or not hasattr(buffer, "_rolled"):
        return found.value
    with found.lock:
        if not buffer._rolled:
            return buffer._file.getvalue()
        return mmap.mmap(buffer.fileno(), 0, access=mmap.ACCESS_READ)


class ObjectFile(io.RawIOBase):
    """A read-only, seekable file over an object's bytes (a :func:`view`)."""

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


def open_object(bucket: str, key: str, account_id: str = DEFAULT_ACCOUNT) -> ObjectFile:
    """A seekable, read-only file over an object's current version, without copying it."""
    authorize("s3:GetObject", bucket, key)
    return ObjectFile(view(stored_object(account_id, bucket, key)))
