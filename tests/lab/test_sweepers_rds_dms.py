"""Teardown sweeps week 6b's database side: DMS replication tasks (a running one stopped first), then their
endpoints and replication instance; RDS DB instances (a stopped one too), the manual snapshots the course
tagged, then DB parameter groups. What is not the course's stays."""

from __future__ import annotations

from typing import Any

import pytest

from lakelab.lab import sweepers, sweepers_rds_dms, teardown
from tests.emulator.dms.conftest import BUCKET, SELECT_SALES, TABLE, source_endpoint, wait_for_status
from tests.emulator.rds.conftest import connect, create_postgres, logical_parameter_group

WEEK_6B = {"course": "lakelab", "learner": "jd", "week": "06b"}
TAGS = [{"Key": k, "Value": v} for k, v in WEEK_6B.items()]
OTHER_LEARNER = [{**tag, "Value": "ab"} if tag["Key"] == "learner" else tag for tag in TAGS]
CDC = "full-load-and-cdc"


@pytest.fixture
def learner(monkeypatch):
    monkeypatch.setenv("LAKELAB_LEARNER", "jd")


@pytest.fixture
def source(client, service_role, learner) -> dict[str, Any]:
    """The lab's source: a tagged parameter group and PostgreSQL instance with sales.orders, the bucket,
    the DMS role, a tagged replication instance -- shaped as the DMS tests' ``shop``."""
    rds, s3, dms, iam = client("rds"), client("s3"), client("dms"), client("iam")
    group = logical_parameter_group(rds, "lakelab-jd-source-postgres")
    rds.add_tags_to_resource(ResourceName=_group_arn(rds, group), Tags=TAGS)
    instance = create_postgres(rds, "lakelab-jd-source", parameter_group=group, Tags=TAGS)
    with connect(instance) as connection:
        connection.execute(TABLE)
        connection.execute("INSERT INTO sales.orders (order_id, status) VALUES ('o-000001', 'placed')")
    s3.create_bucket(Bucket=BUCKET)
    role = service_role("dms", "lakelab-jd-dms-s3-target", actions=("s3:PutObject", "s3:ListBucket", "s3:GetObject"))
    iam.tag_role(RoleName="lakelab-jd-dms-s3-target", Tags=TAGS)
    replication = dms.create_replication_instance(ReplicationInstanceIdentifier="lakelab-jd-replication",
                                                  ReplicationInstanceClass="dms.t3.micro", AllocatedStorage=20,
                                                  Tags=TAGS)["ReplicationInstance"]
    return {"rds": rds, "s3": s3, "dms": dms, "instance": instance, "role": role,
            "replication_instance": replication["ReplicationInstanceArn"]}


def _group_arn(rds, name: str) -> str:
    return rds.describe_db_parameter_groups(DBParameterGroupName=name)["DBParameterGroups"][0]["DBParameterGroupArn"]


def _course_task(source: dict[str, Any]) -> str:
    """The lab's CDC task, tagged, its endpoints tagged, started and running (tags given at create: the
    emulator's DMS has no AddTagsToResource)."""
    dms = source["dms"]
    from_db = source_endpoint(source, "lakelab-jd-orders-source", Tags=TAGS)
    to_lake = dms.create_endpoint(EndpointIdentifier="lakelab-jd-lake-target", EndpointType="target", EngineName="s3",
                                  S3Settings={"BucketName": BUCKET, "BucketFolder": "dms", "CdcMaxBatchInterval": 1,
                                              "ServiceAccessRoleArn": source["role"]},
                                  Tags=TAGS)["Endpoint"]["EndpointArn"]
    arn = dms.create_replication_task(ReplicationTaskIdentifier="lakelab-jd-orders-cdc", SourceEndpointArn=from_db,
                                      TargetEndpointArn=to_lake, ReplicationInstanceArn=source["replication_instance"],
                                      MigrationType=CDC, TableMappings=SELECT_SALES,
                                      Tags=TAGS)["ReplicationTask"]["ReplicationTaskArn"]
    dms.start_replication_task(ReplicationTaskArn=arn, StartReplicationTaskType="start-replication")
    wait_for_status(source, arn, ("running",))
    return arn


def _not_the_courses(source: dict[str, Any]) -> None:
    """Prefixed but untagged, another learner's, or another week's: all stay."""
    rds, dms = source["rds"], source["dms"]
    rds.create_db_parameter_group(DBParameterGroupName="lakelab-jd-untagged", DBParameterGroupFamily="mysql8.0",
                                  Description="the course's prefix, not its tags")
    rds.create_db_instance(DBInstanceIdentifier="lakelab-ab-source", Engine="mysql", DBInstanceClass="db.t3.micro",
                           AllocatedStorage=20, MasterUsername="admin", MasterUserPassword="secret-password-1",
                           Tags=OTHER_LEARNER)
    rds.create_db_snapshot(DBInstanceIdentifier="lakelab-ab-source", DBSnapshotIdentifier="lakelab-jd-keep")
    dms.create_replication_instance(ReplicationInstanceIdentifier="lakelab-jd-untagged",
                                    ReplicationInstanceClass="dms.t3.micro", AllocatedStorage=20)
    dms.create_endpoint(EndpointIdentifier="lakelab-jd-week7-target", EndpointType="target", EngineName="s3",
                        S3Settings={"BucketName": BUCKET, "ServiceAccessRoleArn": source["role"]},
                        Tags=[{**tag, "Value": "07"} if tag["Key"] == "week" else tag for tag in TAGS])


def test_the_courses_tasks_endpoints_instances_snapshots_and_groups_go_in_dependency_order(source):
    rds, dms = source["rds"], source["dms"]
    _course_task(source)
    rds.create_db_snapshot(DBInstanceIdentifier="lakelab-jd-source", DBSnapshotIdentifier="lakelab-jd-before-cdc",
                           Tags=TAGS)
    rds.create_db_snapshot(DBInstanceIdentifier="lakelab-jd-source", DBSnapshotIdentifier="lakelab-jd-untagged-copy")
    rds.create_db_instance(DBInstanceIdentifier="lakelab-jd-scratch", Engine="mysql", DBInstanceClass="db.t3.micro",
                           AllocatedStorage=20, MasterUsername="admin", MasterUserPassword="secret-password-1",
                           Tags=TAGS)
    rds.stop_db_instance(DBInstanceIdentifier="lakelab-jd-scratch")
    _not_the_courses(source)

    assert teardown.teardown(week=6, report=lambda line: None) == []  # week 6's first lab keeps them
    expected = [("replication task", "lakelab-jd-orders-cdc"), ("endpoint", "lakelab-jd-lake-target"),
                ("endpoint", "lakelab-jd-orders-source"), ("replication instance", "lakelab-jd-replication"),
                ("db instance", "lakelab-jd-scratch"), ("db instance", "lakelab-jd-source"),
                ("db snapshot", "lakelab-jd-before-cdc"), ("db snapshot", "lakelab-jd-untagged-copy"),
                ("db parameter group", "lakelab-jd-source-postgres"), ("role", "lakelab-jd-dms-s3-target")]
    listed: list[str] = []
    assert [(r.kind, r.name) for r in teardown.teardown(week="6b", dry_run=True, report=listed.append)] == expected
    assert listed[0] == "would remove replication task lakelab-jd-orders-cdc (week 06b)"
    assert dms.describe_replication_tasks()["ReplicationTasks"]  # a dry run removes nothing

    lines: list[str] = []
    assert [(r.kind, r.name) for r in teardown.teardown(week="6b", report=lines.append)] == expected
    assert lines[0] == ("removed replication task lakelab-jd-orders-cdc (week 06b) · stopped, then deleted, "
                        "its replication slot with it")
    assert lines[4].startswith("removed db instance lakelab-jd-scratch (week 06b) · was stopped, no final snapshot")
    assert _left(source) == {
        "tasks": [], "endpoints": ["lakelab-jd-week7-target"], "replication instances": ["lakelab-jd-untagged"],
        "db instances": ["lakelab-ab-source"], "snapshots": ["lakelab-jd-keep"],
        "parameter groups": ["lakelab-jd-untagged"]}
    assert teardown.teardown(week="6b", report=lambda line: None) == []


def _left(source: dict[str, Any]) -> dict[str, list[str]]:
    rds, dms = source["rds"], source["dms"]
    groups = [g["DBParameterGroupName"] for g in rds.describe_db_parameter_groups()["DBParameterGroups"]]
    return {"tasks": [t["ReplicationTaskIdentifier"] for t in _or_none(dms.describe_replication_tasks,
                                                                       "ReplicationTasks")],
            "endpoints": [e["EndpointIdentifier"] for e in _or_none(dms.describe_endpoints, "Endpoints")],
            "replication instances": [i["ReplicationInstanceIdentifier"] for i in _or_none(
                dms.describe_replication_instances, "ReplicationInstances")],
            "db instances": [i["DBInstanceIdentifier"] for i in rds.describe_db_instances()["DBInstances"]],
            "snapshots": [s["DBSnapshotIdentifier"] for s in rds.describe_db_snapshots(
                SnapshotType="manual")["DBSnapshots"]],
            "parameter groups": sorted(g for g in groups if g.startswith("lakelab-"))}


def _or_none(call, key: str) -> list[dict]:
    try:
        return call()[key]
    except Exception as error:  # DMS may answer an empty listing with ResourceNotFoundFault
        if "ResourceNotFound" not in type(error).__name__:
            raise
        return []


def test_a_running_task_is_stopped_then_deleted_and_its_slot_dropped(source):
    arn = _course_task(source)
    with connect(source["instance"]) as connection:
        assert connection.execute("SELECT count(*) FROM pg_replication_slots").fetchone()[0] == 1
    (name, tags, remove), = sweepers_rds_dms.replication_tasks("lakelab-jd-")
    assert (name, tags) == ("lakelab-jd-orders-cdc", WEEK_6B)
    assert remove() == "stopped, then deleted, its replication slot with it"
    assert sweepers_rds_dms._task_status(source["dms"], arn) is None
    with connect(source["instance"]) as connection:  # the source lives on: only the slot is gone
        assert connection.execute("SELECT count(*) FROM pg_replication_slots").fetchone()[0] == 0


def test_a_snapshot_without_tags_goes_only_with_its_course_instance(source):
    rds = source["rds"]
    rds.create_db_snapshot(DBInstanceIdentifier="lakelab-jd-source", DBSnapshotIdentifier="lakelab-jd-copy")
    listed = {name: tags for name, tags, _ in sweepers_rds_dms.db_snapshots("lakelab-jd-")}
    assert listed == {"lakelab-jd-copy": WEEK_6B}  # its instance's tags, while the instance is there
    rds.delete_db_instance(DBInstanceIdentifier="lakelab-jd-source", SkipFinalSnapshot=True)
    assert {name: tags for name, tags, _ in sweepers_rds_dms.db_snapshots("lakelab-jd-")} == {"lakelab-jd-copy": {}}


def test_tasks_go_before_endpoints_and_instances_and_db_instances_before_their_snapshots_and_groups():
    kinds = {"db parameter group", "endpoint", "db instance", "role", "replication instance", "replication task",
             "bucket"}
    assert [kind for kind, _ in sweepers.in_dependency_order(kinds)] == [
        "replication task", "endpoint", "replication instance", "db instance", "db snapshot", "db parameter group",
        "bucket", "role"]
    assert {sweepers.SERVICE_OF[kind] for kind in ("replication task", "endpoint", "replication instance")} == {"dms"}
    assert {sweepers.SERVICE_OF[kind] for kind in ("db instance", "db snapshot", "db parameter group")} == {"rds"}
