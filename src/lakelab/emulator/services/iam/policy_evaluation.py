"""Policy evaluation as AWS does it, for one principal, one action and one resource (pure functions).

The order, within one account (the course's): an explicit ``Deny`` in any policy that applies
ends it. An ``Allow`` in the resource's own policy that names the caller itself (the user, or the
assumed-role *session*) is enough on its own. Otherwise an identity-based policy must allow (or
the resource policy must name the caller's role, which then counts as one), and that allowance
is cut down to what the permissions boundary and the session policy also allow. Anything not
allowed is denied implicitly. The :class:`Decision` says which of these steps decided, so the
answer can use AWS's words for it.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from lakelab.emulator.context import ASSUMED_ROLE, AWS_SERVICE, IAM_USER, Principal
from lakelab.emulator.services.iam.policy_conditions import Condition, compile_conditions
from lakelab.emulator.services.iam.policy_language import (
    RequestKeys,
    as_list,
    has_variables,
    pattern_regex,
    wildcard_regex,
)

ALLOWED = "allowed"
EXPLICIT_DENY_IDENTITY = "explicit deny in an identity-based policy"
EXPLICIT_DENY_RESOURCE = "explicit deny in a resource-based policy"
EXPLICIT_DENY_BOUNDARY = "explicit deny in a permissions boundary"
EXPLICIT_DENY_SESSION = "explicit deny in a session policy"
NO_IDENTITY_ALLOW = "no identity-based policy"
NO_BOUNDARY_ALLOW = "no permissions boundary"
NO_SESSION_ALLOW = "no session policy"

# How a resource policy's Principal names the caller: as itself, as its role, or as its account.
AS_ITSELF, AS_ITS_ROLE, AS_ITS_ACCOUNT = "itself", "role", "account"


@dataclass(frozen=True)
class Decision:
    """The outcome, and the step that decided it (one of the module's reason constants)."""

    allowed: bool
    reason: str
    action: str = ""
    resource: str = ""

    @property
    def because(self) -> str:
        """AWS's closing words for a denial: ``because no identity-based policy allows the s3:PutObject action``."""
        if self.reason.startswith("explicit deny"):
            return f"with an {self.reason}"
        return f"because {self.reason} allows the {self.action} action"


@dataclass(frozen=True)
class Statement:
    allow: bool
    actions: re.Pattern[str] | None  # every Action (or NotAction) as one case-insensitive regex
    not_action: bool
    resources: tuple[str, ...] | None  # None: no Resource element (trust policies)
    resource_regex: re.Pattern[str] | None  # when no resource uses a variable
    not_resource: bool
    principals: dict[str, tuple[str, ...]] | None  # None: no Principal element (identity policies)
    not_principal: bool
    conditions: tuple[Condition, ...]

    def covers(self, action: str, resource: str, keys: RequestKeys) -> bool:
        """Whether the statement's Action, Resource and Condition all apply to this request."""
        if self.actions is not None and (self.actions.fullmatch(action) is None) != self.not_action:
            return False
        if self.resources is not None and self._resource_matches(resource, keys) == self.not_resource:
            return False
        return all(condition.holds(keys) for condition in self.conditions)

    def _resource_matches(self, resource: str, keys: RequestKeys) -> bool:
        if self.resource_regex is not None:
            return self.resource_regex.fullmatch(resource) is not None
        for pattern in self.resources or ():
            regex = pattern_regex(pattern, keys)
            if regex is not None and regex.fullmatch(resource):
                return True
        return False


@dataclass(frozen=True)
class Policy:
    statements: tuple[Statement, ...] = field(default_factory=tuple)


class MalformedPolicy(ValueError):
    """The document is not a policy this engine can read."""


@functools.lru_cache(maxsize=2048)
def compile_policy(document: str) -> Policy:
    """A policy document (JSON text) compiled for fast evaluation; the same text compiles once."""
    try:
        parsed = json.loads(document) if isinstance(document, str) else document
        statements = as_list(parsed["Statement"])
        return Policy(tuple(_compile_statement(statement) for statement in statements))
    except (ValueError, KeyError, TypeError, AttributeError) as error:
        raise MalformedPolicy(str(error)) from error


def _compile_statement(statement: dict[str, Any]) -> Statement:
    not_action = "NotAction" in statement
    actions = as_list(statement.get("NotAction" if not_action else "Action"))
    not_resource = "NotResource" in statement
    resources = statement.get("NotResource" if not_resource else "Resource")
    resource_list = tuple(str(value) for value in as_list(resources)) if resources is not None else None
    not_principal = "NotPrincipal" in statement
    principal = statement.get("NotPrincipal" if not_principal else "Principal")
    return Statement(
        allow=statement["Effect"] == "Allow",
        actions=_alternatives(actions, ignore_case=True) if actions else None,
        not_action=not_action,
        resources=resource_list,
        resource_regex=_alternatives(resource_list) if resource_list and not any(
            has_variables(item) for item in resource_list) else None,
        not_resource=not_resource,
        principals=_principals(principal) if principal is not None else None,
        not_principal=not_principal,
        conditions=compile_conditions(statement.get("Condition") or {}),
    )


def _alternatives(patterns: Any, ignore_case: bool = False) -> re.Pattern[str]:
    joined = "|".join(f"(?:{wildcard_regex(str(pattern), ignore_case).pattern})" for pattern in patterns)
    return re.compile(joined, re.IGNORECASE | re.DOTALL if ignore_case else re.DOTALL)


def _principals(element: Any) -> dict[str, tuple[str, ...]]:
    """``"*"`` or ``{"AWS": [...], "Service": ...}`` as ``{"AWS": (...), ...}``."""
    if element == "*":
        return {"AWS": ("*",)}
    return {kind: tuple(str(value) for value in as_list(values)) for kind, values in element.items()}


def names_caller(principals: dict[str, tuple[str, ...]], caller: Principal) -> str | None:
    """How a Principal element names ``caller``: AS_ITSELF, AS_ITS_ROLE, AS_ITS_ACCOUNT, or None."""
    if caller.type == AWS_SERVICE:
        return AS_ITSELF if caller.service in principals.get("Service", ()) else None
    named = principals.get("AWS", ())
    if "*" in named or (caller.arn and caller.arn in named):
        return AS_ITSELF
    if caller.type == ASSUMED_ROLE and caller.role_arn in named:
        return AS_ITS_ROLE
    if caller.account_id in named or f"arn:aws:iam::{caller.account_id}:root" in named:
        return AS_ITS_ACCOUNT
    return None


def _statement_names(statement: Statement, caller: Principal) -> str | None:
    if statement.principals is None:
        return AS_ITSELF  # identity-based policies speak of their holder
    named = names_caller(statement.principals, caller)
    if statement.not_principal:
        return AS_ITSELF if named is None else None
    return named


@dataclass(frozen=True)
class PolicySet:
    """What applies to one principal: its identity policies, boundary and session policy."""

    identity: tuple[Policy, ...] = ()
    boundary: Policy | None = None  # None: no permissions boundary
    session: Policy | None = None  # None: no session policy


def _effects(policies: tuple[Policy, ...], action: str, resource: str, keys: RequestKeys) -> tuple[bool, bool]:
    """(some statement allows, some statement denies) among ``policies``."""
    allows = denies = False
    for policy in policies:
        for statement in policy.statements:
            if (statement.allow and allows) or not statement.covers(action, resource, keys):
                continue
            if statement.allow:
                allows = True
            else:
                return allows, True
    return allows, denies


def _resource_effects(policy: Policy | None, caller: Principal, action: str, resource: str,
                      keys: RequestKeys) -> tuple[set[str], bool]:
    """(how the resource policy's Allows name the caller, whether one of its Denies applies)."""
    granted: set[str] = set()
    for statement in policy.statements if policy is not None else ():
        named = _statement_names(statement, caller)
        if named is None or not statement.covers(action, resource, keys):
            continue
        if not statement.allow:
            return granted, True
        granted.add(named)
    return granted, False


# Called with (caller, action, resource, request keys, decision) after every evaluation: ``lakelab plan`` learns
# from them which actions a lab's principal needed, on what (and for iam:PassRole, to which service). Empty in
# normal use.
observers: list[Callable[[Principal, str, str, RequestKeys, Decision], None]] = []


def evaluate(policies: PolicySet, caller: Principal, action: str, resource: str, keys: RequestKeys,
             resource_policy: Policy | None = None) -> Decision:
    """AWS's decision for ``caller`` doing ``action`` on ``resource`` (same-account evaluation)."""
    decision = _evaluate(policies, caller, action, resource, keys, resource_policy)
    for observer in observers:
        observer(caller, action, resource, keys, decision)
    return decision


def _evaluate(policies: PolicySet, caller: Principal, action: str, resource: str, keys: RequestKeys,
              resource_policy: Policy | None) -> Decision:
    identity_allows, identity_denies = _effects(policies.identity, action, resource, keys)
    boundary_allows, boundary_denies = _effects(_optional(policies.boundary), action, resource, keys)
    session_allows, session_denies = _effects(_optional(policies.session), action, resource, keys)
    granted, resource_denies = _resource_effects(resource_policy, caller, action, resource, keys)
    for denied, reason in ((identity_denies, EXPLICIT_DENY_IDENTITY), (resource_denies, EXPLICIT_DENY_RESOURCE),
                           (boundary_denies, EXPLICIT_DENY_BOUNDARY), (session_denies, EXPLICIT_DENY_SESSION)):
        if denied:
            return Decision(False, reason, action, resource)
    if AS_ITSELF in granted and caller.type in (IAM_USER, ASSUMED_ROLE, AWS_SERVICE):
        return Decision(True, ALLOWED, action, resource)  # a grant to the user or session itself
    if not (identity_allows or AS_ITS_ROLE in granted):
        return Decision(False, NO_IDENTITY_ALLOW, action, resource)
    if policies.boundary is not None and not boundary_allows:
        return Decision(False, NO_BOUNDARY_ALLOW, action, resource)
    if policies.session is not None and not session_allows:
        return Decision(False, NO_SESSION_ALLOW, action, resource)
    return Decision(True, ALLOWED, action, resource)


def _optional(policy: Policy | None) -> tuple[Policy, ...]:
    return (policy,) if policy is not None else ()


def evaluate_all(policies: PolicySet, caller: Principal, requested: list[tuple[str, str, Policy | None]],
                 keys: RequestKeys) -> Decision:
    """Every (action, resource, resource policy) must be allowed; the first denial is the answer."""
    decision = Decision(True, ALLOWED)
    for action, resource, resource_policy in requested:
        decision = evaluate(policies, caller, action, resource, keys, resource_policy)
        if not decision.allowed:
            return decision
    return decision
