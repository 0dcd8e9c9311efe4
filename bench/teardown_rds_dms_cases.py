"""Teardown of week 6b's database side in a busy account: finding the course's among many, then removing them.

Run as ``python bench/teardown_rds_dms_cases.py``; prints one JSON object on its last line, whose ``rows`` are
the table lines ``bench/run.py`` prints. The account holds the course's stack -- a PostgreSQL DB instance with
its parameter group and a manual snapshot, a replication instance, two endpoints and a running CDC task -- among
another team's 100 endpoints, 20 replication instances, 50 DB parameter groups, 20 DB instances (MySQL: moto's
control plane) and 100 manual snapshots. The figures: the six sweepers listing everything (median of five),
teardown finding week 6b's resources (every kind's sweeper, cold), removing the running task (stop, wait until
stopped, delete with its slot), then the rest.
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import time

KINDS = ("replication task", "endpoint", "replication instance", "db instance", "db snapshot", "db parameter group")
COURSE = {"course": "lakelab", "learner": "learner", "week": "06b"}
TAGS = [{"Key": k, "Value": v} for k, v in COURSE.items()]
PASSWORD = "bench-secret-1"




def _others() -> None:
    """Another team's resources: listed and judged, never removed."""
    import boto3

    rds, dms = boto3.client("rds"), boto3.client("dms")
    team_role = "arn:aws:iam::123456789012:role/team"
    for n in range(100):
        dms.create_endpoint(EndpointIdentifier=f"team-target-{n}", EndpointType="target", EngineName="s3",
                            S3Settings={"BucketName": "team-bucket", "ServiceAccessRoleArn": team_role})
    for n in range(20):
        dms.create_replication_instance(ReplicationInstanceIdentifier=f"team-ri-{n}",
                                        ReplicationInstanceClass="dms.t3.micro")
        rds.create_db_instance(DBInstanceIdentifier=f"team-db-{n}", Engine="mysql", DBInstanceClass="db.t3.micro",
                               AllocatedStorage=20, MasterUsername="admin", MasterUserPassword=PASSWORD)
    for n in range(50):
        rds.create_db_parameter_group(DBParameterGroupName=f"team-group-{n}", DBParameterGroupFamily="mysql8.0",
                                      Description="team")
    for n in range(100):
        rds.create_db_snapshot(DBInstanceIdentifier=f"team-db-{n % 20}", DBSnapshotIdentifier=f"team-snapshot-{n}")


def _course_stack() -> str:
    """The lab's source, replication instance, endpoints and a running CDC task; answers the task's ARN."""
    import boto3
    import psycopg

    rds, dms, s3, iam = boto3.client("rds"), boto3.client("dms"), boto3.client("s3"), boto3.client("iam")
    group = "lakelab-learner-source-postgres"
    rds.create_db_parameter_group(DBParameterGroupName=group, DBParameterGroupFamily="postgres16",
                                  Description="logical replication", Tags=TAGS)
    rds.modify_db_parameter_group(DBParameterGroupName=group, Parameters=[
        {"ParameterName": "rds.logical_replication", "ParameterValue": "1", "ApplyMethod": "pending-reboot"}])
    rds.create_db_instance(DBInstanceIdentifier="lakelab-learner-source", Engine="postgres", DBName="shop",
                           DBInstanceClass="db.t4g.micro", MasterUsername="shop_admin", MasterUserPassword=PASSWORD,
                           DBParameterGroupName=group, Tags=TAGS)
    endpoint = rds.describe_db_instances(DBInstanceIdentifier="lakelab-learner-source")["DBInstances"][0]["Endpoint"]
    with psycopg.connect(host=endpoint["Address"], port=endpoint["Port"], user="shop_admin", password=PASSWORD,
                         dbname="shop", autocommit=True) as connection:
        connection.execute("CREATE TABLE orders (order_id int PRIMARY KEY, status text)")
    rds.create_db_snapshot(DBInstanceIdentifier="lakelab-learner-source", DBSnapshotIdentifier="lakelab-learner-before",
                           Tags=TAGS)
    s3.create_bucket(Bucket="lakelab-learner-lake")
    trust = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "dms.amazonaws.com"},
                                                     "Action": "sts:AssumeRole"}]}
    role = iam.create_role(RoleName="bench-dms-target", AssumeRolePolicyDocument=json.dumps(trust))["Role"]["Arn"]
    iam.put_role_policy(RoleName="bench-dms-target", PolicyName="s3", PolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}))
    source = dms.create_endpoint(EndpointIdentifier="lakelab-learner-orders-source", EndpointType="source",
                                 EngineName="postgres", ServerName=endpoint["Address"], Port=endpoint["Port"],
                                 DatabaseName="shop", Username="shop_admin", Password=PASSWORD,
                                 Tags=TAGS)["Endpoint"]["EndpointArn"]
    target = dms.create_endpoint(EndpointIdentifier="lakelab-learner-lake-target", EndpointType="target",
                                 EngineName="s3", Tags=TAGS, S3Settings={
                                     "BucketName": "lakelab-learner-lake", "ServiceAccessRoleArn": role,
                                     "CdcMaxBatchInterval": 1})["Endpoint"]["EndpointArn"]
    replication = dms.create_replication_instance(ReplicationInstanceIdentifier="lakelab-learner-replication",
                                                  ReplicationInstanceClass="dms.t3.micro", Tags=TAGS)
    mappings = json.dumps({"rules": [{"rule-type": "selection", "rule-id": "1", "rule-name": "1", "object-locator":
                                      {"schema-name": "public", "table-name": "orders"}, "rule-action": "include"}]})
    task = dms.create_replication_task(
        ReplicationTaskIdentifier="lakelab-learner-orders-cdc", SourceEndpointArn=source, TargetEndpointArn=target,
        ReplicationInstanceArn=replication["ReplicationInstance"]["ReplicationInstanceArn"], MigrationType="cdc",
        TableMappings=mappings, Tags=TAGS)["ReplicationTask"]["ReplicationTaskArn"]
    dms.start_replication_task(ReplicationTaskArn=task, StartReplicationTaskType="start-replication")
    filters = [{"Name": "replication-task-arn", "Values": [task]}]
    while dms.describe_replication_tasks(Filters=filters)["ReplicationTasks"][0]["Status"] != "running":
        time.sleep(0.05)
    return task


def main() -> None:
    from teardown_cases import _start  # the emulator as a lab kernel runs it, as the other teardown bench starts it

    from lakelab.lab import sweepers, teardown

    emulator = _start()
    try:
        _others()
        _course_stack()
        prefix = "lakelab-learner-"
        chosen = [sweeper for kind, sweeper in sweepers.ORDER if kind in KINDS]
        listings = []
        for _ in range(5):
            started = time.perf_counter()
            [item for sweeper in chosen for item in sweeper(prefix)]
            listings.append(time.perf_counter() - started)
        started = time.perf_counter()
        found = [r for r in teardown.find(week="6b") if r.kind in KINDS]
        finding = time.perf_counter() - started
        removing = {}
        for resource in found:
            started = time.perf_counter()
            resource.remove()
            removing[resource.kind] = removing.get(resource.kind, 0.0) + time.perf_counter() - started
        assert [r.kind for r in found] == ["replication task", "endpoint", "endpoint", "replication instance",
                                           "db instance", "db snapshot", "db parameter group"], found
        assert [r for r in teardown.find(week="6b") if r.kind in KINDS] == []
    finally:
        emulator.stop()
    rest = sum(seconds for kind, seconds in removing.items() if kind != "replication task")
    rows = [
        ("teardown: list DMS tasks/endpoints/instances, RDS", statistics.median(listings),
         "100 endpoints, 21 replication instances, 21 DB instances, 101 snapshots, 51 groups; median of 5"),
        ("teardown: find week 6b's resources (every kind's sweeper)", finding, "first listing of every kind, cold"),
        ("teardown: remove 6b's running CDC task", removing["replication task"],
         "stop, wait until stopped, delete (slot dropped), wait until gone"),
        ("teardown: remove 6b's endpoints, instances, snapshot, group", rest,
         f"{len(found) - 1} resources; the DB instance's server stopped and its data removed"),
    ]
    print(json.dumps({"listing_s": listings, "finding_s": finding, "removing_s": removing, "rows": rows}))


if __name__ == "__main__":
    sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "src"))
    main()
    os._exit(0)  # skip the slow interpreter teardown of the emulator's threads and workers
