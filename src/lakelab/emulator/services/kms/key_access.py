"""Who may use a KMS key: its key policy first, then IAM (when the key policy lets IAM decide), and grants.

AWS KMS's rule ("Determining access to an AWS KMS key", AWS KMS Developer Guide; "Default key
policy"): the key policy is the primary way to control access, and **no principal, not even the
account, may use a key unless the key policy allows it**. An Allow in the key policy that names the
principal itself (the user, the role, the session) is enough on its own (within its session policy
and boundary, as for any resource policy naming a role). An Allow naming the account root
(``arn:aws:iam::<account>:root``, as the default key policy does) delegates to IAM: the caller's
identity policies must then allow the action on the key. A grant to the principal for the operation
allows it too. An explicit Deny anywhere wins. Anything else is denied: "because no resource-based
policy allows the kms:Decrypt action" when the key policy is silent, "because no identity-based
policy allows ..." when it delegated and IAM did not allow.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from lakelab.emulator import context, seam
from lakelab.emulator.context import Principal
from lakelab.emulator.services.iam.policy_evaluation import (
    Decision,
    MalformedPolicy,
    Policy,
    compile_policy,
    evaluate,
    names_caller,
)
from lakelab.emulator.services.iam.principal_policies import policies_of
from lakelab.emulator.services.iam.request_authorization import request_keys

NO_KEY_POLICY_ALLOW = "no resource-based policy"
AWS_S3_ALIAS = "alias/aws/s3"


def aws_s3_key_policy(account_id: str, region: str) -> str:
    """The key policy of the AWS managed key ``aws/s3``: anyone in the account, through S3 only.

    Shape from the AWS managed key's policy as AWS KMS shows it ("AWS managed keys", AWS KMS
    Developer Guide): principal ``*`` limited by ``kms:CallerAccount`` and ``kms:ViaService``, so a
    caller allowed ``s3:GetObject`` reads SSE-KMS objects under ``aws/s3`` with no KMS permission.
    """
    return json.dumps({"Version": "2012-10-17", "Id": "auto-s3-2", "Statement": [
        {"Sid": "Allow access through S3 for all principals in the account that are authorized to use S3",
         "Effect": "Allow", "Principal": {"AWS": "*"},
         "Action": ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey"],
         "Resource": "*", "Condition": {"StringEquals": {"kms:CallerAccount": account_id,
                                                         "kms:ViaService": f"s3.{region}.amazonaws.com"}}},
        {"Sid": "Allow direct access to key metadata to the account", "Effect": "Allow",
         "Principal": {"AWS": f"arn:aws:iam::{account_id}:root"},
         "Action": ["kms:Describe*", "kms:Get*", "kms:List*"], "Resource": "*"}]})


@dataclass(frozen=True)
class Key:
    """A KMS key as the checks need it: ARN, state, policy, grants."""

    arn: str
    key_id: str
    enabled: bool
    state: str
    policy: str
    grants: tuple[tuple[str, frozenset[str]], ...]  # (grantee principal, operations)
    managed_by_aws: bool


def find_key(key_id: str | None, account_id: str, region: str) -> Key | None:
    """The key ``key_id`` names (key id, key ARN, alias name or alias ARN); None when KMS has none.

    ``None`` names the AWS managed key ``aws/s3`` of the account and Region (created on first use,
    as S3 does when SSE-KMS names no key).
    """
    reference = key_id or AWS_S3_ALIAS
    if reference.startswith("arn:"):
        parts = reference.split(":")
        region, account_id = parts[3] or region, parts[4] or account_id
    backend = seam.backend("kms", account_id, region)
    try:
        raw_id = backend.any_id_to_key_id(reference)
        found = backend.keys.get(raw_id)
    except Exception:  # an alias nobody created
        found = None
    if found is None:
        return None
    grants = tuple((grant.grantee_principal, frozenset(grant.operations or ())) for grant in found.grants.values())
    managed = AWS_S3_ALIAS in found.aliases
    policy = aws_s3_key_policy(found.account_id, found.region) if managed else found.policy
    return Key(found.arn, found.id, bool(found.enabled), found.key_state, policy, grants, managed)


def decide(principal: Principal, action: str, key: Key, condition_keys: dict[str, Any] | None = None) -> Decision:
    """AWS KMS's decision for ``principal`` doing ``action`` (``kms:Decrypt``...) with ``key``."""
    if principal.type in (context.ROOT, context.AWS_SERVICE) or not context.settings().enforce_iam:
        return Decision(True, "allowed", action, key.arn)  # as the IAM layer: root is never denied here
    found = policies_of(principal)
    keys = {**request_keys(context.current()), **(condition_keys or {}), **found.keys,
            "kms:calleraccount": principal.account_id}
    key_policy = _key_policy(key)
    decision = evaluate(found.policies, principal, action, key.arn, keys, key_policy)
    if decision.reason.startswith("explicit deny"):
        return decision
    if _granted(principal, action, key):
        return Decision(True, "allowed", action, key.arn)
    if not _key_policy_names(key_policy, principal, action, key.arn, keys):
        # the key policy is silent about the caller: IAM alone can never allow the use of a key
        return Decision(False, NO_KEY_POLICY_ALLOW, action, key.arn)
    return decision  # itself or its role named, or the account (delegated to IAM, which decided)


def _key_policy_names(policy: Policy, principal: Principal, action: str, arn: str, keys: dict[str, Any]) -> bool:
    """Whether an Allow of the key policy applies to ``principal`` (itself, its role or its account)."""
    for statement in policy.statements:
        if not statement.allow or statement.principals is None or not statement.covers(action, arn, keys):
            continue
        named = names_caller(statement.principals, principal)
        if (named is not None) == statement.not_principal:  # NotPrincipal: everyone it does not name
            continue
        return True
    return False


def _granted(principal: Principal, action: str, key: Key) -> bool:
    """Whether a KMS grant gives ``principal`` (its user or role ARN) the operation."""
    operation = action.split(":", 1)[1]
    names = {principal.arn, principal.role_arn}
    return any(grantee in names and operation in operations for grantee, operations in key.grants)


def _key_policy(key: Key) -> Policy:
    try:
        return compile_policy(key.policy)
    except MalformedPolicy:
        return Policy()  # KMS refuses malformed key policies; one that cannot be read allows nothing
