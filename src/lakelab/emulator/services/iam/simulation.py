"""IAM's policy simulator: SimulatePrincipalPolicy and SimulateCustomPolicy, on the evaluation IAM enforces.

A check that must work on a real account too asks IAM's own simulator whether a role may do
something (``iam.simulate_principal_policy(PolicySourceArn=role_arn, ActionNames=[...],
ResourceArns=[...])``) instead of reading its policy's text. moto has no simulator; here it
answers from ``policy_evaluation``, the logic that enforces every request, in AWS's shape:
one result per action and resource, ``EvalDecision`` ``allowed``, ``explicitDeny`` or
``implicitDeny``. As on AWS, resource-based policies count only when given as ``ResourcePolicy``.
"""

from __future__ import annotations

import uuid
from typing import Any
from xml.sax.saxutils import escape

from lakelab.emulator.context import ASSUMED_ROLE, IAM_USER, Principal
from lakelab.emulator.services.iam.policy_evaluation import (
    MalformedPolicy,
    PolicySet,
    compile_policy,
    evaluate,
)
from lakelab.emulator.services.iam.principal_policies import policies_of

_NAMESPACE = "https://iam.amazonaws.com/doc/2010-05-08/"


def simulate_principal_policy(response: Any) -> str:
    """moto's IAMResponse.simulate_principal_policy (moto has none)."""
    source = response._get_param("PolicySourceArn") or ""
    principal = _principal_of(source)
    found = policies_of(principal)
    extra = _compiled(response, "PolicyInputList")
    policies = PolicySet(found.policies.identity + extra, _boundary(response) or found.policies.boundary)
    return _answer(response, "SimulatePrincipalPolicy", principal, policies, found.keys)


def simulate_custom_policy(response: Any) -> str:
    """moto's IAMResponse.simulate_custom_policy: the given policies alone, for an anonymous caller."""
    caller = _principal_of(response._get_param("CallerArn") or "arn:aws:iam::123456789012:user/simulated")
    policies = PolicySet(_compiled(response, "PolicyInputList"), _boundary(response))
    return _answer(response, "SimulateCustomPolicy", caller, policies, {})


def _principal_of(source_arn: str) -> Principal:
    """The principal whose policies a simulation evaluates: a user, or a role as one of its sessions."""
    parts = source_arn.split(":")
    account = parts[4] if len(parts) > 5 else "123456789012"
    resource = parts[5] if len(parts) > 5 else ""
    kind, _, name = resource.partition("/")
    name = name.rsplit("/", 1)[-1]
    if kind == "role":
        return Principal(ASSUMED_ROLE, account, f"arn:aws:sts::{account}:assumed-role/{name}/simulation",
                         f"AROA{name.upper()}:simulation", role_arn=source_arn, session_name="simulation")
    return Principal(IAM_USER, account, source_arn, f"AIDA{name.upper()}", user_name=name)


def _compiled(response: Any, parameter: str) -> tuple[Any, ...]:
    documents = _listed(response, parameter)
    try:
        return tuple(compile_policy(document) for document in documents)
    except MalformedPolicy as error:
        raise _malformed(str(error)) from None


def _boundary(response: Any) -> Any:
    found = _compiled(response, "PermissionsBoundaryPolicyInputList")
    return found[0] if found else None


def _malformed(message: str) -> Exception:
    from lakelab.emulator import seam

    return seam.MalformedPolicyDocument(message)


def _context_keys(response: Any) -> dict[str, Any]:
    """``ContextEntries``: condition keys the simulation assumes (``aws:SourceIp``, ``s3:prefix`` ...)."""
    keys: dict[str, Any] = {}
    for entry in _listed(response, "ContextEntries"):
        values = entry.get("ContextKeyValues") or []
        keys[entry.get("ContextKeyName", "")] = values[0] if len(values) == 1 else values
    return keys


def _listed(response: Any, name: str) -> list[Any]:
    """A list parameter, as moto parses it from the query (``Name.member.N``) with the service's model."""
    found = response._get_param(name)
    if isinstance(found, dict) and "member" in found:
        found = found["member"]
    return found if isinstance(found, list) else ([found] if found else [])


def _answer(response: Any, operation: str, caller: Principal, policies: PolicySet, keys: dict[str, Any]) -> str:
    actions = _listed(response, "ActionNames")
    resources = _listed(response, "ResourceArns") or ["*"]
    resource_policy = response._get_param("ResourcePolicy")
    compiled_resource_policy = compile_policy(resource_policy) if resource_policy else None
    keys = {**keys, **_context_keys(response)}
    members = [_result(evaluate(policies, caller, action, resource, keys, compiled_resource_policy))
               for action in actions for resource in resources]
    return (f'<{operation}Response xmlns="{_NAMESPACE}"><{operation}Result><IsTruncated>false</IsTruncated>'
            f"<EvaluationResults>{''.join(members)}</EvaluationResults></{operation}Result>"
            f"<ResponseMetadata><RequestId>{uuid.uuid4()}</RequestId></ResponseMetadata>"
            f"</{operation}Response>")


def _result(decision: Any) -> str:
    verdict = "allowed" if decision.allowed else (
        "explicitDeny" if decision.reason.startswith("explicit deny") else "implicitDeny")
    return (f"<member><EvalActionName>{escape(decision.action)}</EvalActionName>"
            f"<EvalResourceName>{escape(decision.resource)}</EvalResourceName>"
            f"<EvalDecision>{verdict}</EvalDecision><MatchedStatements/><MissingContextValues/></member>")
