"""Data lake settings and registered locations.

``PutDataLakeSettings`` replaces the settings as given: a list left out is empty afterwards, so
leaving out ``CreateDatabaseDefaultPermissions`` stops giving ``IAMAllowedPrincipals`` ALL on new
databases -- as on AWS, a common surprise. Resources that exist already keep the defaults they
were created with (see ``catalog``). ``RegisterResource`` takes a role (or the service-linked role)
that Lake Formation reads the location with, and ``HybridAccessEnabled``.
"""

from __future__ import annotations

import copy
import re
from typing import Any

from lakelab.emulator import context, seam
from lakelab.emulator.services.lakeformation import catalog, grants, principals
from lakelab.emulator.services.lakeformation.store import (
    Lake, LakeFormationError, Location, default_settings, invalid, not_found,
)

_LISTS = ("DataLakeAdmins", "ReadOnlyAdmins", "CreateDatabaseDefaultPermissions", "CreateTableDefaultPermissions",
          "TrustedResourceOwners", "ExternalDataFilteringAllowList", "AuthorizedSessionTagValueList")
_S3_ARN = re.compile(r"^arn:aws[\w-]*:s3:::[a-z0-9][a-z0-9.-]{1,61}[a-z0-9](/.*)?$")
SERVICE_LINKED_ROLE = "aws-service-role/lakeformation.amazonaws.com/AWSServiceRoleForLakeFormationDataAccess"


def get_settings(lake: Lake) -> dict[str, Any]:
    with lake.lock:
        return {"DataLakeSettings": copy.deepcopy(lake.settings)}


def put_settings(lake: Lake, request: dict[str, Any]) -> None:
    given = request.get("DataLakeSettings")
    if not isinstance(given, dict):
        raise invalid("DataLakeSettings must be specified.")
    for listed in ("DataLakeAdmins", "ReadOnlyAdmins"):
        for admin in given.get(listed) or []:
            principals.check(lake, admin.get("DataLakePrincipalIdentifier"))
    for listed in ("CreateDatabaseDefaultPermissions", "CreateTableDefaultPermissions"):
        for default in given.get(listed) or []:
            principals.check(lake, (default.get("Principal") or {}).get("DataLakePrincipalIdentifier"))
    with lake.lock:
        catalog.sync(lake)  # resources created until now keep the defaults in force when they were created
        settings = {**default_settings(), **copy.deepcopy(given)}
        for listed in _LISTS:
            settings[listed] = copy.deepcopy(given.get(listed) or [])
        lake.settings = settings
        lake.changed()


def register(lake: Lake, request: dict[str, Any]) -> None:
    arn = _location_arn(request)
    principals.require_admin(lake, context.principal())
    role_arn = _role(lake, request)
    with lake.lock:
        if arn in lake.locations:
            raise LakeFormationError("AlreadyExistsException", "Resource is already registered")
        lake.locations[arn] = Location(arn, role_arn, bool(request.get("HybridAccessEnabled")),
                                       bool(request.get("WithFederation")))
        lake.changed()


def update(lake: Lake, request: dict[str, Any]) -> None:
    arn = _location_arn(request)
    principals.require_admin(lake, context.principal())
    with lake.lock:
        found = _registered(lake, arn)
        found.role_arn = _role(lake, {**request, "UseServiceLinkedRole": not request.get("RoleArn")})
        if request.get("HybridAccessEnabled") is not None:
            found.hybrid = bool(request["HybridAccessEnabled"])
        if request.get("WithFederation") is not None:
            found.with_federation = bool(request["WithFederation"])
        lake.changed()


def deregister(lake: Lake, request: dict[str, Any]) -> None:
    arn = _location_arn(request)
    principals.require_admin(lake, context.principal())
    with lake.lock:
        _registered(lake, arn)
        del lake.locations[arn]
        lake.drop_grants(lambda g: "DataLocation" in g.resource and g.resource["DataLocation"]["ResourceArn"] == arn)


def describe(lake: Lake, request: dict[str, Any]) -> dict[str, Any]:
    with lake.lock:
        return {"ResourceInfo": _registered(lake, _location_arn(request)).describe()}


def list_resources(lake: Lake, request: dict[str, Any]) -> dict[str, Any]:
    with lake.lock:
        found = [location.describe() for _, location in sorted(lake.locations.items())]
    for condition in request.get("FilterConditionList") or []:
        field, values = condition.get("Field"), condition.get("StringValueList") or []
        key = {"RESOURCE_ARN": "ResourceArn", "ROLE_ARN": "RoleArn"}.get(field or "")
        if key is None:
            raise invalid(f"Filtering resources by {field} is not supported by the Lake Labs emulator.")
        found = [f for f in found if _matches(f.get(key, ""), condition.get("ComparisonOperator"), values)]
    return grants.page(found, request, "ResourceInfoList")


def _matches(value: str, operator: str | None, values: list[str]) -> bool:
    if operator in (None, "EQ"):
        return value in values
    if operator == "NE":
        return value not in values
    if operator == "CONTAINS":
        return any(v in value for v in values)
    if operator == "BEGINS_WITH":
        return any(value.startswith(v) for v in values)
    raise invalid(f"ComparisonOperator {operator} is not supported by the Lake Labs emulator.")


def _location_arn(request: dict[str, Any]) -> str:
    arn = request.get("ResourceArn") or ""
    if not _S3_ARN.match(arn):
        raise invalid(f"ResourceArn {arn!r} is not an Amazon S3 path ARN (arn:aws:s3:::bucket/prefix).")
    return arn.rstrip("/")


def _registered(lake: Lake, arn: str) -> Location:
    found = lake.locations.get(arn)
    if found is None:
        raise not_found("Entity not found")
    return found


def _role(lake: Lake, request: dict[str, Any]) -> str:
    role_arn = request.get("RoleArn")
    if request.get("UseServiceLinkedRole") or not role_arn:
        return service_linked_role(lake.account_id)
    try:
        seam.backend("iam", lake.account_id).get_role_by_arn(role_arn)
    except Exception:
        raise invalid(f"Invalid role arn: {role_arn}") from None  # wording not observed on AWS
    return str(role_arn)


def service_linked_role(account_id: str) -> str:
    return f"arn:aws:iam::{account_id}:role/{SERVICE_LINKED_ROLE}"
