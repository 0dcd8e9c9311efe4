"""IAM enforced: the two entry points the emulator calls, for requests and for work done for someone.

- :func:`denial_for` -- the server asks it about every request before moto sees it: None to let
  the request through, else the denied answer in the service's own shape.
- :func:`authorize` / :func:`require` -- code the emulator runs on someone's behalf (an Athena
  query reading S3 as its caller, a crawler as its role) asks about each thing it touches.

Root and AWS services are never denied (as on AWS, where no identity policy applies to root),
except by a role's trust policy: ``sts:AssumeRole`` is checked for every caller. Users and
assumed-role sessions are evaluated as AWS evaluates them (``policy_evaluation``).
"""

from __future__ import annotations

from typing import Any

from lakelab.emulator.context import AWS_SERVICE, ROOT, Principal, RequestContext, current
from lakelab.emulator.services.iam import iam_changes, policy_checks
from lakelab.emulator.services.iam.access_denied import Answer, denial_message, denied_answer
from lakelab.emulator.services.iam.policy_evaluation import (
    ALLOWED,
    Decision,
    PolicySet,
    evaluate,
    evaluate_all,
)
from lakelab.emulator.services.iam.principal_policies import find_role, iam_backend, policies_of
from lakelab.emulator.services.iam.request_authorization import Requested, request_keys, requested
from lakelab.emulator.services.iam.resource_policies import resource_policy, services_with_resource_policies
from lakelab.emulator.services.iam.trust_policies import assume_role_decision, trust_keys, trust_policy

PATCHES = (*iam_changes.PATCHES, *policy_checks.PATCHES)
_EXEMPT = (ROOT, AWS_SERVICE)
_RESOURCE_POLICY_SERVICES = services_with_resource_policies()


class AccessDeniedError(PermissionError):
    """Work done on someone's behalf was denied; the message is AWS's."""

    def __init__(self, message: str, decision: Decision | None = None) -> None:
        super().__init__(message)
        self.decision = decision


def denial_for(request: Any, ctx: RequestContext) -> Answer | None:
    """The HTTP answer (status, headers, body) denying ``request``, or None to let it through."""
    caller = ctx.principal
    if caller.type in _EXEMPT and request.operation != "AssumeRole":
        return None
    if not ctx.settings.enforce_iam:
        return None
    if request.service == "s3" and request.operation == "DeleteObjects":
        return None  # authorized key by key inside a 200 answer (``batch_deletes``), as S3 does
    if request.service == "kms":  # a key's own policy decides about the key (``services.kms.api_access``)
        from lakelab.emulator.services.kms import api_access

        decided = api_access.denial_for(request, ctx)
        if decided is not api_access.NOT_A_KEY:
            return decided  # type: ignore[return-value]
    asked = requested(request, ctx)
    if asked is None or not asked.checks:
        return None  # an operation nobody can name cannot be checked; moto answers it
    decision = _decide(caller, asked, request.params)
    if decision.allowed:
        return None
    message = denial_message(caller, decision, quote_resource=request.service == "s3")
    return denied_answer(request.protocol, request.service, message, ctx.request_id)


def _decide(caller: Principal, asked: Requested, params: dict[str, Any]) -> Decision:
    if asked.assumed_role_arn is not None:
        return _assume_role(caller, asked, params)
    found = policies_of(caller)
    keys = {**asked.keys, **found.keys}
    checks = [(action, resource, _resource_policy_of(resource, caller)) for action, resource in asked.checks]
    return evaluate_all(found.policies, caller, checks, keys)


def _resource_policy_of(resource: str, caller: Principal) -> Any:
    service = resource.split(":", 3)[2] if resource.count(":") >= 3 else ""
    return resource_policy(resource, caller.account_id) if service in _RESOURCE_POLICY_SERVICES else None


def _assume_role(caller: Principal, asked: Requested, params: dict[str, Any]) -> Decision:
    role_arn = asked.assumed_role_arn or ""
    parts = role_arn.split(":")
    account = parts[4] if len(parts) > 4 and parts[4] else caller.account_id
    role = find_role(iam_backend(account), role_arn)
    if role is None or role.arn != role_arn:  # AWS: a role that does not exist trusts nobody
        return Decision(False, "no resource-based policy", "sts:AssumeRole", role_arn)
    found = None if caller.type in _EXEMPT else policies_of(caller)
    keys = {**asked.keys, **trust_keys(params), **(found.keys if found else {})}
    identity = found.policies if found else PolicySet()
    return assume_role_decision(caller, role_arn, trust_policy(role.assume_role_policy_document), identity, keys)


def authorize(principal: Principal, action: str, resource: str,
              condition_keys: dict[str, Any] | None = None) -> Decision:
    """AWS's decision for ``principal`` doing ``action`` on ``resource`` (for in-process work)."""
    if principal.type in _EXEMPT:
        return Decision(True, ALLOWED, action, resource)
    context = current()
    if not context.settings.enforce_iam:
        return Decision(True, ALLOWED, action, resource)
    found = policies_of(principal)
    keys = {**request_keys(context), **(condition_keys or {}), **found.keys}
    return evaluate(found.policies, principal, action, resource, keys, _resource_policy_of(resource, principal))


def require(principal: Principal, action: str, resource: str, condition_keys: dict[str, Any] | None = None) -> None:
    """:func:`authorize`, raising :class:`AccessDeniedError` (AWS's message) when denied."""
    decision = authorize(principal, action, resource, condition_keys)
    if not decision.allowed:
        message = denial_message(principal, decision, quote_resource=resource.startswith("arn:aws:s3:"))
        raise AccessDeniedError(message, decision)
