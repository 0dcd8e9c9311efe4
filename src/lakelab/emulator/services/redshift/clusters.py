"""What moto's provisioned clusters lack for the warehouse: a default IAM role and changing roles.

``CreateCluster`` keeps ``DefaultIamRoleArn`` (the role ``IAM_ROLE default`` names),
``ModifyClusterIamRoles`` adds and removes roles and sets the default
(https://docs.aws.amazon.com/redshift/latest/APIReference/API_ModifyClusterIamRoles.html), and a
deleted cluster's databases are dropped from the engine.
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
        return answer

    return create


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
        from lakelab.emulator.services.redshift import warehouse

        warehouse.drop(self.account_id, self.region_name, f"cluster/{cluster.cluster_identifier}")
        return cluster

    return delete
