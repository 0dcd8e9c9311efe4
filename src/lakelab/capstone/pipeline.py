"""The learner's orchestration, found by its tag ``component=pipeline``, and one run of it, waited for.

A Step Functions state machine runs with ``StartExecution`` (input ``{}``); an MWAA environment runs each of
its unpaused DAGs through ``InvokeRestApi`` (Airflow's REST API v2: ``POST /dags/{dag_id}/dagRuns``). Both
are waited for until they end or ``timeout`` passes. The MWAA path is unverified against a real environment.
"""

from __future__ import annotations

import json
import time
import uuid
from dataclasses import dataclass
from datetime import datetime, timezone

import boto3

from lakelab.capstone.contract import PIPELINE_TAG, Contract


@dataclass
class Pipeline:
    kind: str  # "state machine" or "environment"
    name: str
    arn: str
    role_arn: str

    def run(self, timeout: float = 150) -> tuple[bool, str]:
        """One run: (succeeded, what was seen)."""
        if self.kind == "state machine":
            return _run_state_machine(self.arn, timeout)
        return _run_dags(self.name, timeout)


def find(contract: Contract) -> tuple[Pipeline | None, str]:
    """The pipeline tagged component=pipeline (named with the prefix), or None and why."""
    key, value = PIPELINE_TAG
    sfn = boto3.client("stepfunctions")
    found = []
    for page in sfn.get_paginator("list_state_machines").paginate():
        for machine in page["stateMachines"]:
            listed = sfn.list_tags_for_resource(resourceArn=machine["stateMachineArn"])["tags"]
            tags = {t["key"]: t["value"] for t in listed}
            if tags.get(key) == value:
                role = sfn.describe_state_machine(stateMachineArn=machine["stateMachineArn"])["roleArn"]
                found.append(Pipeline("state machine", machine["name"], machine["stateMachineArn"], role))
    found += _environments(key, value)
    if not found:
        return None, f"no state machine or MWAA environment tagged {key}={value}"
    if len(found) > 1:
        return None, f"{len(found)} orchestrations tagged {key}={value} ({', '.join(p.name for p in found)}): tag one"
    return found[0], f"{found[0].kind} {found[0].name}"


def _environments(key: str, value: str) -> list[Pipeline]:
    mwaa = boto3.client("mwaa")
    try:
        names = mwaa.list_environments()["Environments"]
    except Exception:  # a target without MWAA: a state machine is the only choice there
        return []
    found = []
    for name in names:
        environment = mwaa.get_environment(Name=name)["Environment"]
        if mwaa.list_tags_for_resource(ResourceArn=environment["Arn"])["Tags"].get(key) == value:
            found.append(Pipeline("environment", name, environment["Arn"], environment["ExecutionRoleArn"]))
    return found


def _run_state_machine(arn: str, timeout: float) -> tuple[bool, str]:
    sfn = boto3.client("stepfunctions")
    execution = sfn.start_execution(stateMachineArn=arn, input="{}")["executionArn"]
    deadline = time.monotonic() + timeout
    while (described := sfn.describe_execution(executionArn=execution))["status"] == "RUNNING":
        if time.monotonic() > deadline:
            return False, f"execution still RUNNING after {timeout:g} s"
        time.sleep(0.5)
    if described["status"] == "SUCCEEDED":
        return True, "execution SUCCEEDED"
    why = described.get("error", "") + ": " + described.get("cause", "")
    return False, f"execution {described['status']} ({why.strip(': ')[:300]})"


def _run_dags(environment: str, timeout: float) -> tuple[bool, str]:
    mwaa = boto3.client("mwaa")

    def call(method: str, path: str, body: dict | None = None, query: dict | None = None) -> dict:
        arguments = {"Name": environment, "Method": method, "Path": path}
        if body is not None:
            arguments["Body"] = body
        if query is not None:
            arguments["QueryParameters"] = query
        return mwaa.invoke_rest_api(**arguments)["RestApiResponse"]

    dags = [dag["dag_id"] for dag in call("GET", "/dags").get("dags", []) if not dag.get("is_paused")]
    if not dags:
        return False, f"environment {environment} has no unpaused DAG"
    # InvokeRestApi takes paths of at most 64 characters (the MWAA API reference): the run gets a short id of
    # ours, and is found in its DAG's list of runs rather than at /dags/{dag_id}/dagRuns/{dag_run_id}.
    run_id = f"grader-{uuid.uuid4().hex[:8]}"
    for dag in dags:
        call("POST", f"/dags/{dag}/dagRuns", {"dag_run_id": run_id,
                                              "logical_date": datetime.now(timezone.utc).isoformat()})

    def state(dag: str) -> str:
        runs = call("GET", f"/dags/{dag}/dagRuns", query={"limit": 100})["dag_runs"]
        return next((run["state"] for run in runs if run["dag_run_id"] == run_id), "missing")

    deadline, states = time.monotonic() + timeout, {}
    while time.monotonic() < deadline:
        states = {dag: state(dag) for dag in dags}
        if all(state in ("success", "failed", "missing") for state in states.values()):
            break
        time.sleep(2)
    seen = ", ".join(f"{dag} {state}" for dag, state in states.items())
    return all(state == "success" for state in states.values()) and bool(states), f"DAG runs: {seen}"


BREAK_POLICY = "lakelab-grader-break"


def break_reading(contract: Contract, pipeline: Pipeline) -> list[str]:
    """Deny every service role of the course (the pipeline's workers) reading raw/customers/; their names."""
    iam = boto3.client("iam")
    deny = {"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": "s3:GetObject",
                                                    "Resource": f"arn:aws:s3:::{contract.bucket}/raw/customers/*"}]}
    broken = []
    for page in iam.get_paginator("list_roles").paginate():
        for role in page["Roles"]:
            if role["RoleName"].startswith(contract.prefix) and _assumed_by_a_service(role):
                iam.put_role_policy(RoleName=role["RoleName"], PolicyName=BREAK_POLICY, PolicyDocument=json.dumps(deny))
                broken.append(role["RoleName"])
    return broken


def reset_alarms(contract: Contract) -> list[str]:
    """Every metric alarm named with the prefix set to OK (evaluation then moves it as its metric says)."""
    cloudwatch = boto3.client("cloudwatch")
    names = [alarm["AlarmName"] for page in cloudwatch.get_paginator("describe_alarms").paginate(
        AlarmNamePrefix=contract.prefix) for alarm in page["MetricAlarms"]]
    for name in names:
        cloudwatch.set_alarm_state(AlarmName=name, StateValue="OK",
                                   StateReason="the capstone grader: before a broken run")
    return names


def mend(roles: list[str]) -> None:
    iam = boto3.client("iam")
    for role in roles:
        try:
            iam.delete_role_policy(RoleName=role, PolicyName=BREAK_POLICY)
        except iam.exceptions.NoSuchEntityException:
            pass


def _assumed_by_a_service(role: dict) -> bool:
    document = role.get("AssumeRolePolicyDocument") or {}
    if isinstance(document, str):
        from urllib.parse import unquote

        document = json.loads(unquote(document))
    for statement in document.get("Statement", []):
        services = statement.get("Principal", {}).get("Service", [])
        services = [services] if isinstance(services, str) else services
        if any(s.split(".")[0] not in ("firehose", "dms", "redshift") for s in services):
            return True
    return False
