"""A running RDS for PostgreSQL instance, and psycopg connections to it as a learner makes them."""

from __future__ import annotations

from typing import Any

import psycopg
import pytest

PASSWORD = "lakelab-secret-1"


def create_postgres(rds: Any, identifier: str = "lakelab-shop", parameter_group: str | None = None,
                    **overrides: Any) -> dict[str, Any]:
    settings = {"DBInstanceIdentifier": identifier, "Engine": "postgres", "DBInstanceClass": "db.t4g.micro",
                "AllocatedStorage": 20, "MasterUsername": "shop_admin", "MasterUserPassword": PASSWORD,
                "DBName": "shop", **overrides}
    if parameter_group:
        settings["DBParameterGroupName"] = parameter_group
    rds.create_db_instance(**settings)
    rds.get_waiter("db_instance_available").wait(DBInstanceIdentifier=identifier)
    return rds.describe_db_instances(DBInstanceIdentifier=identifier)["DBInstances"][0]


def connect(instance: dict[str, Any], user: str = "shop_admin", password: str = PASSWORD,
            dbname: str | None = None) -> psycopg.Connection:
    endpoint = instance["Endpoint"]
    return psycopg.connect(host=endpoint["Address"], port=endpoint["Port"], user=user, password=password,
                           dbname=dbname or instance.get("DBName") or "postgres", autocommit=True, connect_timeout=5)


def logical_parameter_group(rds: Any, name: str = "lakelab-logical") -> str:
    rds.create_db_parameter_group(DBParameterGroupName=name, DBParameterGroupFamily="postgres16",
                                  Description="logical replication for DMS")
    rds.modify_db_parameter_group(DBParameterGroupName=name, Parameters=[
        {"ParameterName": "rds.logical_replication", "ParameterValue": "1", "ApplyMethod": "pending-reboot"}])
    return name


@pytest.fixture
def rds(client):
    return client("rds")
