"""S3 event notifications as AWS sends them.

- Delivered after the PUT answers: moto delivers inside the request that caused the event, so
  a slow consumer would hold the learner's ``put_object`` call. A dispatcher thread delivers, in order.
- Keys encoded as AWS encodes them: URL-encoded with spaces as ``+`` but ``/`` kept
  (moto also encodes ``/`` as ``%2F``).
- Overlapping notification rules are refused, as S3 refuses them (moto stores them and
  delivers one event several times).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote_plus

from lakelab.emulator import dispatch, seam

AMBIGUOUS = ("Configuration is ambiguously defined. Cannot have overlapping suffixes in two rules "
             "if the prefixes are overlapping for the same event type.")
_DESTINATIONS = ("QueueConfiguration", "TopicConfiguration", "CloudFunctionConfiguration")


def _rules(notification_config: dict) -> list[tuple[set[str], str, str]]:
    """(events, prefix, suffix) of every rule, from the request as moto parsed it."""
    rules = []
    for kind in _DESTINATIONS:
        targets = (notification_config or {}).get(kind) or []
        for target in targets if isinstance(targets, list) else [targets]:
            events = target.get("Event", [])
            filters = (target.get("Filter") or {}).get("S3Key", {}).get("FilterRule", [])
            filters = {f["Name"].lower(): f["Value"] for f in (filters if isinstance(filters, list) else [filters])}
            rules.append((set(events if isinstance(events, list) else [events]),
                          filters.get("prefix", ""), filters.get("suffix", "")))
    return rules


def _events_overlap(first: set[str], second: set[str]) -> bool:
    """``s3:ObjectCreated:*`` covers ``s3:ObjectCreated:Put``; equal names overlap too."""
    def covers(a: str, b: str) -> bool:
        return a == b or (a.endswith(":*") and b.startswith(a[:-1]))

    return any(covers(a, b) or covers(b, a) for a in first for b in second)


def overlapping(notification_config: dict) -> bool:
    rules = _rules(notification_config)
    for index, (events, prefix, suffix) in enumerate(rules):
        for other_events, other_prefix, other_suffix in rules[index + 1:]:
            prefixes = prefix.startswith(other_prefix) or other_prefix.startswith(prefix)
            suffixes = suffix.endswith(other_suffix) or other_suffix.endswith(suffix)
            if prefixes and suffixes and _events_overlap(events, other_events):
                return True
    return False


def refuses_overlaps(checked: Any) -> Any:
    """``S3Backend.put_bucket_notification_configuration``, refusing overlapping rules first."""

    def put_bucket_notification_configuration(backend: Any, bucket_name: str, notification_config: dict) -> None:
        if overlapping(notification_config):
            raise seam.S3ClientError("InvalidArgument", AMBIGUOUS)
        checked(backend, bucket_name, notification_config)

    return put_bucket_notification_configuration


def delivered_later(deliver_now: Any) -> Any:
    """``notifications.send_event``, handing the delivery to the dispatcher thread."""

    def send_event_later(account_id: str, event_name: Any, bucket: Any, key: Any) -> None:
        dispatch.submit(lambda: deliver_now(account_id, event_name, bucket, key))

    return send_event_later


def with_aws_key_encoding(build_event: Any) -> Any:
    """``notifications._get_s3_event``, with the key (and version) as S3 writes them."""

    def event_with_aws_key_encoding(event_name: str, bucket: Any, key: Any, notification_id: str) -> Any:
        event = build_event(event_name, bucket, key, notification_id)
        for record in event["Records"]:
            record["s3"]["object"]["key"] = quote_plus(key.name, safe="/")
            if getattr(key, "version_id", None) and key.version_id != "null":
                record["s3"]["object"]["versionId"] = key.version_id
        return event

    return event_with_aws_key_encoding
