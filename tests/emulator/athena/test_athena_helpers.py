"""Shared helpers for the Athena tests: run SQL through the public API only (boto3)."""

from __future__ import annotations

import io

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

LAKE = "lakelab-lake"
RESULTS = "lakelab-results"
OUTPUT = f"s3://{RESULTS}/athena/"
FINAL = ("SUCCEEDED", "FAILED", "CANCELLED")


_clients: dict[tuple[str, str], object] = {}


def _client(endpoint: str, service: str):
    """boto3 clients are costly to create (about 0.1 s each) and thread-safe: one per service."""
    import boto3

    key = (endpoint, service)
    if key not in _clients:
        _clients[key] = boto3.client(service, region_name="us-east-1", endpoint_url=endpoint)
    return _clients[key]


class AthenaSession:
    def __init__(self, endpoint: str) -> None:
        self.athena, self.s3, self.glue = (_client(endpoint, s) for s in ("athena", "s3", "glue"))

    def start(self, sql: str, database: str | None = "lab", **kwargs) -> str:
        request = {"QueryString": sql, "ResultConfiguration": {"OutputLocation": OUTPUT}, **kwargs}
        if database:
            request.setdefault("QueryExecutionContext", {"Database": database})
        return self.athena.start_query_execution(**request)["QueryExecutionId"]

    def wait(self, execution_id: str) -> dict:
        while True:
            execution = self.athena.get_query_execution(QueryExecutionId=execution_id)["QueryExecution"]
            if execution["Status"]["State"] in FINAL:
                return execution

    def run(self, sql: str, database: str | None = "lab", **kwargs) -> dict:
        return self.wait(self.start(sql, database, **kwargs))

    def ok(self, sql: str, database: str | None = "lab") -> dict:
        execution = self.run(sql, database)
        assert execution["Status"]["State"] == "SUCCEEDED", execution["Status"].get("StateChangeReason")
        return execution

    def failure(self, sql: str, database: str | None = "lab") -> str:
        execution = self.run(sql, database)
        assert execution["Status"]["State"] == "FAILED", sql
        return execution["Status"]["StateChangeReason"]

    def rows(self, sql: str, database: str | None = "lab") -> list[list[str | None]]:
        """Data rows (header dropped) as strings, all pages."""
        execution = self.ok(sql, database)
        pages = self.athena.get_paginator("get_query_results").paginate(QueryExecutionId=execution["QueryExecutionId"])
        found = [[d.get("VarCharValue") for d in row["Data"]] for page in pages for row in page["ResultSet"]["Rows"]]
        return found[1:] if execution["StatementType"] == "DML" else found

    def value(self, sql: str, database: str | None = "lab") -> str | None:
        return self.rows(sql, database)[0][0]

    def put(self, key: str, body: bytes | str, bucket: str = LAKE) -> None:
        self.s3.put_object(Bucket=bucket, Key=key, Body=body.encode() if isinstance(body, str) else body)

    def put_parquet(self, key: str, frame: pd.DataFrame, **kwargs) -> None:
        buffer = io.BytesIO()
        pq.write_table(pa.Table.from_pandas(frame, preserve_index=False), buffer, **kwargs)
        self.put(key, buffer.getvalue())

    def keys(self, prefix: str, bucket: str = LAKE) -> list[str]:
        found = self.s3.list_objects_v2(Bucket=bucket, Prefix=prefix).get("Contents", [])
        return sorted(o["Key"] for o in found)

    def text(self, bucket: str, key: str) -> str:
        return self.s3.get_object(Bucket=bucket, Key=key)["Body"].read().decode()


@pytest.fixture
def athena(emulator) -> AthenaSession:
    session = AthenaSession(emulator.endpoint)
    session.s3.create_bucket(Bucket=LAKE)
    session.s3.create_bucket(Bucket=RESULTS)
    session.glue.create_database(DatabaseInput={"Name": "lab"})
    return session


def orders_frame(rows: int = 120) -> pd.DataFrame:
    """Small seeded orders: ids, customers, regions, amounts, quantities, days."""
    import numpy as np

    rng = np.random.default_rng(7)
    return pd.DataFrame({
        "order_id": np.arange(1, rows + 1, dtype="int64"),
        "customer": rng.choice(["ana", "ben", "cai", "dee", "eli"], rows),
        "region": rng.choice(["north", "south", "east"], rows),
        "amount": np.round(rng.random(rows) * 100, 2),
        "quantity": rng.integers(1, 20, rows).astype("int32"),
        "order_day": pd.Timestamp("2024-01-01") + pd.to_timedelta(rng.integers(0, 90, rows), unit="D"),
    })


def register_orders_csv(athena: AthenaSession, frame: pd.DataFrame, location: str = "orders_csv/") -> None:
    body = frame.assign(order_day=frame.order_day.dt.strftime("%Y-%m-%d")).to_csv(index=False, header=False)
    athena.put(f"{location}part-0.csv", body)
    athena.ok(f"""CREATE EXTERNAL TABLE orders_csv (order_id bigint, customer string, region string, amount double,
        quantity int, order_day date)
        ROW FORMAT DELIMITED FIELDS TERMINATED BY ',' LOCATION 's3://{LAKE}/{location}'""")


def register_orders_parquet(athena: AthenaSession, frame: pd.DataFrame, location: str = "orders_parquet/") -> None:
    athena.put_parquet(f"{location}part-0.parquet", frame.assign(order_day=frame.order_day.dt.date))
    athena.ok(f"""CREATE EXTERNAL TABLE orders (order_id bigint, customer string, region string, amount double,
        quantity int, order_day date) STORED AS PARQUET LOCATION 's3://{LAKE}/{location}'""")
