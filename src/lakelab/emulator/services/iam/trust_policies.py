"""``sts:AssumeRole``: the role's trust policy must name the caller, whoever the caller is.

A trust policy is the role's resource-based policy. Naming the caller itself (the user, the
session, ``"*"``) is enough on its own; naming the caller's account (``"AWS": "123456789012"``
or ``arn:aws:iam::123456789012:root``) delegates to the account, whose identity-based policies
must then allow ``sts:AssumeRole`` on the role too. A role whose trust policy names only
``lambda.amazonaws.com`` can be assumed by Lambda and by nobody else.

> Fidelity note: AWS refuses every ``AssumeRole`` signed with root credentials ("Roles may not be
> assumed by root accounts"). The emulator's course credentials are root, standing in for the
> administrator a real account would use, so here root may assume a role whose trust policy
> names its account (or root itself, or ``"*"``).
"""

from __future__ import annotations

from typing import Any

from lakelab.emulator.context import AWS_SERVICE, ROOT, Principal
from lakelab.emulator.services.iam.policy_evaluation import (
    ALLOWED,
    AS_ITS_ACCOUNT,
    AS_ITSELF,
    EXPLICIT_DENY_RESOURCE,
    Decision,
    MalformedPolicy,
    Policy,
    PolicySet,
    compile_policy,
    evaluate,
    names_caller,
)

ASSUME_ROLE = "sts:AssumeRole"
NO_TRUST_ALLOW = "no resource-based policy"  # AWS's words when the trust policy names nobody who asks


def trust_keys(params: dict[str, Any]) -> dict[str, Any]:
    """Condition keys an AssumeRole call brings to the trust policy (``sts:ExternalId`` ...)."""
    keys = {f"sts:{name.lower()}": str(params[member]) for name, member in (
        ("ExternalId", "ExternalId"), ("RoleSessionName", "RoleSessionName"), ("SourceIdentity", "SourceIdentity"))
        if params.get(member)}
    if params.get("SourceIdentity"):
        keys["aws:sourceidentity"] = str(params["SourceIdentity"])
    return keys


def trust_policy(document: str | None) -> Policy:
    """A role's trust policy, compiled (an unreadable one trusts nobody)."""
    try:
        return compile_policy(document) if document else Policy()
    except MalformedPolicy:
        return Policy()


def _trust_grants(trust: Policy, caller: Principal, role_arn: str, keys: dict[str, Any]) -> set[str]:
    granted = set()
    for statement in trust.statements:
        named = names_caller(statement.principals or {}, caller)
        if statement.not_principal:
            named = AS_ITSELF if named is None else None
        if statement.allow and named and statement.covers(ASSUME_ROLE, role_arn, keys):
            granted.add(named)
    return granted


def assume_role_decision(caller: Principal, role_arn: str, trust: Policy, identity: PolicySet,
                         keys: dict[str, Any]) -> Decision:
    """Whether ``caller`` may assume ``role_arn`` with trust policy ``trust``."""
    granted = _trust_grants(trust, caller, role_arn, keys)
    if caller.type in (ROOT, AWS_SERVICE):
        denied = evaluate(PolicySet(), caller, ASSUME_ROLE, role_arn, keys, trust).reason == EXPLICIT_DENY_RESOURCE
        if denied:
            return Decision(False, EXPLICIT_DENY_RESOURCE, ASSUME_ROLE, role_arn)
        trusted = granted & ({AS_ITSELF, AS_ITS_ACCOUNT} if caller.type == ROOT else {AS_ITSELF})
        return Decision(bool(trusted), ALLOWED if trusted else NO_TRUST_ALLOW, ASSUME_ROLE, role_arn)
    decision = evaluate(identity, caller, ASSUME_ROLE, role_arn, keys, trust)
    if decision.allowed and not granted:
        return Decision(False, NO_TRUST_ALLOW, ASSUME_ROLE, role_arn)
    return decision
