"""What a Data API request names: a provisioned cluster (moto's) or a Serverless workgroup (ours).

Either way the statement gets the target's databases, its IAM roles (which ``COPY``, ``UNLOAD``
and external schemas may use) and the database user it runs as.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from lakelab.emulator import context, seam
from lakelab.emulator.services.redshift import serverless


class DataApiError(Exception):
    """A Data API request refused before it runs (ValidationException, ResourceNotFoundException...)."""

    def __init__(self, code: str, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.code, self.message, self.status = code, message, status


@dataclass
class Target:
    kind: str  # "cluster" or "workgroup"
    name: str
    account_id: str
    region: str
    default_database: str
    iam_roles: list[str]
    default_role: str | None
    namespace: str = ""  # a workgroup's namespace, which holds its databases

    @property
    def key(self) -> str:
        """The cluster or workgroup (whose Endpoint listens)."""
        return f"{self.kind}/{self.name}"

    @property
    def storage(self) -> str:
        """Where its databases live: a cluster's own, or a workgroup's namespace (it outlives the workgroup)."""
        return f"namespace/{self.namespace}" if self.namespace else self.key

    @property
    def dbuser_arn_prefix(self) -> str:
        return f"arn:aws:redshift:{self.region}:{self.account_id}:dbuser:{self.name}"


def resolve(body: dict[str, Any]) -> Target:
    """The cluster or workgroup of a request (exactly one must be named)."""
    caller = context.current()
    account_id, region = caller.principal.account_id, caller.region
    cluster, workgroup = body.get("ClusterIdentifier"), body.get("WorkgroupName")
    if bool(cluster) == bool(workgroup):
        raise DataApiError("ValidationException", "Either ClusterIdentifier or WorkgroupName must be specified, "
                           "but not both.")  # worded here (unverified)
    if workgroup:
        if body.get("DbUser"):
            raise DataApiError("ValidationException", "DbUser is not supported for Redshift Serverless: "
                               "authenticate with SecretArn or your IAM identity.")  # unverified wording
        found = serverless.find_workgroup(account_id, region, workgroup)
        if found is None:
            raise DataApiError("ValidationException", "Redshift endpoint doesn't exist in this region.")  # unverified
        _, namespace = found
        return Target("workgroup", workgroup, account_id, region, namespace.db_name, list(namespace.iam_roles),
                      namespace.default_iam_role, namespace.name)
    clusters = seam.backend("redshift", account_id, region).clusters
    found_cluster = clusters.get(cluster)
    if found_cluster is None:
        raise DataApiError("ValidationException", f"Cluster {cluster} not found.")  # unverified wording
    if found_cluster.status != "available":
        raise DataApiError("ValidationException", f"Cluster {cluster} is {found_cluster.status}, not available.")
    return Target("cluster", cluster, account_id, region, found_cluster.db_name, list(found_cluster.iam_roles_arn),
                  getattr(found_cluster, "default_iam_role_arn", None))


def refreshed(target: Target) -> Target:
    """``target`` with its namespace's or cluster's IAM roles as they are now.

    The Endpoint (``wire``) is started with its target once; UpdateNamespace (``iamRoles``,
    ``defaultIamRoleArn``) and ModifyClusterIamRoles change the roles later, and a COPY or UNLOAD sent
    to the Endpoint afterwards uses the new ones, as the Data API (which resolves each request) does."""
    if target.kind == "workgroup":
        found = serverless.find_workgroup(target.account_id, target.region, target.name)
        if found is None:
            return target
        namespace = found[1]
        return replace(target, iam_roles=list(namespace.iam_roles), default_role=namespace.default_iam_role)
    cluster = seam.backend("redshift", target.account_id, target.region).clusters.get(target.name)
    if cluster is None:
        return target
    return replace(target, iam_roles=list(cluster.iam_roles_arn),
                   default_role=getattr(cluster, "default_iam_role_arn", None))


def database_user(target: Target, body: dict[str, Any]) -> str:
    """Who the statement runs as: DbUser, the secret's user, or the caller's IAM identity.

    Each way needs its IAM permission, as AWS's Data API authorization guide lists them
    (https://docs.aws.amazon.com/redshift/latest/mgmt/data-api-access.html): ``redshift:GetClusterCredentials``
    on the database user for DbUser, ``secretsmanager:GetSecretValue`` on the secret, and
    ``redshift:GetClusterCredentialsWithIAM`` or ``redshift-serverless:GetCredentials`` for the IAM identity.
    """
    caller = context.principal()
    if body.get("DbUser"):
        user = str(body["DbUser"])
        _require(caller, "redshift:GetClusterCredentials", f"{target.dbuser_arn_prefix}/{user}")
        return user
    if body.get("SecretArn"):
        _require(caller, "secretsmanager:GetSecretValue", str(body["SecretArn"]))
        return _secret_user(target, str(body["SecretArn"]))
    if target.kind == "workgroup":
        _require(caller, "redshift-serverless:GetCredentials",
                 f"arn:aws:redshift-serverless:{target.region}:{target.account_id}:workgroup/{target.name}")
    else:
        _require(caller, "redshift:GetClusterCredentialsWithIAM",
                 f"arn:aws:redshift:{target.region}:{target.account_id}:dbname:{target.name}/"
                 f"{(body.get('Database') or target.default_database).lower()}")
    if caller.role_name:
        return f"IAMR:{caller.role_name}"
    if caller.user_name:
        return f"IAM:{caller.user_name}"
    return "awsuser"


def _require(caller: Any, action: str, resource: str) -> None:
    if caller.type in (context.ROOT, context.AWS_SERVICE) or not context.settings().enforce_iam:
        return
    from lakelab.emulator.services.iam import enforcement

    try:
        enforcement.require(caller, action, resource)
    except PermissionError as denied:
        raise DataApiError("ValidationException", str(denied)) from None  # the code AWS answers with: unverified


def _secret_user(target: Target, secret_arn: str) -> str:
    """The ``username`` of a Secrets Manager secret (JSON with username and password)."""
    import json

    try:
        backend = seam.backend("secretsmanager", target.account_id, target.region)
        secret = backend.get_secret_value(secret_arn, None, "AWSCURRENT")
        return str(json.loads(secret.get("SecretString") or "{}").get("username") or "awsuser")
    except Exception:
        raise DataApiError("ValidationException", f"Secret {secret_arn} could not be read: it must exist and hold "
                           "JSON with username and password.") from None  # worded here (unverified)


def role_allowed(target: Target, role: str, user: str) -> str:
    """The role ``IAM_ROLE`` names, if the cluster or namespace has it; ``default`` is its default role."""
    if role.lower() == "default":
        if not target.default_role:
            raise PermissionError(f"ERROR: Default IAM role is not set for {target.kind} {target.name}")
        return target.default_role
    for candidate in role.split(","):  # chained roles: each must be associated (only the first is checked)
        candidate = candidate.strip()
        if candidate not in target.iam_roles:
            raise PermissionError(f"ERROR: User {target.dbuser_arn_prefix}/{user} is not authorized to assume IAM Role "
                                  f"{candidate}")
        return candidate
    return role
