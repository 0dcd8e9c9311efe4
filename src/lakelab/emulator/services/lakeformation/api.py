"""Lake Formation's API (REST/JSON, signing name ``lakeformation``): ``POST /<Operation>`` with a JSON body.

Every operation answers from the :class:`~lakelab.emulator.services.lakeformation.store.Lake` of the
caller's account and the request's Region. Operations this package does not implement answer
``UnsupportedOperation`` by name rather than pretending to succeed.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from lakelab.emulator import context
from lakelab.emulator.services.lakeformation import decisions, filters, grants, optins, settings, store, tags
from lakelab.emulator.services.lakeformation.store import Lake, LakeFormationError

Handler = Callable[[Lake, dict[str, Any]], "dict[str, Any] | None"]

OPERATIONS: dict[str, Handler] = {
    "GetDataLakeSettings": lambda lake, _: settings.get_settings(lake),
    "PutDataLakeSettings": settings.put_settings,
    "RegisterResource": settings.register,
    "UpdateResource": settings.update,
    "DeregisterResource": settings.deregister,
    "DescribeResource": settings.describe,
    "ListResources": settings.list_resources,
    "GrantPermissions": grants.grant,
    "RevokePermissions": grants.revoke,
    "BatchGrantPermissions": lambda lake, body: grants.batch(lake, body.get("Entries"), grants.grant),
    "BatchRevokePermissions": lambda lake, body: grants.batch(lake, body.get("Entries"), grants.revoke),
    "ListPermissions": grants.list_permissions,
    "CreateLFTag": tags.create,
    "GetLFTag": tags.get,
    "ListLFTags": tags.list_tags,
    "UpdateLFTag": tags.update,
    "DeleteLFTag": tags.delete,
    "AddLFTagsToResource": tags.add,
    "RemoveLFTagsFromResource": tags.remove,
    "GetResourceLFTags": tags.get_resource_tags,
    "SearchTablesByLFTags": tags.search_tables,
    "SearchDatabasesByLFTags": tags.search_databases,
    "CreateDataCellsFilter": filters.create,
    "GetDataCellsFilter": filters.get,
    "ListDataCellsFilter": filters.list_filters,
    "UpdateDataCellsFilter": filters.update,
    "DeleteDataCellsFilter": filters.delete,
    "CreateLakeFormationOptIn": optins.create,
    "DeleteLakeFormationOptIn": optins.delete,
    "ListLakeFormationOptIns": optins.list_opt_ins,
}


class Service:
    """The native service the emulator routes ``lakeformation``-signed requests to."""

    name = "lakeformation"

    def handle(self, request: Any) -> Any:
        from werkzeug.wrappers import Response

        operation = request.path.strip("/").split("/", 1)[0]
        try:
            body = _body(request)
            handler = OPERATIONS.get(operation)
            if handler is None or request.method != "POST":
                raise LakeFormationError("UnsupportedOperation", f"{request.method} {request.path} is not a Lake "
                                         "Formation operation the Lake Labs emulator implements.", 400)
            caller = context.current()
            answer = handler(store.lake(caller.principal.account_id, caller.region), body) or {}
        except LakeFormationError as error:
            return Response(json.dumps({"__type": error.code, "Message": error.message}), status=error.status,
                            content_type="application/x-amz-json-1.1", headers={"x-amzn-ErrorType": error.code})
        return Response(json.dumps(answer, default=str), status=200, content_type="application/x-amz-json-1.1")

    def reset(self) -> None:
        store.reset()
        decisions.forget()


def _body(request: Any) -> dict[str, Any]:
    raw = request.get_data()
    if not raw:
        return {}
    try:
        found = json.loads(raw)
    except ValueError:
        raise LakeFormationError("SerializationException", "The request body is not valid JSON.") from None
    if not isinstance(found, dict):
        raise LakeFormationError("SerializationException", "The request body must be a JSON object.")
    return found
