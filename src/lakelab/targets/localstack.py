"""The LocalStack target (``docker compose up -d localstack``), and what its free tier lacks."""

from __future__ import annotations

import json
import os
import urllib.error
import urllib.request

from lakelab.targets.choice import DEFAULT_REGION, LOCALSTACK_ACCOUNT, Target, TargetError, point_boto3_at

# LocalStack's free tier lacks these services; the weeks that use them say so at set-up.
LOCALSTACK_PAID = ("glue", "athena", "emr", "mwaa", "lakeformation", "dms", "cloudtrail")


def resolve_localstack() -> Target:
    from localstack_client.config import get_service_endpoint

    endpoint = (get_service_endpoint("s3") or "http://localhost:4566").rstrip("/")
    if not _localstack_answers(endpoint):
        raise TargetError(
            f"LocalStack does not answer at {endpoint}: start it with `docker compose up -d localstack` "
            f"(see docker-compose.yaml), or unset LAKELAB_TARGET to use the local emulator, which needs no Docker."
        )
    region = os.environ.get("AWS_DEFAULT_REGION", DEFAULT_REGION)
    point_boto3_at(endpoint, "test", region)
    return Target("localstack", LOCALSTACK_ACCOUNT, region, endpoint, f"localstack · {endpoint}")


def _localstack_answers(endpoint: str) -> bool:
    try:
        with urllib.request.urlopen(f"{endpoint}/_localstack/health", timeout=2) as response:
            return "services" in json.loads(response.read())
    except (urllib.error.URLError, OSError, ValueError):
        return False


def localstack_tier_warning(kind: str, services: tuple[str, ...]) -> str | None:
    """On LocalStack without an auth token, the warning for a lab that uses paid services."""
    paid = [service for service in services if service in LOCALSTACK_PAID]
    if kind != "localstack" or not paid or os.environ.get("LOCALSTACK_AUTH_TOKEN"):
        return None
    return (f"⚠ This lab uses {', '.join(paid)}, which LocalStack offers only with a paid auth token: "
            f"set LOCALSTACK_AUTH_TOKEN (and restart LocalStack), or unset LAKELAB_TARGET to use the local emulator.")
