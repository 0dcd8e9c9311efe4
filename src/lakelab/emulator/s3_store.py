"""Read and write the emulator's S3 objects in-process, without an HTTP round trip.

Extensions that compute (Athena, crawlers, jobs) read the data where moto keeps it: going
through the HTTP endpoint would copy whole objects for every ranged read.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import urlparse

DEFAULT_ACCOUNT = "123456789012"


def backend(account_id: str = DEFAULT_ACCOUNT) -> Any:
    from moto.s3.models import s3_backends

    return s3_backends[account_id]["global"]


def split_uri(uri: str) -> tuple[str, str]:
    """``s3://bucket/some/key`` -> ``("bucket", "some/key")``."""
    parsed = urlparse(uri)
    if parsed.scheme not in ("s3", "s3a", "s3n") or not parsed.netloc:
        raise ValueError(f"not an S3 location: {uri!r} (expected s3://bucket/key)")
    return parsed.netloc, parsed.path.lstrip("/")


def iter_objects(bucket: str, prefix: str = "", account_id: str = DEFAULT_ACCOUNT) -> Iterator[tuple[str, int]]:
    """(key, size) of the current version of every object under ``prefix``, sorted by key."""
    store = backend(account_id).get_bucket(bucket).keys
    for key_name in sorted(k for k in store.keys() if k.startswith(prefix)):
        key = store.get(key_name)
        if key is not None and not is_delete_marker(key):
            yield key_name, key.size


def is_delete_marker(key: object) -> bool:
    """The current version of a deleted key in a versioned bucket (moto's FakeDeleteMarker)."""
    from moto.s3.models import FakeDeleteMarker

    return isinstance(key, FakeDeleteMarker)


def read_bytes(bucket: str, key: str, account_id: str = DEFAULT_ACCOUNT) -> bytes:
    found = backend(account_id).get_object(bucket, key)
    if found is None:
        raise FileNotFoundError(f"s3://{bucket}/{key}")
    return bytes(found.value)


def read_range(bucket: str, key: str, start: int, stop: int | None = None, account_id: str = DEFAULT_ACCOUNT) -> bytes:
    """Bytes ``[start:stop]`` of an object, slice-style (negative offsets count from the end).

    Readers that need a file's head or footer only (format sniffing, Parquet metadata) would
    otherwise copy the whole object.
    """
    found = backend(account_id).get_object(bucket, key)
    if found is None:
        raise FileNotFoundError(f"s3://{bucket}/{key}")
    begin, end, _ = slice(start, stop).indices(found.size)
    with found.lock:
        found._value_buffer.seek(begin)
        return bytes(found._value_buffer.read(max(0, end - begin)))


def write_bytes(bucket: str, key: str, data: bytes, account_id: str = DEFAULT_ACCOUNT) -> None:
    """Write an object as the service itself would (no notification for engine output files)."""
    backend(account_id).put_object(bucket, key, data, disable_notification=True)


def delete(bucket: str, key: str, account_id: str = DEFAULT_ACCOUNT) -> None:
    backend(account_id).delete_object(bucket, key)
