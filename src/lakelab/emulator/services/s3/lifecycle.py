"""S3 lifecycle configurations: the transition default minimum object size, stored and answered.

Since September 2024 a lifecycle configuration carries ``TransitionDefaultMinimumObjectSize``
(the request header ``x-amz-transition-default-minimum-object-size``): ``all_storage_classes_128K``
(the default when the header is absent) or ``varies_by_storage_class``. moto ignores the header
and always answers ``all_storage_classes_128K``; S3 stores the value sent with the rules and
returns it from both PutBucketLifecycleConfiguration and GetBucketLifecycleConfiguration.

moto also drops the size filters (``ObjectSizeGreaterThan``, ``ObjectSizeLessThan``) it does not
model, so a rule meant for large objects came back as a rule for every object. The rules are
answered as they were stored, after moto has validated them.

Rules are still stored, never applied (the emulator has no daily lifecycle run).
"""

from __future__ import annotations

from typing import Any

from lakelab.emulator import seam

HEADER = "x-amz-transition-default-minimum-object-size"
ALL_STORAGE_CLASSES_128K, VARIES_BY_STORAGE_CLASS = "all_storage_classes_128K", "varies_by_storage_class"
VALUES = (ALL_STORAGE_CLASSES_128K, VARIES_BY_STORAGE_CLASS)
_ATTRIBUTE = "lakelab_transition_default_minimum_object_size"  # on moto's FakeBucket
_STORED_RULES = "lakelab_lifecycle_configuration_xml"  # the configuration as the client sent it


def minimum_object_size(bucket: Any) -> str:
    """The setting stored with ``bucket``'s lifecycle configuration (S3's default when none was sent)."""
    return getattr(bucket, _ATTRIBUTE, ALL_STORAGE_CLASSES_128K)


def stores_minimum_object_size(put_bucket: Any) -> Any:
    """``S3Response._bucket_response_put``, keeping a lifecycle PUT's minimum object size."""

    def bucket_response_put(response: Any, request: Any, bucket_name: str, querystring: dict) -> Any:
        if "lifecycle" not in (querystring or {}):
            return put_bucket(response, request, bucket_name, querystring)
        size = request.headers.get(HEADER) or ALL_STORAGE_CLASSES_128K
        if size not in VALUES:
            raise seam.InvalidArgumentError(
                f"Invalid value for {HEADER}: expected one of {', '.join(VALUES)}", HEADER, size)
        answer = put_bucket(response, request, bucket_name, querystring)
        bucket = response.backend.get_bucket(bucket_name)
        setattr(bucket, _ATTRIBUTE, size)
        setattr(bucket, _STORED_RULES, response.body)
        status, headers, body = answer if isinstance(answer, tuple) else (200, {}, answer)
        return status, {**headers, HEADER: size}, body

    return bucket_response_put


def answers_minimum_object_size(get_lifecycle: Any) -> Any:
    """``S3Response.get_bucket_lifecycle``, answering the stored minimum object size."""

    def get_bucket_lifecycle(response: Any) -> Any:
        status, headers, body = get_lifecycle(response)
        bucket = response.backend.get_bucket(response.bucket_name)
        headers = {name: value for name, value in headers.items() if name.lower() != HEADER}
        return status, {**headers, HEADER: minimum_object_size(bucket)}, getattr(bucket, _STORED_RULES, None) or body

    return get_bucket_lifecycle
