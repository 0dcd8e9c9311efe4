"""S3's calls to AWS KMS, recorded in CloudTrail as KMS events -- fewer of them with an S3 Bucket Key.

Without a Bucket Key, S3 asks KMS for a new data key (``GenerateDataKey``) for every object it
writes and to decrypt one (``Decrypt``) for every object it reads, with the object's ARN as the
encryption context. With one, S3 keeps a bucket-level key made from the KMS key "for a
time-limited period" and derives object keys from it, with the *bucket's* ARN as the encryption
context ("Reducing the cost of SSE-KMS with Amazon S3 Bucket Keys", Amazon S3 User Guide; AWS's
sample aws-samples/s3-bucketkey-poc measured 97% fewer KMS calls for 50 uploads and 100 downloads).

Here a bucket key lives :data:`BUCKET_KEY_SECONDS` per (bucket, KMS key): one ``GenerateDataKey``
makes it, and each principal that reads under it causes one ``Decrypt`` in that period. AWS does
not publish the period nor exactly when S3 calls KMS again: both are this emulator's choice
(unverified). Permission, however, is checked on every request here (``s3_encryption``), even when
no KMS call is recorded.

Events look as AWS KMS's do when a service calls for a principal: the caller's ``userIdentity``
with ``invokedBy: s3.amazonaws.com``, ``eventSource: kms.amazonaws.com``, the key as resource,
``encryptionContext`` with ``aws:s3:arn``; a refused call with ``errorCode: AccessDenied``. They are
management events, so ``LookupEvents`` on ``EventSource=kms.amazonaws.com`` counts them.
"""

from __future__ import annotations

import threading
import time
from typing import Any

from lakelab.emulator import context

S3_SERVICE = "s3.amazonaws.com"
BUCKET_KEY_SECONDS = 3600.0

_bucket_keys: dict[tuple[str, str], float] = {}  # (bucket, key ARN) -> when S3 made the bucket key
_readers: dict[tuple[str, str, str], float] = {}  # (bucket, key ARN, principal ARN) -> when it last decrypted it
_lock = threading.Lock()


def calls_kms(event_name: str, bucket: str, object_key: str, key_arn: str, bucket_key: bool) -> bool:
    """Whether S3 calls KMS for this use of the key (always, without a Bucket Key); notes the call."""
    if not bucket_key:
        return True
    now = time.monotonic()
    with _lock:
        made = _bucket_keys.get((bucket, key_arn))
        if made is None or now - made > BUCKET_KEY_SECONDS:
            _bucket_keys[(bucket, key_arn)] = now
            _forget_readers(bucket, key_arn)
            return True  # the bucket key is (re)made: one GenerateDataKey (a read then Decrypts it)
        if event_name == "GenerateDataKey":
            return False
        reader = (bucket, key_arn, context.principal().arn)
        if reader in _readers:
            return False
        _readers[reader] = now
        return True


def _forget_readers(bucket: str, key_arn: str) -> None:
    for reader in [r for r in _readers if r[0] == bucket and r[1] == key_arn]:
        del _readers[reader]


def record(event_name: str, key_arn: str, encryption_context_arn: str, denied: str | None = None) -> None:
    """A KMS event for the principal in force, made by S3 on its behalf."""
    from lakelab.emulator.services import cloudtrail

    caller = context.current()
    parameters: dict[str, Any] = {"encryptionContext": {"aws:s3:arn": encryption_context_arn}}
    if event_name == "GenerateDataKey":
        parameters.update({"keyId": key_arn, "keySpec": "AES_256"})
    else:
        parameters.update({"keyId": key_arn, "encryptionAlgorithm": "SYMMETRIC_DEFAULT"})
    region = key_arn.split(":")[3] if key_arn.count(":") >= 5 else caller.region
    cloudtrail.record_service_call(
        caller.acting_as(caller.principal, S3_SERVICE), "kms.amazonaws.com", event_name,
        request_parameters=parameters, error_code="AccessDenied" if denied else None, error_message=denied,
        resources=(("AWS::KMS::Key", key_arn),), region=region)


def forget() -> None:
    with _lock:
        _bucket_keys.clear()
        _readers.clear()
