"""Per-shard throughput, metered as Kinesis meters it.

Writes: 1 MiB (data plus partition key) and 1,000 records per shard per second, counted in
whole-second windows. Reads: 5 GetRecords calls per shard per second, and 2 MiB per second as a
budget a large read may overdraw (a 10 MiB answer throttles the shard's next five seconds).
"""

from __future__ import annotations

import threading
import time
import weakref
from typing import Any

WRITE_BYTES_PER_SECOND = 1024 * 1024
WRITE_RECORDS_PER_SECOND = 1000
READ_CALLS_PER_SECOND = 5
READ_BYTES_PER_SECOND = 2 * 1024 * 1024
KEYS_REMEMBERED = 64  # distinct hash keys a shard remembers per second (to tell a hot key from a hot shard)


class Meter:
    """One shard's usage in the current second."""

    def __init__(self) -> None:
        self.write_second = -1
        self.write_bytes = self.write_records = 0
        self.hash_keys: set[int] = set()
        self.read_second = -1
        self.read_calls = 0
        self.read_budget = float(READ_BYTES_PER_SECOND)
        self.budget_at = time.monotonic()

    def admit_write(self, second: int, size: int, hash_key: int) -> bool:
        """Count one record of ``size`` bytes written in ``second``; False (uncounted) when over the limit."""
        if second != self.write_second:
            self.write_second, self.write_bytes, self.write_records = second, 0, 0
            self.hash_keys = set()
        if self.write_bytes + size > WRITE_BYTES_PER_SECOND or self.write_records + 1 > WRITE_RECORDS_PER_SECOND:
            return False
        self.write_bytes += size
        self.write_records += 1
        if len(self.hash_keys) < KEYS_REMEMBERED:
            self.hash_keys.add(hash_key)
        return True

    def admit_read(self, now: float) -> bool:
        """Count one GetRecords call; False when the shard's calls or bytes this second are used up."""
        self.read_budget = min(READ_BYTES_PER_SECOND, self.read_budget + (now - self.budget_at) * READ_BYTES_PER_SECOND)
        self.budget_at = now
        second = int(now)
        if second != self.read_second:
            self.read_second, self.read_calls = second, 0
        if self.read_calls >= READ_CALLS_PER_SECOND or self.read_budget <= 0:
            return False
        self.read_calls += 1
        return True

    def charge_read(self, size: int) -> None:
        self.read_budget -= size


_meters: weakref.WeakKeyDictionary[Any, Meter] = weakref.WeakKeyDictionary()
_meters_lock = threading.Lock()
_writes_lock = threading.Lock()


def meter(shard: Any) -> Meter:
    with _meters_lock:
        found = _meters.get(shard)
        if found is None:
            found = _meters[shard] = Meter()
        return found


def lock() -> threading.Lock:
    """Held while a call meters and writes, so two producers never both fit in one second's last slot."""
    return _writes_lock


def now() -> float:
    return time.monotonic()
