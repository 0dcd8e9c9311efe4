"""CloudTrail extensions: every call recorded, Event history searchable, trails that deliver log files.

moto stores trails but records nothing. Here:

- ``recording``: :func:`record_call` (the server, once per answered request) and
  :func:`record_service_call` (work done for a principal) turn calls into events in AWS's record
  shape (``records``, ``elements``, ``resources``).
- ``history`` and ``lookup``: 90 days of management events per account and Region, answered by
  LookupEvents with its filters, pages and errors.
- ``trails``, ``bucket_access``, ``selectors`` and ``delivery``: CreateTrail checks the bucket
  policy; a logging trail writes the events its selectors choose as gzipped JSON files, which
  Athena reads with AWS's ``cloudtrail_logs`` table; :func:`flush` delivers now.
"""

from __future__ import annotations

from lakelab.emulator.seam import Patch

SERVICES = ("cloudtrail",)

PATCHES = (
    Patch("CloudTrailBackend", "delete_trail", wrap=".trails:deletes_by_name_or_arn",
          why="DeleteTrail takes a name or an ARN and refuses an unknown trail; moto deletes by name only, silently"),
    Patch("CloudTrailResponse", "lookup_events", value=".lookup:lookup_events", adds=True,
          why="moto has no LookupEvents (NotImplementedError)"),
    Patch("CloudTrailResponse", "get_trail_status", value=".trails:get_trail_status",
          why="moto reports a delivery at every call; CloudTrail reports real deliveries and their errors"),
    Patch("CloudTrailTrail", "check_bucket_exists", value=".trails:checks_bucket_policy",
          why="CloudTrail refuses a bucket whose policy does not let it write its logs"),
    Patch("CloudTrailTrail", "update", wrap=".trails:checks_new_bucket",
          why="UpdateTrail checks a new bucket as CreateTrail does; moto checks none"),
    Patch("CloudTrailTrail", "start_logging", wrap=".trails:starts_delivery",
          why="a logging trail delivers log files; moto's writes none"),
    Patch("CloudTrailTrail", "stop_logging", wrap=".trails:stops_delivery",
          why="StopLogging ends delivery, after what was recorded before it"),
    Patch("CloudTrailBackend", "delete_trail", wrap=".trails:forgets_deleted",
          why="a deleted trail delivers nothing more"),
)


def install() -> None:
    from lakelab.emulator import registry

    registry.on_reset(reset)


def reset() -> None:
    """Forget every event and every trail's delivery state (moto forgets the trails themselves)."""
    from lakelab.emulator.services.cloudtrail import delivery, history, trails

    history.clear()
    trails.clear()
    delivery.clear()


def record_call(*args, **kwargs):  # type: ignore[no-untyped-def]
    """See :func:`lakelab.emulator.services.cloudtrail.recording.record_call`."""
    from lakelab.emulator.services.cloudtrail import recording

    return recording.record_call(*args, **kwargs)


def wanted(request):  # type: ignore[no-untyped-def]
    """See :func:`lakelab.emulator.services.cloudtrail.recording.wanted`."""
    from lakelab.emulator.services.cloudtrail import recording

    return recording.wanted(request)


def record_service_call(*args, **kwargs):  # type: ignore[no-untyped-def]
    """See :func:`lakelab.emulator.services.cloudtrail.recording.record_service_call`."""
    from lakelab.emulator.services.cloudtrail import recording

    return recording.record_service_call(*args, **kwargs)


def flush() -> int:
    """Deliver every logging trail's waiting events now; the number of log files written."""
    from lakelab.emulator.services.cloudtrail import delivery

    return delivery.flush()
