"""What moto's provisioned clusters lack for the warehouse: roles, and an Endpoint that answers.

``CreateCluster`` keeps ``DefaultIamRoleArn`` (the role ``IAM_ROLE default`` names) and starts the
cluster's PostgreSQL-protocol listener (``wire``), whose address and port its ``Endpoint`` reports;
``ModifyClusterIamRoles`` adds and removes roles and sets the default
(https://docs.aws.amazon.com/redshift/latest/APIReference/API_ModifyClusterIamRoles.html);
``GetClusterCredentials``' temporary password opens the Endpoint until it expires; a deleted
cluster's listener stops and its databases are dropped from the engine.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from lakelab.emulator import seam


def keeps_default_role(create_cluster: Callable[..., Any]) -> Callable[..., Any]:
    def create(self: Any) -> Any:
        answer = create_cluster(self)
        default = self._get_param("DefaultIamRoleArn")
        cluster = self.redshift_backend.clusters.get(self._get_param("ClusterIdentifier"))
        if cluster is not None and default:
            if default not in cluster.iam_roles_arn:
                cluster.iam_roles_arn.append(default)
            cluster.default_iam_role_arn = default
        if cluster is not None:
            _listen(self, cluster)
        return answer

    return create


def _target(account_id: str, region: str, cluster: Any) -> Any:
    from lakelab.emulator.services.redshift.targets import Target

    return Target("cluster", cluster.cluster_identifier, account_id, region, cluster.db_name,
                  list(cluster.iam_roles_arn), getattr(cluster, "default_iam_role_arn", None))


def _listen(response: Any, cluster: Any) -> None:
    from lakelab.emulator.services.redshift import wire

    target = _target(response.current_account, response.region, cluster)
    cluster.port = wire.start(target, cluster.master_username, cluster.master_user_password)


def endpoint_address(original: Any) -> property:
    """A cluster whose listener runs reports the listener's address (a real one reports a DNS name)."""

    def address(self: Any) -> str:
        from lakelab.emulator.services.redshift import wire

        if wire.serving(self.redshift_backend.account_id, self.region, f"cluster/{self.cluster_identifier}"):
            return wire.HOST
        return original.fget(self)  # type: ignore[no-any-return]

    return property(address)


def opens_endpoint(get_cluster_credentials: Callable[..., Any]) -> Callable[..., Any]:
    def issue(self: Any, cluster_identifier: str, db_user: str, auto_create: bool, duration_seconds: int) -> Any:
        from lakelab.emulator.services.redshift import wire

        found = get_cluster_credentials(self, cluster_identifier, db_user, auto_create, duration_seconds)
        cluster = self.clusters[cluster_identifier]
        wire.allow(_target(self.account_id, self.region_name, cluster), found["DbUser"], found["DbPassword"],
                   found["Expiration"].timestamp())
        return found

    return issue


def modify_cluster_iam_roles(self: Any) -> Any:
    identifier = self._get_param("ClusterIdentifier")
    cluster = self.redshift_backend.clusters.get(identifier)
    if cluster is None:
        raise seam.resolve("JsonRESTError")("ClusterNotFound", f"Cluster {identifier} not found.")
    removed = set(self._get_param("RemoveIamRoles", []) or [])
    roles = [r for r in cluster.iam_roles_arn if r not in removed]
    roles += [r for r in self._get_param("AddIamRoles", []) or [] if r not in roles]
    cluster.iam_roles_arn = roles
    default = self._get_param("DefaultIamRoleArn")
    if default:
        cluster.default_iam_role_arn = default
    elif getattr(cluster, "default_iam_role_arn", None) in removed:
        cluster.default_iam_role_arn = None
    return seam.ActionResult({"Cluster": cluster})


def forgets_databases(delete_cluster: Callable[..., Any]) -> Callable[..., Any]:
    def delete(self: Any, **kwargs: Any) -> Any:
        cluster = delete_cluster(self, **kwargs)
        from lakelab.emulator.services.redshift import warehouse, wire

        wire.stop(self.account_id, self.region_name, f"cluster/{cluster.cluster_identifier}")
        warehouse.drop(self.account_id, self.region_name, f"cluster/{cluster.cluster_identifier}")
        return cluster

    return delete
