"""Shared helpers for the Redshift tests: SQL through the Data API, as a learner's boto3 code runs it."""

from __future__ import annotations

import io
import time

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

CLUSTER = "lab-cluster"
BUCKET = "lakelab-warehouse"
FINAL = ("FINISHED", "FAILED", "ABORTED")


class Redshift:
    def __init__(self, client, **target) -> None:
        self.data = client("redshift-data")
        self.s3 = client("s3")
        self.target = target or {"ClusterIdentifier": CLUSTER, "DbUser": "awsuser"}

    def start(self, sql: str, **kwargs) -> str:
        return self.data.execute_statement(Database="dev", Sql=sql, **self.target, **kwargs)["Id"]

    def wait(self, statement_id: str) -> dict:
        deadline = time.time() + 60
        while time.time() < deadline:
            found = self.data.describe_statement(Id=statement_id)
            if found["Status"] in FINAL:
                return found
        raise AssertionError(f"statement {statement_id} did not end")

    def run(self, sql: str, **kwargs) -> dict:
        return self.wait(self.start(sql, **kwargs))

    def ok(self, sql: str, **kwargs) -> dict:
        found = self.run(sql, **kwargs)
        assert found["Status"] == "FINISHED", found.get("Error")
        return found

    def failure(self, sql: str, **kwargs) -> str:
        found = self.run(sql, **kwargs)
        assert found["Status"] == "FAILED", sql
        return found["Error"]

    def rows(self, sql: str, **kwargs) -> list[list]:
        """Rows as Python values read from the typed fields, all pages."""
        found = self.ok(sql, **kwargs)
        pages = self.data.get_paginator("get_statement_result").paginate(Id=found["Id"])
        return [[value(f) for f in record] for page in pages for record in page["Records"]]

    def value(self, sql: str, **kwargs):
        return self.rows(sql, **kwargs)[0][0]

    def put(self, key: str, body: bytes | str, bucket: str = BUCKET) -> None:
        self.s3.put_object(Bucket=bucket, Key=key, Body=body.encode() if isinstance(body, str) else body)

    def put_parquet(self, key: str, table: pa.Table, bucket: str = BUCKET) -> None:
        buffer = io.BytesIO()
        pq.write_table(table, buffer)
        self.put(key, buffer.getvalue(), bucket)

    def keys(self, prefix: str, bucket: str = BUCKET) -> list[str]:
        return sorted(o["Key"] for o in self.s3.list_objects_v2(Bucket=bucket, Prefix=prefix).get("Contents", []))


def value(field: dict):
    if field.get("isNull"):
        return None
    return next(iter(field.values()))


@pytest.fixture
def warehouse_role(service_role):
    """A role Redshift may assume, allowed S3 and Glue."""
    return service_role("redshift", "lakelab-redshift", ("s3:*", "glue:*"))


@pytest.fixture
def redshift(emulator, client, warehouse_role) -> Redshift:
    """A cluster with the warehouse role associated, a bucket, and a session on its ``dev`` database."""
    client("redshift").create_cluster(ClusterIdentifier=CLUSTER, NodeType="ra3.large", MasterUsername="awsuser",
                                      MasterUserPassword="Lakelab-Passw0rd", IamRoles=[warehouse_role],
                                      DefaultIamRoleArn=warehouse_role)
    client("s3").create_bucket(Bucket=BUCKET)
    return Redshift(client)
