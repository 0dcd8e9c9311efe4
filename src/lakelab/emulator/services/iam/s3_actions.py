"""What an S3 API call asks IAM for: actions whose names are not the operation's, on which ARN.

S3 grew its permissions before its API settled, so the two disagree: ``ListObjectsV2`` needs
``s3:ListBucket`` on the bucket, ``HeadObject`` needs ``s3:GetObject``, a request naming a
``VersionId`` needs the ``...Version`` action, a multipart upload is ``s3:PutObject`` throughout,
and ``CopyObject`` needs ``s3:GetObject`` on the source as well as ``s3:PutObject`` on the target.
(AWS's "Required permissions for Amazon S3 API operations" is the source of this table.)
"""

from __future__ import annotations

from typing import Any
from urllib.parse import unquote

BUCKET, OBJECT, ANY = "bucket", "object", "*"

# operation -> (IAM action, what the ARN names); operations absent here are s3:<operation>.
_ACTIONS: dict[str, tuple[str, str]] = {
    "ListBuckets": ("s3:ListAllMyBuckets", ANY),
    "ListDirectoryBuckets": ("s3:ListAllMyDirectoryBuckets", ANY),
    "CreateBucket": ("s3:CreateBucket", BUCKET),
    "HeadBucket": ("s3:ListBucket", BUCKET),
    "ListObjects": ("s3:ListBucket", BUCKET),
    "ListObjectsV2": ("s3:ListBucket", BUCKET),
    "ListObjectVersions": ("s3:ListBucketVersions", BUCKET),
    "ListMultipartUploads": ("s3:ListBucketMultipartUploads", BUCKET),
    "ListParts": ("s3:ListMultipartUploadParts", OBJECT),
    "HeadObject": ("s3:GetObject", OBJECT),
    "GetObject": ("s3:GetObject", OBJECT),
    "SelectObjectContent": ("s3:GetObject", OBJECT),
    "GetObjectAttributes": ("s3:GetObjectAttributes", OBJECT),
    "PutObject": ("s3:PutObject", OBJECT),
    "CreateMultipartUpload": ("s3:PutObject", OBJECT),
    "UploadPart": ("s3:PutObject", OBJECT),
    "CompleteMultipartUpload": ("s3:PutObject", OBJECT),
    "AbortMultipartUpload": ("s3:AbortMultipartUpload", OBJECT),
    "DeleteObject": ("s3:DeleteObject", OBJECT),
    "DeleteObjects": ("s3:DeleteObject", OBJECT),  # each key of the batch, checked on its own
    "GetBucketNotificationConfiguration": ("s3:GetBucketNotification", BUCKET),
    "PutBucketNotificationConfiguration": ("s3:PutBucketNotification", BUCKET),
    "GetBucketLifecycleConfiguration": ("s3:GetLifecycleConfiguration", BUCKET),
    "PutBucketLifecycleConfiguration": ("s3:PutLifecycleConfiguration", BUCKET),
    "DeleteBucketLifecycle": ("s3:PutLifecycleConfiguration", BUCKET),
    # The deprecated operations share ?lifecycle with the ones above, so a request can be named by either;
    # IAM has no s3:GetBucketLifecycle or s3:PutBucketLifecycle action (Service Authorization Reference).
    "GetBucketLifecycle": ("s3:GetLifecycleConfiguration", BUCKET),
    "PutBucketLifecycle": ("s3:PutLifecycleConfiguration", BUCKET),
    "GetBucketEncryption": ("s3:GetEncryptionConfiguration", BUCKET),
    "PutBucketEncryption": ("s3:PutEncryptionConfiguration", BUCKET),
    "DeleteBucketEncryption": ("s3:PutEncryptionConfiguration", BUCKET),
    "DeleteBucketTagging": ("s3:PutBucketTagging", BUCKET),
    "GetBucketCors": ("s3:GetBucketCORS", BUCKET),
    "PutBucketCors": ("s3:PutBucketCORS", BUCKET),
    "DeleteBucketCors": ("s3:PutBucketCORS", BUCKET),
    "GetPublicAccessBlock": ("s3:GetBucketPublicAccessBlock", BUCKET),
    "PutPublicAccessBlock": ("s3:PutBucketPublicAccessBlock", BUCKET),
    "DeletePublicAccessBlock": ("s3:PutBucketPublicAccessBlock", BUCKET),
    "DeleteBucketOwnershipControls": ("s3:PutBucketOwnershipControls", BUCKET),
    "GetBucketReplication": ("s3:GetReplicationConfiguration", BUCKET),
    "PutBucketReplication": ("s3:PutReplicationConfiguration", BUCKET),
    "DeleteBucketReplication": ("s3:PutReplicationConfiguration", BUCKET),
    "GetObjectLockConfiguration": ("s3:GetBucketObjectLockConfiguration", BUCKET),
    "PutObjectLockConfiguration": ("s3:PutBucketObjectLockConfiguration", BUCKET),
    "GetBucketAccelerateConfiguration": ("s3:GetAccelerateConfiguration", BUCKET),
    "PutBucketAccelerateConfiguration": ("s3:PutAccelerateConfiguration", BUCKET),
    "DeleteBucketWebsite": ("s3:DeleteBucketWebsite", BUCKET),
    "GetBucketAnalyticsConfiguration": ("s3:GetAnalyticsConfiguration", BUCKET),
    "GetBucketInventoryConfiguration": ("s3:GetInventoryConfiguration", BUCKET),
    "GetBucketMetricsConfiguration": ("s3:GetMetricsConfiguration", BUCKET),
    "GetBucketIntelligentTieringConfiguration": ("s3:GetIntelligentTieringConfiguration", BUCKET),
}
# operations that act on one version when the request names a VersionId
_VERSIONED = {"s3:GetObject": "s3:GetObjectVersion", "s3:DeleteObject": "s3:DeleteObjectVersion",
              "s3:GetObjectTagging": "s3:GetObjectVersionTagging", "s3:PutObjectTagging": "s3:PutObjectVersionTagging",
              "s3:DeleteObjectTagging": "s3:DeleteObjectVersionTagging", "s3:GetObjectAcl": "s3:GetObjectVersionAcl",
              "s3:PutObjectAcl": "s3:PutObjectVersionAcl", "s3:GetObjectAttributes": "s3:GetObjectVersionAttributes"}
_COPIES = {"CopyObject", "UploadPartCopy"}
_LIST_KEYS = {"prefix": "Prefix", "delimiter": "Delimiter", "max-keys": "MaxKeys"}


def bucket_arn(bucket: str) -> str:
    return f"arn:aws:s3:::{bucket}"


def object_arn(bucket: str, key: str) -> str:
    return f"arn:aws:s3:::{bucket}/{key}"


def s3_requests(operation: str, params: dict[str, Any], body: bytes = b"") -> list[tuple[str, str]]:
    """The (IAM action, resource ARN) pairs one S3 operation needs, all of which must be allowed."""
    action, names = _ACTIONS.get(operation, (f"s3:{operation}", OBJECT if "Key" in params else BUCKET))
    if params.get("VersionId") and action in _VERSIONED:
        action = _VERSIONED[action]
    bucket, key = params.get("Bucket", ""), params.get("Key", "")
    if operation in _COPIES:
        return [*_copy_source(params.get("CopySource", "")), ("s3:PutObject", object_arn(bucket, key))]
    if operation == "DeleteObjects":
        keys = _batch_keys(body) or [""]
        return [("s3:DeleteObject", object_arn(bucket, each)) for each in keys]
    if names == ANY or not bucket:
        return [(action, "*")]
    return [(action, object_arn(bucket, key) if names == OBJECT else bucket_arn(bucket))]


def _copy_source(source: str) -> list[tuple[str, str]]:
    """``bucket/key?versionId=v`` (URL-encoded, perhaps with a leading slash) -> the read it needs."""
    path, _, query = unquote(source).lstrip("/").partition("?versionId=")
    bucket, _, key = path.partition("/")
    return [("s3:GetObjectVersion" if query else "s3:GetObject", object_arn(bucket, key))]


def _batch_keys(body: bytes) -> list[str]:
    import xml.etree.ElementTree as ElementTree

    try:
        root = ElementTree.fromstring(body)
    except ElementTree.ParseError:
        return []
    return [element.text or "" for element in root.iter() if element.tag.rsplit("}", 1)[-1] == "Key"]


def s3_condition_keys(operation: str, params: dict[str, Any], headers: dict[str, str]) -> dict[str, Any]:
    """S3's own condition keys for this request (``s3:prefix`` for a listing, encryption for a put)."""
    keys: dict[str, Any] = {"s3:signatureversion": "AWS4-HMAC-SHA256", "s3:authtype": "REST-HEADER"}
    if operation in ("ListObjects", "ListObjectsV2", "ListObjectVersions"):
        # s3:prefix is always in a listing's context (empty when no prefix was asked for)
        keys.update({f"s3:{name}": str(params[member]) for name, member in _LIST_KEYS.items() if member in params})
        keys.setdefault("s3:prefix", "")
    for header in ("x-amz-server-side-encryption", "x-amz-server-side-encryption-aws-kms-key-id", "x-amz-acl",
                   "x-amz-storage-class", "x-amz-copy-source", "x-amz-metadata-directive"):
        if header in headers:
            keys[f"s3:{header}"] = headers[header]
    if params.get("VersionId"):
        keys["s3:versionid"] = params["VersionId"]
    return keys
