"""May AppFlow read or write a bucket? Its bucket policy decides, as on AWS.

AWS: "If using the Amazon AppFlow SDK these policies must be added manually" -- a source bucket's
policy must let the ``appflow.amazonaws.com`` service principal ``s3:ListBucket`` and
``s3:GetObject``; a destination bucket's must let it ``s3:PutObject``, ``s3:AbortMultipartUpload``,
``s3:ListMultipartUploadParts``, ``s3:ListBucketMultipartUploads``, ``s3:GetBucketAcl`` and
``s3:PutObjectAcl`` (https://docs.aws.amazon.com/appflow/latest/userguide/s3-policies-management.html).
CreateFlow and UpdateFlow check it, and so does every run (a policy removed later fails the run).
Statements are read as IAM reads them: a matching Deny wins, otherwise a matching Allow is needed;
``aws:SourceAccount`` and ``aws:SourceArn`` conditions are evaluated with the values AppFlow sends
(the flow's account and ARN); a statement with another condition does not apply.
"""

from __future__ import annotations

import fnmatch
import json
from typing import Any

from lakelab.emulator import seam

SERVICE_PRINCIPAL = "appflow.amazonaws.com"
SOURCE_ACTIONS = ("s3:ListBucket", "s3:GetObject")
DESTINATION_ACTIONS = ("s3:PutObject", "s3:AbortMultipartUpload", "s3:ListMultipartUploadParts",
                       "s3:ListBucketMultipartUploads", "s3:GetBucketAcl", "s3:PutObjectAcl")
_ON_BUCKET = {"s3:ListBucket", "s3:ListBucketMultipartUploads", "s3:GetBucketAcl"}


def bucket(account_id: str, name: str) -> Any | None:
    """moto's bucket ``name``, or None when there is none."""
    try:
        return seam.backend("s3", account_id).get_bucket(name)
    except seam.MissingBucket:
        return None


def missing_actions(found: Any, actions: tuple[str, ...], account_id: str, flow_arn: str, prefix: str = "") -> list[str]:
    """The ``actions`` the bucket policy does not grant AppFlow (all of them without a policy). Object actions
    are judged on the objects AppFlow writes or reads: under ``prefix`` (the flow's ``bucketPrefix``) when it
    has one, so a statement scoped to that prefix (``arn:aws:s3:::bucket/raw/crm/*``) grants them."""
    if not found.policy:
        return list(actions)
    policy = json.loads(found.policy)
    values = {"aws:sourceaccount": account_id, "aws:sourcearn": flow_arn, "aws:securetransport": "true"}
    bucket_arn = f"arn:aws:s3:::{found.name}"
    objects = f"{bucket_arn}/{prefix.strip('/')}/*" if prefix.strip("/") else f"{bucket_arn}/*"
    return [action for action in actions
            if not _allowed(policy, action, bucket_arn if action in _ON_BUCKET else objects, values)]


def _allowed(policy: dict[str, Any], action: str, resource: str, values: dict[str, str]) -> bool:
    statements = policy.get("Statement") or []
    statements = statements if isinstance(statements, list) else [statements]
    applying = [s for s in statements if _applies(s, action, resource, values)]
    return not any(s.get("Effect") == "Deny" for s in applying) and any(s.get("Effect") == "Allow" for s in applying)


def _applies(statement: dict[str, Any], action: str, resource: str, values: dict[str, str]) -> bool:
    return (_names_appflow(statement.get("Principal"))
            and _matches(statement.get("Action"), action.lower(), lower=True)
            and _matches(statement.get("Resource"), resource, lower=False)
            and all(_holds(operator, tests, values) for operator, tests in (statement.get("Condition") or {}).items()))


def _names_appflow(principal: Any) -> bool:
    if principal == "*":
        return True
    if not isinstance(principal, dict):
        return False
    services = principal.get("Service", [])
    return principal.get("AWS") == "*" or SERVICE_PRINCIPAL in (services if isinstance(services, list) else [services])


def _matches(patterns: Any, value: str, lower: bool) -> bool:
    listed = patterns if isinstance(patterns, list) else [patterns] if patterns else []
    return any(fnmatch.fnmatchcase(value, pattern.lower() if lower else pattern) for pattern in listed)


def _holds(operator: str, tests: dict[str, Any], values: dict[str, str]) -> bool:
    for key, expected in tests.items():
        actual = values.get(key.lower())
        options = [str(option) for option in (expected if isinstance(expected, list) else [expected])]
        name = operator.removesuffix("IfExists")
        if actual is None:
            if not operator.endswith("IfExists"):
                return False
        elif name in ("StringEquals", "ArnEquals", "Bool"):
            if actual.lower() not in [o.lower() for o in options] if name == "Bool" else actual not in options:
                return False
        elif name in ("StringLike", "ArnLike"):
            if not any(fnmatch.fnmatchcase(actual, option) for option in options):
                return False
        else:
            return False  # an operator AppFlow's requests give no value for: the statement does not apply
    return True
