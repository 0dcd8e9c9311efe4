"""Event history: the management events of the last 90 days, per account and region, indexed for lookups.

AWS keeps 90 days of management events in each Region's Event history and answers LookupEvents
from it, newest first, filtered by at most one attribute. Here each event is kept as its record,
compressed (a lookup page needs at most 50 of them back), plus an index entry under each attribute
value it can be looked up by; a lookup reads one index list, cut to the time range by bisection,
so it costs the same over 100 events or 100,000. The history is bounded by age (90 days) and by
count (100,000 events per account and Region by default), oldest dropped first.
"""

from __future__ import annotations

import bisect
import datetime as dt
import json
import threading
import time
import zlib
from typing import Any

from lakelab.emulator.services.cloudtrail import records, resources

RETENTION = dt.timedelta(days=90)
MAX_EVENTS = 100_000  # about 110 MB when full: a laptop runs JupyterLab beside it
ALL = ("", "")  # the index of every event
LOOKUP_KEYS = ("EventId", "EventName", "ReadOnly", "Username", "ResourceType", "ResourceName", "EventSource",
               "AccessKeyId")


class StoredEvent:
    """One event: its position in time and its record, compressed (its index keys are read back from it)."""

    __slots__ = ("seconds", "sequence", "_compressed")

    def __init__(self, seconds: int, sequence: int, record_json: str) -> None:
        self.seconds, self.sequence = seconds, sequence
        self._compressed = zlib.compress(record_json.encode(), 1)

    @property
    def keys(self) -> tuple[tuple[str, str], ...]:
        return index_keys(json.loads(self.record_json))

    @property
    def position(self) -> tuple[int, int]:
        return (self.seconds, self.sequence)

    @property
    def record_json(self) -> str:
        return zlib.decompress(self._compressed).decode()


def _position(event: StoredEvent) -> tuple[int, int]:
    return (event.seconds, event.sequence)


def index_keys(record: dict[str, Any]) -> tuple[tuple[str, str], ...]:
    """Every (lookup attribute, value) the record can be found by."""
    identity = record.get("userIdentity") or {}
    keys = [("EventId", record["eventID"]), ("EventName", record["eventName"]),
            ("ReadOnly", "true" if record.get("readOnly") else "false"), ("EventSource", record["eventSource"])]
    for key, value in (("Username", records.username(identity)), ("AccessKeyId", identity.get("accessKeyId"))):
        if value:
            keys.append((key, value))
    for resource in resources.lookup_resources(record):
        keys += [("ResourceType", resource["ResourceType"]), ("ResourceName", resource["ResourceName"])]
    return tuple(dict.fromkeys(keys))


class EventHistory:
    """The Event history of one account in one Region."""

    def __init__(self, max_events: int = MAX_EVENTS) -> None:
        self.max_events = max_events
        self._index: dict[tuple[str, str], list[StoredEvent]] = {ALL: []}
        self._sequence = 0
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._index[ALL])

    def add(self, record: dict[str, Any], record_json: str, moment: dt.datetime) -> None:
        with self._lock:
            self._sequence += 1
            event = StoredEvent(int(moment.timestamp()), self._sequence, record_json)
            for key in (ALL,) + index_keys(record):
                self._insert(self._index.setdefault(key, []), event)
            if len(self) > self.max_events + max(1, self.max_events // 100):  # evict in batches
                self._evict(len(self) - self.max_events)

    @staticmethod
    def _insert(events: list[StoredEvent], event: StoredEvent) -> None:
        if not events or _position(events[-1]) <= event.position:
            events.append(event)  # the usual case: events arrive in time order
        else:
            bisect.insort(events, event, key=_position)

    def _evict(self, count: int) -> None:
        """Drop the ``count`` oldest events from every index they are in."""
        everything = self._index[ALL]
        if count <= 0:
            return
        newest_dropped = everything[count - 1].position
        touched = {key for event in everything[:count] for key in event.keys}
        del everything[:count]
        for key in touched:
            events = self._index[key]
            del events[:bisect.bisect_right(events, newest_dropped, key=_position)]
            if not events:
                del self._index[key]

    def expire(self, now: float | None = None) -> None:
        """Drop events older than the 90 days Event history keeps."""
        oldest_kept = int((now if now is not None else time.time()) - RETENTION.total_seconds())
        with self._lock:
            self._evict(bisect.bisect_left(self._index[ALL], (oldest_kept, 0), key=_position))

    def lookup(self, attribute: tuple[str, str] | None, start: int | None, end: int | None,
               before: tuple[int, int] | None, limit: int) -> tuple[list[StoredEvent], bool]:
        """Up to ``limit`` events, newest first, and whether older ones remain after them."""
        with self._lock:
            events = self._index.get(attribute or ALL, [])
            low = bisect.bisect_left(events, (start, 0), key=_position) if start is not None else 0
            high = bisect.bisect_right(events, (end, float("inf")), key=_position) if end is not None else len(events)
            if before is not None:
                high = min(high, bisect.bisect_left(events, before, key=_position))
            page = events[max(low, high - limit):high][::-1]
            return page, high - limit > low


def result(event: StoredEvent) -> dict[str, Any]:
    """One LookupEvents result, as AWS answers it."""
    record_json = event.record_json
    record = json.loads(record_json)
    identity = record.get("userIdentity") or {}
    found: dict[str, Any] = {"EventId": record["eventID"], "EventName": record["eventName"],
                             "ReadOnly": "true" if record.get("readOnly") else "false"}
    if identity.get("accessKeyId"):
        found["AccessKeyId"] = identity["accessKeyId"]
    found["EventTime"] = event.seconds
    found["EventSource"] = record["eventSource"]
    name = records.username(identity)
    if name:
        found["Username"] = name
    found["Resources"] = resources.lookup_resources(record)
    found["CloudTrailEvent"] = record_json
    return found


_histories: dict[tuple[str, str], EventHistory] = {}
_histories_lock = threading.Lock()


def of(account_id: str, region: str) -> EventHistory:
    """The Event history of ``account_id`` in ``region``, created on first use."""
    with _histories_lock:
        found = _histories.get((account_id, region))
        if found is None:
            found = _histories[(account_id, region)] = EventHistory()
        return found


def clear() -> None:
    with _histories_lock:
        _histories.clear()
