"""What IAM says about one principal: its policies, compiled, and the condition keys it brings.

A user's permissions come from its inline and attached policies and those of its groups; an
assumed-role session's from its role's, cut down by the role's permissions boundary and by the
session policy passed to ``AssumeRole``. Reading and compiling them costs more than a request
may spend, so each principal's :class:`PrincipalPolicies` is kept until IAM changes
(:mod:`iam_changes`) or the emulator is reset (moto then makes a new backend).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from lakelab.emulator import seam
from lakelab.emulator.context import ASSUMED_ROLE, AWS_SERVICE, IAM_USER, ROOT, Principal
from lakelab.emulator.services.iam import iam_changes
from lakelab.emulator.services.iam.policy_evaluation import Policy, PolicySet, compile_policy

# Principal.type -> the value of aws:PrincipalType
PRINCIPAL_TYPES = {ROOT: "Account", IAM_USER: "User", ASSUMED_ROLE: "AssumedRole", AWS_SERVICE: "AWSService"}


@dataclass(frozen=True)
class PrincipalPolicies:
    policies: PolicySet
    keys: dict[str, Any]  # the principal's own condition keys (aws:username, aws:PrincipalTag/...)


@dataclass(frozen=True)
class _Cached:
    backend: Any  # moto's IAM backend it was read from: a reset replaces it
    version: int
    found: PrincipalPolicies


_cache: dict[tuple[str, str], _Cached] = {}


def iam_backend(account_id: str) -> Any:
    return seam.backend("iam", account_id)


def policies_of(principal: Principal) -> PrincipalPolicies:
    """``principal``'s compiled policies and keys, read from IAM at most once per IAM change."""
    backend = iam_backend(principal.account_id)
    key = (principal.arn, principal.access_key_id)
    cached = _cache.get(key)
    if cached is not None and cached.backend is backend and cached.version == iam_changes.version:
        return cached.found
    version = iam_changes.version  # read before IAM, so a change while reading is not missed
    found = _read(backend, principal)
    if len(_cache) > 4096:
        _cache.clear()
    _cache[key] = _Cached(backend, version, found)
    return found


def _read(backend: Any, principal: Principal) -> PrincipalPolicies:
    if principal.type == IAM_USER:
        return _user_policies(backend, principal)
    if principal.type == ASSUMED_ROLE:
        return _session_policies(backend, principal)
    return PrincipalPolicies(PolicySet(), principal_keys(principal, {}))


def _user_policies(backend: Any, principal: Principal) -> PrincipalPolicies:
    user = backend.users.get(principal.user_name or "")
    if user is None:
        return PrincipalPolicies(PolicySet(), principal_keys(principal, {}))
    documents = [*user.policies.values(), *(_default_document(p) for p in user.managed_policies.values())]
    for group in backend.get_groups_for_user(user.name):
        documents += [*group.policies.values(), *(_default_document(p) for p in group.managed_policies.values())]
    tags = {tag["Key"]: tag["Value"] for tag in backend.tagger.list_tags_for_resource(user.arn).get("Tags", [])}
    return PrincipalPolicies(PolicySet(_compiled(documents)), principal_keys(principal, tags))


def _session_policies(backend: Any, principal: Principal) -> PrincipalPolicies:
    role = find_role(backend, principal.role_arn or "")
    if role is None:  # the role was deleted: its sessions keep nothing
        return PrincipalPolicies(PolicySet(), principal_keys(principal, {}))
    documents = [*role.policies.values(), *(_default_document(p) for p in role.managed_policies.values())]
    boundary = _managed_policy(backend, role.permissions_boundary_arn) if role.permissions_boundary_arn else None
    session = compile_policy(principal.session_policy) if principal.session_policy else None
    tags = {tag["Key"]: tag["Value"] for tag in role.tags or []}
    policies = PolicySet(_compiled(documents), boundary, session)
    return PrincipalPolicies(policies, principal_keys(principal, {**tags, **principal.session_tags}))


def find_role(backend: Any, role_arn: str) -> Any:
    """moto's role with ``role_arn`` (or, for a session issued with a path-less ARN, that name)."""
    roles = list(backend.roles.values())
    name = role_arn.rsplit("/", 1)[-1]
    return next((r for r in roles if r.arn == role_arn), None) or next((r for r in roles if r.name == name), None)


def _managed_policy(backend: Any, arn: str) -> Policy:
    from lakelab.emulator.services.iam.managed_policies import ensure_aws_managed_policy

    ensure_aws_managed_policy(backend, arn)
    policy = backend.managed_policies.get(arn)
    # A boundary naming a policy that is gone allows nothing (AWS refuses to delete one in use).
    return compile_policy(_default_document(policy)) if policy is not None else Policy()


def _default_document(policy: Any) -> str:
    for version in policy.versions:
        if version.is_default:
            return version.document
    return policy.versions[0].document


def _compiled(documents: list[str]) -> tuple[Policy, ...]:
    return tuple(compile_policy(document) for document in documents)


def principal_keys(principal: Principal, tags: dict[str, str]) -> dict[str, Any]:
    """The global condition keys that describe the caller (lower-case names, as lookups use)."""
    keys: dict[str, Any] = {
        "aws:principalaccount": principal.account_id,
        "aws:principaltype": PRINCIPAL_TYPES.get(principal.type, principal.type),
        "aws:userid": principal.principal_id,
        "aws:principalarn": principal.role_arn if principal.type == ASSUMED_ROLE else principal.arn,
        "aws:principalisawsservice": "true" if principal.type == AWS_SERVICE else "false",
    }
    if principal.type == IAM_USER and principal.user_name:
        keys["aws:username"] = principal.user_name
    if principal.source_identity:
        keys["aws:sourceidentity"] = principal.source_identity
    if principal.session_issued is not None:
        keys["aws:tokenissuetime"] = principal.session_issued.strftime("%Y-%m-%dT%H:%M:%SZ")
    if principal.type == AWS_SERVICE and principal.service:
        keys["aws:principalservicename"] = principal.service
    keys.update({f"aws:principaltag/{key.lower()}": value for key, value in tags.items()})
    return keys


def forget() -> None:
    _cache.clear()
