"""The one writer of CloudWatch Logs: what Lambda, Glue jobs and crawlers write, written here.

Lines go straight into moto's logs backend in this process (no HTTP round trip), so a learner's
``logs.filter_log_events`` sees them as the code prints them. Groups and streams are created on
first use, as the services create theirs; events keep their order with timestamps that never go
back, and empty messages are dropped (``PutLogEvents`` refuses both).
"""

from __future__ import annotations

import time
from collections.abc import Iterable

from lakelab.emulator import seam

Event = tuple[int, str]  # (milliseconds since the epoch, message)


def now_ms() -> int:
    return int(time.time() * 1000)


def ensure_stream(account_id: str, region: str, group: str, stream: str) -> None:
    """Create ``group`` and its ``stream`` unless they exist."""
    backend = seam.backend("logs", account_id, region)
    backend.ensure_log_group(group)
    if stream not in backend.groups[group].streams:
        backend.create_log_stream(group, stream)


def write(account_id: str, region: str, group: str, stream: str, events: Iterable[Event]) -> None:
    """Append ``events`` to ``group``/``stream``, creating both if needed."""
    ordered = chronological(events)
    ensure_stream(account_id, region, group, stream)
    if ordered:
        seam.backend("logs", account_id, region).put_log_events(group, stream, ordered)


def chronological(events: Iterable[Event]) -> list[dict[str, object]]:
    """Keep the order of events and make stamps never go back (PutLogEvents refuses that)."""
    latest, ordered = 0, []
    for stamp, message in events:
        if not message:  # PutLogEvents refuses empty messages; Lambda drops blank lines too
            continue
        latest = max(latest, stamp)
        ordered.append({"timestamp": latest, "message": message})
    return ordered
