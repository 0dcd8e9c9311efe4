"""Automatic key rotation as AWS KMS reports it: a period, a next rotation date, AWS managed keys always on.

moto stores a yes/no only. AWS KMS ("EnableKeyRotation" and "GetKeyRotationStatus", AWS KMS API
Reference): ``RotationPeriodInDays`` is 90 to 2560, 365 when not given; GetKeyRotationStatus
answers ``KeyId`` (the ARN), ``KeyRotationEnabled``, and with rotation on ``RotationPeriodInDays`` and
``NextRotationDate``; "Automatic key rotation is supported only on symmetric encryption KMS keys.
You cannot enable automatic rotation of asymmetric KMS keys, HMAC KMS keys, KMS keys with imported
key material"; "Key material rotation of AWS managed KMS keys is not configurable ... The key
rotation status for AWS managed KMS keys is always true" (yearly). The words of the refusals are
AWS's usual shapes, not confirmed for KMS (unverified). Nothing rotates by itself here: the next
date is reported, the key material never changes (``RotateKeyOnDemand`` is moto's).
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from lakelab.emulator import seam
from lakelab.emulator.services.kms.key_access import AWS_S3_ALIAS

DEFAULT_DAYS, MINIMUM_DAYS, MAXIMUM_DAYS = 365, 90, 2560


def _key(response: Any, key_id: str) -> Any:
    response._validate_cmk_id(key_id)  # moto's NotFoundException for a key that does not exist
    backend = response.kms_backend
    return backend.keys[backend.any_id_to_key_id(key_id)]


def _managed_by_aws(key: Any) -> bool:
    return any(name.startswith("alias/aws/") for name in key.aliases) or AWS_S3_ALIAS in key.aliases


def _refuse_unsupported(key: Any) -> None:
    if key.key_spec != "SYMMETRIC_DEFAULT" or key.origin != "AWS_KMS":
        raise seam.JsonRESTError("UnsupportedOperationException",
                                 f"{key.arn} origin is {key.origin} and key spec is {key.key_spec}, "
                                 "which is not valid for this operation.")


def enable_key_rotation(response: Any) -> str:
    """``KmsResponse.enable_key_rotation`` with ``RotationPeriodInDays``."""
    key = _key(response, response._get_param("KeyId"))
    days = response._get_param("RotationPeriodInDays")
    if days is not None and not (isinstance(days, int) and MINIMUM_DAYS <= days <= MAXIMUM_DAYS):
        raise seam.JsonRESTError("ValidationException", f"1 validation error detected: Value '{days}' at "
                                 "'rotationPeriodInDays' failed to satisfy constraint: Member must have value "
                                 f"between {MINIMUM_DAYS} and {MAXIMUM_DAYS}")
    _refuse_unsupported(key)
    if _managed_by_aws(key):
        raise seam.JsonRESTError("UnsupportedOperationException",
                                 f"{key.arn} is an AWS managed key: its rotation is not configurable.")
    if not key.key_rotation_status or days is not None:
        key.lakelab_rotation_days = days or DEFAULT_DAYS
        key.lakelab_rotation_from = dt.datetime.now(dt.timezone.utc)
    key.key_rotation_status = True
    return json.dumps({})


def get_key_rotation_status(response: Any) -> str:
    """``KmsResponse.get_key_rotation_status``: the period and the next rotation date too."""
    key = _key(response, response._get_param("KeyId"))
    _refuse_unsupported(key)
    enabled = bool(key.key_rotation_status) or _managed_by_aws(key)
    answer: dict[str, Any] = {"KeyId": key.arn, "KeyRotationEnabled": enabled}
    if enabled:
        days = getattr(key, "lakelab_rotation_days", DEFAULT_DAYS)
        since = getattr(key, "lakelab_rotation_from", None) or dt.datetime.fromtimestamp(
            key.creation_date, dt.timezone.utc)
        answer.update(RotationPeriodInDays=days, NextRotationDate=(since + dt.timedelta(days=days)).timestamp())
    return json.dumps(answer)
