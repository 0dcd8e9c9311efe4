"""May CloudTrail write a trail's log files into its bucket? The bucket policy decides.

CloudTrail refuses ``CreateTrail`` unless the bucket policy lets the ``cloudtrail.amazonaws.com``
service principal ``s3:GetBucketAcl`` on the bucket and ``s3:PutObject`` under
``[prefix/]AWSLogs/<account>/``, and checks again at every delivery (a policy changed later makes
deliveries fail with ``AccessDenied``). Statements are read as IAM reads them: a matching Deny wins,
otherwise a matching Allow is needed; the conditions AWS's documented policy uses
(``aws:SourceArn``, ``aws:SourceAccount``, ``s3:x-amz-acl``) are evaluated with the values
CloudTrail sends.
"""

from __future__ import annotations

import fnmatch
import json
from typing import Any

from lakelab.emulator import seam

SERVICE_PRINCIPAL = "cloudtrail.amazonaws.com"


class NoSuchBucket(Exception):
    pass


def bucket(account_id: str, name: str) -> Any:
    """moto's bucket ``name`` (:class:`NoSuchBucket` if it is gone)."""
    try:
        return seam.backend("s3", account_id).get_bucket(name)
    except seam.MissingBucket:
        raise NoSuchBucket(name) from None


def log_key_prefix(key_prefix: str | None, account_id: str) -> str:
    return (f"{key_prefix.strip('/')}/" if key_prefix else "") + f"AWSLogs/{account_id}/"


def may_deliver(found_bucket: Any, object_key: str, trail_arn: str, account_id: str) -> bool:
    """Whether the bucket policy lets CloudTrail read the bucket ACL and write ``object_key``."""
    if not found_bucket.policy:
        return False
    policy = json.loads(found_bucket.policy)
    context = {"aws:sourcearn": trail_arn, "aws:sourceaccount": account_id,
               "s3:x-amz-acl": "bucket-owner-full-control", "aws:securetransport": "true"}
    bucket_arn = f"arn:aws:s3:::{found_bucket.name}"
    return all(_allowed(policy, action, resource, context) for action, resource in
               (("s3:GetBucketAcl", bucket_arn), ("s3:PutObject", f"{bucket_arn}/{object_key}")))


def _allowed(policy: dict[str, Any], action: str, resource: str, context: dict[str, str]) -> bool:
    statements = policy.get("Statement") or []
    applying = [s for s in (statements if isinstance(statements, list) else [statements])
                if _applies(s, action, resource, context)]
    if any(s.get("Effect") == "Deny" for s in applying):
        return False
    return any(s.get("Effect") == "Allow" for s in applying)


def _applies(statement: dict[str, Any], action: str, resource: str, context: dict[str, str]) -> bool:
    return (_names_cloudtrail(statement.get("Principal"))
            and _matches_any(statement.get("Action"), action, case_sensitive=False)
            and _matches_any(statement.get("Resource"), resource, case_sensitive=True)
            and _conditions_hold(statement.get("Condition") or {}, context))


def _names_cloudtrail(principal: Any) -> bool:
    if principal == "*":
        return True
    if not isinstance(principal, dict):
        return False
    services = principal.get("Service", [])
    everyone = principal.get("AWS") == "*"
    return everyone or SERVICE_PRINCIPAL in (services if isinstance(services, list) else [services])


def _matches_any(patterns: Any, value: str, case_sensitive: bool) -> bool:
    listed = patterns if isinstance(patterns, list) else [patterns] if patterns else []
    if case_sensitive:
        return any(fnmatch.fnmatchcase(value, pattern) for pattern in listed)
    return any(fnmatch.fnmatchcase(value.lower(), pattern.lower()) for pattern in listed)


def _conditions_hold(conditions: dict[str, Any], context: dict[str, str]) -> bool:
    for operator, tests in conditions.items():
        for key, expected in tests.items():
            if not _condition_holds(operator, context.get(key.lower()), expected):
                return False
    return True


def _condition_holds(operator: str, actual: str | None, expected: Any) -> bool:
    name = operator.removesuffix("IfExists")
    if actual is None:
        return operator.endswith("IfExists")
    options = [str(option) for option in (expected if isinstance(expected, list) else [expected])]
    if name in ("StringEquals", "ArnEquals"):
        return actual in options
    if name in ("StringLike", "ArnLike"):
        return any(fnmatch.fnmatchcase(actual, option) for option in options)
    if name == "StringEqualsIgnoreCase":
        return actual.lower() in [option.lower() for option in options]
    if name == "Bool":
        return actual.lower() in [option.lower() for option in options]
    if name.startswith(("StringNot", "ArnNot")):
        return not any(fnmatch.fnmatchcase(actual, option) for option in options)
    return False  # an operator CloudTrail's requests give no value for: the statement does not apply
