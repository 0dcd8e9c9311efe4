"""Redshift Serverless (JSON, signing name ``redshift-serverless``): namespaces and workgroups.

moto has no Redshift Serverless, so this is a native service. A namespace holds the databases
(their tables outlive a deleted workgroup), the admin user and the IAM roles (which ``COPY``,
``UNLOAD`` and Spectrum may use); a workgroup is the compute the Data API names with
``WorkgroupName``, AVAILABLE at once, whose endpoint answers the PostgreSQL protocol (``wire``) at a
port of its own (AWS's default is 5439). Capacity settings are
kept and reported, never acted on. Namespaces and workgroups keep their tags (``serverless_tags``:
``tags`` at create, TagResource, UntagResource, ListTagsForResource). UpdateNamespace's ``iamRoles``
and ``defaultIamRoleArn`` apply to the next statement, through the Data API or the Endpoint.
Error messages AWS's API reference does not spell out were worded here (unverified).
"""

from __future__ import annotations

import datetime as dt
import json
import secrets
import threading
import uuid
from dataclasses import dataclass, field
from typing import Any

from lakelab.emulator import context
from lakelab.emulator.services.redshift import serverless_tags


class ServerlessError(Exception):
    def __init__(self, code: str, message: str, status: int = 400, fields: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.code, self.message, self.status = code, message, status
        self.fields = fields or {}  # the error's own members (``resourceName``...)


@dataclass
class Namespace:
    name: str
    account_id: str
    region: str
    admin_username: str
    admin_password: str
    db_name: str
    iam_roles: list[str]
    default_iam_role: str | None
    id: str = field(default_factory=lambda: str(uuid.uuid4()))
    created: str = field(default_factory=lambda: dt.datetime.now(dt.timezone.utc).isoformat())
    tags: dict[str, str] = field(default_factory=dict)

    @property
    def arn(self) -> str:
        return f"arn:aws:redshift-serverless:{self.region}:{self.account_id}:namespace/{self.id}"

    def describe(self) -> dict[str, Any]:
        found = {"namespaceName": self.name, "namespaceArn": self.arn, "namespaceId": self.id,
                 "adminUsername": self.admin_username, "dbName": self.db_name, "iamRoles": list(self.iam_roles),
                 "logExports": [], "status": "AVAILABLE", "creationDate": self.created}
        if self.default_iam_role:
            found["defaultIamRoleArn"] = self.default_iam_role
        return found


@dataclass
class Workgroup:
    name: str
    namespace: str
    account_id: str
    region: str
    base_capacity: int
    port: int
    id: str = field(default_factory=lambda: str(uuid.uuid4()))
    created: str = field(default_factory=lambda: dt.datetime.now(dt.timezone.utc).isoformat())
    publicly_accessible: bool = False
    tags: dict[str, str] = field(default_factory=dict)

    @property
    def arn(self) -> str:
        return f"arn:aws:redshift-serverless:{self.region}:{self.account_id}:workgroup/{self.id}"

    @property
    def address(self) -> str:
        from lakelab.emulator.services.redshift import wire

        if wire.serving(self.account_id, self.region, f"workgroup/{self.name}"):
            return wire.HOST  # the listener's address (a real one is a DNS name)
        return f"{self.name}.{self.account_id}.{self.region}.redshift-serverless.amazonaws.com"

    def describe(self) -> dict[str, Any]:
        return {"workgroupName": self.name, "workgroupArn": self.arn, "workgroupId": self.id,
                "namespaceName": self.namespace, "baseCapacity": self.base_capacity, "enhancedVpcRouting": False,
                "configParameters": [], "securityGroupIds": [], "subnetIds": [], "status": "AVAILABLE",
                "endpoint": {"address": self.address, "port": self.port, "vpcEndpoints": []}, "port": self.port,
                "publiclyAccessible": self.publicly_accessible, "creationDate": self.created}


@dataclass
class Store:
    namespaces: dict[str, Namespace] = field(default_factory=dict)
    workgroups: dict[str, Workgroup] = field(default_factory=dict)


_stores: dict[tuple[str, str], Store] = {}
_lock = threading.RLock()


def store(account_id: str, region: str) -> Store:
    with _lock:
        return _stores.setdefault((account_id, region), Store())


def find_workgroup(account_id: str, region: str, name: str) -> tuple[Workgroup, Namespace] | None:
    found = store(account_id, region)
    workgroup = found.workgroups.get(name)
    if workgroup is None or workgroup.namespace not in found.namespaces:
        return None
    return workgroup, found.namespaces[workgroup.namespace]


def _required(body: dict[str, Any], name: str) -> str:
    value = body.get(name)
    if not value:
        raise ServerlessError("ValidationException", f"{name} is required.")
    return str(value)


def create_namespace(found: Store, body: dict[str, Any]) -> dict[str, Any]:
    name = _required(body, "namespaceName")
    if name in found.namespaces:
        raise ServerlessError("ConflictException", f"Namespace {name} already exists.")
    tags = serverless_tags.parsed(body.get("tags"))
    caller = context.current()
    namespace = Namespace(name, caller.principal.account_id, caller.region, body.get("adminUsername") or "admin",
                          body.get("adminUserPassword") or secrets.token_urlsafe(12), body.get("dbName") or "dev",
                          list(body.get("iamRoles") or []), body.get("defaultIamRoleArn"))
    serverless_tags.merged(namespace, name, tags)
    found.namespaces[name] = namespace
    return {"namespace": namespace.describe()}


def _namespace(found: Store, body: dict[str, Any]) -> Namespace:
    name = _required(body, "namespaceName")
    if name not in found.namespaces:
        raise ServerlessError("ResourceNotFoundException", f"Namespace {name} does not exist.")
    return found.namespaces[name]


def update_namespace(found: Store, body: dict[str, Any]) -> dict[str, Any]:
    namespace = _namespace(found, body)
    if "iamRoles" in body:
        namespace.iam_roles = list(body["iamRoles"] or [])
    if body.get("defaultIamRoleArn"):
        namespace.default_iam_role = body["defaultIamRoleArn"]
    if body.get("adminUserPassword"):
        namespace.admin_password = body["adminUserPassword"]
    return {"namespace": namespace.describe()}


def delete_namespace(found: Store, body: dict[str, Any]) -> dict[str, Any]:
    namespace = _namespace(found, body)
    if any(w.namespace == namespace.name for w in found.workgroups.values()):
        raise ServerlessError("ConflictException", f"Namespace {namespace.name} has workgroups: delete them first.")
    del found.namespaces[namespace.name]
    from lakelab.emulator.services.redshift import warehouse

    warehouse.drop(namespace.account_id, namespace.region, f"namespace/{namespace.name}")
    return {"namespace": {**namespace.describe(), "status": "DELETING"}}


def create_workgroup(found: Store, body: dict[str, Any]) -> dict[str, Any]:
    name, namespace = _required(body, "workgroupName"), _namespace(found, body)
    if name in found.workgroups:
        raise ServerlessError("ConflictException", f"Workgroup {name} already exists.")
    capacity = int(body.get("baseCapacity") or 128)
    if capacity < 4 or capacity > 1024 or (capacity > 4 and capacity % 8):
        raise ServerlessError("ValidationException", "Base capacity must be 4 or a multiple of 8 between 8 and 1024.")
    tags = serverless_tags.parsed(body.get("tags"))
    workgroup = Workgroup(name, namespace.name, namespace.account_id, namespace.region, capacity,
                          int(body.get("port") or 5439), publicly_accessible=bool(body.get("publiclyAccessible")))
    serverless_tags.merged(workgroup, name, tags)
    found.workgroups[name] = workgroup
    from lakelab.emulator.services.redshift import wire
    from lakelab.emulator.services.redshift.targets import Target

    target = Target("workgroup", name, namespace.account_id, namespace.region, namespace.db_name,
                    namespace.iam_roles, namespace.default_iam_role, namespace.name)
    workgroup.port = wire.start(target, namespace.admin_username, namespace.admin_password)
    return {"workgroup": workgroup.describe()}


def _workgroup(found: Store, body: dict[str, Any]) -> Workgroup:
    name = _required(body, "workgroupName")
    if name not in found.workgroups:
        raise ServerlessError("ResourceNotFoundException", f"Workgroup {name} does not exist.")
    return found.workgroups[name]


def update_workgroup(found: Store, body: dict[str, Any]) -> dict[str, Any]:
    workgroup = _workgroup(found, body)
    if body.get("baseCapacity"):
        workgroup.base_capacity = int(body["baseCapacity"])
    return {"workgroup": workgroup.describe()}


def delete_workgroup(found: Store, body: dict[str, Any]) -> dict[str, Any]:
    """The workgroup goes; its namespace's databases stay (a new workgroup on it sees them)."""
    from lakelab.emulator.services.redshift import wire

    workgroup = _workgroup(found, body)
    del found.workgroups[workgroup.name]

    wire.stop(workgroup.account_id, workgroup.region, f"workgroup/{workgroup.name}")
    return {"workgroup": {**workgroup.describe(), "status": "DELETING"}}


def get_credentials(found: Store, body: dict[str, Any]) -> dict[str, Any]:
    """Temporary database credentials for the caller: ``IAMR:<role>`` or ``IAM:<user>``, as AWS names them."""
    workgroup = _workgroup(found, body)
    caller = context.principal()
    user = (f"IAMR:{caller.role_name}" if caller.role_name else f"IAM:{caller.user_name}" if caller.user_name
            else "admin")
    seconds = int(body.get("durationSeconds") or 900)
    now = dt.datetime.now(dt.timezone.utc)
    password = secrets.token_urlsafe(24)
    from lakelab.emulator.services.redshift import wire
    from lakelab.emulator.services.redshift.targets import Target

    namespace = found.namespaces[workgroup.namespace]
    wire.allow(Target("workgroup", workgroup.name, workgroup.account_id, workgroup.region, namespace.db_name,
                      namespace.iam_roles, namespace.default_iam_role, namespace.name), user, password,
               now.timestamp() + seconds)
    return {"dbUser": user, "dbPassword": password, "expiration": (now + dt.timedelta(seconds=seconds)).isoformat(),
            "nextRefreshTime": (now + dt.timedelta(seconds=seconds)).isoformat()}


def _list(items: list[dict[str, Any]], key: str, body: dict[str, Any]) -> dict[str, Any]:
    start, size = int(body.get("nextToken") or 0), int(body.get("maxResults") or 100)
    answer: dict[str, Any] = {key: items[start : start + size]}
    if start + size < len(items):
        answer["nextToken"] = str(start + size)
    return answer


OPERATIONS: dict[str, Any] = {
    "CreateNamespace": create_namespace,
    "GetNamespace": lambda found, body: {"namespace": _namespace(found, body).describe()},
    "ListNamespaces": lambda found, body: _list([n.describe() for n in found.namespaces.values()], "namespaces", body),
    "UpdateNamespace": update_namespace,
    "DeleteNamespace": delete_namespace,
    "CreateWorkgroup": create_workgroup,
    "GetWorkgroup": lambda found, body: {"workgroup": _workgroup(found, body).describe()},
    "ListWorkgroups": lambda found, body: _list([w.describe() for w in found.workgroups.values()], "workgroups", body),
    "UpdateWorkgroup": update_workgroup,
    "DeleteWorkgroup": delete_workgroup,
    "GetCredentials": get_credentials,
    **serverless_tags.OPERATIONS,
}


class Service:
    """The native service the emulator routes ``redshift-serverless``-signed requests to."""

    name = "redshift-serverless"

    def handle(self, request: Any) -> Any:
        from werkzeug.wrappers import Response

        operation = (request.headers.get("X-Amz-Target") or "").rsplit(".", 1)[-1]
        try:
            handler = OPERATIONS.get(operation)
            if handler is None:
                raise ServerlessError("UnsupportedOperation", f"{operation or request.path} is not a Redshift "
                                      "Serverless operation the Lake Labs emulator implements.")
            body = json.loads(request.get_data() or b"{}")
            caller = context.current()
            answer = handler(store(caller.principal.account_id, caller.region), body)
        except ServerlessError as error:
            return Response(json.dumps({"__type": error.code, "message": error.message, **error.fields}),
                            status=error.status,
                            content_type="application/x-amz-json-1.1", headers={"x-amzn-ErrorType": error.code})
        return Response(json.dumps(answer, default=str), status=200, content_type="application/x-amz-json-1.1")

    def reset(self) -> None:
        from lakelab.emulator.services.redshift import wire

        with _lock:
            for (account_id, region), found in _stores.items():
                for name in found.workgroups:
                    wire.stop(account_id, region, f"workgroup/{name}")
            _stores.clear()
