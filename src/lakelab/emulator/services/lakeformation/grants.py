"""GrantPermissions, RevokePermissions, their batch forms, and ListPermissions.

Who may grant: a data lake administrator, or a principal holding the permissions with grant option
on that very resource. A grant of a pair (principal, resource) that exists already adds to it; a
revoke removes exactly what it names, and a revoke of nothing held is refused, as Lake Formation
refuses it. A grant outlives its IAM principal (the role deleted, the grant still listed under its
ARN, and a role created again with that ARN holds it again: GrantPermissions' ``Principal`` in the
API reference), and RevokePermissions still takes it away: only a grant checks that the principal
exists (cloudformation-coverage-roadmap issue 670: a deleted role's permission stayed listed and
was revoked through the CLI; the console could not).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from lakelab.emulator import context
from lakelab.emulator.services.lakeformation import catalog, principals, resources
from lakelab.emulator.services.lakeformation.store import (
    Grant, Lake, LakeFormationError, access_denied, invalid, resource_key,
)

# Lake Formation's answer to a revoke of permissions the grantee does not hold.
NOTHING_TO_REVOKE = "Grantee has no permissions and no grantable permissions on resource"
RESOURCE_TYPES = ("CATALOG", "DATABASE", "TABLE", "DATA_LOCATION", "LF_TAG", "LF_TAG_POLICY",
                  "LF_TAG_POLICY_DATABASE", "LF_TAG_POLICY_TABLE", "LF_NAMED_TAG_EXPRESSION")


def _entry(lake: Lake, request: dict[str, Any], revoking: bool = False) -> Grant:
    identifier = (request.get("Principal") or {}).get("DataLakePrincipalIdentifier")
    held = revoking and any(g.principal == identifier for g in lake.grants.values())
    principal = identifier if held else principals.check(lake, identifier)  # a deleted role's grants are revoked
    resource = resources.normalized(lake, request.get("Resource"))
    kind = resources.kind_of(resource)
    permissions = set(request.get("Permissions") or [])
    grantable = set(request.get("PermissionsWithGrantOption") or [])
    resources.check_permissions(kind, permissions | grantable, resource)
    return Grant(principal, resource, permissions, grantable, dt.datetime.now(dt.timezone.utc),
                 context.principal().arn or context.principal().principal_id)


def _may_grant(lake: Lake, grant: Grant) -> None:
    who = context.principal()
    if principals.is_admin(lake, who):
        return
    held = set()
    for identifier in principals.identifiers(who):
        for covering in _covering(grant.resource):
            found = lake.grants.get((identifier, resource_key(covering)))
            held |= found.grantable if found else set()
    if not (grant.permissions | grant.grantable) <= held and "ALL" not in held:
        raise access_denied(principals.NOT_AUTHORIZED)


def _covering(resource: dict[str, Any]) -> list[dict[str, Any]]:
    """The resource, and for columns or a data filter the table (and all tables) they belong to."""
    kind, body = next(iter(resource.items()))
    if kind not in ("TableWithColumns", "DataCellsFilter"):
        return [resource]
    catalog_id = body.get("CatalogId") or body.get("TableCatalogId")
    name = body.get("Name") if kind == "TableWithColumns" else body.get("TableName")
    database = body["DatabaseName"]
    return [resource, {"Table": {"CatalogId": catalog_id, "DatabaseName": database, "Name": name}},
            {"Table": {"CatalogId": catalog_id, "DatabaseName": database, "TableWildcard": {}}}]


def grant(lake: Lake, request: dict[str, Any]) -> None:
    with lake.lock:
        catalog.sync(lake)
        entry = _entry(lake, request)
        _may_grant(lake, entry)
        lake.add_grant(entry)


def revoke(lake: Lake, request: dict[str, Any]) -> None:
    with lake.lock:
        catalog.sync(lake)
        entry = _entry(lake, request, revoking=True)
        _may_grant(lake, entry)
        existing = lake.grants.get(entry.key)
        if existing is None or not ((entry.permissions & existing.permissions)
                                    or (entry.grantable & existing.grantable)):
            raise invalid(NOTHING_TO_REVOKE)
        existing.permissions -= entry.permissions
        existing.grantable -= entry.grantable | entry.permissions
        existing.updated, existing.updated_by = entry.updated, entry.updated_by
        if not existing.permissions and not existing.grantable:
            del lake.grants[entry.key]
        lake.changed()


def batch(lake: Lake, entries: list[dict[str, Any]] | None, action: Any) -> dict[str, Any]:
    failures = []
    for entry in entries or []:
        try:
            action(lake, entry)
        except LakeFormationError as error:
            failures.append({"RequestEntry": entry, "Error": {"ErrorCode": error.code, "ErrorMessage": error.message}})
    return {"Failures": failures}


def list_permissions(lake: Lake, request: dict[str, Any]) -> dict[str, Any]:
    principal = (request.get("Principal") or {}).get("DataLakePrincipalIdentifier")
    wanted_resource = request.get("Resource")
    resource_type = request.get("ResourceType")
    if principal and not wanted_resource:
        raise invalid("Resource is mandatory if Principal is set in the input.")
    if resource_type is not None and resource_type not in RESOURCE_TYPES:
        raise invalid(f"ResourceType must be one of {', '.join(RESOURCE_TYPES)}.")
    with lake.lock:
        catalog.sync(lake)
        target = resources.normalized(lake, wanted_resource, check=False) if wanted_resource else None
        related = str(request.get("IncludeRelated") or "").upper() == "TRUE"
        found = [g for g in lake.grants.values()
                 if (not principal or g.principal == principal) and _of_type(g.resource, resource_type)
                 and (target is None or _about(g.resource, target, related))]
        described = [g.describe() for g in sorted(found, key=lambda g: (g.principal, resource_key(g.resource)))]
    return _page(described, request, "PrincipalResourcePermissions")


def _of_type(resource: dict[str, Any], resource_type: str | None) -> bool:
    if resource_type is None:
        return True
    kinds = {"CATALOG": ("Catalog",), "DATABASE": ("Database",), "TABLE": ("Table", "TableWithColumns"),
             "DATA_LOCATION": ("DataLocation",), "LF_TAG": ("LFTag",),
             "LF_TAG_POLICY": ("LFTagPolicy",), "LF_TAG_POLICY_DATABASE": ("LFTagPolicy",),
             "LF_TAG_POLICY_TABLE": ("LFTagPolicy",)}.get(resource_type, ())
    kind = next(iter(resource))
    if kind == "LFTagPolicy" and resource_type.startswith("LF_TAG_POLICY_"):
        return resource["LFTagPolicy"]["ResourceType"] == resource_type.rsplit("_", 1)[-1]
    return kind in kinds


def _about(resource: dict[str, Any], target: dict[str, Any], related: bool) -> bool:
    kind, wanted = next(iter(resource)), next(iter(target))
    body, target_body = resource[kind], target[wanted]
    if wanted == "Database":
        if kind == "Database":
            return body["Name"] == target_body["Name"]
        return related and body.get("DatabaseName") == target_body["Name"]
    if wanted in ("Table", "TableWithColumns"):
        same_database = body.get("DatabaseName") == target_body.get("DatabaseName")
        if kind in ("Table", "TableWithColumns") and same_database:
            if "TableWildcard" in target_body or "TableWildcard" in body:
                return "TableWildcard" in target_body and "TableWildcard" in body or related
            return body.get("Name") == target_body.get("Name")
        if kind == "DataCellsFilter" and related:
            return same_database and body.get("TableName") == target_body.get("Name")
        return related and kind == "Database" and body["Name"] == target_body.get("DatabaseName")
    if wanted == "DataLocation":
        return kind == "DataLocation" and body["ResourceArn"].rstrip("/") == target_body["ResourceArn"].rstrip("/")
    if wanted == "LFTag":
        return kind == "LFTag" and body["TagKey"] == target_body["TagKey"]
    return kind == wanted and resource_key(resource) == resource_key(target)


def _page(items: list[dict[str, Any]], request: dict[str, Any], name: str) -> dict[str, Any]:
    try:
        start = int(request.get("NextToken") or 0)
        limit = int(request.get("MaxResults") or 100)
    except ValueError:
        raise invalid("NextToken is not valid.") from None
    if not 1 <= limit <= 1000:
        raise invalid("MaxResults must be from 1 to 1000.")
    answer: dict[str, Any] = {name: items[start:start + limit]}
    if start + limit < len(items):
        answer["NextToken"] = str(start + limit)
    return answer


page = _page
