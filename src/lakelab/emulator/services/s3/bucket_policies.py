"""Bucket policies evaluated as S3 evaluates them, for what moto gets wrong.

- A statement whose condition does not hold does not apply (moto answers DENIED whenever a
  condition fails, which turns a conditional Deny into a Deny of everything and a conditional
  Allow into a Deny).
- ``aws:SecureTransport`` is true: the emulator stands in for AWS's HTTPS endpoint, and moto,
  given no value, lets a "deny without TLS" statement deny every request.
- The ``Bool`` operator is evaluated (moto evaluates only StringEquals and treats every other
  operator as met).
"""

from __future__ import annotations

import json
from typing import Any

from lakelab.emulator import seam

# What every request to AWS carries and moto's policy evaluation would otherwise miss.
REQUEST_CONDITION_VALUES = {"aws:SecureTransport": "true"}


def bool_equals(expected: Any, actual: str) -> bool:
    """The ``Bool`` condition operator: ``"true"`` matches ``True``, whatever the case."""
    options = expected if isinstance(expected, list) else [expected]
    return str(actual).lower() in [str(option).lower() for option in options]


def bucket_permission(policy: dict, action: str, resource: str) -> Any:
    """A bucket policy's verdict, where a statement whose condition does not hold does not apply."""
    statement_class, verdicts = seam.IAMPolicyStatement, seam.PermissionResult
    statements = policy["Statement"] if isinstance(policy["Statement"], list) else [policy["Statement"]]
    permitted = False
    for statement in statements:
        if statement.get("Condition") and not statement_class(statement)._check_conditions(REQUEST_CONDITION_VALUES):
            continue
        unconditional = {key: value for key, value in statement.items() if key != "Condition"}
        verdict = statement_class(unconditional).is_action_permitted(action, resource)
        if verdict == verdicts.DENIED:
            return verdict
        permitted = permitted or verdict == verdicts.PERMITTED
    return verdicts.PERMITTED if permitted else verdicts.NEUTRAL


def get_permission(bucket: Any, action: str, resource: str) -> Any:
    """``FakeBucket.get_permission``: the bucket policy's verdict, by :func:`bucket_permission`."""
    if bucket.policy is None:
        return seam.PermissionResult.NEUTRAL
    return bucket_permission(json.loads(bucket.policy), action, resource)


def answers_no_content(put_bucket: Any) -> Any:
    """``S3Response._bucket_response_put``: PutBucketPolicy answers 204 No Content, as S3 does."""

    def bucket_response_put(response: Any, request: Any, bucket_name: str, querystring: dict) -> Any:
        answer = put_bucket(response, request, bucket_name, querystring)
        if "policy" not in (querystring or {}):
            return answer
        headers = answer[1] if isinstance(answer, tuple) else {}
        return 204, headers, ""

    return bucket_response_put
