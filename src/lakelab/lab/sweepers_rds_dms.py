"""Sweepers for the ingestion lab's database side: DMS replication tasks, then their endpoints and replication
instance; RDS DB instances, then the manual snapshots the course tagged, then DB parameter groups.

What must wait for what (each remover waits only for what the next kind needs):

- a replication task: a running one is stopped first and deleted once stopped (its replication slot on the
  source database is dropped with it). Endpoints and the replication instance cannot go while a task uses
  them ("All tasks associated with the endpoint must be deleted before you can delete the endpoint",
  https://docs.aws.amazon.com/dms/latest/APIReference/API_DeleteEndpoint.html; "You must delete any migration
  tasks that are associated with the replication instance before you can delete it",
  .../API_DeleteReplicationInstance.html), so the task's remover waits until it is gone.
- an endpoint and a replication instance: deleted, not waited for (nothing the course sweeps uses them).
- a DB instance, stopped or not (a stopped one "restarts automatically after 7 days",
  https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_StopDBInstance.html; that AWS deletes a stopped
  instance as it is, without starting it, is unverified): deleted with ``SkipFinalSnapshot=True`` and
  ``DeleteAutomatedBackups=True`` (no snapshot or retained backup left to bill; ``SkipFinalSnapshot`` is also
  what deletes an instance that is ``failed``, .../API_DeleteDBInstance.html), not waited for here: its
  parameter group's remover waits until no instance uses the group ("The DB parameter group to be deleted
  can't be associated with any DB instances",
  https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_DeleteDBParameterGroup.html).
- a manual DB snapshot: its own kind ("db snapshot"), swept with "db instance" though no lab lists it. A
  snapshot outlives its instance ("manual DB snapshots of the DB instance aren't deleted", DeleteDBInstance):
  a learner who deleted with ``FinalDBSnapshotIdentifier``, or stopped with ``DBSnapshotIdentifier``, leaves
  one, billed for its storage. Folded into the instance's remover it would never be found once the instance is
  gone, and a report line of its own says what was removed. A snapshot still ``creating`` (a final snapshot
  while its instance is ``deleting``) cannot be deleted: its remover waits for it to be ``available``.

Tags come from each service's ListTagsForResource (RDS: ``ResourceName``, DMS: ``ResourceArn``). All of
these kinds take tags, so, as for the course's other taggable kinds, one named with the prefix but without
the course's tags is left alone -- except a manual snapshot taken of a course instance without
``CopyTagsToSnapshot``, which carries its instance's tags while that instance is listed (as a Lambda
function's log group carries its function's). Automated snapshots are not listed: they go with their
instance (``DeleteAutomatedBackups``).

Nothing is changed to make a delete possible: an endpoint someone else's task still uses, a parameter group
another instance uses, a DB instance the learner turned deletion protection on for, each stop teardown with
AWS's own error (InvalidResourceStateFault, InvalidDBParameterGroupState, InvalidParameterCombination)
naming what is in the way. On the local emulator a final snapshot is refused by name (its PostgreSQL instances
keep none), so the snapshots swept there are those ``CreateDBSnapshot`` made (moto's control plane).
"""

from __future__ import annotations

import boto3

from lakelab.lab.sweepers import Found, _tag_dict, _wait_until

# A task or replication instance in one of these is changing: stop and delete are refused
# (InvalidResourceStateFault) until it ends (the lists are DMS's documented statuses; which refuse is unverified).
CHANGING_TASK_STATES = ("creating", "starting", "stopping", "modifying", "moving", "testing")
CHANGING_REPLICATION_INSTANCE_STATES = ("creating", "modifying", "upgrading", "rebooting", "maintenance")
# An RDS instance in one of these refuses DeleteDBInstance (InvalidDBInstanceState) until it settles (unverified
# list: the RDS user guide's "DB instance status" table names these as transitions).
CHANGING_DB_INSTANCE_STATES = ("creating", "starting", "stopping", "rebooting", "modifying", "renaming",
                               "backing-up", "upgrading", "resetting-master-credentials", "maintenance")
DELETE_SECONDS = 1800  # stopping a task, deleting an instance, snapshotting: minutes on AWS


def replication_tasks(prefix: str) -> Found:
    dms = boto3.client("dms")
    listed = _dms_listed(dms, "describe_replication_tasks", "ReplicationTasks", "ReplicationTaskIdentifier", prefix,
                         WithoutSettings=True)  # a task's settings are long and not needed here
    for task in listed:
        arn = task["ReplicationTaskArn"]
        yield task["ReplicationTaskIdentifier"], _dms_tags(dms, arn), lambda a=arn: _delete_task(dms, a)


def _delete_task(dms, arn: str) -> str:
    """Stop a running task, wait until stopped, delete it (its replication slot goes with it) and wait until
    it is gone: its endpoints and replication instance go next."""
    status = lambda: _task_status(dms, arn)
    _wait_until(lambda: status() not in CHANGING_TASK_STATES, seconds=DELETE_SECONDS)
    running = status() == "running"
    if running:
        _stop_task(dms, arn)
        _wait_until(lambda: status() not in ("running", "stopping"), seconds=DELETE_SECONDS)
    if status() not in ("deleting", None):
        dms.delete_replication_task(ReplicationTaskArn=arn)
    _wait_until(lambda: status() is None, seconds=DELETE_SECONDS)
    return ("stopped, then deleted" if running else "deleted") + ", its replication slot with it"


def _stop_task(dms, arn: str) -> None:
    """A full load may finish (and the task stop) between the look and the stop: that refusal is no error."""
    try:
        dms.stop_replication_task(ReplicationTaskArn=arn)
    except dms.exceptions.InvalidResourceStateFault:
        if _task_status(dms, arn) == "running":
            raise


def _task_status(dms, arn: str) -> str | None:
    try:
        found = dms.describe_replication_tasks(Filters=[{"Name": "replication-task-arn", "Values": [arn]}])
    except dms.exceptions.ResourceNotFoundFault:  # AWS answers a filter that matches nothing so
        return None
    tasks = found.get("ReplicationTasks", [])
    return tasks[0]["Status"] if tasks else None


def endpoints(prefix: str) -> Found:
    """Source and target endpoints (after the tasks that use them)."""
    dms = boto3.client("dms")
    for endpoint in _dms_listed(dms, "describe_endpoints", "Endpoints", "EndpointIdentifier", prefix):
        tags = _dms_tags(dms, endpoint["EndpointArn"])
        yield endpoint["EndpointIdentifier"], tags, lambda e=endpoint: _delete_endpoint(dms, e)


def _delete_endpoint(dms, endpoint: dict) -> str:
    if endpoint.get("Status") != "deleting":
        dms.delete_endpoint(EndpointArn=endpoint["EndpointArn"])
    return f"{endpoint.get('EndpointType', '').lower()}, {endpoint.get('EngineName', '?')}"


def replication_instances(prefix: str) -> Found:
    """Replication instances (after the tasks that run on them); deletion is not waited for."""
    dms = boto3.client("dms")
    for instance in _dms_listed(dms, "describe_replication_instances", "ReplicationInstances",
                                "ReplicationInstanceIdentifier", prefix):
        arn = instance["ReplicationInstanceArn"]
        yield instance["ReplicationInstanceIdentifier"], _dms_tags(dms, arn), lambda a=arn: _delete_instance(dms, a)


def _delete_instance(dms, arn: str) -> str:
    status = lambda: _replication_instance_status(dms, arn)
    _wait_until(lambda: status() not in CHANGING_REPLICATION_INSTANCE_STATES, seconds=DELETE_SECONDS)
    if status() not in ("deleting", None):
        dms.delete_replication_instance(ReplicationInstanceArn=arn)
    return "deleting (not waited for)"


def _replication_instance_status(dms, arn: str) -> str | None:
    try:
        found = dms.describe_replication_instances(Filters=[{"Name": "replication-instance-arn", "Values": [arn]}])
    except dms.exceptions.ResourceNotFoundFault:
        return None
    instances = found.get("ReplicationInstances", [])
    return instances[0]["ReplicationInstanceStatus"] if instances else None


def _dms_listed(dms, operation: str, listed_as: str, name_key: str, prefix: str, **options: object) -> list[dict]:
    """Every task, endpoint or replication instance named with the prefix, in name order (DMS answers an
    empty listing with ResourceNotFoundFault: none)."""
    try:
        pages = dms.get_paginator(operation).paginate(**options)
        items = [item for page in pages for item in page.get(listed_as, [])]
    except dms.exceptions.ResourceNotFoundFault:
        return []
    return sorted((item for item in items if item[name_key].startswith(prefix)), key=lambda item: item[name_key])


def _dms_tags(dms, arn: str) -> dict[str, str]:
    return _tag_dict(dms.list_tags_for_resource(ResourceArn=arn).get("TagList", []))


def db_instances(prefix: str) -> Found:
    """RDS DB instances, running or stopped; each deleted with no final snapshot and no retained backups."""
    rds = boto3.client("rds")
    for instance in _db_instances(rds, prefix):
        identifier = instance["DBInstanceIdentifier"]
        yield identifier, _rds_tags(rds, instance["DBInstanceArn"]), lambda i=identifier: _delete_db_instance(rds, i)


def _db_instances(rds, prefix: str = "") -> list[dict]:
    pages = rds.get_paginator("describe_db_instances").paginate()
    return sorted((i for page in pages for i in page["DBInstances"] if i["DBInstanceIdentifier"].startswith(prefix)),
                  key=lambda i: i["DBInstanceIdentifier"])


def _delete_db_instance(rds, identifier: str) -> str:
    """A stopped instance deletes as it is (no need to start it); one in a transition is waited out first."""
    status = lambda: _db_instance_status(rds, identifier)
    _wait_until(lambda: status() not in CHANGING_DB_INSTANCE_STATES, seconds=DELETE_SECONDS)
    was = status()
    if was not in ("deleting", None):
        rds.delete_db_instance(DBInstanceIdentifier=identifier, SkipFinalSnapshot=True, DeleteAutomatedBackups=True)
    return f"was {was}, no final snapshot, automated backups with it" if was else "gone already"


def _db_instance_status(rds, identifier: str) -> str | None:
    try:
        return rds.describe_db_instances(DBInstanceIdentifier=identifier)["DBInstances"][0]["DBInstanceStatus"]
    except rds.exceptions.DBInstanceNotFoundFault:
        return None


def db_snapshots(prefix: str) -> Found:
    """Manual DB snapshots named with the prefix: the course's by their own tags, or (taken without
    ``CopyTagsToSnapshot``) by their instance's while it is listed."""
    rds = boto3.client("rds")
    instance_tags = _instance_tags_by_identifier(rds, prefix)
    pages = rds.get_paginator("describe_db_snapshots").paginate(SnapshotType="manual")
    listed = sorted((s for page in pages for s in page["DBSnapshots"] if s["DBSnapshotIdentifier"].startswith(prefix)),
                    key=lambda s: s["DBSnapshotIdentifier"])
    for snapshot in listed:
        identifier, tags = snapshot["DBSnapshotIdentifier"], _rds_tags(rds, snapshot["DBSnapshotArn"])
        if "course" not in tags:
            tags = instance_tags.get(snapshot.get("DBInstanceIdentifier", ""), tags)
        yield identifier, tags, lambda i=identifier: _delete_snapshot(rds, i)


def _instance_tags_by_identifier(rds, prefix: str) -> dict[str, dict[str, str]]:
    return {i["DBInstanceIdentifier"]: _rds_tags(rds, i["DBInstanceArn"]) for i in _db_instances(rds, prefix)}


def _delete_snapshot(rds, identifier: str) -> str:
    """A snapshot being taken (a final snapshot while its instance is deleted) deletes once ``available``."""
    status = lambda: _snapshot_status(rds, identifier)
    _wait_until(lambda: status() != "creating", seconds=DELETE_SECONDS)
    if status() is not None:
        rds.delete_db_snapshot(DBSnapshotIdentifier=identifier)
    return "manual snapshot"


def _snapshot_status(rds, identifier: str) -> str | None:
    try:
        return rds.describe_db_snapshots(DBSnapshotIdentifier=identifier)["DBSnapshots"][0]["Status"]
    except rds.exceptions.DBSnapshotNotFoundFault:
        return None


def db_parameter_groups(prefix: str) -> Found:
    """DB parameter groups named with the prefix, once no DB instance (the course's being deleted) uses them."""
    rds = boto3.client("rds")
    pages = rds.get_paginator("describe_db_parameter_groups").paginate()
    listed = sorted((g for page in pages for g in page["DBParameterGroups"]
                     if g["DBParameterGroupName"].startswith(prefix)), key=lambda g: g["DBParameterGroupName"])
    for group in listed:
        name = group["DBParameterGroupName"]
        yield name, _rds_tags(rds, group["DBParameterGroupArn"]), lambda n=name: _delete_parameter_group(rds, n)


def _delete_parameter_group(rds, name: str) -> str:
    """Wait until no instance uses the group (the course's are being deleted); if another still does,
    DeleteDBParameterGroup's InvalidDBParameterGroupState says so."""
    _wait_until(lambda: not _instances_using(rds, name), seconds=DELETE_SECONDS)
    rds.delete_db_parameter_group(DBParameterGroupName=name)
    return ""


def _instances_using(rds, group: str) -> list[str]:
    return [i["DBInstanceIdentifier"] for i in _db_instances(rds)
            if any(g["DBParameterGroupName"] == group for g in i.get("DBParameterGroups", []))]


def _rds_tags(rds, arn: str) -> dict[str, str]:
    return _tag_dict(rds.list_tags_for_resource(ResourceName=arn).get("TagList", []))

