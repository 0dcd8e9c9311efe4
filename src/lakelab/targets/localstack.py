"""The LocalStack target: where it answers, which services it offers, and what its free tier lacks.

LocalStack runs in Docker (``docker compose up -d localstack``) or, without Docker, from PyPI
(``make localstack``, then ``make localstack-up``). Either way the learner names its endpoint
with ``LOCALSTACK_ENDPOINT`` (or ``AWS_ENDPOINT_URL``, or LocalStack's own ``LOCALSTACK_HOST``);
``http://localhost:4566`` is only the default.
"""

from __future__ import annotations

import json
import os
import urllib.error
import urllib.request

from lakelab.targets.choice import (
    DEFAULT_REGION,
    LOCALSTACK_ACCOUNT,
    Target,
    TargetError,
    current,
    point_boto3_at,
)

DEFAULT_ENDPOINT = "http://localhost:4566"
# LocalStack's free tier lacks these services; the weeks that use them say so at set-up.
# RDS is among them (its databases run in Docker containers there; unverified which engines the tier has).
LOCALSTACK_PAID = ("glue", "athena", "emr", "mwaa", "lakeformation", "dms", "cloudtrail", "redshift-data", "rds")
# Services LocalStack does not emulate in any tier (its service coverage pages list no Redshift Serverless, and
# no AppFlow: unverified for AppFlow, whose absence from the coverage pages is all that was found).
LOCALSTACK_ABSENT = ("redshift-serverless", "appflow")
# What /_localstack/health reports for a service that answers calls (it starts lazily on the first one).
OFFERED_STATES = ("available", "running", "starting")
START_HINT = ("start it with `make localstack-up` (no Docker: needs Python 3.13, see the README) or "
              "`docker compose up -d localstack`")


def configured_endpoint() -> str:
    """``LOCALSTACK_ENDPOINT``, else ``AWS_ENDPOINT_URL``, else ``LOCALSTACK_HOST``, else port 4566."""
    for name in ("LOCALSTACK_ENDPOINT", "AWS_ENDPOINT_URL"):
        if os.environ.get(name, "").strip():
            return os.environ[name].strip().rstrip("/")
    host = os.environ.get("LOCALSTACK_HOST", "").strip()
    if host:
        return f"http://{host if ':' in host else host + ':4566'}"
    return DEFAULT_ENDPOINT


def health(endpoint: str, timeout: float = 2) -> dict | None:
    """LocalStack's health document, or None when nothing like LocalStack answers at ``endpoint``."""
    try:
        with urllib.request.urlopen(f"{endpoint}/_localstack/health", timeout=timeout) as response:
            document = json.loads(response.read())
    except (urllib.error.URLError, OSError, ValueError):
        return None
    return document if isinstance(document, dict) and "services" in document else None


def offered_services(document: dict) -> frozenset[str]:
    """The services a health document says answer calls (those SERVICES left out are ``disabled``)."""
    return frozenset(name for name, state in document.get("services", {}).items() if state in OFFERED_STATES)


def resolve_localstack() -> Target:
    endpoint = configured_endpoint()
    document = health(endpoint)
    if document is None:
        raise TargetError(
            f"LocalStack does not answer at {endpoint}: {START_HINT}, set LOCALSTACK_ENDPOINT if it "
            f"listens elsewhere, or unset LAKELAB_TARGET to use the local emulator, which needs neither."
        )
    region = os.environ.get("AWS_DEFAULT_REGION", DEFAULT_REGION)
    point_boto3_at(endpoint, "test", region)
    return Target("localstack", LOCALSTACK_ACCOUNT, region, endpoint, f"localstack · {endpoint}",
                  services=offered_services(document), lacks=lacking())


# Capabilities LocalStack's free tier lacks although it offers the service (see ``Target.lacks``).
LAMBDA_CODE = "lambda-code"
IAM_EVALUATION = "iam-evaluation"


def runs_lambda_code() -> bool:
    """Whether LocalStack can run a function's code: its Lambda starts each runtime in a container, so it
    needs Docker. ``LAKELAB_LOCALSTACK_LAMBDA=docker`` (or ``none``) says so; otherwise a Docker socket
    on this machine is taken to mean LocalStack can use it."""
    said = os.environ.get("LAKELAB_LOCALSTACK_LAMBDA", "").strip().lower()
    if said in ("docker", "none"):
        return said == "docker"
    return os.path.exists("/var/run/docker.sock")


def lacking() -> dict[str, str]:
    lacks = {IAM_EVALUATION: "LocalStack's free tier does not evaluate IAM policies (enforcement and the policy "
                             "simulator's decisions are in its paid tier)"}
    if not runs_lambda_code():
        lacks[LAMBDA_CODE] = ("LocalStack runs a Lambda function's code only with Docker, which this machine "
                              "does not have (set LAKELAB_LOCALSTACK_LAMBDA=docker if LocalStack runs in Docker)")
    return lacks


def localstack_tier_warning(kind: str, services: tuple[str, ...]) -> str | None:
    """On LocalStack, refuse a lab before it creates anything when the target lacks one of its services.

    Kept under its old name for the Setup cell; it raises :class:`TargetError` (one sentence: what
    is missing, and what to do) rather than warning, so nothing is left half-created.
    """
    if kind != "localstack":
        return None
    target = current()
    if target is not None and target.kind == "localstack" and target.services is not None:
        missing = [service for service in services if service not in target.services]
    else:  # not resolved yet: judge by the free tier alone
        missing = [s for s in services if s in LOCALSTACK_ABSENT or (
            s in LOCALSTACK_PAID and not os.environ.get("LOCALSTACK_AUTH_TOKEN"))]
    if not missing:
        return None
    absent = [service for service in missing if service in LOCALSTACK_ABSENT]
    if absent:
        raise TargetError(f"This lab uses {', '.join(absent)}, which LocalStack does not emulate in any tier, so "
                          "nothing was created: unset LAKELAB_TARGET to use the local emulator, or use a real account.")
    paid = [service for service in missing if service in LOCALSTACK_PAID]
    if paid and not os.environ.get("LOCALSTACK_AUTH_TOKEN"):
        remedy = "set LOCALSTACK_AUTH_TOKEN and restart LocalStack (they are in its paid tier)"
    elif paid:
        remedy = "restart LocalStack with LOCALSTACK_AUTH_TOKEN set (this one started without it)"
    else:
        remedy = "restart LocalStack with them in SERVICES"
    raise TargetError(f"This lab uses {', '.join(missing)}, which this LocalStack does not offer, so nothing was "
                      f"created: {remedy}, or unset LAKELAB_TARGET to use the local emulator.")
