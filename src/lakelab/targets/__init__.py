"""Targets: the local emulator, LocalStack, or a real (sandbox) AWS account.

``LAKELAB_TARGET`` chooses one (``local`` by default); :func:`activate` resolves it once per
process and points boto3 at it through the environment. Each target has a module of its own
that reaches it and refuses, saying what to do instead, when it cannot be used.
"""

from lakelab.targets.aws import resolve_aws
from lakelab.targets.choice import (
    DEFAULT_PORT,
    DEFAULT_REGION,
    LOCAL_ACCOUNT,
    LOCALSTACK_ACCOUNT,
    TARGETS,
    Target,
    TargetError,
    activate,
    course_port,
    current,
    forget,
    identity,
    selected,
)
from lakelab.targets.local import resolve_local
from lakelab.targets.localstack import localstack_tier_warning, resolve_localstack

RESOLVERS = {"local": resolve_local, "localstack": resolve_localstack, "aws": resolve_aws}

__all__ = ["DEFAULT_PORT", "DEFAULT_REGION", "LOCALSTACK_ACCOUNT", "LOCAL_ACCOUNT", "RESOLVERS", "TARGETS", "Target",
           "TargetError", "activate", "course_port", "current", "forget", "identity", "localstack_tier_warning",
           "selected"]
