"""Judging a role by what it may do, not by its policy's text: IAM's policy simulator.

``iam.simulate_principal_policy`` evaluates a role's policies for given actions and resources on
a real account, and the local emulator answers it with the evaluation it enforces on every
request. A check names what the role must be allowed and what it must be denied: an ``s3:*``
policy, a write to ``raw/`` or a ``Deny`` that names the right ARN then fail for what they are.
"""

from __future__ import annotations

import boto3

from lakelab.checks.framework import expect

Pair = tuple[str, str]  # (IAM action, resource ARN)


def decisions(principal_arn: str, pairs: list[Pair]) -> dict[Pair, str]:
    """``allowed``, ``implicitDeny`` or ``explicitDeny`` for each (action, resource)."""
    iam, found = boto3.client("iam"), {}
    for action, resource in pairs:
        answer = iam.simulate_principal_policy(PolicySourceArn=principal_arn, ActionNames=[action],
                                               ResourceArns=[resource])
        for result in answer["EvaluationResults"]:
            found[(action, resource)] = result["EvalDecision"]
    return found


def expect_least_privilege_role(name: str, week: int | str, services: set[str], needed: list[Pair],
                                forbidden: list[Pair], *, allowed_hint: str, denied_hint: str,
                                trust_hint: str | None = None) -> None:
    """Inside a check: role ``name`` is the course's (tagged for ``week``), trusts every one of ``services``,
    may do each ``needed`` pair and none of the ``forbidden`` ones, as IAM's simulator decides."""
    from lakelab.checks import policies
    from lakelab.course import naming

    role = boto3.client("iam").get_role(RoleName=name)["Role"]
    tags = policies.role_tags(name)
    expect(naming.is_course_resource(tags, week), expected=f"tags {naming.for_week(week).tags}", found=f"tags {tags}")
    trusted = policies.trusted_services(role)
    expect(services <= set(trusted), expected="a trust policy for " + " and ".join(sorted(services)),
           found=trusted or "no service trusted", hint=trust_hint)
    expect_allowed(role["Arn"], needed, hint=allowed_hint)
    expect_denied(role["Arn"], forbidden, hint=denied_hint)


def expect_allowed(principal_arn: str, pairs: list[Pair], hint: str | None = None) -> None:
    """Inside a check: every pair is allowed; the failure lists those that are not, and why."""
    refused = {pair: verdict for pair, verdict in decisions(principal_arn, pairs).items() if verdict != "allowed"}
    expect(not refused, expected="the role allowed to " + _listing(pairs),
           found="not allowed: " + _listing(list(refused), refused), hint=hint)


def expect_denied(principal_arn: str, pairs: list[Pair], hint: str | None = None) -> None:
    """Inside a check: every pair is denied (least privilege); the failure lists what is allowed."""
    allowed = [pair for pair, verdict in decisions(principal_arn, pairs).items() if verdict == "allowed"]
    expect(not allowed, expected="the role denied " + _listing(pairs), found="also allowed: " + _listing(allowed),
           hint=hint)


def _listing(pairs: list[Pair], verdicts: dict[Pair, str] | None = None) -> str:
    shown = [f"{action} on {resource}" + (f" ({verdicts[(action, resource)]})" if verdicts else "")
             for action, resource in pairs]
    return "; ".join(shown) if shown else "nothing"
