"""LF-tags: the tags themselves, their assignment to databases, tables and columns, and inheritance.

A table inherits its database's LF-tags and a column its table's; a tag assigned lower down
overrides the inherited value of the same key (one value per key per resource). A grant on an
``LFTagPolicy`` expression matches a resource when, for every key of the expression, the
resource's value (its own or inherited) is one of the expression's values.
"""

from __future__ import annotations

from typing import Any

from lakelab.emulator import context
from lakelab.emulator.services.lakeformation import catalog, principals, resources
from lakelab.emulator.services.lakeformation.store import Lake, invalid, not_found


def create(lake: Lake, request: dict[str, Any]) -> None:
    key, values = request.get("TagKey"), list(request.get("TagValues") or [])
    if not key or not values:
        raise invalid("TagKey and TagValues must be specified.")
    if not _holds_on_catalog(lake, "CREATE_LF_TAG"):
        principals.require_admin(lake, context.principal())
    with lake.lock:
        if key in lake.lf_tags:
            raise invalid(f"Tag key {key} already exists.")  # wording not observed on AWS
        lake.lf_tags[key] = list(dict.fromkeys(values))
        lake.changed()


def get(lake: Lake, request: dict[str, Any]) -> dict[str, Any]:
    key = request.get("TagKey") or ""
    with lake.lock:
        values = _existing(lake, key)
        return {"CatalogId": lake.account_id, "TagKey": key, "TagValues": list(values)}


def list_tags(lake: Lake, request: dict[str, Any]) -> dict[str, Any]:
    with lake.lock:
        found = [{"CatalogId": lake.account_id, "TagKey": k, "TagValues": list(v)} for k, v in lake.lf_tags.items()]
    from lakelab.emulator.services.lakeformation import grants

    return grants.page(found, request, "LFTags")


def update(lake: Lake, request: dict[str, Any]) -> None:
    key = request.get("TagKey") or ""
    principals.require_admin(lake, context.principal())
    with lake.lock:
        values = _existing(lake, key)
        removed = set(request.get("TagValuesToDelete") or [])
        unknown = removed - set(values)
        if unknown:
            raise not_found("Tag or tag value does not exist.")
        kept = [v for v in values if v not in removed] + [v for v in request.get("TagValuesToAdd") or []
                                                             if v not in values]
        if not kept:
            raise invalid("An LF-tag must keep at least one value.")
        lake.lf_tags[key] = kept
        for assigned in lake.assignments.values():
            if assigned.get(key) in removed:
                del assigned[key]
        lake.changed()


def delete(lake: Lake, request: dict[str, Any]) -> None:
    key = request.get("TagKey") or ""
    principals.require_admin(lake, context.principal())
    with lake.lock:
        _existing(lake, key)
        del lake.lf_tags[key]
        for assigned in lake.assignments.values():
            assigned.pop(key, None)
        lake.drop_grants(lambda g: g.resource.get("LFTag", {}).get("TagKey") == key or any(
            c["TagKey"] == key for c in g.resource.get("LFTagPolicy", {}).get("Expression", [])))


def _holds_on_catalog(lake: Lake, permission: str) -> bool:
    """Whether the caller was granted ``permission`` on the catalog (LF-tag creators are)."""
    mine = principals.identifiers(context.principal())
    return any(g.principal in mine and "Catalog" in g.resource and permission in g.permissions
               for g in list(lake.grants.values()))


def _existing(lake: Lake, key: str) -> list[str]:
    if key not in lake.lf_tags:
        raise not_found("Tag key does not exist.")
    return lake.lf_tags[key]


# --- assignment ------------------------------------------------------------------------------


def _targets(lake: Lake, resource: dict[str, Any] | None) -> list[tuple[str, ...]]:
    shaped = resources.normalized(lake, resource)
    kind, body = next(iter(shaped.items()))
    if kind == "Database":
        return [("database", body["Name"])]
    if kind == "Table" and "Name" in body:
        return [("table", body["DatabaseName"], body["Name"])]
    if kind == "TableWithColumns" and "ColumnNames" in body:
        return [("column", body["DatabaseName"], body["Name"], c) for c in body["ColumnNames"]]
    raise invalid("LF-tags are assigned to a database, a table, or columns named by ColumnNames.")


def _may_associate(lake: Lake, key: str) -> bool:
    who = context.principal()
    if principals.is_admin(lake, who):
        return True
    for identifier in principals.identifiers(who):
        for grant in lake.grants.values():
            if grant.principal == identifier and grant.resource.get("LFTag", {}).get("TagKey") == key and (
                    "ASSOCIATE" in grant.permissions):
                return True
    return False


def add(lake: Lake, request: dict[str, Any]) -> dict[str, Any]:
    failures = []
    with lake.lock:
        catalog.sync(lake)
        targets = _targets(lake, request.get("Resource"))
        for tag in request.get("LFTags") or []:
            key, values = tag.get("TagKey"), tag.get("TagValues") or []
            error = _assignment_error(lake, key, values)
            if error is None and not _may_associate(lake, key):
                error = ("AccessDeniedException", principals.NOT_AUTHORIZED)
            if error is not None:
                failures.append({"LFTag": {"CatalogId": lake.account_id, **tag},
                                 "Error": {"ErrorCode": error[0], "ErrorMessage": error[1]}})
                continue
            for target in targets:
                lake.assignments.setdefault(target, {})[key] = values[0]
        lake.changed()
    return {"Failures": failures}


def _assignment_error(lake: Lake, key: str | None, values: list[str]) -> tuple[str, str] | None:
    if not key or key not in lake.lf_tags or not values or any(v not in lake.lf_tags[key] for v in values):
        return "EntityNotFoundException", "Tag or tag value does not exist."
    if len(values) != 1:
        return "InvalidInputException", f"Only one value of LF-tag {key} can be assigned to a resource."
    return None


def remove(lake: Lake, request: dict[str, Any]) -> dict[str, Any]:
    failures = []
    with lake.lock:
        targets = _targets(lake, request.get("Resource"))
        for tag in request.get("LFTags") or []:
            key = tag.get("TagKey")
            if key not in lake.lf_tags or not _may_associate(lake, key):
                failures.append({"LFTag": {"CatalogId": lake.account_id, **tag}, "Error": {
                    "ErrorCode": "EntityNotFoundException", "ErrorMessage": "Tag or tag value does not exist."}})
                continue
            for target in targets:
                lake.assignments.get(target, {}).pop(key, None)
        lake.changed()
    return {"Failures": failures}


def get_resource_tags(lake: Lake, request: dict[str, Any]) -> dict[str, Any]:
    assigned_only = bool(request.get("ShowAssignedLFTags"))
    with lake.lock:
        catalog.sync(lake)
        shaped = resources.normalized(lake, request.get("Resource"))
        kind, body = next(iter(shaped.items()))
        database = body.get("Name") if kind == "Database" else body.get("DatabaseName")
        answer: dict[str, Any] = {"LFTagOnDatabase": _listed(lake, database_tags(lake, database))}
        if kind in ("Table", "TableWithColumns") and "Name" in body:
            table = body["Name"]
            own = lake.assignments.get(("table", database, table), {})
            answer["LFTagsOnTable"] = _listed(lake, own if assigned_only else table_tags(lake, database, table))
            found = catalog.find_table(lake, database, table)
            names = body.get("ColumnNames") or (catalog.column_names(found) if found else [])
            answer["LFTagsOnColumns"] = [
                {"Name": c, "LFTags": _listed(lake, lake.assignments.get(("column", database, table, c), {})
                                              if assigned_only else column_tags(lake, database, table, c))}
                for c in names]
    return answer


def _listed(lake: Lake, tags: dict[str, str]) -> list[dict[str, Any]]:
    return [{"CatalogId": lake.account_id, "TagKey": k, "TagValues": [v]} for k, v in sorted(tags.items())]


def database_tags(lake: Lake, database: str) -> dict[str, str]:
    return dict(lake.assignments.get(("database", database), {}))


def table_tags(lake: Lake, database: str, table: str) -> dict[str, str]:
    return {**database_tags(lake, database), **lake.assignments.get(("table", database, table), {})}


def column_tags(lake: Lake, database: str, table: str, column: str) -> dict[str, str]:
    return {**table_tags(lake, database, table), **lake.assignments.get(("column", database, table, column), {})}


def matches(expression: list[dict[str, Any]], tags: dict[str, str]) -> bool:
    """Whether a resource with (effective) ``tags`` matches an LF-tag expression."""
    for condition in expression:
        value = tags.get(condition["TagKey"])
        values = condition["TagValues"]
        if value is None or (value not in values and "*" not in values):
            return False
    return True



def search_tables(lake: Lake, request: dict[str, Any]) -> dict[str, Any]:
    """SearchTablesByLFTags: tables whose tags -- or some of whose columns' tags -- match the expression."""
    expression = _expression(lake, request)
    from lakelab.emulator.services.lakeformation import grants

    with lake.lock:
        catalog.sync(lake)
        found = []
        for key in sorted(k for k in lake.seen if k[0] == "table"):
            _, database, table = key
            named = catalog.find_table(lake, database, table)
            columns = catalog.column_names(named) if named else []
            matched = [c for c in columns if matches(expression, column_tags(lake, database, table, c))]
            if matches(expression, table_tags(lake, database, table)) or matched:
                found.append({"Table": {"CatalogId": lake.account_id, "DatabaseName": database, "Name": table},
                              "LFTagOnDatabase": _listed(lake, database_tags(lake, database)),
                              "LFTagsOnTable": _listed(lake, table_tags(lake, database, table)),
                              "LFTagsOnColumns": [{"Name": c, "LFTags": _listed(lake, column_tags(
                                  lake, database, table, c))} for c in matched]})
    return grants.page(found, request, "TableList")


def search_databases(lake: Lake, request: dict[str, Any]) -> dict[str, Any]:
    """SearchDatabasesByLFTags: databases whose tags match the expression."""
    expression = _expression(lake, request)
    from lakelab.emulator.services.lakeformation import grants

    with lake.lock:
        catalog.sync(lake)
        found = [{"Database": {"CatalogId": lake.account_id, "Name": key[1]},
                  "LFTags": _listed(lake, database_tags(lake, key[1]))}
                 for key in sorted(k for k in lake.seen if k[0] == "database")
                 if matches(expression, database_tags(lake, key[1]))]
    return grants.page(found, request, "DatabaseList")


def _expression(lake: Lake, request: dict[str, Any]) -> list[dict[str, Any]]:
    expression = request.get("Expression") or []
    if not expression:
        raise invalid("Expression must not be empty.")
    for condition in expression:
        resources.check_tag_values(lake, condition.get("TagKey"), list(condition.get("TagValues") or []))
    return [{"TagKey": c["TagKey"], "TagValues": list(c["TagValues"])} for c in expression]
