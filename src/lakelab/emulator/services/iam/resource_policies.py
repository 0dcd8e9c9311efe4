"""The policy a resource carries itself: S3 bucket, SQS queue, SNS topic and Lambda function policies.

Read fresh for every request (they change through their own service's API, not IAM's); compiling
is cached by the document's text, so an unchanged policy costs a dictionary lookup.
"""

from __future__ import annotations

import json
from collections.abc import Callable

from lakelab.emulator import seam
from lakelab.emulator.services.iam.policy_evaluation import MalformedPolicy, Policy, compile_policy


def _s3_bucket_policy(arn_parts: list[str], account_id: str) -> str | None:
    bucket_name = arn_parts[5].split("/", 1)[0]
    bucket = seam.backend("s3", account_id).buckets.get(bucket_name)
    policy = getattr(bucket, "policy", None)
    return policy.decode() if isinstance(policy, bytes) else policy


def _sqs_queue_policy(arn_parts: list[str], account_id: str) -> str | None:
    queue = seam.backend("sqs", arn_parts[4] or account_id, arn_parts[3]).queues.get(arn_parts[5])
    return getattr(queue, "policy", None)


def _sns_topic_policy(arn_parts: list[str], account_id: str) -> str | None:
    topic = seam.backend("sns", arn_parts[4] or account_id, arn_parts[3]).topics.get(":".join(arn_parts))
    return topic.policy if topic is not None else None


def _lambda_function_policy(arn_parts: list[str], account_id: str) -> str | None:
    name = arn_parts[5].split(":")[1] if arn_parts[5].startswith("function:") else None
    if name is None:
        return None
    backend = seam.backend("awslambda", arn_parts[4] or account_id, arn_parts[3])
    try:
        function = backend.get_function(name)
    except Exception:  # no such function: moto answers ResourceNotFound itself
        return None
    statements = function.policy.statements
    return json.dumps({"Version": "2012-10-17", "Statement": statements}) if statements else None


_READERS: dict[str, Callable[[list[str], str], str | None]] = {
    "s3": _s3_bucket_policy, "sqs": _sqs_queue_policy, "sns": _sns_topic_policy, "lambda": _lambda_function_policy,
}


def services_with_resource_policies() -> frozenset[str]:
    return frozenset(_READERS)


def resource_policy(resource_arn: str, account_id: str) -> Policy | None:
    """The resource-based policy of ``resource_arn`` (None when it has none, or is not a resource)."""
    parts = resource_arn.split(":", 5)
    reader = _READERS.get(parts[2]) if len(parts) == 6 else None
    if reader is None:
        return None
    try:
        document = reader(parts, account_id)
    except (KeyError, AttributeError):  # a backend not created yet: nothing there
        return None
    if not document:
        return None
    try:
        return compile_policy(document)
    except MalformedPolicy:
        return None  # the service accepted it; an unreadable policy grants and denies nothing
