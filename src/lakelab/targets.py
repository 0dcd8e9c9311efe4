"""How each target is reached: one resolver per target, each refusing with what to do instead."""

from __future__ import annotations

import json
import os
import urllib.error
import urllib.request

from lakelab.target import (
    DEFAULT_REGION,
    LOCAL_ACCOUNT,
    LOCALSTACK_ACCOUNT,
    Target,
    TargetError,
    course_port,
)

SHARED_HINT = "run `make lab` to share one emulator across notebooks and kernel restarts"


def _point_boto3_at(endpoint: str | None, key: str, region: str) -> None:
    """Emulators accept any credentials; setting them stops boto3 from signing with real ones."""
    if endpoint:
        os.environ["AWS_ENDPOINT_URL"] = endpoint
    os.environ["AWS_ACCESS_KEY_ID"] = key
    os.environ["AWS_SECRET_ACCESS_KEY"] = key
    os.environ.pop("AWS_SESSION_TOKEN", None)
    os.environ.pop("AWS_PROFILE", None)
    os.environ["AWS_DEFAULT_REGION"] = region
    os.environ["AWS_REGION"] = region


def resolve_local() -> Target:
    """Attach to a running emulator if one answers; otherwise run one inside this process."""
    from lakelab.emulator import Emulator
    from lakelab.emulator.server import probe

    embedded_only = os.environ.get("LAKELAB_EMBEDDED", "") == "1"
    for endpoint in _local_candidates():
        if not embedded_only and probe(endpoint):
            _point_boto3_at(endpoint, "testing", DEFAULT_REGION)
            return Target("local", LOCAL_ACCOUNT, DEFAULT_REGION, endpoint, "local · shared emulator (lakelab serve)")
    if not embedded_only:
        print(f"No `lakelab serve` answers on port {course_port()}, so this kernel runs its own emulator; "
              f"its resources last as long as the kernel ({SHARED_HINT}).")
    emulator = Emulator().start()
    _point_boto3_at(emulator.endpoint, "testing", DEFAULT_REGION)
    return Target("local", LOCAL_ACCOUNT, DEFAULT_REGION, emulator.endpoint,
                  "local · emulator embedded in this kernel", emulator)


def _local_candidates() -> list[str]:
    configured = os.environ.get("AWS_ENDPOINT_URL", "").rstrip("/")
    course = f"http://127.0.0.1:{course_port()}"
    return [url for url in (configured, course) if url]


def resolve_localstack() -> Target:
    from localstack_client.config import get_service_endpoint

    endpoint = (get_service_endpoint("s3") or "http://localhost:4566").rstrip("/")
    if not _localstack_answers(endpoint):
        raise TargetError(
            f"LocalStack does not answer at {endpoint}: start it with `docker compose up -d localstack` "
            f"(see docker-compose.yaml), or unset LAKELAB_TARGET to use the local emulator, which needs no Docker."
        )
    region = os.environ.get("AWS_DEFAULT_REGION", DEFAULT_REGION)
    _point_boto3_at(endpoint, "test", region)
    return Target("localstack", LOCALSTACK_ACCOUNT, region, endpoint, f"localstack · {endpoint}")


def _localstack_answers(endpoint: str) -> bool:
    try:
        with urllib.request.urlopen(f"{endpoint}/_localstack/health", timeout=2) as response:
            return "services" in json.loads(response.read())
    except (urllib.error.URLError, OSError, ValueError):
        return False


def resolve_aws() -> Target:
    """A real account, only when the learner names it and it is not a production account."""
    for name in sorted(os.environ):
        if name == "AWS_ENDPOINT_URL" or name.startswith("AWS_ENDPOINT_URL_"):
            raise TargetError(
                f"{name} is set ({os.environ[name]}), which would send the aws target's calls elsewhere: "
                f"unset it for LAKELAB_TARGET=aws"
            )
    expected = os.environ.get("LAKELAB_AWS_ACCOUNT", "").strip()
    if not (expected.isdigit() and len(expected) == 12):
        raise TargetError(
            "LAKELAB_TARGET=aws works on a real account and can cost money: opt in by setting "
            "LAKELAB_AWS_ACCOUNT to the 12-digit id of your sandbox account (never a production one)"
        )
    account, region = _caller_account_and_region()
    if account != expected:
        raise TargetError(
            f"your credentials belong to account {account}, not LAKELAB_AWS_ACCOUNT={expected}: "
            f"switch profile (AWS_PROFILE) or correct LAKELAB_AWS_ACCOUNT; nothing was created"
        )
    _refuse_production(account)
    return Target("aws", account, region, None, "aws · real account (it costs money: run each lab's Clean up)")


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


def _refuse_production(account: str) -> None:
    import boto3

    aliases = boto3.client("iam").list_account_aliases().get("AccountAliases", [])
    production = [alias for alias in aliases if "prod" in alias.lower()]
    if production:
        raise TargetError(
            f"account {account} is called {production[0]!r}, which looks like production: "
            f"Lake Labs refuses it; use a sandbox account"
        )


RESOLVERS = {"local": resolve_local, "localstack": resolve_localstack, "aws": resolve_aws}
