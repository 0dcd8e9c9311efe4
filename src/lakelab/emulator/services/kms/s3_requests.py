"""S3's object operations wrapped (through the seam) so that SSE-KMS keys are used as the caller.

Each wrapper runs inside moto's answer to an HTTP request, after the IAM layer allowed the S3
action (IAM is evaluated before moto sees the request), so the order is AWS's: ``s3:GetObject``
first, then the object (``NoSuchKey``), then KMS. Every principal passes through here, root too:
root is never refused (``key_access``) but S3's KMS calls for it are recorded all the same. Work
the emulator does in-process (Athena, crawlers) reads through ``common.s3_objects``, which asks
:func:`s3_encryption.check_all` the same questions.

``put_object`` of moto's backend is wrapped too, so an object records the key's ARN, as S3 answers
it in ``x-amz-server-side-encryption-aws-kms-key-id`` (moto keeps the alias or id it was given, and
no key at all for SSE-KMS without one, where S3 uses ``aws/s3``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from xml.sax.saxutils import escape

from lakelab.emulator import context
from lakelab.emulator.services.kms import s3_encryption
from lakelab.emulator.services.kms.key_access import find_key

Response = tuple[int, dict[str, str], Any]


def _params(response: Any) -> dict[str, Any]:
    query = response.querystring or {}
    first = {name: values[0] if isinstance(values, list) and values else values for name, values in query.items()}
    params = {"Bucket": response.bucket_name, "Key": response.parse_key_name()}  # as moto stores the key
    if first.get("versionId"):
        params["VersionId"] = first["versionId"]
    if first.get("uploadId"):
        params["UploadId"] = first["uploadId"]
    if response.headers.get("x-amz-copy-source"):
        params["CopySource"] = response.headers["x-amz-copy-source"]
    return params


def _refusal(response: Any, operation: str) -> Response | None:
    headers = {name.lower(): value for name, value in response.headers.items()}
    try:
        s3_encryption.check_all(s3_encryption.uses_of(operation, _params(response), headers))
    except s3_encryption.KeyRefused as refused:
        request_id = context.current().request_id
        body = (f'<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>{refused.code}</Code>'
                f"<Message>{escape(refused.message)}</Message><RequestId>{request_id}</RequestId>"
                f"<HostId>{request_id}</HostId></Error>")
        return refused.status, {"Content-Type": "application/xml", "x-amz-request-id": request_id}, body
    return None


def checks_key_for(operation: str) -> Callable[[Any], Any]:
    """A wrapper of one of ``S3Response``'s object methods, for ``operation``."""

    def wrap(original: Any) -> Any:
        def method(response: Any, *args: Any, **kwargs: Any) -> Any:
            return _refusal(response, operation) or original(response, *args, **kwargs)

        method.__name__ = getattr(original, "__name__", operation)
        return method

    return wrap


get_object = checks_key_for("GetObject")
put_object = checks_key_for("PutObject")
copy_object = checks_key_for("CopyObject")
upload_part = checks_key_for("UploadPart")
upload_part_copy = checks_key_for("UploadPartCopy")


def create_multipart_upload(original: Any) -> Any:
    """``S3Response._key_response_post``: CreateMultipartUpload (an empty POST with ``?uploads``) needs a data key."""

    def method(response: Any, request: Any, body: bytes, bucket_name: str, query: dict[str, Any],
               key_name: str) -> Any:
        if body == b"" and "uploads" in query:
            refused = _refusal(response, "CreateMultipartUpload")
            if refused is not None:
                return refused
        return original(response, request, body, bucket_name, query, key_name)

    return method


def records_key_arn(original: Any) -> Any:
    """``S3Backend.put_object``, recording the ARN of the KMS key an SSE-KMS object is written with."""

    def put_object(backend: Any, bucket_name: str, key_name: str, value: bytes, *args: Any, **kwargs: Any) -> Any:
        bucket = backend.get_bucket(bucket_name)
        rule = (bucket.encryption or {}).get("Rule") or {}
        default = rule.get("ApplyServerSideEncryptionByDefault") or {}
        algorithm = kwargs.get("encryption") or default.get("SSEAlgorithm")
        if algorithm in s3_encryption.KMS_ALGORITHMS:
            named = kwargs.get("kms_key_id") or (
                default.get("KMSMasterKeyID") if default.get("SSEAlgorithm") == algorithm else None)
            key = find_key(named, backend.account_id, bucket.region_name)
            if key is not None:
                kwargs.update(encryption=algorithm, kms_key_id=key.arn)
        return original(backend, bucket_name, key_name, value, *args, **kwargs)

    return put_object


def hides_key_from_java_sdk_v1(original: Any) -> Any:
    """``S3Response.head_object``, without the object's KMS key id for a client on the AWS SDK for Java 1.x.

    Hadoop's S3A (the Spark jobs' S3 client) copies a renamed file's KMS key id from its HeadObject into the
    copy request, and SDK 1.x refuses to send SSE-KMS parameters over plain HTTP (``HTTPS must be used when
    sending customer encryption keys``): over the emulator's HTTP endpoint every Spark commit would fail. The
    key id is left out for that client only (a fidelity note); the copy still gets the bucket's default
    encryption, and every other client sees the header, as on AWS.
    """

    def head_object(response: Any, bucket_name: str, query: dict[str, Any], key_name: str,
                    headers: dict[str, Any]) -> Any:
        answer = original(response, bucket_name, query, key_name, headers)
        agent = str(headers.get("user-agent") or headers.get("User-Agent") or "")
        if "aws-sdk-java/1." in agent and isinstance(answer, tuple) and len(answer) == 3 and isinstance(answer[1], dict):
            status, answered, body = answer
            answered = {name: value for name, value in answered.items()
                        if name.lower() != "x-amz-server-side-encryption-aws-kms-key-id"}
            return status, answered, body
        return answer

    return head_object
