"""Benchmark cases for the emulator's computing services: Athena, crawlers, Lambda.

Each case runs in a fresh child process with its own emulator and prints one JSON object of
figures on its last line; the ratios compare against a baseline measured in the same process.
"""

from __future__ import annotations

import io
import json
import os
import statistics
import sys
import tempfile
import time
import zipfile

GROUP_BY = "SELECT category, count(*) AS n, sum(amount) AS total, avg(qty) AS mean_qty FROM sales GROUP BY category"


def _emulator():
    from lakelab.emulator import Emulator

    emulator = Emulator().start()
    os.environ.update(AWS_ENDPOINT_URL=emulator.endpoint, AWS_ACCESS_KEY_ID="testing",
                      AWS_SECRET_ACCESS_KEY="testing", AWS_DEFAULT_REGION="us-east-1")
    return emulator


def _sales_parquet(path: str, rows: int = 2_000_000) -> None:
    """About 55 MB of Parquet, seeded: the shape of the brief's 2M-row GROUP BY."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.parquet as pq

    generator = np.random.default_rng(20240601)
    table = pa.table({
        "id": np.arange(rows, dtype=np.int64),
        "category": pa.array(generator.integers(0, 50, rows).astype(str)),
        "amount": generator.random(rows) * 100,
        "qty": generator.integers(1, 10, rows, dtype=np.int64),
        "note": pa.array(generator.integers(0, 10**12, rows).astype(str)),
    })
    pq.write_table(table, path, compression="snappy", row_group_size=250_000)


def _athena_round_trip(athena, query: str) -> float:
    started = time.perf_counter()
    query_id = athena.start_query_execution(QueryString=query, QueryExecutionContext={"Database": "bench"},
                                            ResultConfiguration={"OutputLocation": "s3://bench-lake/results/"})["QueryExecutionId"]
    while (status := athena.get_query_execution(QueryExecutionId=query_id)["QueryExecution"]["Status"])["State"] in (
            "QUEUED", "RUNNING"):
        time.sleep(0.01)
    if status["State"] != "SUCCEEDED":
        raise SystemExit(f"the benchmark query ended {status['State']}: {status.get('StateChangeReason')}")
    athena.get_query_results(QueryExecutionId=query_id)
    return time.perf_counter() - started


def athena_group_by(runs: int = 7) -> dict:
    import boto3
    import duckdb

    _emulator()
    folder = tempfile.mkdtemp()
    local = os.path.join(folder, "sales.parquet")
    _sales_parquet(local)
    s3, glue, athena = boto3.client("s3"), boto3.client("glue"), boto3.client("athena")
    s3.create_bucket(Bucket="bench-lake")
    s3.upload_file(local, "bench-lake", "sales/sales.parquet")
    glue.create_database(DatabaseInput={"Name": "bench"})
    _athena_round_trip(athena,  # DDL through Athena itself, as a learner would, finished before the queries
                       "CREATE EXTERNAL TABLE sales (id bigint, category string, amount double, qty bigint, note string) "
                       "STORED AS PARQUET LOCATION 's3://bench-lake/sales/'")
    _athena_round_trip(athena, GROUP_BY)  # warm-up: engine imports, footer cache
    connection = duckdb.connect()
    direct, through = [], []
    for _ in range(runs):  # alternate, so that machine noise hits both alike
        started = time.perf_counter()
        connection.execute(GROUP_BY.replace("FROM sales", f"FROM read_parquet('{local}')")).fetchall()
        direct.append(time.perf_counter() - started)
        through.append(_athena_round_trip(athena, GROUP_BY))
    return {"parquet_mb": os.path.getsize(local) / 1e6, "duckdb_local_s": statistics.median(direct),
            "athena_api_s": statistics.median(through)}


def crawler_100_partitions() -> dict:
    import boto3

    _emulator()
    s3, glue = boto3.client("s3"), boto3.client("glue")
    s3.create_bucket(Bucket="bench-crawl")
    for day in range(100):
        body = "id,amount,country\n" + "".join(f"{i},{i * 1.5:.2f},DE\n" for i in range(50))
        s3.put_object(Bucket="bench-crawl", Key=f"events/day={day:03d}/part-0.csv", Body=body.encode())
    glue.create_database(DatabaseInput={"Name": "bench"})
    from roles import work_role  # beside this file

    role = work_role(boto3.client("iam"), "bench-crawler", "glue")
    glue.create_crawler(Name="bench", Role=role, DatabaseName="bench",
                        Targets={"S3Targets": [{"Path": "s3://bench-crawl/events/"}]})
    started = time.perf_counter()
    glue.start_crawler(Name="bench")
    while glue.get_crawler(Name="bench")["Crawler"]["State"] != "READY":
        time.sleep(0.01)
    seconds = time.perf_counter() - started
    partitions = len(glue.get_partitions(DatabaseName="bench", TableName="events")["Partitions"])
    return {"crawl_s": seconds, "partitions": partitions}


HANDLER = """
import boto3
def handler(event, context):
    if "Records" in event:
        key = event["Records"][0]["s3"]["object"]["key"]
        boto3.client("s3").put_object(Bucket="bench-lambda", Key="done/" + key, Body=b"")
    return {"ok": True}
"""


def _deploy(iam, awslambda) -> None:
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.writestr("handler.py", HANDLER)
    from roles import work_role  # beside this file: the handler writes to S3 as its role

    role = work_role(iam, "bench", "lambda")
    awslambda.create_function(FunctionName="bench", Runtime="python3.12", Role=role, Handler="handler.handler",
                              Code={"ZipFile": archive.getvalue()}, Timeout=30)


def lambda_latency(warm_runs: int = 20) -> dict:
    import boto3

    _emulator()
    s3, iam, awslambda = boto3.client("s3"), boto3.client("iam"), boto3.client("lambda")
    _deploy(iam, awslambda)
    started = time.perf_counter()
    awslambda.invoke(FunctionName="bench", Payload=b"{}")
    cold = time.perf_counter() - started
    warm = []
    for _ in range(warm_runs):
        started = time.perf_counter()
        awslambda.invoke(FunctionName="bench", Payload=b"{}")
        warm.append(time.perf_counter() - started)
    return {"cold_invoke_s": cold, "warm_invoke_s": statistics.median(warm), "put_to_done_s": _s3_to_handler(s3, awslambda)}


def _s3_to_handler(s3, awslambda) -> float:
    s3.create_bucket(Bucket="bench-lambda")
    awslambda.add_permission(FunctionName="bench", StatementId="s3", Action="lambda:InvokeFunction",
                             Principal="s3.amazonaws.com", SourceArn="arn:aws:s3:::bench-lambda")
    arn = awslambda.get_function(FunctionName="bench")["Configuration"]["FunctionArn"]
    s3.put_bucket_notification_configuration(Bucket="bench-lambda", NotificationConfiguration={
        "LambdaFunctionConfigurations": [{"LambdaFunctionArn": arn, "Events": ["s3:ObjectCreated:*"],
                                          "Filter": {"Key": {"FilterRules": [{"Name": "prefix", "Value": "in/"}]}}}]})
    started = time.perf_counter()
    s3.put_object(Bucket="bench-lambda", Key="in/file.csv", Body=b"a,b\n")
    while "Contents" not in s3.list_objects_v2(Bucket="bench-lambda", Prefix="done/"):
        time.sleep(0.005)
    return time.perf_counter() - started


CASES = {"athena-group-by": athena_group_by, "crawler-100-partitions": crawler_100_partitions,
         "lambda-latency": lambda_latency}

if __name__ == "__main__":
    print(json.dumps(CASES[sys.argv[1]]()))
    os._exit(0)  # skip the slow interpreter teardown of the emulator's threads and workers
