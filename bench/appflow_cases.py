"""AppFlow: how long a run takes from StartFlow to Successful, against doing the same work by hand.

Run as ``python bench/appflow_cases.py``; prints one JSON line whose ``rows`` ``bench/run.py`` prints.
One emulator (IAM on). Figures, each the median of several runs:
- the CRM's 50 accounts to S3 as JSON, on demand: StartFlow to a Successful execution record;
- a 10,000-row CSV under an S3 prefix to Parquet in another bucket (S3 -> S3), against the baseline
  of the same transfer done by hand through boto3 and pyarrow (GetObject, parse, write, PutObject);
- an incremental scheduled flow: a record edited in the CRM until its run's file is in S3, with the
  schedule's minute shortened to 0.5 s (AWS: up to the schedule's interval, a minute at the least).
"""

from __future__ import annotations

import csv
import io
import json
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

RUNS, ROWS = 5, 10_000
DESTINATION_ACTIONS = ["s3:PutObject", "s3:AbortMultipartUpload", "s3:ListMultipartUploadParts",
                       "s3:ListBucketMultipartUploads", "s3:GetBucketAcl", "s3:PutObjectAcl"]


def _bucket(s3, name: str, actions: list[str]) -> None:
    s3.create_bucket(Bucket=name)
    s3.put_bucket_policy(Bucket=name, Policy=json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"Service": "appflow.amazonaws.com"}, "Action": actions,
        "Resource": [f"arn:aws:s3:::{name}", f"arn:aws:s3:::{name}/*"]}]}))


def _until_done(appflow, flow: str, count: int) -> dict:
    while True:
        runs = appflow.describe_flow_execution_records(flowName=flow)["flowExecutions"]
        if len(runs) >= count and runs[0]["executionStatus"] != "InProgress":
            return runs[0]
        time.sleep(0.02)


def _timed_run(appflow, flow: str, count: int) -> float:
    started = time.perf_counter()
    appflow.start_flow(flowName=flow)
    assert _until_done(appflow, flow, count)["executionStatus"] == "Successful"
    return time.perf_counter() - started


def _moved(appflow) -> int:
    """How many of the incremental flow's runs have moved one record."""
    runs = appflow.describe_flow_execution_records(flowName="crm-incremental")["flowExecutions"]
    return sum(r["executionStatus"] == "Successful" and r["executionResult"]["recordsProcessed"] == 1 for r in runs)


def _by_hand(s3) -> float:
    import pyarrow as pa
    import pyarrow.parquet as pq

    started = time.perf_counter()
    body = s3.get_object(Bucket="lakelab-bench-landing", Key="orders/orders.csv")["Body"].read().decode()
    rows = list(csv.DictReader(io.StringIO(body)))
    sink = io.BytesIO()
    pq.write_table(pa.table({f: [r[f] for r in rows] for f in rows[0]}), sink)
    s3.put_object(Bucket="lakelab-bench-curated", Key="by-hand/orders.parquet", Body=sink.getvalue())
    return time.perf_counter() - started


def appflow_cases() -> dict:
    import boto3

    from lakelab.emulator import Emulator
    from lakelab.emulator.services.appflow import schedules
    from lakelab.lab import crm
    from tests.emulator.appflow.appflow_helpers import map_tasks, s3_destination, salesforce_profile, \
        salesforce_source

    emulator = Emulator().start()
    os.environ.update(AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing", AWS_DEFAULT_REGION="us-east-1",
                      AWS_ENDPOINT_URL=emulator.endpoint)
    appflow, s3 = boto3.client("appflow"), boto3.client("s3")
    _bucket(s3, "lakelab-bench-landing", ["s3:ListBucket", "s3:GetObject"])
    _bucket(s3, "lakelab-bench-curated", DESTINATION_ACTIONS)
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\n")
    writer.writerow(["order_id", "customer_id", "amount", "country"])
    writer.writerows([f"o-{n:06d}", f"c-{n % 300:05d}", f"{n % 997}.50", "GB"] for n in range(ROWS))
    s3.put_object(Bucket="lakelab-bench-landing", Key="orders/orders.csv", Body=text.getvalue().encode())
    salesforce_profile(appflow)
    appflow.create_flow(flowName="crm", triggerConfig={"triggerType": "OnDemand"}, sourceFlowConfig=salesforce_source(),
                        tasks=map_tasks(["Id", "Name", "AnnualRevenue", "LastModifiedDate"]),
                        destinationFlowConfigList=s3_destination("lakelab-bench-curated"))
    appflow.create_flow(flowName="orders", triggerConfig={"triggerType": "OnDemand"},
                        sourceFlowConfig={"connectorType": "S3", "sourceConnectorProperties": {"S3": {
                            "bucketName": "lakelab-bench-landing", "bucketPrefix": "orders"}}},
                        tasks=[{"sourceFields": [], "taskType": "Map_all", "connectorOperator": {"S3": "NO_OP"}}],
                        destinationFlowConfigList=s3_destination("lakelab-bench-curated", "orders", "PARQUET"))
    crm_s = statistics.median(_timed_run(appflow, "crm", n) for n in range(1, RUNS + 1))
    flow_s = statistics.median(_timed_run(appflow, "orders", n) for n in range(1, RUNS + 1))
    hand_s = statistics.median(_by_hand(s3) for _ in range(RUNS))
    schedules.MINUTE_SECONDS = 0.5
    appflow.create_flow(flowName="crm-incremental", triggerConfig={"triggerType": "Scheduled", "triggerProperties": {
        "Scheduled": {"scheduleExpression": "rate(1 minute)", "dataPullMode": "Incremental"}}},
        sourceFlowConfig=salesforce_source(incremental=True), tasks=map_tasks(["Id", "AnnualRevenue"]),
        destinationFlowConfigList=s3_destination("lakelab-bench-curated", "incremental"))
    appflow.start_flow(flowName="crm-incremental")
    _until_done(appflow, "crm-incremental", 1)
    latencies = []
    for n in range(RUNS):
        before = _moved(appflow)
        started = time.perf_counter()
        crm.edit_record("Account", "0015g0000000000001", {"AnnualRevenue": 1000 + n})
        while _moved(appflow) == before:
            time.sleep(0.02)
        latencies.append(time.perf_counter() - started)
    appflow.stop_flow(flowName="crm-incremental")
    emulator.stop()
    edit_s = statistics.median(latencies)
    return {"rows": [
        ("AppFlow on demand: 50 CRM accounts to S3 as JSON", crm_s, "StartFlow to Successful"),
        (f"by hand: {ROWS:,}-row CSV from S3 to Parquet in S3 (boto3 + pyarrow)", hand_s, "baseline"),
        (f"AppFlow S3 -> S3: the same {ROWS:,} rows to Parquet", flow_s, f"{flow_s / hand_s:.2f}× by hand"),
        ("AppFlow incremental: CRM edit -> its run's file in S3", edit_s,
         "schedule minute shortened to 0.5 s (AWS: within the schedule's interval)")]}


if __name__ == "__main__":
    print(json.dumps(appflow_cases()))
