"""RDS for PostgreSQL and DMS: the server's start time and memory, and commit -> CDC file latency.

Run as ``python bench/rds_dms_cases.py``; prints one JSON object on its last line, whose ``rows``
are the table lines ``bench/run.py`` prints.

- start: ``CreateDBInstance`` until the instance answers ``available`` (a copy of the process's one
  initdb'd cluster, start, roles; the first instance runs initdb too), and
  a ``RebootDBInstance`` (the restart that applies ``rds.logical_replication``), median of trials.
- memory: the server's processes (postmaster and its children) after a few writes, as PSS
  (shared pages divided among the processes sharing them) where the platform reports it.
- latency: a CDC task with ``CdcMaxBatchInterval`` = 1 s; a row committed, then the time until its
  CDC file is listed in S3 (AWS: "seconds to a minute"; its default batch interval is 60 s).
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import time

TRIALS = 3
CHANGES = 10


def _start():
    import boto3

    from lakelab.emulator import Emulator

    emulator = Emulator().start()
    os.environ.update(AWS_ENDPOINT_URL=emulator.endpoint, AWS_ACCESS_KEY_ID="testing",
                      AWS_SECRET_ACCESS_KEY="testing", AWS_DEFAULT_REGION="us-east-1")
    return emulator, boto3.client


def _create(rds, name: str, group: str | None = None) -> dict:
    extra = {"DBParameterGroupName": group} if group else {}
    rds.create_db_instance(DBInstanceIdentifier=name, Engine="postgres", DBInstanceClass="db.t4g.micro",
                           MasterUsername="bench_admin", MasterUserPassword="bench-secret-1", DBName="shop", **extra)
    return rds.describe_db_instances(DBInstanceIdentifier=name)["DBInstances"][0]


def starts(rds) -> tuple[list[float], list[float]]:
    created, rebooted = [], []
    for trial in range(TRIALS):
        began = time.perf_counter()
        _create(rds, f"bench-start-{trial}")
        created.append(time.perf_counter() - began)
        began = time.perf_counter()
        rds.reboot_db_instance(DBInstanceIdentifier=f"bench-start-{trial}")
        rebooted.append(time.perf_counter() - began)
        rds.delete_db_instance(DBInstanceIdentifier=f"bench-start-{trial}", SkipFinalSnapshot=True)
    return created, rebooted


def memory_mb(instance: dict) -> float:
    import psutil
    import psycopg

    from lakelab.emulator.services.rds import calls

    endpoint = instance["Endpoint"]
    with psycopg.connect(host=endpoint["Address"], port=endpoint["Port"], user="bench_admin",
                         password="bench-secret-1", dbname="shop", autocommit=True) as connection:
        connection.execute("CREATE TABLE IF NOT EXISTS warm AS SELECT g AS id FROM generate_series(1, 10000) g")
        server = calls.server_at(endpoint["Address"], endpoint["Port"])
        total = 0
        for process in psutil.Process(server.process.pid).children(recursive=True):
            info = process.memory_full_info()
            total += getattr(info, "pss", info.rss)
    return total / 1e6


def latencies(client, instance: dict) -> list[float]:
    import psycopg

    rds_endpoint = instance["Endpoint"]
    s3, dms, iam = client("s3"), client("dms"), client("iam")
    s3.create_bucket(Bucket="bench-dms")
    trust = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "dms.amazonaws.com"},
                                                     "Action": "sts:AssumeRole"}]}
    role = iam.create_role(RoleName="bench-dms", AssumeRolePolicyDocument=json.dumps(trust))["Role"]["Arn"]
    iam.put_role_policy(RoleName="bench-dms", PolicyName="s3", PolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}))
    with psycopg.connect(host=rds_endpoint["Address"], port=rds_endpoint["Port"], user="bench_admin",
                         password="bench-secret-1", dbname="shop", autocommit=True) as connection:
        connection.execute("CREATE TABLE orders (order_id int PRIMARY KEY, status text)")
        source = dms.create_endpoint(EndpointIdentifier="bench-source", EndpointType="source", EngineName="postgres",
                                     ServerName=rds_endpoint["Address"], Port=rds_endpoint["Port"], DatabaseName="shop",
                                     Username="bench_admin", Password="bench-secret-1")["Endpoint"]["EndpointArn"]
        target = dms.create_endpoint(EndpointIdentifier="bench-target", EndpointType="target", EngineName="s3",
                                     S3Settings={"BucketName": "bench-dms", "ServiceAccessRoleArn": role,
                                                 "CdcMaxBatchInterval": 1})["Endpoint"]["EndpointArn"]
        instance_arn = dms.create_replication_instance(ReplicationInstanceIdentifier="bench-ri",
                                                       ReplicationInstanceClass="dms.t3.micro")[
            "ReplicationInstance"]["ReplicationInstanceArn"]
        mappings = json.dumps({"rules": [{"rule-type": "selection", "rule-id": "1", "rule-name": "1", "object-locator":
                                          {"schema-name": "public", "table-name": "orders"}, "rule-action": "include"}]})
        task = dms.create_replication_task(ReplicationTaskIdentifier="bench-cdc", SourceEndpointArn=source,
                                           TargetEndpointArn=target, ReplicationInstanceArn=instance_arn,
                                           MigrationType="cdc", TableMappings=mappings)["ReplicationTask"]
        dms.start_replication_task(ReplicationTaskArn=task["ReplicationTaskArn"],
                                   StartReplicationTaskType="start-replication")
        while dms.describe_replication_tasks()["ReplicationTasks"][0]["Status"] != "running":
            time.sleep(0.05)
        found = []
        for number in range(CHANGES):
            before = s3.list_objects_v2(Bucket="bench-dms").get("KeyCount", 0)
            connection.execute("INSERT INTO orders VALUES (%s, 'placed')", (number,))
            committed = time.perf_counter()
            while s3.list_objects_v2(Bucket="bench-dms").get("KeyCount", 0) <= before:
                time.sleep(0.01)
            found.append(time.perf_counter() - committed)
            time.sleep(0.3 * (number % 4))  # commits at different points of the batch interval
        dms.stop_replication_task(ReplicationTaskArn=task["ReplicationTaskArn"])
    return found


def main() -> None:
    emulator, client = _start()
    try:
        rds = client("rds")
        created, rebooted = starts(rds)
        instance = _create(rds, "bench-cdc")
        rds.create_db_parameter_group(DBParameterGroupName="bench-logical", DBParameterGroupFamily="postgres16",
                                      Description="bench")
        rds.modify_db_parameter_group(DBParameterGroupName="bench-logical", Parameters=[
            {"ParameterName": "rds.logical_replication", "ParameterValue": "1", "ApplyMethod": "pending-reboot"}])
        rds.modify_db_instance(DBInstanceIdentifier="bench-cdc", DBParameterGroupName="bench-logical")
        rds.reboot_db_instance(DBInstanceIdentifier="bench-cdc")
        megabytes = memory_mb(instance)
        late = latencies(client, instance)
    finally:
        emulator.stop()
    rows = [
        ("RDS: CreateDBInstance (postgres) to available", statistics.median(created),
         f"median of {TRIALS} (the first, with the process's one initdb: {created[0]:.2f} s; AWS: minutes)"),
        ("RDS: RebootDBInstance (applies static parameters)", statistics.median(rebooted), f"median of {TRIALS}"),
        ("RDS: PostgreSQL server memory (PSS, MB)", megabytes, "postmaster and its children after a small table"),
        ("DMS: commit in PostgreSQL -> CDC file in S3", statistics.median(late),
         f"median of {CHANGES}, worst {max(late):.2f} s, CdcMaxBatchInterval 1 s (AWS: seconds to a minute)"),
    ]
    print(json.dumps({"create_s": created, "reboot_s": rebooted, "memory_mb": megabytes, "latency_s": late,
                      "rows": rows}))


if __name__ == "__main__":
    sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "src"))
    main()
