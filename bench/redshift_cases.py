"""Redshift: the 2M-row GROUP BY through the Data API, and COPY of the same 2M Parquet rows.

Run as ``python bench/redshift_cases.py``; prints one JSON object on its last line, whose ``rows``
are the table lines ``bench/run.py`` prints. The Parquet file is the Athena case's (2M rows, about
55 MB, seeded). Baselines, measured in the same process: DuckDB's GROUP BY on the local file, and
DuckDB's ``CREATE TABLE AS SELECT * FROM read_parquet(...)`` of it, in memory and into a database
file (a Redshift database is one: see ``services/redshift/warehouse``). The Data API figure is end to
end, as a learner's code pays it: ExecuteStatement, DescribeStatement until FINISHED,
GetStatementResult -- on the COPY'd table, and through Spectrum on the file in S3; then the same
query over the cluster's Endpoint with ``redshift_connector`` (PostgreSQL's wire protocol).
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(__file__))

from service_cases import GROUP_BY, _emulator, _sales_parquet  # noqa: E402

TARGET = {"ClusterIdentifier": "bench", "Database": "dev", "DbUser": "awsuser"}
SALES = "CREATE TABLE sales (id BIGINT, category VARCHAR(8), amount DOUBLE PRECISION, qty BIGINT, note VARCHAR(16))"


def _statement(data, sql: str) -> float:
    started = time.perf_counter()
    statement = data.execute_statement(Sql=sql, **TARGET)["Id"]
    while (found := data.describe_statement(Id=statement))["Status"] not in ("FINISHED", "FAILED", "ABORTED"):
        time.sleep(0.01)
    if found["Status"] != "FINISHED":
        raise SystemExit(f"the benchmark statement ended {found['Status']}: {found.get('Error')}")
    if found["HasResultSet"]:
        for _ in data.get_paginator("get_statement_result").paginate(Id=statement):
            pass
    return time.perf_counter() - started


def _set_up(local: str) -> tuple[object, str]:
    import boto3

    from roles import work_role  # beside this file

    s3, glue = boto3.client("s3"), boto3.client("glue")
    s3.create_bucket(Bucket="bench-lake")
    s3.upload_file(local, "bench-lake", "sales/sales.parquet")
    role = work_role(boto3.client("iam"), "bench-redshift", "redshift")
    boto3.client("redshift").create_cluster(ClusterIdentifier="bench", NodeType="ra3.large", MasterUsername="awsuser",
                                            MasterUserPassword="Bench-Passw0rd", IamRoles=[role])
    glue.create_database(DatabaseInput={"Name": "bench"})
    glue.create_table(DatabaseName="bench", TableInput={
        "Name": "sales", "TableType": "EXTERNAL_TABLE", "StorageDescriptor": {
            "Columns": [{"Name": n, "Type": t} for n, t in (("id", "bigint"), ("category", "string"),
                                                            ("amount", "double"), ("qty", "bigint"),
                                                            ("note", "string"))],
            "Location": "s3://bench-lake/sales/",
            "SerdeInfo": {"SerializationLibrary": "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe"}}})
    return boto3.client("redshift-data"), role


def _wire_connection():
    import boto3
    import redshift_connector

    endpoint = boto3.client("redshift").describe_clusters(ClusterIdentifier="bench")["Clusters"][0]["Endpoint"]
    return redshift_connector.connect(host=endpoint["Address"], port=endpoint["Port"], database="dev",
                                      user="awsuser", password="Bench-Passw0rd", ssl=False)


def main(runs: int = 5) -> dict:
    import duckdb

    _emulator()
    local = os.path.join(tempfile.mkdtemp(), "sales.parquet")
    _sales_parquet(local)
    data, role = _set_up(local)
    copy = f"COPY sales FROM 's3://bench-lake/sales/' IAM_ROLE '{role}' FORMAT AS PARQUET"
    _statement(data, SALES)
    _statement(data, copy)  # warm-up: engine imports, footer cache
    _statement(data, f"CREATE EXTERNAL SCHEMA lake FROM DATA CATALOG DATABASE 'bench' IAM_ROLE '{role}'")
    wire = _wire_connection()
    connection = duckdb.connect()
    connection.execute(f"ATTACH '{os.path.join(tempfile.mkdtemp(), 'disk.duckdb')}' AS disk")
    direct, through, spectrum, load, ctas, ctas_disk, connector = [], [], [], [], [], [], []
    for _ in range(runs):  # alternate, so that machine noise hits both alike
        started = time.perf_counter()
        connection.execute(GROUP_BY.replace("FROM sales", f"FROM read_parquet('{local}')")).fetchall()
        direct.append(time.perf_counter() - started)
        through.append(_statement(data, GROUP_BY))
        spectrum.append(_statement(data, GROUP_BY.replace("FROM sales", "FROM lake.sales")))
        started = time.perf_counter()
        cursor = wire.cursor()
        cursor.execute(GROUP_BY)
        cursor.fetchall()
        connector.append(time.perf_counter() - started)
        started = time.perf_counter()
        connection.execute(f"CREATE OR REPLACE TABLE loaded AS SELECT * FROM read_parquet('{local}')")
        ctas.append(time.perf_counter() - started)
        started = time.perf_counter()
        connection.execute(f"CREATE OR REPLACE TABLE disk.loaded AS SELECT * FROM read_parquet('{local}')")
        ctas_disk.append(time.perf_counter() - started)
        _statement(data, "TRUNCATE sales")
        load.append(_statement(data, copy))
    base, group, scan = statistics.median(direct), statistics.median(through), statistics.median(spectrum)
    over_wire = statistics.median(connector)
    load_base, copied, load_disk = statistics.median(ctas), statistics.median(load), statistics.median(ctas_disk)
    rows = [
        ("DuckDB on the local file: 2M-row GROUP BY", base, "baseline"),
        ("the same through the Redshift Data API (COPY'd table)", group,
         f"{group / base:.2f}× DuckDB (goal ≤ 1.5×)"),
        ("the same over the Endpoint with redshift_connector", over_wire, f"{over_wire / base:.2f}× DuckDB"),
        ("the same through Redshift Spectrum (Parquet in S3)", scan, f"{scan / base:.2f}× DuckDB"),
        ("DuckDB: CREATE TABLE AS read_parquet, 2M rows", load_base, "baseline"),
        ("the same into a DuckDB database file", load_disk, f"{load_disk / load_base:.2f}× (compressed on write)"),
        ("Redshift COPY of the same 2M Parquet rows", copied,
         f"{copied / load_base:.2f}× DuckDB in memory, {copied / load_disk:.2f}× into a file"),
    ]
    return {"rows": rows}


if __name__ == "__main__":
    print(json.dumps(main()))
    os._exit(0)  # skip the slow interpreter teardown of the emulator's threads and workers
