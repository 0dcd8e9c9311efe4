"""Week 5 · Orchestration: Airflow on MWAA, and Step Functions — one check per exercise.

The checks judge the environment through MWAA's own API (``InvokeRestApi`` to its Airflow, as the
learner calls it), the runs by their states and what they left in the lake, against the answer key:
the course dataset's orders of each day (``datasets.orders_on``).
"""

from __future__ import annotations

import csv
import io
import json
from typing import Any

import boto3
import pyarrow.parquet as pq

from lakelab.checks import iam_simulation, policies
from lakelab.checks.framework import exercise, expect
from lakelab.course import datasets, naming

WEEK = 5
DAG_ID = "lake_daily"
BACKFILL = ("2024-06-28", "2024-06-29", "2024-06-30")
BAD_DAY, STEP_FUNCTIONS_DAY = "2024-07-01", "2024-06-27"
AIRFLOW_VERSION = "3.0.6"
# task_id -> the operator the exercise asks for (Airflow's ``operator_name``)
PIPELINE = {"wait_for_file": "S3KeySensor", "validate": "LambdaInvokeFunctionOperator",
            "transform": "GlueJobOperator", "catalog": "GlueCrawlerOperator", "count_rows": "AthenaOperator",
            "quality_gate": "@task"}
ON_FAILURE = ("alert", "fail_run")


def _names() -> naming.Names:
    return naming.for_week(WEEK)


def _airflow(method: str, path: str, **query: Any) -> Any:
    request: dict[str, Any] = {"Name": _names().resource("airflow"), "Method": method, "Path": path}
    if query:
        request["QueryParameters"] = query
    mwaa = boto3.client("mwaa")
    try:
        return mwaa.invoke_rest_api(**request)["RestApiResponse"]
    except mwaa.exceptions.RestApiClientException as error:
        return {"_status": error.response.get("RestApiStatusCode"), **(error.response.get("RestApiResponse") or {})}


def _task_error(ti: dict[str, Any]) -> str:
    """The error a failed task instance's log in CloudWatch Logs ends with (MWAA's task log stream)."""
    names = _names()
    stream = f"dag_id={ti['dag_id']}/run_id={ti['dag_run_id']}/task_id={ti['task_id']}/attempt={ti['try_number']}.log"
    try:
        events = boto3.client("logs").filter_log_events(
            logGroupName=f"airflow-{names.resource('airflow')}-Task", logStreamNamePrefix=stream)["events"]
    except boto3.client("logs").exceptions.ResourceNotFoundException:
        return "(no task logs: enable TaskLogs to read why)"
    for event in reversed(events):
        try:
            record = json.loads(event["message"])
        except ValueError:
            continue
        for detail in record.get("error_detail") or []:
            return f"{detail.get('exc_type')}: {str(detail.get('exc_value'))[:400]}"
    return "(no error recorded in its log)"


def _answer_key(day: str) -> list[str]:
    return sorted(row["order_id"] for row in csv.DictReader(io.StringIO(datasets.orders_on(day))))


def _curated_ids(day: str) -> list[str] | None:
    """The order ids in the curated Parquet of ``day`` (None: no file there)."""
    s3, bucket, prefix = boto3.client("s3"), _names().bucket("lake"), f"curated/daily_orders/dt={day}/"
    keys = [item["Key"] for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix)
            for item in page.get("Contents", []) if item["Key"].endswith(".parquet")]
    if not keys:
        return None
    ids: list[str] = []
    for key in keys:
        table = pq.read_table(io.BytesIO(s3.get_object(Bucket=bucket, Key=key)["Body"].read()), columns=["order_id"])
        ids += table.column("order_id").to_pylist()
    return sorted(ids)


# --- 5.1 ---------------------------------------------------------------------------------------


@exercise(WEEK, "5.1", "the execution role may run the pipeline's tasks, and nothing more",
          hint="a role trusted by airflow.amazonaws.com and airflow-env.amazonaws.com, tagged, whose policy reads "
               "the source bucket, writes the airflow-<environment>-* log groups, invokes the validator, runs the job "
               "and the crawler, queries through the workgroup and publishes to the topic (MWAA user guide: "
               "'Amazon MWAA execution role')")
def execution_role() -> None:
    names = _names()
    iam_simulation.expect_least_privilege_role(
        names.resource("mwaa-execution"), WEEK, {"airflow.amazonaws.com", "airflow-env.amazonaws.com"},
        _needed(names), _forbidden(names),
        trust_hint="MWAA assumes the role as both services: trust both in one statement's Principal.Service list",
        allowed_hint=("each task calls its service as this role: the sensor reads raw/daily/, validate invokes the "
                      "function, transform and catalog run the job and the crawler, count_rows queries (reading the "
                      "catalog and the curated data, writing results), alert publishes; MWAA itself reads the "
                      "source bucket and writes its log groups"),
        denied_hint=("least privilege: the environment reads its DAGs but never writes them (whoever can write "
                     "dags/ runs code as this role), and reaches only this pipeline's function, job, crawler, topic "
                     "and prefixes"))


def _needed(names: naming.Names) -> list[iam_simulation.Pair]:
    lake, dags = f"arn:aws:s3:::{names.bucket('lake')}", f"arn:aws:s3:::{names.bucket('airflow')}"
    environment = names.resource("airflow")
    group = names.arn("logs", f"log-group:airflow-{environment}-Task")
    database = names.database("orchestrated")
    return [
        ("s3:GetObject", f"{dags}/dags/{DAG_ID}.py"), ("s3:ListBucket", dags),
        ("logs:CreateLogStream", f"{group}:log-stream:x"), ("logs:PutLogEvents", f"{group}:log-stream:x"),
        ("s3:GetObject", f"{lake}/raw/daily/dt={BACKFILL[0]}/orders.csv"),
        ("lambda:InvokeFunction", names.arn("lambda", f"function:{names.resource('daily-validator')}")),
        ("glue:StartJobRun", names.arn("glue", f"job/{names.resource('daily-orders-etl')}")),
        ("glue:GetJobRun", names.arn("glue", f"job/{names.resource('daily-orders-etl')}")),
        ("glue:StartCrawler", names.arn("glue", f"crawler/{names.resource('daily-orders-crawler')}")),
        ("glue:GetCrawler", names.arn("glue", f"crawler/{names.resource('daily-orders-crawler')}")),
        ("athena:StartQueryExecution", names.arn("athena", f"workgroup/{names.resource('orchestration')}")),
        ("athena:GetQueryResults", names.arn("athena", f"workgroup/{names.resource('orchestration')}")),
        ("glue:GetTable", names.arn("glue", f"table/{database}/daily_orders")),
        ("s3:GetObject", f"{lake}/curated/daily_orders/dt={BACKFILL[0]}/part-0.parquet"),
        ("s3:PutObject", f"{lake}/athena-results/orchestration/q.csv"),
        ("sns:Publish", names.arn("sns", names.resource("pipeline-alerts"))),
    ]


def _forbidden(names: naming.Names) -> list[iam_simulation.Pair]:
    lake, dags = f"arn:aws:s3:::{names.bucket('lake')}", f"arn:aws:s3:::{names.bucket('airflow')}"
    return [
        ("s3:PutObject", f"{dags}/dags/{DAG_ID}.py"), ("s3:DeleteObject", f"{dags}/dags/{DAG_ID}.py"),
        ("s3:PutObject", f"{lake}/raw/daily/dt={BACKFILL[0]}/orders.csv"),
        ("s3:DeleteObject", f"{lake}/curated/daily_orders/dt={BACKFILL[0]}/part-0.parquet"),
        ("lambda:InvokeFunction", names.arn("lambda", f"function:{names.resource('validator')}")),
        ("glue:DeleteJob", names.arn("glue", f"job/{names.resource('daily-orders-etl')}")),
        ("glue:StartJobRun", names.arn("glue", f"job/{names.resource('orders-etl')}")),
        ("sns:Publish", names.arn("sns", names.resource("other-topic"))),
        ("iam:PassRole", f"arn:aws:iam::{names.account}:role/{names.resource('daily-etl')}"),
    ]


# --- 5.2 ---------------------------------------------------------------------------------------


@exercise(WEEK, "5.2", f"the environment is AVAILABLE on Airflow {AIRFLOW_VERSION}, with its task logs in CloudWatch",
          hint="create the source bucket (versioned, public access blocked, with dags/), then create_environment with "
               f"AirflowVersion='{AIRFLOW_VERSION}', the execution role, DagS3Path='dags', TaskLogs enabled and the "
               "course tags, and wait for AVAILABLE (MWAA API reference: CreateEnvironment)")
def environment_available() -> None:
    names = _names()
    environment = boto3.client("mwaa").get_environment(Name=names.resource("airflow"))["Environment"]
    error = (environment.get("LastUpdate") or {}).get("Error")
    expect(environment["Status"] == "AVAILABLE", expected="status AVAILABLE",
           found=f"{environment['Status']}" + (f": {error.get('ErrorMessage')}" if error else ""),
           hint="a failed environment says why in LastUpdate.Error: fix that, then update (or delete and create) it")
    expect(environment.get("AirflowVersion") == AIRFLOW_VERSION, expected=f"AirflowVersion {AIRFLOW_VERSION}",
           found=environment.get("AirflowVersion"), hint="pin the version, as you pin GlueVersion: an omitted one "
           "becomes MWAA's latest, which your DAG was not tested on")
    role = f"arn:aws:iam::{names.account}:role/{names.resource('mwaa-execution')}"
    expect(environment["ExecutionRoleArn"] == role, expected=f"execution role {role}",
           found=environment["ExecutionRoleArn"])
    bucket = names.bucket("airflow")
    expect(environment["SourceBucketArn"] == f"arn:aws:s3:::{bucket}" and environment["DagS3Path"].strip("/") == "dags",
           expected=f"source arn:aws:s3:::{bucket}, DAGs in dags", found=f"{environment['SourceBucketArn']}, "
           f"{environment['DagS3Path']}")
    task_logs = (environment.get("LoggingConfiguration") or {}).get("TaskLogs") or {}
    expect(task_logs.get("Enabled") and task_logs.get("LogLevel") in ("INFO", "DEBUG"),
           expected="TaskLogs enabled at INFO", found=task_logs or "no task logs",
           hint="without task logs a failed task's traceback is nowhere you can read it: LoggingConfiguration="
                "{'TaskLogs': {'Enabled': True, 'LogLevel': 'INFO'}}")
    tags = environment.get("Tags") or {}
    expect(naming.is_course_resource(tags, WEEK), expected=f"tags {names.tags}", found=f"tags {tags}",
           hint="Tags=names.tags at create_environment: teardown finds the environment (billed by the hour) by them")
    s3 = boto3.client("s3")
    expect(s3.get_bucket_versioning(Bucket=bucket).get("Status") == "Enabled",
           expected=f"versioning enabled on {bucket}", found="not enabled")


# --- 5.3 ---------------------------------------------------------------------------------------


@exercise(WEEK, "5.3", "the DAG is deployed: it imports, it is unpaused, its tasks and settings are the pipeline's",
          hint=f"upload the DAG file to dags/{DAG_ID}.py, fix what /importErrors reports, unpause it with PATCH "
               "/dags/<id> {'is_paused': False}; tasks, order and settings as the exercise lists them")
def dag_deployed() -> None:
    errors = [e for e in _airflow("GET", "/importErrors").get("import_errors", [])
              if e.get("filename", "").endswith(f"{DAG_ID}.py")]
    expect(not errors, expected=f"{DAG_ID}.py imports", found=(errors[0]["stack_trace"].strip().splitlines() or ["?"])[-1]
           if errors else "", hint="the API's /importErrors has the whole traceback; fix the file and upload it again")
    dag = _airflow("GET", f"/dags/{DAG_ID}")
    expect(dag.get("dag_id") == DAG_ID, expected=f"the DAG {DAG_ID} in the environment",
           found=f"Airflow answered {dag.get('_status')}: {dag.get('detail', '')}" if "_status" in dag else dag)
    expect(dag.get("is_paused") is False, expected="unpaused", found="paused",
           hint="new DAGs start paused on MWAA: PATCH /dags/<id> with {'is_paused': False}")
    details = _airflow("GET", f"/dags/{DAG_ID}/details")
    expect(details.get("max_active_runs") == 1, expected="max_active_runs=1 (one day at a time)",
           found=f"max_active_runs={details.get('max_active_runs')}",
           hint="runs of different days write different partitions but share the job and the crawler: one at a time")
    expect(details.get("catchup") is False, expected="catchup=False", found=f"catchup={details.get('catchup')}",
           hint="with catch-up on, unpausing starts a run for every day since start_date; backfill on purpose instead")
    expect(details.get("timetable_summary") in ("@daily", "0 0 * * *"), expected="schedule @daily",
           found=details.get("timetable_summary"))
    tasks = {t["task_id"]: t for t in _airflow("GET", f"/dags/{DAG_ID}/tasks").get("tasks", [])}
    missing = [f"{task_id} ({operator})" for task_id, operator in PIPELINE.items()
               if task_id not in tasks or tasks[task_id]["operator_name"] != operator]
    expect(not missing, expected="tasks " + ", ".join(f"{t} ({o})" for t, o in PIPELINE.items()),
           found="missing or another operator: " + ", ".join(missing))
    order = list(PIPELINE)
    broken = [f"{a} >> {b}" for a, b in zip(order, order[1:]) if b not in tasks[a].get("downstream_task_ids", [])]
    expect(not broken, expected="each step downstream of the one before", found="not linked: " + ", ".join(broken))
    untimed = [t for t in tasks.values() if not t.get("execution_timeout")]
    expect(not untimed, expected="an execution_timeout on every task",
           found="no timeout on " + ", ".join(t["task_id"] for t in untimed),
           hint="default_args={'execution_timeout': timedelta(minutes=10), ...}: a hung task otherwise holds the run "
                "(and, with max_active_runs=1, every later day) forever")
    unretried = [t for t in ("wait_for_file", "transform", "catalog", "count_rows") if tasks[t].get("retries", 0) < 1]
    expect(not unretried, expected="retries on the steps that can fail for a passing reason",
           found="no retry on " + ", ".join(unretried))
    on_failure = [t for t in tasks.values() if t.get("trigger_rule") == "one_failed"]
    alerts = [t for t in on_failure if t["operator_name"] == "SnsPublishOperator"]
    expect(alerts and any(t["operator_name"] != "SnsPublishOperator" for t in on_failure),
           expected="an SnsPublishOperator and a task that fails the run, both trigger_rule='one_failed'",
           found=[f"{t['task_id']} ({t['operator_name']})" for t in on_failure] or "no task runs on failure",
           hint="an alert that succeeds would make the failed run count as a success: add a one_failed task that raises")
    guarded = set(alerts[0].get("upstream_task_ids") or []) if "upstream_task_ids" in alerts[0] else \
        {task_id for task_id, t in tasks.items() if alerts[0]["task_id"] in t.get("downstream_task_ids", [])}
    unguarded = [t for t in PIPELINE if t not in guarded]
    expect(not unguarded, expected="the alert downstream of every step", found="not watched: " + ", ".join(unguarded),
           hint="one_failed looks at direct upstream tasks only: make every step an upstream of the alert")


# --- 5.4 ---------------------------------------------------------------------------------------


@exercise(WEEK, "5.4", "three days backfilled: each run succeeded and curated exactly that day's orders",
          hint="trigger one run per day with logical_date '<day>T00:00:00Z' and dag_run_id 'bf-<day>', wait for them; "
               "each day's orders end up in curated/daily_orders/dt=<day>/ and in the catalog")
def backfill_curated_three_days() -> None:
    for day in BACKFILL:
        run = _airflow("GET", f"/dags/{DAG_ID}/dagRuns/bf-{day}")
        expect(run.get("dag_run_id") == f"bf-{day}", expected=f"a run bf-{day}", found=run.get("detail") or run)
        expect((run.get("logical_date") or "").startswith(day), expected=f"run bf-{day} for logical date {day}",
               found=f"logical date {run.get('logical_date')}",
               hint="pass logical_date in the trigger's body: without it {{ ds }} is undefined in Airflow 3")
        if run.get("state") != "success":
            failed = [ti for ti in _airflow("GET", f"/dags/{DAG_ID}/dagRuns/bf-{day}/taskInstances")
                      .get("task_instances", []) if ti.get("state") == "failed"]
            expect(False, expected=f"run bf-{day} succeeded", found=f"{run.get('state')}; failed tasks: "
                   + (", ".join(ti["task_id"] for ti in failed) or "none yet")
                   + "".join(f"\n             {ti['task_id']}: {_task_error(ti)}" for ti in failed
                             if ti["task_id"] not in ON_FAILURE),
                   hint=f"read the failed task's log in airflow-{_names().resource('airflow')}-Task (stream "
                        f"dag_id={DAG_ID}/run_id=bf-{day}/task_id=<task>/attempt=<n>.log)")
        curated, key = _curated_ids(day), _answer_key(day)
        expect(curated == key, expected=f"{len(key)} orders of {day} in curated/daily_orders/dt={day}/",
               found="no Parquet there" if curated is None else f"{len(curated)} orders"
               + (f" ({len(set(curated) - set(key))} not of that day)" if set(curated) - set(key) else ""),
               hint="each run must curate its own day only ({{ ds }} everywhere), replacing that day's folder")
    glue, names = boto3.client("glue"), _names()
    database = names.database("orchestrated")
    partitions = {tuple(p["Values"]) for p in glue.get_partitions(DatabaseName=database, TableName="daily_orders")
                  ["Partitions"]}
    missing = [day for day in BACKFILL if (day,) not in partitions]
    expect(not missing, expected="the three days as partitions of daily_orders", found="missing: " + ", ".join(missing))
    crawler = names.resource("daily-orders-crawler")
    tags = glue.get_tags(ResourceArn=names.arn("glue", f"crawler/{crawler}"))["Tags"]
    expect(naming.is_course_resource(tags, WEEK), expected=f"the crawler still tagged {names.tags}", found=f"tags {tags}",
           hint="GlueCrawlerOperator makes the crawler match its config: a config with Tags removes every tag it "
                "does not list (the course's included), so leave Tags out or list them all")


# --- 5.5 ---------------------------------------------------------------------------------------


@exercise(WEEK, "5.5", "the bad day failed loudly: validate failed, the alert went out and was read, the file is kept",
          hint=f"land the broken file, trigger bf-{BAD_DAY}, read (and delete) the alert from the inbox queue, and find "
               "the reason in the failed task's log")
def failure_alerted_and_explained() -> None:
    names, s3 = _names(), boto3.client("s3")
    run = _airflow("GET", f"/dags/{DAG_ID}/dagRuns/bf-{BAD_DAY}")
    expect(run.get("state") == "failed", expected=f"run bf-{BAD_DAY} failed", found=run.get("state") or run,
           hint="a run whose alert succeeded still fails if fail_run (one_failed, raising) is in the DAG")
    states = {ti["task_id"]: ti["state"] for ti in
              _airflow("GET", f"/dags/{DAG_ID}/dagRuns/bf-{BAD_DAY}/taskInstances").get("task_instances", [])}
    expect(states.get("validate") == "failed" and states.get("transform") == "upstream_failed",
           expected="validate failed, transform never ran (upstream_failed)",
           found=f"validate {states.get('validate')}, transform {states.get('transform')}")
    expect(states.get("alert") == "success", expected="the alert task published", found=f"alert {states.get('alert')}",
           hint="the alert needs sns:Publish on the topic in the execution role")
    bucket = names.bucket("lake")
    try:
        kept = s3.head_object(Bucket=bucket, Key=f"quarantine/daily/dt={BAD_DAY}/orders.csv")
    except s3.exceptions.ClientError:
        kept = None
    expect(kept is not None and kept.get("Metadata", {}).get("reason"),
           expected=f"quarantine/daily/dt={BAD_DAY}/orders.csv with its reason", found="no such file" if kept is None
           else "no reason in its metadata")
    expect(_curated_ids(BAD_DAY) is None, expected=f"nothing curated for {BAD_DAY}", found="a curated partition")
    sqs = boto3.client("sqs")
    url = sqs.get_queue_url(QueueName=names.resource("pipeline-alerts-inbox"))["QueueUrl"]
    counts = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["ApproximateNumberOfMessages",
                                                                    "ApproximateNumberOfMessagesNotVisible"])["Attributes"]
    waiting = int(counts["ApproximateNumberOfMessages"]) + int(counts["ApproximateNumberOfMessagesNotVisible"])
    expect(waiting == 0, expected="the alert read and deleted from the inbox", found=f"{waiting} message(s) still there",
           hint="receive_message, json.loads(body)['Message'] is the alert; delete_message each one you read")


# --- 5.6 ---------------------------------------------------------------------------------------


@exercise(WEEK, "5.6", "the state machine ran the same pipeline for a day: SUCCEEDED, with every task caught into an alert",
          hint="a STANDARD state machine with its own role (trusted by states.amazonaws.com); Task states with Catch to "
               "an SNS publish; start it with {'ds': '2024-06-27'} and wait (Step Functions developer guide: "
               "'Handling errors in Step Functions workflows')")
def state_machine_ran_the_day() -> None:
    names, sfn = _names(), boto3.client("stepfunctions")
    wanted = names.resource("daily-orders")
    machines = [m for page in sfn.get_paginator("list_state_machines").paginate() for m in page["stateMachines"]
                if m["name"] == wanted]
    expect(machines, expected=f"a state machine {wanted}", found="none")
    machine = sfn.describe_state_machine(stateMachineArn=machines[0]["stateMachineArn"])
    expect(machine["type"] == "STANDARD", expected="type STANDARD", found=machine["type"],
           hint="Express workflows last at most 5 minutes and run at least once: a Spark job belongs in Standard")
    tags = {t["key"]: t["value"] for t in sfn.list_tags_for_resource(resourceArn=machine["stateMachineArn"])["tags"]}
    expect(naming.is_course_resource(tags, WEEK), expected=f"tags {names.tags}", found=f"tags {tags}")
    role = boto3.client("iam").get_role(RoleName=machine["roleArn"].rsplit("/", 1)[-1])["Role"]
    expect("states.amazonaws.com" in policies.trusted_services(role), expected="a role trusted by states.amazonaws.com",
           found=policies.trusted_services(role))
    states = json.loads(machine["definition"])["States"]
    tasks = {name: state for name, state in states.items() if state.get("Type") == "Task"}
    publish = {name for name, state in tasks.items() if state.get("Resource", "").endswith(":sns:publish")}
    uncaught = [name for name, state in tasks.items() if name not in publish and not any(
        "States.ALL" in c.get("ErrorEquals", []) and _reaches(states, c.get("Next"), publish) for c in state.get("Catch", []))]
    expect(publish and not uncaught, expected="every Task state caught (States.ALL) into an SNS publish",
           found="not caught: " + ", ".join(uncaught) if publish else "no sns:publish state")
    expect(any(s.get("Resource") == "arn:aws:states:::glue:startJobRun.sync" for s in tasks.values()),
           expected="the Glue job run with glue:startJobRun.sync", found=sorted({s.get("Resource") for s in tasks.values()}),
           hint="without .sync the state ends as soon as the run starts, and the row count comes before the data")
    executions = [e for page in sfn.get_paginator("list_executions").paginate(stateMachineArn=machine["stateMachineArn"])
                  for e in page["executions"]]
    runs = [sfn.describe_execution(executionArn=e["executionArn"]) for e in executions]
    of_day = [r for r in runs if json.loads(r.get("input") or "{}").get("ds") == STEP_FUNCTIONS_DAY]
    expect(of_day, expected=f"an execution with input {{'ds': '{STEP_FUNCTIONS_DAY}'}}",
           found=f"{len(runs)} execution(s), none for that day")
    latest = max(of_day, key=lambda r: r["startDate"])
    expect(latest["status"] == "SUCCEEDED", expected="the day's latest execution SUCCEEDED",
           found=f"{latest['status']}: {latest.get('error', '')} {latest.get('cause', '')[:300]}".strip(),
           hint="get_execution_history shows which state failed and why (its TaskFailed event)")
    curated, key = _curated_ids(STEP_FUNCTIONS_DAY), _answer_key(STEP_FUNCTIONS_DAY)
    expect(curated == key, expected=f"{len(key)} orders of {STEP_FUNCTIONS_DAY} curated",
           found="no Parquet there" if curated is None else f"{len(curated)} orders")


def _reaches(states: dict[str, Any], start: str | None, targets: set[str], seen: frozenset[str] = frozenset()) -> bool:
    """Whether following Next from ``start`` (through Pass states) gets to one of ``targets``."""
    if start is None or start in seen:
        return False
    if start in targets:
        return True
    state = states.get(start, {})
    return state.get("Type") == "Pass" and _reaches(states, state.get("Next"), targets, seen | {start})
