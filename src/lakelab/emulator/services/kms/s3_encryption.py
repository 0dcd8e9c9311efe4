"""SSE-KMS in S3: reading an object needs ``kms:Decrypt`` on its key, writing one ``kms:GenerateDataKey``.

S3 calls AWS KMS with the requester's own credentials ("Using server-side encryption with AWS KMS
keys (SSE-KMS)", Amazon S3 User Guide: "To upload an object encrypted with an AWS KMS key, you need
kms:GenerateDataKey ... To download it, you need kms:Decrypt"). Which operation needs what:

- ``GetObject`` (and ``CopyObject``/``UploadPartCopy`` for their source): ``kms:Decrypt`` on the
  key the object was written with;
- ``PutObject``, ``CreateMultipartUpload``, ``CopyObject`` (target): ``kms:GenerateDataKey`` on the
  key the request names (``x-amz-server-side-encryption-aws-kms-key-id``), else the bucket's
  default encryption key, else ``aws/s3`` when SSE-KMS names no key;
- ``UploadPart``: ``kms:Decrypt`` on the upload's key ("To use an AWS KMS key to encrypt a multipart
  upload, you must have kms:GenerateDataKey and kms:Decrypt permissions", re:Post knowledge center
  "s3-large-file-encryption-kms-key").

A refusal is S3's ``AccessDenied`` (403) carrying KMS's sentence, as S3 answers it -- observed in
ministryofjustice/modernisation-platform pull request 11726 (a GetObject: "AccessDenied: User:
arn:aws:sts::...:assumed-role/.../xdr-collection is not authorized to perform: kms:Decrypt on
resource: arn:aws:kms:eu-west-2:...:key/... because no identity-based policy allows the kms:Decrypt
action status code: 403"), and "because no resource-based policy allows the kms:DescribeKey action"
when the key policy is silent (jbrt/ec2cryptomatic issue 26). A key that is disabled or does not
exist: ``KMS.DisabledException`` / ``KMS.NotFoundException`` (400), in words not confirmed
(unverified).

``HeadObject`` reads metadata only and is not checked (unverified). Root and AWS services are
never refused, as in the IAM layer.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote

from lakelab.emulator import context, seam
from lakelab.emulator.services.iam.access_denied import denial_message
from lakelab.emulator.services.kms import kms_events
from lakelab.emulator.services.kms.key_access import decide, find_key

DECRYPT, GENERATE_DATA_KEY = "kms:Decrypt", "kms:GenerateDataKey"
KMS_ALGORITHMS = ("aws:kms", "aws:kms:dsse")
_CHECKED = {"GetObject", "PutObject", "CreateMultipartUpload", "UploadPart", "CopyObject", "UploadPartCopy"}


@dataclass(frozen=True)
class KeyUse:
    """One use of a KMS key an S3 request makes: which action, with which key, for which object."""

    action: str
    key_reference: str | None  # as the object or request names it (None: aws/s3)
    bucket: str
    object_key: str
    bucket_key: bool
    region: str

    @property
    def event_name(self) -> str:
        return self.action.split(":", 1)[1]

    @property
    def context_arn(self) -> str:
        """``aws:s3:arn`` of the encryption context: the object's, or the bucket's with a Bucket Key."""
        return f"arn:aws:s3:::{self.bucket}" + ("" if self.bucket_key else f"/{self.object_key}")


class KeyRefused(PermissionError):
    """S3 could not use the key for the caller: the error code, HTTP status and message S3 answers."""

    def __init__(self, code: str, status: int, message: str) -> None:
        super().__init__(message)
        self.code, self.status, self.message = code, status, message


def applies(operation: str) -> bool:
    return operation in _CHECKED


def uses_of(operation: str, params: dict[str, Any], headers: dict[str, str]) -> list[KeyUse]:
    """The key uses an S3 request makes (none for objects and buckets without SSE-KMS)."""
    bucket, key = str(params.get("Bucket", "")), str(params.get("Key", ""))
    if operation == "GetObject":
        return reading(bucket, key, params.get("VersionId"))
    if operation == "UploadPart":
        return _upload_part(bucket, key, str(params.get("UploadId", "")))
    uses = []
    if operation in ("CopyObject", "UploadPartCopy"):
        source, _, version = unquote(str(params.get("CopySource", ""))).lstrip("/").partition("?versionId=")
        source_bucket, _, source_key = source.partition("/")
        uses += reading(source_bucket, source_key, version or None)
    if operation != "UploadPartCopy":
        uses += writing(bucket, key, headers)
    return uses


def reading(bucket: str, key: str, version_id: str | None = None) -> list[KeyUse]:
    """``kms:Decrypt`` on the key an object was written with, if it was written with SSE-KMS."""
    try:
        backend = seam.backend("s3", context.principal().account_id)
        found = backend.get_object(bucket, key, version_id) if version_id else backend.get_object(bucket, key)
    except Exception:  # no such bucket, key or version: S3 answers that itself
        return []
    if found is None or getattr(found, "encryption", None) not in KMS_ALGORITHMS:
        return []
    return [KeyUse(DECRYPT, found.kms_key_id, bucket, key, _true(found.bucket_key_enabled), _region(backend, bucket))]


def writing(bucket: str, key: str, headers: dict[str, str]) -> list[KeyUse]:
    """``kms:GenerateDataKey`` on the key a new object gets: the request's, else the bucket default's."""
    try:
        backend = seam.backend("s3", context.principal().account_id)
        rule = (backend.get_bucket(bucket).encryption or {}).get("Rule") or {}
    except Exception:
        return []
    default = rule.get("ApplyServerSideEncryptionByDefault") or {}
    algorithm = headers.get("x-amz-server-side-encryption") or default.get("SSEAlgorithm")
    if algorithm not in KMS_ALGORITHMS:
        return []
    asked = headers.get("x-amz-server-side-encryption-aws-kms-key-id")
    reference = asked if headers.get("x-amz-server-side-encryption") else None
    reference = reference or (default.get("KMSMasterKeyID") if default.get("SSEAlgorithm") in KMS_ALGORITHMS else None)
    bucket_key = headers.get("x-amz-server-side-encryption-bucket-key-enabled", rule.get("BucketKeyEnabled"))
    return [KeyUse(GENERATE_DATA_KEY, reference, bucket, key, _true(bucket_key), _region(backend, bucket))]


def _upload_part(bucket: str, key: str, upload_id: str) -> list[KeyUse]:
    try:
        backend = seam.backend("s3", context.principal().account_id)
        upload = backend.get_bucket(bucket).multiparts.get(upload_id)
    except Exception:
        return []
    if upload is None or getattr(upload, "sse_encryption", None) not in KMS_ALGORITHMS:
        return []
    return [KeyUse(DECRYPT, upload.kms_key_id, bucket, key, False, _region(backend, bucket))]


def check(use: KeyUse) -> None:
    """Raise :class:`KeyRefused` unless the caller in force may make ``use``; record S3's KMS call."""
    caller = context.current()
    key = find_key(use.key_reference, caller.principal.account_id, use.region)
    if key is None:
        raise KeyRefused("KMS.NotFoundException", 400, f"Invalid keyId '{use.key_reference}'")
    if not key.enabled:
        raise KeyRefused("KMS.DisabledException", 400, f"{key.arn} is disabled.")
    condition_keys = {"kms:viaservice": f"s3.{use.region}.amazonaws.com",
                      "kms:encryptioncontext:aws:s3:arn": use.context_arn,
                      "kms:encryptioncontextkeys": ["aws:s3:arn"]}
    decision = decide(caller.principal, use.action, key, condition_keys)
    if not decision.allowed:
        message = denial_message(caller.principal, decision)
        if caller.settings.record_trail:
            kms_events.record(use.event_name, key.arn, use.context_arn, denied=message)
        raise KeyRefused("AccessDenied", 403, message)
    if caller.settings.record_trail and kms_events.calls_kms(use.event_name, use.bucket, use.object_key, key.arn,
                                                             use.bucket_key):
        kms_events.record(use.event_name, key.arn, use.context_arn)


def check_all(uses: list[KeyUse]) -> None:
    for use in uses:
        check(use)


def _true(value: Any) -> bool:
    return str(value).lower() == "true"


def _region(backend: Any, bucket: str) -> str:
    try:
        return backend.get_bucket(bucket).region_name or context.current().region
    except Exception:
        return context.current().region
