"""AWS KMS keys that matter for S3: SSE-KMS objects are read and written with the caller's KMS permissions.

moto's KMS stores keys, key policies and a rotation flag, and moto's S3 stores each object's SSE
settings; neither checks who may use a key. Here:

- ``key_access``: AWS KMS's decision for a principal and a key -- the key policy (naming the
  principal, or the account root, which delegates to IAM), the caller's IAM policies, grants, and
  explicit denies ("Determining access to an AWS KMS key", AWS KMS Developer Guide).
- ``s3_encryption``: what an S3 request needs of KMS (``kms:Decrypt`` to read an SSE-KMS object,
  ``kms:GenerateDataKey`` to write one, both for multipart and copies) and S3's refusal
  (``AccessDenied`` with KMS's sentence).
- ``s3_requests``: those checks wrapped around moto's S3 object operations (HTTP requests), and each
  object recording its key's ARN; ``common.s3_objects`` asks the same for in-process readers
  (Athena, crawlers), so every reader of the lake meets the same rule.
- ``kms_events``: S3's calls to KMS recorded in CloudTrail (``Decrypt``, ``GenerateDataKey``), far
  fewer with an S3 Bucket Key.
- ``rotation``: ``EnableKeyRotation`` with ``RotationPeriodInDays``; ``GetKeyRotationStatus`` with the
  period and the next rotation date; AWS managed keys always rotate.
- ``api_access``: KMS's own API called about a key (``kms.decrypt``, ``describe_key``...) decided the
  same way; the IAM layer asks it before moto answers.

Fidelity notes: KMS calls that name no key (``CreateKey``, ``ListKeys``) and ``CreateAlias``'s alias
meet identity policies only; S3 keeps no real ciphertext (moto stores plaintext);
a Bucket Key's lifetime and when S3 calls KMS again are this emulator's choice (AWS publishes
neither); permission is checked on every request, where AWS may serve a cached bucket key; the
``aws/s3`` managed key has AWS's key policy (anyone in the account, through S3), but
``DescribeKey`` still reports it as customer managed (moto's ``KeyManager``); ``HeadObject`` needs
no KMS permission here (unverified), and answers no KMS key id to the AWS SDK for Java 1.x (Hadoop's
S3A would copy it into a CopyObject its SDK refuses to send over the emulator's plain HTTP); root is never refused (a key policy can refuse the account's
root on AWS).
"""

from __future__ import annotations

from lakelab.emulator.seam import Patch

SERVICES = ("kms", "s3")

_S3_OBJECT_OPERATIONS = ("get_object", "put_object", "copy_object", "upload_part", "upload_part_copy")

PATCHES = (
    Patch("KmsResponse", "enable_key_rotation", value=".rotation:enable_key_rotation",
          why="moto ignores RotationPeriodInDays and rotates asymmetric and AWS managed keys on request"),
    Patch("KmsResponse", "get_key_rotation_status", value=".rotation:get_key_rotation_status",
          why="moto answers KeyRotationEnabled only; AWS answers the period and the next rotation date"),
    *(Patch("S3Response", name, wrap=f".s3_requests:{name}",
            why="S3 uses an SSE-KMS object's key with the caller's permissions; moto checks none")
      for name in _S3_OBJECT_OPERATIONS),
    Patch("S3Response", "head_object", wrap=".s3_requests:hides_key_from_java_sdk_v1",
          why="Hadoop's S3A copies a source's KMS key id into CopyObject, which its SDK refuses over plain HTTP"),
    Patch("S3Response", "_key_response_post", wrap=".s3_requests:create_multipart_upload",
          why="CreateMultipartUpload under SSE-KMS needs kms:GenerateDataKey; moto checks none"),
    Patch("S3Backend", "put_object", wrap=".s3_requests:records_key_arn",
          why="S3 records the KMS key's ARN (aws/s3 when none is named); moto keeps what it was given"),
)


def install() -> None:
    from lakelab.emulator import registry
    from lakelab.emulator.services.kms import kms_events

    registry.on_reset(kms_events.forget)
