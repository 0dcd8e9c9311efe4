"""A source database with the shop's orders, a lake bucket, a DMS role, and helpers to wait for files."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest

from tests.emulator.rds.conftest import PASSWORD, connect, create_postgres, logical_parameter_group

BUCKET = "lakelab-dms-raw"
ORDERS = [("o-000001", "c-00049", "2024-01-01 01:12:57", "delivered", "SKU-1009", "Field Notebook", 1, "7.65", "7.65",
           "GBP", "GB", "app"),
          ("o-000002", "c-00236", "2024-01-01 03:57:47", "delivered", "SKU-1012", 'Poster "Lake at Dawn", A2', 2,
           "18.34", "36.68", "USD", "US", "web")]
TABLE = """CREATE SCHEMA sales;
CREATE TABLE sales.orders (order_id text PRIMARY KEY, customer_id text, order_ts timestamp, status text,
  sku text, product text, quantity integer, unit_price numeric(10,2), amount numeric(10,2), currency text,
  country text, channel text)"""
SELECT_SALES = json.dumps({"rules": [{"rule-type": "selection", "rule-id": "1", "rule-name": "sales",
                                      "object-locator": {"schema-name": "sales", "table-name": "%"},
                                      "rule-action": "include"}]})


@pytest.fixture
def shop(client, service_role) -> dict[str, Any]:
    """An RDS instance with logical replication and sales.orders, the bucket, a DMS role, the clients."""
    rds, s3, dms = client("rds"), client("s3"), client("dms")
    instance = create_postgres(rds, parameter_group=logical_parameter_group(rds))
    with connect(instance) as connection:
        connection.execute(TABLE)
        with connection.cursor() as cursor:
            cursor.executemany("INSERT INTO sales.orders VALUES (%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s)", ORDERS)
    s3.create_bucket(Bucket=BUCKET)
    role = service_role("dms", "lakelab-dms-s3", actions=("s3:PutObject", "s3:ListBucket", "s3:GetObject"))
    replication = dms.create_replication_instance(ReplicationInstanceIdentifier="lakelab-ri",
                                                  ReplicationInstanceClass="dms.t3.micro",
                                                  AllocatedStorage=20)["ReplicationInstance"]
    return {"rds": rds, "s3": s3, "dms": dms, "instance": instance, "role": role,
            "replication_instance": replication["ReplicationInstanceArn"]}


def source_endpoint(shop: dict[str, Any], identifier: str = "lakelab-source", **overrides: Any) -> str:
    endpoint = shop["instance"]["Endpoint"]
    settings = {"EndpointIdentifier": identifier, "EndpointType": "source", "EngineName": "postgres",
                "ServerName": endpoint["Address"], "Port": endpoint["Port"], "DatabaseName": "shop",
                "Username": "shop_admin", "Password": PASSWORD, **overrides}
    return shop["dms"].create_endpoint(**settings)["Endpoint"]["EndpointArn"]


def s3_endpoint(shop: dict[str, Any], identifier: str = "lakelab-target", **s3_settings: Any) -> str:
    settings = {"BucketName": BUCKET, "BucketFolder": "dms", "ServiceAccessRoleArn": shop["role"],
                "DataFormat": "csv", "IncludeOpForFullLoad": True, "TimestampColumnName": "cdc_ts",
                "CdcMaxBatchInterval": 1, **s3_settings}
    return shop["dms"].create_endpoint(EndpointIdentifier=identifier, EndpointType="target", EngineName="s3",
                                       S3Settings=settings)["Endpoint"]["EndpointArn"]


def create_task(shop: dict[str, Any], source: str, target: str, migration: str = "full-load-and-cdc",
                mappings: str = SELECT_SALES, identifier: str = "lakelab-orders") -> str:
    return shop["dms"].create_replication_task(
        ReplicationTaskIdentifier=identifier, SourceEndpointArn=source, TargetEndpointArn=target,
        ReplicationInstanceArn=shop["replication_instance"], MigrationType=migration,
        TableMappings=mappings)["ReplicationTask"]["ReplicationTaskArn"]


def task(shop: dict[str, Any], arn: str) -> dict[str, Any]:
    return shop["dms"].describe_replication_tasks(
        Filters=[{"Name": "replication-task-arn", "Values": [arn]}])["ReplicationTasks"][0]


def wait_for_status(shop: dict[str, Any], arn: str, wanted: tuple[str, ...], timeout: float = 20.0) -> dict[str, Any]:
    deadline = time.time() + timeout
    while time.time() < deadline:
        found = task(shop, arn)
        if found["Status"] in wanted:
            return found
        time.sleep(0.05)
    raise AssertionError(f"task never reached {wanted}: {task(shop, arn)}")


def keys(shop: dict[str, Any], prefix: str = "dms/") -> list[str]:
    listing = shop["s3"].list_objects_v2(Bucket=BUCKET, Prefix=prefix)
    return sorted(item["Key"] for item in listing.get("Contents", []))


def wait_for_keys(shop: dict[str, Any], count: int, prefix: str = "dms/", timeout: float = 20.0) -> list[str]:
    deadline = time.time() + timeout
    while time.time() < deadline:
        found = keys(shop, prefix)
        if len(found) >= count:
            return found
        time.sleep(0.05)
    raise AssertionError(f"expected {count} objects under {prefix}, found {keys(shop, prefix)}")


def text(shop: dict[str, Any], key: str) -> str:
    return shop["s3"].get_object(Bucket=BUCKET, Key=key)["Body"].read().decode()
