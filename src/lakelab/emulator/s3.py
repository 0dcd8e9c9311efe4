"""S3 extensions: event notifications as AWS sends them.

- Delivered after the PUT answers: moto delivers inside the request that caused the event, so
  a slow consumer would hold the learner's ``put_object`` call. A dispatcher thread delivers, in order.
- Keys encoded as AWS encodes them: URL-encoded with spaces as ``+`` but ``/`` kept
  (moto also encodes ``/`` as ``%2F``).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote_plus

from lakelab.emulator import dispatch

SERVICES = ("s3",)


def install() -> None:
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
