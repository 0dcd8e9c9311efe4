"""The ``lakelab bootstrap`` command: check the account, say what will be made, ask, then make it (or remove it)."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable

from lakelab.targets.bootstrap import Clients, Guardrails, check_account, create, remove, union_policy
from lakelab.targets.choice import TargetError

DEFAULT_MONTHLY_USD = 20.0


def bootstrap_command(target: str, yes: bool, email: str | None, monthly_usd: float, removing: bool,
                      clients: Clients | None = None, ask: Callable[[str], str] = input,
                      interactive: bool | None = None) -> int:
    if target != "aws":
        print(f"lakelab bootstrap: only --target aws has guardrails to make (not {target})", file=sys.stderr)
        return 2
    if not removing and not email:
        print("lakelab bootstrap: --email is required: the budget's alerts are sent there", file=sys.stderr)
        return 2
    try:
        clients, region = clients_and_region(clients)
        from lakelab.course import naming
        from lakelab.targets import aws

        expected = aws.expected_account()
        for line in check_account(clients, expected):
            print(f"checked: {line}")
        guardrails = Guardrails(expected, region, naming.learner(), email or "", monthly_usd)
        if not removing:
            union_policy()  # refuses now, before anything is made, when a lab has no proven plan
    except TargetError as refused:
        print(f"lakelab bootstrap: {refused}", file=sys.stderr)
        return 1
    print(_intent(guardrails, removing))
    interactive = sys.stdin.isatty() if interactive is None else interactive
    if not (yes or (interactive and ask("Type yes to go on: ").strip().lower() == "yes")):
        print("Nothing was changed (answer yes, or add --yes).")
        return 1
    try:
        (remove if removing else create)(clients, guardrails)
    except TargetError as refused:
        print(f"lakelab bootstrap: {refused}", file=sys.stderr)
        return 1
    return 0


def clients_and_region(clients: Clients | None) -> tuple[Clients, str]:
    """The real account's clients, after the aws target's own checks (endpoints, opt-in, account, alias)."""
    if clients is not None:
        return clients, os.environ.get("AWS_DEFAULT_REGION", "us-east-1")
    import boto3

    from lakelab.targets import aws

    chosen = aws.resolve_aws()
    session = boto3.Session()
    global_services = {"budgets": "us-east-1", "organizations": "us-east-1"}  # each has one endpoint
    return (lambda service: session.client(service, region_name=global_services.get(service, chosen.region))), \
        chosen.region


def _intent(guardrails: Guardrails, removing: bool) -> str:
    if removing:
        return (f"This removes the budget {guardrails.budget} and the role {guardrails.role} with its policies "
                f"from account {guardrails.account}.")
    return (f"This creates in account {guardrails.account}:\n"
            f"  - the monthly cost budget {guardrails.budget} (${guardrails.monthly_usd:.2f}), alerting "
            f"{guardrails.email} at 80% of actual and 100% of forecast spend (free);\n"
            f"  - the role {guardrails.role}, holding only what the labs need (every lab's proven plan), for you to "
            f"run the labs as.\n"
            f"lakelab teardown keeps both; `lakelab bootstrap --target aws --remove --yes` removes them.")
