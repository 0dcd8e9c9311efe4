"""Shared set-up for the Lake Formation tests: a lake as a learner builds it, and an analyst who queries it.

Everything goes through boto3: the course's credentials (the account's root) build the lake and
administer Lake Formation; the analyst is a role assumed through STS, allowed Athena, Glue and the
results bucket by IAM -- and nothing in the lake bucket, so what it reads, it reads through Lake
Formation.
"""

from __future__ import annotations

import io
import json
from dataclasses import dataclass

import boto3
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

ACCOUNT = "123456789012"
LAKE, RESULTS = "lakelab-lake", "lakelab-results"
OUTPUT = f"s3://{RESULTS}/athena/"
FINAL = ("SUCCEEDED", "FAILED", "CANCELLED")
CUSTOMERS = pd.DataFrame({"id": [1, 2, 3, 4, 5], "name": ["Ana", "Ben", "Cai", "Dee", "Eli"],
                          "email": ["ana@x.io", "ben@x.io", "cai@x.io", "dee@x.io", "eli@x.io"],
                          "country": ["FR", "DE", "FR", "US", "DE"]})
TRUST_ACCOUNT = {"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"}, "Action": "sts:AssumeRole"}]}
ANALYST_POLICY = {"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Action": ["athena:*", "glue:Get*", "lakeformation:GetDataAccess"], "Resource": "*"},
    {"Effect": "Allow", "Action": "s3:*", "Resource": [f"arn:aws:s3:::{RESULTS}", f"arn:aws:s3:::{RESULTS}/*"]}]}


class Querier:
    """Athena as one principal: run SQL, read rows or the failure."""

    def __init__(self, athena) -> None:
        self.athena = athena

    def run(self, sql: str) -> dict:
        execution_id = self.athena.start_query_execution(
            QueryString=sql, QueryExecutionContext={"Database": "lake"},
            ResultConfiguration={"OutputLocation": OUTPUT})["QueryExecutionId"]
        while True:
            execution = self.athena.get_query_execution(QueryExecutionId=execution_id)["QueryExecution"]
            if execution["Status"]["State"] in FINAL:
                return execution

    def rows(self, sql: str) -> list[list[str | None]]:
        """Header and rows, as strings."""
        execution = self.run(sql)
        assert execution["Status"]["State"] == "SUCCEEDED", execution["Status"].get("StateChangeReason")
        pages = self.athena.get_paginator("get_query_results").paginate(QueryExecutionId=execution["QueryExecutionId"])
        return [[d.get("VarCharValue") for d in row["Data"]] for page in pages for row in page["ResultSet"]["Rows"]]

    def failure(self, sql: str) -> str:
        execution = self.run(sql)
        assert execution["Status"]["State"] == "FAILED", sql
        return execution["Status"]["StateChangeReason"]


@dataclass
class Lake:
    endpoint: str
    lf: object
    glue: object
    s3: object
    iam: object
    admin: Querier

    def role(self, name: str, policy: dict = ANALYST_POLICY) -> str:
        arn = self.iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(TRUST_ACCOUNT))["Role"]["Arn"]
        self.iam.put_role_policy(RoleName=name, PolicyName="work", PolicyDocument=json.dumps(policy))
        return arn

    def session(self, role_arn: str, service: str):
        """A boto3 client of ``service`` for a session of the role, as a notebook opens one per persona."""
        sts = boto3.client("sts", region_name="us-east-1", endpoint_url=self.endpoint)
        credentials = sts.assume_role(RoleArn=role_arn, RoleSessionName="persona")["Credentials"]
        return boto3.client(service, region_name="us-east-1", endpoint_url=self.endpoint,
                            aws_access_key_id=credentials["AccessKeyId"],
                            aws_secret_access_key=credentials["SecretAccessKey"],
                            aws_session_token=credentials["SessionToken"])

    def querier(self, role_arn: str) -> Querier:
        return Querier(self.session(role_arn, "athena"))

    def put_table(self, name: str, frame: pd.DataFrame = CUSTOMERS) -> None:
        buffer = io.BytesIO()
        pq.write_table(pa.Table.from_pandas(frame, preserve_index=False), buffer)
        self.s3.put_object(Bucket=LAKE, Key=f"curated/{name}/part-0.parquet", Body=buffer.getvalue())
        columns = ", ".join(f"{c} {'bigint' if frame[c].dtype.kind == 'i' else 'string'}" for c in frame.columns)
        self.admin.rows(f"CREATE EXTERNAL TABLE {name} ({columns}) STORED AS PARQUET "
                        f"LOCATION 's3://{LAKE}/curated/{name}/'")

    def govern(self, table: str = "customers") -> None:
        """Register the curated zone and take IAMAllowedPrincipals off ``table``: Lake Formation decides."""
        try:
            self.lf.register_resource(ResourceArn=f"arn:aws:s3:::{LAKE}/curated", UseServiceLinkedRole=True)
        except self.lf.exceptions.AlreadyExistsException:
            pass
        self.lf.revoke_permissions(Principal={"DataLakePrincipalIdentifier": "IAM_ALLOWED_PRINCIPALS"},
                                   Resource={"Table": {"DatabaseName": "lake", "Name": table}}, Permissions=["ALL"])

    def grant(self, principal: str, resource: dict, permissions: tuple[str, ...] = ("SELECT",), **kwargs) -> None:
        self.lf.grant_permissions(Principal={"DataLakePrincipalIdentifier": principal}, Resource=resource,
                                  Permissions=list(permissions), **kwargs)

    def revoke(self, principal: str, resource: dict, permissions: tuple[str, ...] = ("SELECT",)) -> None:
        self.lf.revoke_permissions(Principal={"DataLakePrincipalIdentifier": principal}, Resource=resource,
                                   Permissions=list(permissions))

    def result_files(self) -> list[str]:
        found = self.s3.list_objects_v2(Bucket=RESULTS, Prefix="athena/").get("Contents", [])
        return sorted(o["Key"] for o in found)


def columns(table: str = "customers", names: tuple[str, ...] = (), excluded: tuple[str, ...] | None = None) -> dict:
    body: dict = {"DatabaseName": "lake", "Name": table}
    if excluded is not None:
        body["ColumnWildcard"] = {"ExcludedColumnNames": list(excluded)}
    else:
        body["ColumnNames"] = list(names)
    return {"TableWithColumns": body}


def table(name: str = "customers") -> dict:
    return {"Table": {"DatabaseName": "lake", "Name": name}}


@pytest.fixture
def lake(emulator, client) -> Lake:
    s3 = client("s3")
    s3.create_bucket(Bucket=LAKE)
    s3.create_bucket(Bucket=RESULTS)
    client("glue").create_database(DatabaseInput={"Name": "lake"})
    found = Lake(emulator.endpoint, client("lakeformation"), client("glue"), s3, client("iam"),
                 Querier(client("athena")))
    found.put_table("customers")
    return found
