"""S3 extensions: event notifications as AWS sends them.

- Delivered after the PUT answers: moto delivers inside the request that caused the event, so
  a slow consumer would hold the learner's ``put_object`` call. A dispatcher thread delivers, in order.
- Keys encoded as AWS encodes them: URL-encoded with spaces as ``+`` but ``/`` kept
  (moto also encodes ``/`` as ``%2F``).
- Overlapping notification rules are refused, as S3 refuses them (moto stores them and
  delivers one event several times).
- Bucket policies see ``aws:SecureTransport`` as true: the emulator stands in for AWS's HTTPS
  endpoint, and moto, given no value, lets a "deny without TLS" statement deny every request.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote_plus

from lakelab.emulator import dispatch

SERVICES = ("s3",)


# What every request to AWS carries and moto's policy evaluation would otherwise miss.
REQUEST_CONDITION_VALUES = {"aws:SecureTransport": "true"}


def install() -> None:
    _install_notifications()
    _install_policy_context()
    _install_overlap_check()


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


def _install_overlap_check() -> None:
    from moto.s3.exceptions import S3ClientError
    from moto.s3.models import S3Backend

    checked = S3Backend.put_bucket_notification_configuration
    if getattr(checked, "_lakelab_overlap", False):
        return

    def put_bucket_notification_configuration(backend: Any, bucket_name: str, notification_config: dict) -> None:
        if overlapping(notification_config):
            raise S3ClientError("InvalidArgument", AMBIGUOUS)
        checked(backend, bucket_name, notification_config)

    put_bucket_notification_configuration._lakelab_overlap = True  # type: ignore[attr-defined]
    S3Backend.put_bucket_notification_configuration = put_bucket_notification_configuration


def _bool_equals(expected: Any, actual: str) -> bool:
    options = expected if isinstance(expected, list) else [expected]
    return str(actual).lower() in [str(option).lower() for option in options]


def bucket_permission(policy: dict, action: str, resource: str) -> Any:
    """A bucket policy's verdict, where a statement whose condition does not hold does not apply.

    (moto answers DENIED whenever a condition fails, which turns a conditional Deny into a Deny
    of everything and a conditional Allow into a Deny.)
    """
    from moto.iam.access_control import IAMPolicyStatement, PermissionResult

    statements = policy["Statement"] if isinstance(policy["Statement"], list) else [policy["Statement"]]
    permitted = False
    for statement in statements:
        if statement.get("Condition") and not IAMPolicyStatement(statement)._check_conditions(REQUEST_CONDITION_VALUES):
            continue
        unconditional = {key: value for key, value in statement.items() if key != "Condition"}
        verdict = IAMPolicyStatement(unconditional).is_action_permitted(action, resource)
        if verdict == PermissionResult.DENIED:
            return verdict
        permitted = permitted or verdict == PermissionResult.PERMITTED
    return PermissionResult.PERMITTED if permitted else PermissionResult.NEUTRAL


def _install_policy_context() -> None:
    import json

    from moto.iam import policy_conditions
    from moto.iam.access_control import PermissionResult
    from moto.s3.models import FakeBucket

    # moto evaluates only StringEquals and treats every other operator as met.
    policy_conditions.CONDITION_OPERATIONS.setdefault("Bool", _bool_equals)

    def get_permission(bucket: Any, action: str, resource: str) -> Any:
        if bucket.policy is None:
            return PermissionResult.NEUTRAL
        return bucket_permission(json.loads(bucket.policy), action, resource)

    FakeBucket.get_permission = get_permission


def _install_notifications() -> None:
    from moto.s3 import notifications

    if getattr(notifications.send_event, "_lakelab", False):
        return
    deliver_now = notifications.send_event
    build_event = notifications._get_s3_event

    def send_event_later(account_id: str, event_name: Any, bucket: Any, key: Any) -> None:
        dispatch.submit(lambda: deliver_now(account_id, event_name, bucket, key))

    def event_with_aws_key_encoding(event_name: str, bucket: Any, key: Any, notification_id: str) -> Any:
        event = build_event(event_name, bucket, key, notification_id)
        for record in event["Records"]:
            record["s3"]["object"]["key"] = quote_plus(key.name, safe="/")
            if getattr(key, "version_id", None) and key.version_id != "null":
                record["s3"]["object"]["versionId"] = key.version_id
        return event

    send_event_later._lakelab = True  # type: ignore[attr-defined]
    notifications.send_event = send_event_later
    notifications._get_s3_event = event_with_aws_key_encoding
