"""Hybrid access mode: principals opted in to Lake Formation on a database or table.

A location registered with ``HybridAccessEnabled`` keeps IAM in charge for everyone, except the
principals opted in (``CreateLakeFormationOptIn``) on a table or its database: for them, Lake
Formation's grants decide, ``IAMAllowedPrincipals`` or not. This lets a lake move to Lake
Formation one consumer at a time.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from lakelab.emulator import context
from lakelab.emulator.services.lakeformation import catalog, grants, principals, resources
from lakelab.emulator.services.lakeformation.store import Lake, invalid, not_found, resource_key


def _entry(lake: Lake, request: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    principal = principals.check(lake, (request.get("Principal") or {}).get("DataLakePrincipalIdentifier"))
    resource = resources.normalized(lake, request.get("Resource"))
    if resources.kind_of(resource) not in ("Database", "Table"):
        raise invalid("Opt-ins are made on a database or a table.")
    return principal, resource


def create(lake: Lake, request: dict[str, Any]) -> None:
    principals.require_admin(lake, context.principal())
    with lake.lock:
        catalog.sync(lake)
        principal, resource = _entry(lake, request)
        who = context.principal()
        lake.opt_ins[(principal, resource_key(resource))] = {
            "Resource": resource, "Principal": {"DataLakePrincipalIdentifier": principal},
            "LastModified": dt.datetime.now(dt.timezone.utc).timestamp(),
            "LastUpdatedBy": who.arn or who.principal_id}
        lake.changed()


def delete(lake: Lake, request: dict[str, Any]) -> None:
    principals.require_admin(lake, context.principal())
    with lake.lock:
        principal, resource = _entry(lake, request)
        if lake.opt_ins.pop((principal, resource_key(resource)), None) is None:
            raise not_found("Opt-in does not exist.")  # wording not observed on AWS
        lake.changed()


def list_opt_ins(lake: Lake, request: dict[str, Any]) -> dict[str, Any]:
    principal = (request.get("Principal") or {}).get("DataLakePrincipalIdentifier")
    wanted = request.get("Resource")
    with lake.lock:
        target = resource_key(resources.normalized(lake, wanted, check=False)) if wanted else None
        found = [dict(entry) for (who, key), entry in sorted(lake.opt_ins.items())
                 if (not principal or who == principal) and (target is None or key == target)]
    return grants.page(found, request, "LakeFormationOptInsInfoList")


def opted_in(lake: Lake, identifiers: set[str], database: str, table: str) -> bool:
    """Whether one of ``identifiers`` is opted in on ``database.table`` or on its database."""
    for (who, _), entry in lake.opt_ins.items():
        if who not in identifiers:
            continue
        kind, body = next(iter(entry["Resource"].items()))
        if kind == "Database" and body["Name"] == database:
            return True
        if kind == "Table" and body["DatabaseName"] == database and body.get("Name") in (table, None):
            return True
    return False
