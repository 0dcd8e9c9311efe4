"""Who is calling: the principal behind the request being served, and behind code run for it.

Every request the server answers is bound to a :class:`RequestContext` (who signed it, from
where, for which service and action, under which emulator settings). Code the emulator runs on
someone's behalf -- an Athena query on a worker thread, a crawler, an asynchronous delivery --
runs inside :func:`acting_as` (or a callable wrapped by :func:`carry`), so the extensions that
check permissions or record CloudTrail events ask one function, :func:`current`, wherever they are.

The small public API:

- :class:`Principal` -- root, an IAM user, an assumed-role session, or an AWS service.
- :func:`current` / :func:`principal` -- the context (or principal) in force, root when none is.
- :func:`bound` -- bind a request's context for the duration of a ``with`` block (the server).
- :func:`acting_as` -- run a block as another principal (a crawler as its role, say).
- :func:`carry` -- wrap a callable so it runs later, on another thread, in today's context.
"""

from __future__ import annotations

import contextlib
import contextvars
import datetime as dt
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from typing import Any, TypeVar

DEFAULT_ACCOUNT = "123456789012"  # moto's account, and the course's
DEFAULT_REGION = "us-east-1"

ROOT, IAM_USER, ASSUMED_ROLE, AWS_SERVICE = "Root", "IAMUser", "AssumedRole", "AWSService"


@dataclass(frozen=True)
class Principal:
    """One caller, in the terms CloudTrail's ``userIdentity`` and IAM's evaluation use."""

    type: str  # ROOT, IAM_USER, ASSUMED_ROLE or AWS_SERVICE
    account_id: str
    arn: str
    principal_id: str
    access_key_id: str = ""
    user_name: str | None = None  # an IAM user's name
    role_arn: str | None = None  # the role an assumed-role session was issued by
    role_id: str | None = None
    session_name: str | None = None
    source_identity: str | None = None
    session_tags: dict[str, str] = field(default_factory=dict)
    session_issued: dt.datetime | None = None
    session_expires: dt.datetime | None = None
    session_policy: str | None = None  # the inline session policy passed to AssumeRole
    service: str | None = None  # for AWS_SERVICE: "athena.amazonaws.com" ...

    @property
    def is_root(self) -> bool:
        return self.type == ROOT

    @property
    def role_name(self) -> str | None:
        return self.role_arn.rsplit("/", 1)[-1] if self.role_arn else None

    @property
    def expired(self) -> bool:
        return self.session_expires is not None and self.session_expires <= dt.datetime.now(dt.timezone.utc)

    @staticmethod
    def root(account_id: str = DEFAULT_ACCOUNT, access_key_id: str = "") -> Principal:
        return Principal(ROOT, account_id, f"arn:aws:iam::{account_id}:root", account_id, access_key_id)

    @staticmethod
    def aws_service(service: str, account_id: str = DEFAULT_ACCOUNT) -> Principal:
        return Principal(AWS_SERVICE, account_id, "", service, service=service)


@dataclass(frozen=True)
class Settings:
    """What one emulator enforces: each ``Emulator`` has its own, never a process-wide switch."""

    enforce_iam: bool = True
    record_trail: bool = True


@dataclass(frozen=True)
class RequestContext:
    """A request being answered, or work done later on its behalf."""

    principal: Principal
    settings: Settings = field(default_factory=Settings)
    service: str = ""  # botocore's service name: s3, glue, lambda, sts ... (the operation is the request's)
    region: str = DEFAULT_REGION
    source_ip: str = "127.0.0.1"
    user_agent: str = ""
    request_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    event_time: dt.datetime = field(default_factory=lambda: dt.datetime.now(dt.timezone.utc))
    invoked_by: str | None = None  # the AWS service acting for the principal ("athena.amazonaws.com")
    endpoint: str = ""  # this emulator's own address, for code it starts

    def acting_as(self, principal: Principal, invoked_by: str | None = None) -> RequestContext:
        return replace(self, principal=principal, invoked_by=invoked_by, request_id=str(uuid.uuid4()),
                       event_time=dt.datetime.now(dt.timezone.utc))


_current: contextvars.ContextVar[RequestContext | None] = contextvars.ContextVar("lakelab_request", default=None)
_default_settings = Settings()


def current() -> RequestContext:
    """The context in force; outside any request, root of the default account under default settings."""
    found = _current.get()
    return found if found is not None else RequestContext(Principal.root(), _default_settings)


def principal() -> Principal:
    return current().principal


def settings() -> Settings:
    return current().settings


@contextlib.contextmanager
def bound(request: RequestContext) -> Iterator[RequestContext]:
    token = _current.set(request)
    try:
        yield request
    finally:
        _current.reset(token)


@contextlib.contextmanager
def acting_as(who: Principal, invoked_by: str | None = None) -> Iterator[RequestContext]:
    """Run a block as ``who`` (keeping the emulator's settings): a crawler as its role, say."""
    with bound(current().acting_as(who, invoked_by)) as request:
        yield request


Result = TypeVar("Result")


def carry(function: Callable[..., Result]) -> Callable[..., Result]:
    """``function`` wrapped to run, whenever and on whichever thread, in the caller's context now."""
    snapshot = contextvars.copy_context()

    def run_in_context(*args: Any, **kwargs: Any) -> Result:
        return snapshot.copy().run(function, *args, **kwargs)

    return run_in_context
