"""S3 extensions: event notifications as AWS sends them, bucket policies as S3 evaluates them.

- ``notifications``: delivered after the PUT answers, keys encoded as AWS encodes them,
  overlapping rules refused.
- ``bucket_policies``: conditions that do not hold leave a statement out; ``aws:SecureTransport``
  is true; the ``Bool`` operator is evaluated; PutBucketPolicy answers 204.
- ``lifecycle``: a configuration is answered as stored, with its ``TransitionDefaultMinimumObjectSize``
  and size filters.
- ``new_bucket_defaults``: a new bucket has SSE-S3 default encryption, Block Public Access on and
  ACLs disabled, as on AWS since 2023.

The in-process object store the other services read is ``common/s3_objects.py``.
"""

from __future__ import annotations

from lakelab.emulator.seam import Patch

SERVICES = ("s3",)

PATCHES = (
    Patch("s3_notifications", "send_event", wrap=".notifications:delivered_later",
          why="moto delivers inside the PUT; S3 delivers after answering"),
    Patch("s3_notifications", "_get_s3_event", wrap=".notifications:with_aws_key_encoding",
          why="moto encodes '/' in keys as %2F; S3 keeps it"),
    Patch("S3Backend", "put_bucket_notification_configuration", wrap=".notifications:refuses_overlaps",
          why="S3 refuses overlapping notification rules; moto stores them and delivers twice"),
    Patch("FakeBucket", "get_permission", value=".bucket_policies:get_permission",
          why="moto denies whenever a statement's condition fails"),
    Patch("CONDITION_OPERATIONS", "Bool", value=".bucket_policies:bool_equals", service="s3", adds=True,
          why="moto evaluates only StringEquals and treats every other operator as met"),
    Patch("S3Response", "_bucket_response_put", wrap=".lifecycle:stores_minimum_object_size",
          why="moto ignores the header x-amz-transition-default-minimum-object-size of a lifecycle PUT"),
    Patch("S3Response", "get_bucket_lifecycle", wrap=".lifecycle:answers_minimum_object_size",
          why="moto always answers all_storage_classes_128K, whatever the configuration was stored with"),
    Patch("S3Response", "_bucket_response_put", wrap=".bucket_policies:answers_no_content",
          why="moto answers PutBucketPolicy with 200 and a body; S3 answers 204 No Content"),
    Patch("S3Backend", "create_bucket", wrap=".new_bucket_defaults:applies_defaults",
          why="new buckets on AWS are SSE-S3 encrypted, block public access and disable ACLs; moto's have none"),
    Patch("S3Backend", "delete_bucket_encryption", wrap=".new_bucket_defaults:restores_default_encryption",
          why="a bucket whose encryption configuration is deleted is back on SSE-S3 on AWS, never unencrypted"),
)
