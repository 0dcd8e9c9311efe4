"""Choosing the target: which one the environment names, and the one resolved for this process.

The choice is made by the environment (``LAKELAB_TARGET``) and applied through
``AWS_ENDPOINT_URL``, so learner code is plain boto3 and awswrangler with no endpoint arguments.
How each target is reached, and guarded, is in its own module: local, localstack, aws.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any

TARGETS = ("local", "localstack", "aws")
DEFAULT_PORT = 5055
LOCAL_ACCOUNT = "123456789012"
LOCALSTACK_ACCOUNT = "000000000000"
DEFAULT_REGION = "us-east-1"


class TargetError(RuntimeError):
    """The target cannot be used; the message says what to do instead."""


@dataclass
class Target:
    kind: str
    account: str
    region: str
    endpoint: str | None = None
    description: str = ""
    emulator: Any = field(default=None, repr=False)
    services: frozenset[str] | None = None  # what the target offers; None: every service the course uses
    # What a service it offers still does not do here, and why: capability -> one sentence. A notebook
    # cell whose first line is ``# needs: <capability>`` is skipped with that sentence, and a check that
    # needs it says it cannot be shown on this target (``lakelab.lab.skipping``, ``checks.framework``).
    lacks: dict[str, str] = field(default_factory=dict)

    def offers(self, service: str) -> bool:
        return self.services is None or service in self.services

    def summary(self) -> str:
        return f"Target: {self.description} · account {self.account} · region {self.region}"


def selected() -> str:
    """The target named by ``LAKELAB_TARGET`` (``local`` when unset)."""
    kind = os.environ.get("LAKELAB_TARGET", "local").strip().lower() or "local"
    if kind not in TARGETS:
        raise TargetError(
            f"LAKELAB_TARGET={kind!r} is not a target: use one of {', '.join(TARGETS)} "
            f"(local is the default and needs no account)"
        )
    return kind


def course_port() -> int:
    raw = os.environ.get("LAKELAB_PORT", str(DEFAULT_PORT))
    if not raw.isdigit() or not 0 < int(raw) < 65536:
        raise TargetError(f"LAKELAB_PORT={raw!r} is not a port number: unset it to use {DEFAULT_PORT}")
    return int(raw)


_current: Target | None = None


def activate() -> Target:
    """Resolve the target once per process and point boto3 at it through the environment."""
    global _current
    kind = selected()  # a target named wrongly is refused even after one was resolved
    if _current is not None and _current.kind != kind:
        forget()  # the environment now names another target: resolve that one
    if _current is None:
        from lakelab.targets import RESOLVERS  # the package's table: the package imports this module first

        _show_target_errors_plainly()
        _current = RESOLVERS[kind]()
    elif _current.endpoint and not os.environ.get("AWS_ENDPOINT_URL"):
        # Something removed the endpoint since (a restored environment): without it boto3 would reach a
        # real account with the course's made-up keys. Point it back at the target that was resolved.
        os.environ["AWS_ENDPOINT_URL"] = _current.endpoint
        os.environ["AWS_DISABLE_HOST_PREFIX_INJECTION"] = "true"
    return _current


def point_boto3_at(endpoint: str | None, key: str, region: str) -> None:
    """Emulators accept any credentials; setting them stops boto3 from signing with real ones."""
    if endpoint:
        os.environ["AWS_ENDPOINT_URL"] = endpoint
        # MWAA's and Step Functions' clients put a host prefix (api., env., sync-) before the endpoint,
        # which an address such as 127.0.0.1 cannot take; botocore skips it when this is set.
        os.environ["AWS_DISABLE_HOST_PREFIX_INJECTION"] = "true"
    os.environ["AWS_ACCESS_KEY_ID"] = key
    os.environ["AWS_SECRET_ACCESS_KEY"] = key
    os.environ.pop("AWS_SESSION_TOKEN", None)
    os.environ.pop("AWS_PROFILE", None)
    os.environ["AWS_DEFAULT_REGION"] = region
    os.environ["AWS_REGION"] = region


def _show_target_errors_plainly() -> None:
    """In a notebook a refused target shows its one sentence, not a traceback into the kit.

    The Setup cell then installs the same display for failed checks, which replaces this one:
    by then the target has been accepted."""
    try:
        from IPython import get_ipython
    except ImportError:
        return
    shell = get_ipython()
    if shell is None:
        return

    def show(shell, etype, value, tb, tb_offset=None):
        shell._showtraceback(etype, value, [f"{etype.__name__}: {value}"])
        return [str(value)]

    shell.set_custom_exc((TargetError,), show)


def current() -> Target | None:
    return _current


def identity() -> Target:
    """Account and region of the selected target, without starting or contacting anything local."""
    kind = selected()
    if kind == "aws":
        return activate()
    region = os.environ.get("AWS_DEFAULT_REGION", DEFAULT_REGION) if kind == "localstack" else DEFAULT_REGION
    return Target(kind, LOCALSTACK_ACCOUNT if kind == "localstack" else LOCAL_ACCOUNT, region)


def forget() -> None:
    """Drop the resolved target, stopping an embedded emulator (tests use it)."""
    global _current
    if _current is not None and _current.emulator is not None:
        _current.emulator.stop()
    _current = None
