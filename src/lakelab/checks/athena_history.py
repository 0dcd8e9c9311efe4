"""A workgroup's query history as checks read it: the queries that succeeded, and what they answered."""

from __future__ import annotations

import csv
import io

import boto3


def succeeded(workgroup: str) -> list[dict]:
    """The workgroup's newest SUCCEEDED queries (up to 50), DDL included."""
    athena = boto3.client("athena")
    ids = athena.list_query_executions(WorkGroup=workgroup, MaxResults=50)["QueryExecutionIds"]
    found = athena.batch_get_query_execution(QueryExecutionIds=ids)["QueryExecutions"] if ids else []
    return [q for q in found if q["Status"]["State"] == "SUCCEEDED"]


def succeeded_dml(workgroup: str) -> list[dict]:
    """The workgroup's newest SUCCEEDED queries (up to 50) that read data: SELECTs, not DDL."""
    return [q for q in succeeded(workgroup) if q.get("StatementType") == "DML"]


def _result_text(query: dict) -> str:
    bucket, key = query["ResultConfiguration"]["OutputLocation"][len("s3://"):].split("/", 1)
    return boto3.client("s3").get_object(Bucket=bucket, Key=key)["Body"].read().decode("utf-8")


def result_rows(query: dict) -> list[dict[str, str]]:
    """The query's result file as rows keyed by column name, values as Athena wrote them."""
    return list(csv.DictReader(io.StringIO(_result_text(query))))


def _value(cell: str) -> object:
    try:
        return round(float(cell), 2)
    except ValueError:
        return cell


def answer(query: dict) -> list[tuple]:
    """The query's result rows, numbers rounded to the cent, so CSV text and Parquet decimals compare."""
    rows = list(csv.reader(io.StringIO(_result_text(query))))[1:]
    return [tuple(_value(cell) for cell in row) for row in rows]
