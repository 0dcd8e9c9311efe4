"""Connector profiles: how a flow reaches a SaaS application (here, Salesforce only).

CreateConnectorProfile keeps the properties (``instanceUrl``, ``isSandboxEnvironment``) and takes the
OAuth credentials (``accessToken``, ``refreshToken``, ``oAuthRequest``, ``clientCredentialsArn``,
``jwtToken``) without ever answering them back: DescribeConnectorProfiles reports a
``credentialsArn`` (AppFlow keeps credentials in a Secrets Manager secret of its own) and never the
tokens, as AWS does. The tokens are not checked against Salesforce (there is none): any non-empty
``accessToken`` or ``jwtToken`` is accepted. S3 needs no profile; other connector types are refused
by name. A profile a flow uses cannot be deleted without ``forceDelete``.
"""

from __future__ import annotations

import re
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

from lakelab.emulator.services.appflow.errors import conflict, not_found, validation

SUPPORTED = ("Salesforce",)
_NAME = re.compile(r"^[\w/!@#+=.-]+$")


@dataclass
class Profile:
    name: str
    account_id: str
    region: str
    connector_type: str
    connection_mode: str
    properties: dict[str, Any]
    credentials: dict[str, Any]  # kept, never answered
    label: str | None = None
    created: float = field(default_factory=time.time)
    updated: float = field(default_factory=time.time)
    secret_suffix: str = field(default_factory=lambda: uuid.uuid4().hex[:6])

    @property
    def arn(self) -> str:
        return f"arn:aws:appflow:{self.region}:{self.account_id}:connectorprofile/{self.name}"

    def describe(self) -> dict[str, Any]:
        found = {"connectorProfileArn": self.arn, "connectorProfileName": self.name,
                 "connectorType": self.connector_type, "connectionMode": self.connection_mode,
                 "credentialsArn": f"arn:aws:secretsmanager:{self.region}:{self.account_id}:secret:appflow!"
                                   f"{self.account_id}-{self.name}-{int(self.created)}-{self.secret_suffix}",
                 "connectorProfileProperties": {self.connector_type: dict(self.properties)},
                 "createdAt": self.created, "lastUpdatedAt": self.updated}
        if self.label:
            found["connectorLabel"] = self.label
        return found


def _config(body: dict[str, Any], connector_type: str, kept: dict[str, Any] | None = None) -> tuple[
        dict[str, Any], dict[str, Any]]:
    """The properties and credentials of a request; an update without credentials keeps ``kept``."""
    config = body.get("connectorProfileConfig") or {}
    properties = (config.get("connectorProfileProperties") or {}).get(connector_type)
    if properties is None:
        raise validation(f"connectorProfileProperties must contain {connector_type} properties.")
    credentials = (config.get("connectorProfileCredentials") or {}).get(connector_type) or kept or {}
    if not (credentials.get("accessToken") or credentials.get("jwtToken") or credentials.get("oAuthRequest")):
        raise validation(f"connectorProfileCredentials must contain {connector_type} credentials (accessToken, "
                         "jwtToken or oAuthRequest).")  # wording unverified
    return dict(properties), dict(credentials)


def create(profiles: dict[str, Profile], body: dict[str, Any], account_id: str, region: str) -> Profile:
    name, connector_type = str(body.get("connectorProfileName") or ""), body.get("connectorType")
    if not _NAME.match(name) or len(name) > 256:
        raise validation(f"connectorProfileName {name!r} must match [\\w/!@#+=.-]+ and be at most 256 characters.")
    if connector_type not in SUPPORTED:
        raise validation(f"Connector type {connector_type} is not supported by this emulator's connector profiles "
                         f"(supported: {', '.join(SUPPORTED)}; S3 needs no profile).")
    if body.get("connectionMode") not in ("Public", "Private"):
        raise validation("connectionMode must be Public or Private.")
    if name in profiles:
        raise conflict(f"There is an existing connector profile with the name {name}.")  # wording unverified
    properties, credentials = _config(body, connector_type)
    profile = Profile(name, account_id, region, connector_type, body["connectionMode"], properties, credentials,
                      body.get("connectorLabel"))
    profiles[name] = profile
    return profile


def get(profiles: dict[str, Profile], name: str) -> Profile:
    if name not in profiles:
        raise not_found(f"Connector profile {name} does not exist.")  # wording unverified
    return profiles[name]


def update(profiles: dict[str, Profile], body: dict[str, Any]) -> Profile:
    profile = get(profiles, str(body.get("connectorProfileName") or ""))
    profile.properties, profile.credentials = _config(body, profile.connector_type, profile.credentials)
    profile.connection_mode = body.get("connectionMode") or profile.connection_mode
    profile.updated = time.time()
    return profile


def describe(profiles: dict[str, Profile], body: dict[str, Any]) -> dict[str, Any]:
    names = body.get("connectorProfileNames")
    chosen = [p for p in profiles.values() if (names is None or p.name in names)
              and (not body.get("connectorType") or p.connector_type == body["connectorType"])]
    start, size = int(body.get("nextToken") or 0), int(body.get("maxResults") or 100)
    answer: dict[str, Any] = {"connectorProfileDetails": [p.describe() for p in chosen[start:start + size]]}
    if start + size < len(chosen):
        answer["nextToken"] = str(start + size)
    return answer
