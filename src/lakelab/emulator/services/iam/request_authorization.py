"""What one request asks IAM for: the actions, the resources they act on, the request's condition keys.

Built from the server's :class:`~lakelab.emulator.requests.RequestView` before moto runs. S3
names its actions its own way (``s3_actions``); the other services are ``<prefix>:<operation>``
on ARNs built from their parameters (``service_actions``). A call that hands a role to a
service also needs ``iam:PassRole`` on that role.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from lakelab.emulator.context import RequestContext
from lakelab.emulator.services.iam.s3_actions import s3_condition_keys, s3_requests
from lakelab.emulator.services.iam.service_actions import (
    SERVICE_PRINCIPALS,
    iam_action,
    passed_roles,
    service_resources,
)

# Calls AWS answers whoever asks: no policy can deny them.
NEEDS_NO_PERMISSION = {("sts", "GetCallerIdentity")}


@dataclass
class Requested:
    """The (action, resource) pairs a request needs, every one allowed, and its condition keys."""

    service: str
    operation: str
    checks: list[tuple[str, str]] = field(default_factory=list)
    keys: dict[str, Any] = field(default_factory=dict)

    @property
    def assumed_role_arn(self) -> str | None:
        """For ``sts:AssumeRole``, the role whose trust policy must name the caller."""
        return next((resource for action, resource in self.checks if action == "sts:AssumeRole"), None)


def requested(request: Any, context: RequestContext) -> Requested | None:
    """What ``request`` (a ``RequestView``) asks for; None when the operation is not known."""
    if not request.operation or not request.service:
        return None
    if (request.service, request.operation) in NEEDS_NO_PERMISSION:
        return Requested(request.service, request.operation)
    account = context.principal.account_id
    found = Requested(request.service, request.operation, keys=request_keys(context, request.region))
    if request.service == "s3":
        found.checks = s3_requests(request.operation, request.params, request.body)
        found.keys.update(s3_condition_keys(request.operation, request.params, request.headers))
    else:
        action = iam_action(request.service, request.operation)
        resources = service_resources(request.service, request.operation, request.params, (request.region, account))
        found.checks = [(action, resource) for resource in resources]
    roles = passed_roles(request.service, request.operation, request.params, account)
    found.checks += [("iam:PassRole", role) for role in roles]
    if roles:
        found.keys["iam:passedtoservice"] = SERVICE_PRINCIPALS.get(request.service, "")
    return found


def request_keys(context: RequestContext, region: str | None = None) -> dict[str, Any]:
    """The global condition keys of a request (lower-case names, as lookups use)."""
    now = context.event_time.astimezone(dt.timezone.utc)
    keys: dict[str, Any] = {
        # The course's endpoints stand for AWS's HTTPS ones: policies that require TLS pass.
        "aws:securetransport": "true",
        "aws:sourceip": context.source_ip or "127.0.0.1",
        "aws:currenttime": now.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "aws:epochtime": str(int(now.timestamp())),
        "aws:requestedregion": region or context.region,
        "aws:resourceaccount": context.principal.account_id,  # one account: the caller's owns it
        "aws:viaawsservice": "true" if context.invoked_by else "false",
    }
    if context.user_agent:
        keys["aws:useragent"] = context.user_agent
    if context.invoked_by:
        keys.update({"aws:calledvia": [context.invoked_by], "aws:calledviafirst": context.invoked_by,
                     "aws:calledvialast": context.invoked_by})
    return keys
