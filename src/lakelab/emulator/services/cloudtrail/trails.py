"""Trails as CloudTrail runs them: created only onto a bucket CloudTrail may write, and logging until stopped.

moto stores trails; these replacements make them behave. ``CreateTrail`` and ``UpdateTrail`` check
the bucket exists (``S3BucketDoesNotExistException``) and that its policy lets CloudTrail deliver
(``InsufficientS3BucketPolicyException``). ``StartLogging`` and ``StopLogging`` add and remove the
trail from the set :mod:`delivery` routes events to; ``GetTrailStatus`` reports deliveries as
they happened, failures included.
"""

from __future__ import annotations

import copy
import datetime as dt
import functools
import json
import threading
from collections.abc import Callable
from typing import Any

from lakelab.emulator import seam
from lakelab.emulator.services.cloudtrail import bucket_access, delivery

_logging: dict[str, Any] = {}  # trail ARN -> moto's Trail, while it logs
_lock = threading.Lock()


def logging_trails() -> list[Any]:
    with _lock:
        return list(_logging.values())


def clear() -> None:
    with _lock:
        _logging.clear()


# --- the bucket a trail writes to -------------------------------------------------------------


def checks_bucket_policy(trail: Any) -> None:
    """Replaces moto's Trail.check_bucket_exists: the bucket must exist and let CloudTrail write."""
    try:
        found = bucket_access.bucket(trail.account_id, trail.bucket_name)
    except bucket_access.NoSuchBucket:
        raise seam.S3BucketDoesNotExistException(f"S3 bucket {trail.bucket_name} does not exist!") from None
    sample_key = delivery.log_file_key(trail, trail.region_name)
    if not bucket_access.may_deliver(found, sample_key, trail.arn, trail.account_id):
        raise seam.JsonRESTError("InsufficientS3BucketPolicyException",
                                 f"Incorrect S3 bucket policy is detected for bucket: {trail.bucket_name}")


def checks_new_bucket(update: Callable[..., None]) -> Callable[..., None]:
    """Wraps moto's Trail.update: a new bucket or prefix is checked as CreateTrail checks it."""

    @functools.wraps(update)
    def update_checked(trail: Any, **changes: Any) -> None:
        bucket, prefix = changes.get("s3_bucket_name"), changes.get("s3_key_prefix")
        if bucket is not None or prefix is not None:
            candidate = copy.copy(trail)
            candidate.bucket_name = bucket if bucket is not None else trail.bucket_name
            candidate.s3_key_prefix = prefix if prefix is not None else trail.s3_key_prefix
            checks_bucket_policy(candidate)
        update(trail, **changes)

    return update_checked


# --- logging on and off -----------------------------------------------------------------------


def starts_delivery(start_logging: Callable[[Any], None]) -> Callable[[Any], None]:
    @functools.wraps(start_logging)
    def start(trail: Any) -> None:
        start_logging(trail)
        with _lock:
            _logging[trail.arn] = trail
        delivery.start_timer()

    return start


def stops_delivery(stop_logging: Callable[[Any], None]) -> Callable[[Any], None]:
    """Events recorded before StopLogging are still delivered; none after it."""

    @functools.wraps(stop_logging)
    def stop(trail: Any) -> None:
        with _lock:
            _logging.pop(trail.arn, None)
        stop_logging(trail)
        delivery.flush(trail.arn)

    return stop


def forgets_deleted(delete_trail: Callable[[Any, str], None]) -> Callable[[Any, str], None]:
    @functools.wraps(delete_trail)
    def delete(backend: Any, name: str) -> None:
        trail = backend.trails.get(name)
        delete_trail(backend, name)
        if trail is not None:
            with _lock:
                _logging.pop(trail.arn, None)
            delivery.forget(trail.arn)

    return delete


# --- GetTrailStatus ---------------------------------------------------------------------------


def get_trail_status(response: Any) -> str:
    """Replaces moto's CloudTrailResponse.get_trail_status: deliveries as they happened."""
    name = response._get_param("Name")
    backend = response.cloudtrail_backend
    status = backend.get_trail_status(name)  # moto's TrailNotFoundException for an unknown trail
    trail = next(t for t in backend.describe_trails(include_shadow_trails=True) if name in (t.trail_name, t.arn))
    return json.dumps(status_document(trail, status))


def status_document(trail: Any, status: Any) -> dict[str, Any]:
    found: dict[str, Any] = {"IsLogging": bool(status.is_logging)}
    found.update(delivery.status_of(trail.arn))
    if status.started:
        found["StartLoggingTime"] = _utc(status.started).timestamp()
        found["TimeLoggingStarted"] = _iso(status.started)
    if status.stopped:
        found["StopLoggingTime"] = _utc(status.stopped).timestamp()
        found["TimeLoggingStopped"] = _iso(status.stopped)
    return found


def _utc(moment: dt.datetime) -> dt.datetime:
    """moto keeps naive UTC times."""
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.timezone.utc)


def _iso(moment: Any) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def deletes_by_name_or_arn(original: Any) -> Any:
    """``CloudTrailBackend.delete_trail``: DeleteTrail's ``Name`` is a trail's name or its ARN, and a trail that
    does not exist is ``TrailNotFoundException`` (CloudTrail API reference, DeleteTrail); moto deletes by name
    only and answers success for anything else."""

    def delete_trail(self: Any, name: str) -> None:
        trail = self.get_trail(name)  # raises TrailNotFoundException, as CloudTrail does
        return original(self, trail.trail_name)

    return delete_trail
