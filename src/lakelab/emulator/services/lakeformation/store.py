"""What Lake Formation keeps, per account and Region: settings, locations, grants, LF-tags, data filters.

One :class:`Lake` per (account, Region), guarded by one lock each. Grants are keyed by principal and
resource (the resource as the API answers it: names lower case, ``CatalogId`` filled in), so a second
grant of the same pair merges its permissions, as Lake Formation does.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import threading
from dataclasses import dataclass, field
from typing import Any

IAM_ALLOWED_PRINCIPALS = "IAM_ALLOWED_PRINCIPALS"


class LakeFormationError(Exception):
    """An error answer: ``code`` is its ``__type``, ``status`` its HTTP status."""

    def __init__(self, code: str, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.code, self.message, self.status = code, message, status


def invalid(message: str) -> LakeFormationError:
    return LakeFormationError("InvalidInputException", message)


def not_found(message: str) -> LakeFormationError:
    return LakeFormationError("EntityNotFoundException", message)


def access_denied(message: str) -> LakeFormationError:
    return LakeFormationError("AccessDeniedException", message)


def default_settings() -> dict[str, Any]:
    """A new account's settings: IAM alone decides (``IAMAllowedPrincipals`` has ALL on new resources)."""
    everyone = [{"Principal": {"DataLakePrincipalIdentifier": IAM_ALLOWED_PRINCIPALS}, "Permissions": ["ALL"]}]
    return {"DataLakeAdmins": [], "ReadOnlyAdmins": [], "CreateDatabaseDefaultPermissions": copy.deepcopy(everyone),
            "CreateTableDefaultPermissions": copy.deepcopy(everyone), "Parameters": {"CROSS_ACCOUNT_VERSION": "4"},
            "TrustedResourceOwners": [], "AllowExternalDataFiltering": False, "AllowFullTableExternalDataAccess": False,
            "ExternalDataFilteringAllowList": [], "AuthorizedSessionTagValueList": []}


def resource_key(resource: dict[str, Any]) -> str:
    return json.dumps(resource, sort_keys=True)


@dataclass
class Grant:
    principal: str  # a DataLakePrincipalIdentifier
    resource: dict[str, Any]
    permissions: set[str] = field(default_factory=set)
    grantable: set[str] = field(default_factory=set)
    updated: dt.datetime = field(default_factory=lambda: dt.datetime.now(dt.timezone.utc))
    updated_by: str = ""

    @property
    def key(self) -> tuple[str, str]:
        return self.principal, resource_key(self.resource)

    def describe(self) -> dict[str, Any]:
        return {"Principal": {"DataLakePrincipalIdentifier": self.principal}, "Resource": copy.deepcopy(self.resource),
                "Permissions": sorted(self.permissions), "PermissionsWithGrantOption": sorted(self.grantable),
                "LastUpdated": self.updated.timestamp(), "LastUpdatedBy": self.updated_by}


@dataclass
class Location:
    arn: str
    role_arn: str | None
    hybrid: bool = False
    with_federation: bool = False
    modified: dt.datetime = field(default_factory=lambda: dt.datetime.now(dt.timezone.utc))

    @property
    def path(self) -> str:
        """``arn:aws:s3:::bucket/prefix`` -> ``s3://bucket/prefix`` (no trailing slash)."""
        return "s3://" + self.arn.split(":::", 1)[-1].rstrip("/")

    def covers(self, location: str) -> bool:
        location = location.rstrip("/")
        return location == self.path or location.startswith(self.path + "/")

    def describe(self) -> dict[str, Any]:
        found: dict[str, Any] = {"ResourceArn": self.arn, "LastModified": self.modified.timestamp(),
                                 "HybridAccessEnabled": self.hybrid, "WithFederation": self.with_federation}
        if self.role_arn:
            found["RoleArn"] = self.role_arn
        return found


@dataclass
class Lake:
    """Lake Formation's state in one account and Region."""

    account_id: str
    region: str
    settings: dict[str, Any] = field(default_factory=default_settings)
    locations: dict[str, Location] = field(default_factory=dict)
    grants: dict[tuple[str, str], Grant] = field(default_factory=dict)
    lf_tags: dict[str, list[str]] = field(default_factory=dict)  # key -> values, in creation order
    # ("database", db) / ("table", db, t) / ("column", db, t, c) -> {tag key: value}
    assignments: dict[tuple[str, ...], dict[str, str]] = field(default_factory=dict)
    data_filters: dict[tuple[str, str, str], dict[str, Any]] = field(default_factory=dict)  # (db, t, name) -> TableData
    # Catalog resources Lake Formation has seen, with their creation time: defaults are applied once, at first sight.
    seen: dict[tuple[str, ...], Any] = field(default_factory=dict)
    table_defaults: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # db -> its tables' defaults
    opt_ins: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)  # (principal, resource) -> entry
    # (db, table) -> (the table's creation time, its creator's identifiers): a table creator's implicit ALL
    creators: dict[tuple[str, str], tuple[Any, frozenset[str]]] = field(default_factory=dict)
    database_creators: dict[str, tuple[Any, frozenset[str]]] = field(default_factory=dict)  # db -> likewise
    lock: threading.RLock = field(default_factory=threading.RLock, repr=False)
    revision: int = 0  # bumped by every change of grants, tags, filters or settings (decisions cache on it)

    def changed(self) -> None:
        self.revision += 1

    def admins(self) -> set[str]:
        return {a.get("DataLakePrincipalIdentifier", "") for a in self.settings.get("DataLakeAdmins") or []}

    def add_grant(self, grant: Grant) -> None:
        existing = self.grants.get(grant.key)
        if existing is None:
            self.grants[grant.key] = grant
        else:
            existing.permissions |= grant.permissions
            existing.grantable |= grant.grantable
            existing.updated, existing.updated_by = grant.updated, grant.updated_by
        self.changed()

    def grants_on(self, predicate: Any) -> list[Grant]:
        return [g for g in list(self.grants.values()) if predicate(g)]

    def drop_grants(self, predicate: Any) -> None:
        for key in [k for k, g in self.grants.items() if predicate(g)]:
            del self.grants[key]
        self.changed()


_lakes: dict[tuple[str, str], Lake] = {}
_lakes_lock = threading.Lock()


def lake(account_id: str, region: str) -> Lake:
    with _lakes_lock:
        found = _lakes.get((account_id, region))
        if found is None:
            found = _lakes[(account_id, region)] = Lake(account_id, region)
        return found


def reset() -> None:
    with _lakes_lock:
        _lakes.clear()
