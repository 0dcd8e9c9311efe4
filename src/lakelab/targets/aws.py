"""The aws target: a real account, used only when the learner names it and it is not production."""

from __future__ import annotations

import os

from lakelab.targets.choice import Target, TargetError


def resolve_aws() -> Target:
    """A real account, only when the learner names it and it is not a production account."""
    for name in sorted(os.environ):
        if name == "AWS_ENDPOINT_URL" or name.startswith("AWS_ENDPOINT_URL_"):
            raise TargetError(
                f"{name} is set ({os.environ[name]}), which would send the aws target's calls elsewhere: "
                f"unset it for LAKELAB_TARGET=aws"
            )
    expected = expected_account()
    account, region = _caller_account_and_region()
    refuse_other_account(account, expected)
    refuse_production(account)
    return Target("aws", account, region, None, "aws · real account (it costs money: run each lab's Clean up)")


def expected_account() -> str:
    """``LAKELAB_AWS_ACCOUNT``: the 12-digit sandbox account the learner opted in with."""
    expected = os.environ.get("LAKELAB_AWS_ACCOUNT", "").strip()
    if not (expected.isdigit() and len(expected) == 12):
        raise TargetError(
            "LAKELAB_TARGET=aws works on a real account and can cost money: opt in by setting "
            "LAKELAB_AWS_ACCOUNT to the 12-digit id of your sandbox account (never a production one)"
        )
    return expected


def refuse_other_account(account: str, expected: str) -> None:
    if account != expected:
        raise TargetError(
            f"your credentials belong to account {account}, not LAKELAB_AWS_ACCOUNT={expected}: "
            f"switch profile (AWS_PROFILE) or correct LAKELAB_AWS_ACCOUNT; nothing was created"
        )


def _caller_account_and_region() -> tuple[str, str]:
    import boto3
    from botocore.exceptions import BotoCoreError, ClientError

    session = boto3.Session()
    if not session.region_name:
        raise TargetError("no AWS region is configured: set AWS_DEFAULT_REGION (for example us-east-1)")
    try:
        account = session.client("sts").get_caller_identity()["Account"]
    except (BotoCoreError, ClientError) as error:
        raise TargetError(
            f"AWS did not accept your credentials ({error}): configure a sandbox profile "
            f"(`aws configure --profile sandbox`) and set AWS_PROFILE=sandbox"
        ) from None
    return account, session.region_name


def refuse_production(account: str, iam=None) -> None:  # type: ignore[no-untyped-def]
    """Refuse an account whose alias contains "prod" (``iam``: a client of that account, default boto3's)."""
    import boto3

    aliases = (iam or boto3.client("iam")).list_account_aliases().get("AccountAliases", [])
    production = [alias for alias in aliases if "prod" in alias.lower()]
    if production:
        raise TargetError(
            f"account {account} is called {production[0]!r}, which looks like production: "
            f"Lake Labs refuses it; use a sandbox account"
        )
