"""Sweepers for Redshift: Serverless workgroups then namespaces; provisioned clusters, then their parameter
and subnet groups. The Data API's statements are not resources: nothing to sweep.

Deleting is asynchronous on AWS (a workgroup, a namespace or a cluster is ``DELETING``/``deleting`` for
minutes), and what depends on it cannot go meanwhile: a namespace while a workgroup uses it
(``ConflictException``), a parameter or subnet group while a cluster uses it. So each remover waits out a
change in progress, deletes, and waits until the resource is gone. Nothing keeps a final snapshot:
``SkipFinalClusterSnapshot`` for a cluster, no ``finalSnapshotName`` for a namespace.
"""

from __future__ import annotations

from collections.abc import Callable

import boto3

from lakelab.lab.sweepers import Found, _quietly, _tag_dict, _wait_until

# Changes in progress that refuse a delete (ConflictException / InvalidClusterStateFault) until they end.
CHANGING_SERVERLESS_STATES = ("CREATING", "MODIFYING")
CHANGING_CLUSTER_STATES = ("creating", "modifying", "rebooting", "resizing", "renaming", "pausing", "resuming",
                           "cancelling-resize")
DELETE_SECONDS = 1800  # a cluster or a workgroup takes minutes to be created or deleted on AWS


def workgroups(prefix: str) -> Found:
    """Redshift Serverless workgroups (the compute; their namespace's tables stay until it goes)."""
    serverless = boto3.client("redshift-serverless")
    for workgroup in _serverless_listed(serverless, "list_workgroups", "workgroups", "workgroupName", prefix):
        tags = _serverless_tags(serverless, workgroup["workgroupArn"])
        yield workgroup["workgroupName"], tags, lambda w=workgroup: _delete_workgroup(serverless, w)


def _serverless_listed(serverless, operation: str, listed_as: str, name_key: str, prefix: str) -> list[dict]:
    """Every workgroup or namespace named with the prefix, in name order."""
    pages = serverless.get_paginator(operation).paginate()
    return sorted((item for page in pages for item in page[listed_as] if item[name_key].startswith(prefix)),
                  key=lambda item: item[name_key])


def _delete_workgroup(serverless, workgroup: dict) -> str:
    name = workgroup["workgroupName"]
    status = lambda: _status(lambda: serverless.get_workgroup(workgroupName=name)["workgroup"], serverless)
    _wait_until(lambda: status() not in CHANGING_SERVERLESS_STATES, seconds=DELETE_SECONDS)
    if status() not in ("DELETING", None):
        serverless.delete_workgroup(workgroupName=name)
    _wait_until(lambda: status() is None, seconds=DELETE_SECONDS)
    return f"of namespace {workgroup.get('namespaceName', '?')}"


def namespaces(prefix: str) -> Found:
    """Redshift Serverless namespaces (the data), once no workgroup uses them."""
    serverless = boto3.client("redshift-serverless")
    for namespace in _serverless_listed(serverless, "list_namespaces", "namespaces", "namespaceName", prefix):
        tags = _serverless_tags(serverless, namespace["namespaceArn"])
        yield namespace["namespaceName"], tags, lambda n=namespace["namespaceName"]: _delete_namespace(serverless, n)


def _delete_namespace(serverless, name: str) -> str:
    """A namespace a workgroup still uses (being deleted, or not the course's) cannot go: wait for the
    course's to be gone; if another remains, DeleteNamespace's ConflictException says so."""
    status = lambda: _status(lambda: serverless.get_namespace(namespaceName=name)["namespace"], serverless)
    _wait_until(lambda: not _workgroups_of(serverless, name), seconds=DELETE_SECONDS)
    _wait_until(lambda: status() not in CHANGING_SERVERLESS_STATES, seconds=DELETE_SECONDS)
    if status() not in ("DELETING", None):
        serverless.delete_namespace(namespaceName=name)  # no finalSnapshotName: no final snapshot
    _wait_until(lambda: status() is None, seconds=DELETE_SECONDS)
    return "its databases with it, no final snapshot"


def _workgroups_of(serverless, namespace: str) -> list[str]:
    pages = serverless.get_paginator("list_workgroups").paginate()
    return [w["workgroupName"] for page in pages for w in page["workgroups"] if w.get("namespaceName") == namespace]


def _status(describe: Callable[[], dict], serverless) -> str | None:
    """A workgroup's or namespace's ``status``, or None once it is gone."""
    try:
        return describe().get("status")
    except serverless.exceptions.ResourceNotFoundException:
        return None


def _serverless_tags(serverless, arn: str) -> dict[str, str]:
    """Redshift Serverless answers tags as ``[{"key": ..., "value": ...}]``."""
    return {tag["key"]: tag["value"] for tag in serverless.list_tags_for_resource(resourceArn=arn).get("tags", [])}


def clusters(prefix: str) -> Found:
    """Provisioned clusters (their tags come with DescribeClusters)."""
    redshift = boto3.client("redshift")
    pages = redshift.get_paginator("describe_clusters").paginate()
    listed = sorted((c for page in pages for c in page["Clusters"] if c["ClusterIdentifier"].startswith(prefix)),
                    key=lambda c: c["ClusterIdentifier"])
    for cluster in listed:
        identifier = cluster["ClusterIdentifier"]
        yield identifier, _tag_dict(cluster.get("Tags", [])), lambda i=identifier: _delete_cluster(redshift, i)


def _delete_cluster(redshift, identifier: str) -> str:
    status = lambda: _cluster_status(redshift, identifier)
    _wait_until(lambda: status() not in CHANGING_CLUSTER_STATES, seconds=DELETE_SECONDS)
    if status() not in ("deleting", None):
        redshift.delete_cluster(ClusterIdentifier=identifier, SkipFinalClusterSnapshot=True)
    _wait_until(lambda: status() is None, seconds=DELETE_SECONDS)  # its groups can go only once it is gone
    return "no final snapshot"


def _cluster_status(redshift, identifier: str) -> str | None:
    try:
        return redshift.describe_clusters(ClusterIdentifier=identifier)["Clusters"][0]["ClusterStatus"]
    except redshift.exceptions.ClusterNotFoundFault:
        return None


def parameter_groups(prefix: str) -> Found:
    """Cluster parameter groups named with the prefix (after the clusters that use them)."""
    return _groups(prefix, "describe_cluster_parameter_groups", "ParameterGroups", "ParameterGroupName",
                   "delete_cluster_parameter_group")


def subnet_groups(prefix: str) -> Found:
    """Cluster subnet groups named with the prefix (after the clusters that use them); their subnets stay."""
    return _groups(prefix, "describe_cluster_subnet_groups", "ClusterSubnetGroups", "ClusterSubnetGroupName",
                   "delete_cluster_subnet_group")


def _groups(prefix: str, describe: str, listed_as: str, name_key: str, delete: str) -> Found:
    """A cluster's named groups (parameter or subnet) with the prefix, in name order, each with its remover."""
    redshift = boto3.client("redshift")
    pages = redshift.get_paginator(describe).paginate()
    listed = sorted((g for page in pages for g in page[listed_as] if g[name_key].startswith(prefix)),
                    key=lambda g: g[name_key])
    for group in listed:
        name = group[name_key]
        yield name, _tag_dict(group.get("Tags", [])), lambda n=name: _quietly(
            getattr(redshift, delete), **{name_key: n})
