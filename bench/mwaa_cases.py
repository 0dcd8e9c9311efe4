"""MWAA on the local emulator: an environment's start, a DAG upload seen through InvokeRestApi, a 6-task DAG
with one Glue Spark job from trigger to success (and how much of it was Airflow's own overhead), memory.

Run as ``python bench/mwaa_cases.py``; prints one JSON object on its last line, whose ``rows`` are the table
lines ``bench/run.py`` prints. Airflow's overhead is the run's wall time less the time its tasks ran (they
run one after the other): the scheduler's loop, queueing, each task process's start and its report back.
"""

from __future__ import annotations

import json
import os
import sys
import time
from datetime import datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from roles import work_role  # noqa: E402

DAG = '''
from datetime import datetime
from airflow.sdk import DAG, task
from airflow.providers.amazon.aws.operators.glue import GlueJobOperator
from airflow.providers.amazon.aws.operators.s3 import S3CreateObjectOperator
from airflow.providers.amazon.aws.sensors.s3 import S3KeySensor

with DAG("bench_six", start_date=datetime(2024, 1, 1), schedule=None, catchup=False) as dag:
    land = S3CreateObjectOperator(task_id="land", s3_bucket="bench-dags", s3_key="in/{{ ds }}.csv",
                                  data="id,amount\\n1,2.5\\n2,4.0\\n", replace=True)
    wait = S3KeySensor(task_id="wait", bucket_name="bench-dags", bucket_key="in/{{ ds }}.csv", poke_interval=1)

    @task
    def validate():
        return 2

    spark = GlueJobOperator(task_id="spark", job_name="bench-spark", script_args={"--ds": "{{ ds }}"},
                            job_poll_interval=1, verbose=False)

    @task
    def count(rows):
        return rows

    done = S3CreateObjectOperator(task_id="done", s3_bucket="bench-dags", s3_key="done/{{ ds }}", data="ok",
                                  replace=True)
    checked = validate()
    land >> wait >> checked >> spark
    spark >> count(checked) >> done
'''
SCRIPT = '''
import sys
from awsglue.utils import getResolvedOptions
from pyspark.sql import SparkSession
args = getResolvedOptions(sys.argv, ["ds"])
spark = SparkSession.builder.getOrCreate()
frame = spark.read.option("header", True).csv(f"s3://bench-dags/in/{args['ds']}.csv")
frame.write.mode("overwrite").parquet(f"s3://bench-dags/out/{args['ds']}/")
'''


def _api(mwaa, method: str, path: str, body: dict | None = None) -> dict:
    request = {"Name": "bench", "Method": method, "Path": path, **({"Body": body} if body is not None else {})}
    return mwaa.invoke_rest_api(**request)["RestApiResponse"]


def _seconds(ti: dict) -> float:
    return (datetime.fromisoformat(ti["end_date"]) - datetime.fromisoformat(ti["start_date"])).total_seconds()


def main() -> dict:
    import boto3
    from botocore.config import Config

    from lakelab.emulator import Emulator
    from lakelab.emulator.services.mwaa import environments

    emulator = Emulator().start()
    os.environ.update(AWS_ENDPOINT_URL=emulator.endpoint, AWS_ACCESS_KEY_ID="testing",
                      AWS_SECRET_ACCESS_KEY="testing", AWS_DEFAULT_REGION="us-east-1")
    s3, iam, glue = boto3.client("s3"), boto3.client("iam"), boto3.client("glue")
    mwaa = boto3.client("mwaa", config=Config(inject_host_prefix=False))
    s3.create_bucket(Bucket="bench-dags")
    s3.put_bucket_versioning(Bucket="bench-dags", VersioningConfiguration={"Status": "Enabled"})
    s3.put_object(Bucket="bench-dags", Key="dags/")
    s3.put_object(Bucket="bench-dags", Key="scripts/bench.py", Body=SCRIPT.encode())
    glue_role = work_role(iam, "bench-glue", "glue")
    glue.create_job(Name="bench-spark", Role=glue_role, GlueVersion="5.0", NumberOfWorkers=2, WorkerType="G.1X",
                    Command={"Name": "glueetl", "ScriptLocation": "s3://bench-dags/scripts/bench.py"})
    trust = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {
        "Service": ["airflow.amazonaws.com", "airflow-env.amazonaws.com"]}, "Action": "sts:AssumeRole"}]}
    role = iam.create_role(RoleName="bench-mwaa", AssumeRolePolicyDocument=json.dumps(trust))["Role"]["Arn"]
    iam.put_role_policy(RoleName="bench-mwaa", PolicyName="work", PolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": ["s3:*", "logs:*", "glue:*"],
                                                "Resource": "*"}]}))

    started = time.perf_counter()
    mwaa.create_environment(Name="bench", ExecutionRoleArn=role, SourceBucketArn="arn:aws:s3:::bench-dags",
                            DagS3Path="dags", AirflowVersion="3.0.6",
                            NetworkConfiguration={"SubnetIds": ["s-1", "s-2"], "SecurityGroupIds": ["sg-1"]},
                            LoggingConfiguration={"TaskLogs": {"Enabled": True, "LogLevel": "INFO"}})
    while (status := mwaa.get_environment(Name="bench")["Environment"]["Status"]) == "CREATING":
        time.sleep(0.2)
    if status != "AVAILABLE":
        raise SystemExit(f"the environment is {status}")
    environment_s = time.perf_counter() - started
    airflow = environments._environments[("123456789012", "us-east-1", "bench")].airflow
    idle_mb = airflow.memory_mb()

    started = time.perf_counter()
    s3.put_object(Bucket="bench-dags", Key="dags/bench_six.py", Body=DAG.encode())
    while not any(d["dag_id"] == "bench_six" for d in _api(mwaa, "GET", "/dags")["dags"]):
        time.sleep(0.2)
    visible_s = time.perf_counter() - started

    _api(mwaa, "PATCH", "/dags/bench_six", {"is_paused": False})
    started = time.perf_counter()
    _api(mwaa, "POST", "/dags/bench_six/dagRuns", {"dag_run_id": "b1", "logical_date": "2024-06-01T00:00:00Z"})
    while (state := _api(mwaa, "GET", "/dags/bench_six/dagRuns/b1")["state"]) in ("queued", "running"):
        time.sleep(0.2)
    run_s = time.perf_counter() - started
    if state != "success":
        raise SystemExit(f"the benchmark's DAG run ended {state}")
    instances = _api(mwaa, "GET", "/dags/bench_six/dagRuns/b1/taskInstances")["task_instances"]
    tasks_s = sum(_seconds(ti) for ti in instances)
    spark_s = sum(_seconds(ti) for ti in instances if ti["task_id"] == "spark")
    busy_mb = airflow.memory_mb()
    rows = [
        ("MWAA: CreateEnvironment to AVAILABLE (Airflow 3.0.6)", environment_s, "AWS: 20-30 minutes"),
        ("MWAA: DAG uploaded to S3 -> listed by InvokeRestApi", visible_s, "goal ≤ 10 s"),
        ("MWAA: 6-task DAG (1 Glue Spark job), trigger -> success", run_s,
         f"tasks {tasks_s:.1f} s (Spark {spark_s:.1f} s), Airflow {run_s - tasks_s:.1f} s (goal ≤ 10 s)"),
        ("MWAA: Airflow's processes, idle", idle_mb, "MB (proportional set size)"),
        ("MWAA: Airflow's processes, after the run", busy_mb, "MB"),
    ]
    return {"environment_s": environment_s, "visible_s": visible_s, "run_s": run_s, "tasks_s": tasks_s,
            "spark_s": spark_s, "airflow_overhead_s": run_s - tasks_s, "idle_mb": idle_mb, "busy_mb": busy_mb,
            "rows": rows}


if __name__ == "__main__":
    try:
        figures = main()
    finally:
        from lakelab.emulator.services.mwaa import environments

        environments.stop_all()
    print(json.dumps(figures))
    sys.stdout.flush()
    os._exit(0)
