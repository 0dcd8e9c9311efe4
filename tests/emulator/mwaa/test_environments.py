"""MWAA on a real Airflow: what CreateEnvironment refuses, how an environment comes up, runs DAGs
through InvokeRestApi, shows import errors, logs to MWAA's log groups, updates and goes away.

One environment is started for the whole lifecycle test (about 15 s): the refusals need none."""

from __future__ import annotations

import json
import time

import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

NETWORK = {"SubnetIds": ["subnet-1", "subnet-2"], "SecurityGroupIds": ["sg-1"]}
TRUST = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {
    "Service": ["airflow.amazonaws.com", "airflow-env.amazonaws.com"]}, "Action": "sts:AssumeRole"}]}
HELLO = '''
from datetime import datetime
from airflow.sdk import DAG, task
from airflow.providers.amazon.aws.operators.s3 import S3CreateObjectOperator

with DAG("hello", start_date=datetime(2024, 1, 1), schedule=None, catchup=False) as dag:
    @task
    def greet(**context):
        print("greeting", context["dag_run"].conf["who"], "for", context["ds"])
        return context["dag_run"].conf["who"]

    S3CreateObjectOperator(task_id="write", s3_bucket="dags-bucket", s3_key="out/{{ ds }}.txt",
                           data="{{ ti.xcom_pull(task_ids='greet') }}", replace=True) << greet()
'''
BROKEN = "from airflow.sdk import DAG\nwith DAG('broken' schedule=None) as dag:\n    pass\n"
EMPTY = "from datetime import datetime\nfrom airflow.sdk import DAG\nfrom airflow.providers.standard.operators.empty import EmptyOperator\n"
CYCLE = EMPTY + ("with DAG('cycle', start_date=datetime(2024, 1, 1), schedule=None) as dag:\n"
                 "    a, b = EmptyOperator(task_id='a'), EmptyOperator(task_id='b')\n    a >> b >> a\n")
UNKNOWN_ARGUMENT = EMPTY + ("with DAG('typo', start_date=datetime(2024, 1, 1), schedule=None) as dag:\n"
                            "    EmptyOperator(task_id='a', retires=3)\n")


@pytest.fixture
def mwaa(client):
    # A loaded 2-core machine (the whole suite beside Airflow and Spark) can keep Airflow from answering for a
    # while: retry as a patient learner's client would.
    return client("mwaa", config=Config(inject_host_prefix=False, retries={"mode": "standard", "max_attempts": 8}))


def _source(client, bucket="dags-bucket", versioned=True, dags=True, policy_actions=("s3:*", "logs:*")):
    s3, iam = client("s3"), client("iam")
    s3.create_bucket(Bucket=bucket)
    if versioned:
        s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    if dags:
        s3.put_object(Bucket=bucket, Key="dags/")
    role = iam.create_role(RoleName="mwaa-exec", AssumeRolePolicyDocument=json.dumps(TRUST))["Role"]["Arn"]
    iam.put_role_policy(RoleName="mwaa-exec", PolicyName="work", PolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": list(policy_actions), "Resource": "*"}]}))
    return role


def _create(mwaa, role, name="lab", **extra):
    settings = {"Name": name, "ExecutionRoleArn": role, "SourceBucketArn": "arn:aws:s3:::dags-bucket",
                "DagS3Path": "dags", "NetworkConfiguration": NETWORK, "AirflowVersion": "3.0.6",
                "LoggingConfiguration": {"TaskLogs": {"Enabled": True, "LogLevel": "INFO"},
                                         "DagProcessingLogs": {"Enabled": True, "LogLevel": "WARNING"}}}
    return mwaa.create_environment(**{**settings, **extra})["Arn"]


def _settled(mwaa, name="lab", limit=180):
    deadline = time.monotonic() + limit
    while (environment := mwaa.get_environment(Name=name)["Environment"])["Status"] in ("CREATING", "UPDATING"):
        assert time.monotonic() < deadline, "the environment did not settle"
        time.sleep(1)
    return environment


def _api(mwaa, method, path, body=None, name="lab"):
    request = {"Name": name, "Method": method, "Path": path, **({"Body": body} if body is not None else {})}
    return mwaa.invoke_rest_api(**request)["RestApiResponse"]


def _until(probe, limit=60):
    deadline = time.monotonic() + limit
    while not (found := probe()):
        assert time.monotonic() < deadline, "gave up waiting"
        time.sleep(0.5)
    return found


@pytest.mark.parametrize("version, says", [
    ("2.4.3", "reached end of support on Amazon MWAA. Supported versions: 3.3.1, 3.2.1, 3.0.6"),
    ("3.9.9", "Invalid AirflowVersion '3.9.9'. Supported versions:"),
    ("2.10.3", "this local emulator runs Airflow 3.0.6 only"),
])
def test_versions_mwaa_does_not_offer_are_refused_with_the_list(client, mwaa, version, says):
    role = _source(client)
    with pytest.raises(ClientError) as refused:
        _create(mwaa, role, AirflowVersion=version)
    assert refused.value.response["Error"]["Code"] == "ValidationException" and says in str(refused.value)


def test_a_source_bucket_without_versioning_a_missing_role_or_a_bad_name_are_refused(client, mwaa):
    role = _source(client, versioned=False)
    for settings, says in ((dict(), "must have versioning enabled"),
                           (dict(ExecutionRoleArn="arn:aws:iam::123456789012:role/nobody"), "does not exist"),
                           (dict(Name="1-starts-with-a-digit"), "regular expression pattern")):
        with pytest.raises(ClientError) as refused:
            _create(mwaa, role, **settings)
        assert says in str(refused.value)
    assert mwaa.list_environments()["Environments"] == []


def test_a_missing_dag_folder_or_an_unreadable_bucket_fail_the_creation_with_the_reason(client, mwaa):
    role = _source(client, dags=False, policy_actions=("logs:*",))
    _create(mwaa, role)
    environment = _settled(mwaa)
    assert environment["Status"] == "CREATE_FAILED"
    assert "cannot read the source bucket" in environment["LastUpdate"]["Error"]["ErrorMessage"]
    client("iam").put_role_policy(RoleName="mwaa-exec", PolicyName="work", PolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": ["s3:*", "logs:*"], "Resource": "*"}]}))
    mwaa.delete_environment(Name="lab")
    _until(lambda: "lab" not in mwaa.list_environments()["Environments"])
    _create(mwaa, role)
    environment = _settled(mwaa)
    assert environment["Status"] == "CREATE_FAILED"
    assert "is empty or does not exist" in environment["LastUpdate"]["Error"]["ErrorMessage"]


def test_an_environment_runs_dags_from_s3_through_invoke_rest_api_and_goes_away(client, mwaa):
    role = _source(client)
    s3, logs = client("s3"), client("logs")
    s3.put_object(Bucket="dags-bucket", Key="dags/hello.py", Body=HELLO.encode())
    arn = _create(mwaa, role, Tags={"course": "lakelab"})
    assert mwaa.get_environment(Name="lab")["Environment"]["Status"] == "CREATING"
    environment = _settled(mwaa)
    assert environment["Status"] == "AVAILABLE", environment.get("LastUpdate")
    assert environment["AirflowVersion"] == "3.0.6" and environment["Arn"] == arn
    assert environment["LoggingConfiguration"]["TaskLogs"]["CloudWatchLogGroupArn"].endswith(":log-group:airflow-lab-Task")
    assert mwaa.list_environments()["Environments"] == ["lab"]
    assert mwaa.list_tags_for_resource(ResourceArn=arn)["Tags"] == {"course": "lakelab"}

    # A new DAG file appears through the API within seconds; a broken one shows its import error,
    # and the others keep working.
    _until(lambda: any(d["dag_id"] == "hello" for d in _api(mwaa, "GET", "/dags")["dags"]), limit=120)
    assert _api(mwaa, "GET", "/dags/hello")["is_paused"] is True  # paused at creation, as on MWAA
    s3.put_object(Bucket="dags-bucket", Key="dags/broken.py", Body=BROKEN.encode())
    errors = _until(lambda: _api(mwaa, "GET", "/importErrors")["import_errors"])  # within a minute, or it fails
    assert errors[0]["filename"].endswith("broken.py") and "SyntaxError" in errors[0]["stack_trace"]
    s3.put_object(Bucket="dags-bucket", Key="dags/cycle.py", Body=CYCLE.encode())
    s3.put_object(Bucket="dags-bucket", Key="dags/typo.py", Body=UNKNOWN_ARGUMENT.encode())
    errors = _until(lambda: len(found := _api(mwaa, "GET", "/importErrors")["import_errors"]) >= 3 and found)
    traces = {error["filename"].rsplit("/", 1)[-1]: error["stack_trace"] for error in errors}
    assert "cycle" in traces["cycle.py"].lower() and "retires" in traces["typo.py"]

    # Unknown paths answer Airflow's 404 through RestApiClientException, with Airflow's status and body.
    with pytest.raises(ClientError) as missing:
        _api(mwaa, "GET", "/dags/nothing")
    assert missing.value.response["Error"]["Code"] == "RestApiClientException"
    assert missing.value.response["RestApiStatusCode"] == 404

    # DAG runs, their tasks (as the execution role) and task logs in airflow-<env>-Task are exercised end to end
    # by week 5's tests (tests/weeks/test_week05_orchestration.py), where they run alone on their worker.
    _api(mwaa, "PATCH", "/dags/hello", {"is_paused": False})
    assert _api(mwaa, "GET", "/dags/hello")["is_paused"] is False
    assert any(g["logGroupName"] == "airflow-lab-DAGProcessing" for g in logs.describe_log_groups()["logGroups"])

    # An update restarts Airflow with the new settings and keeps its metadata (the run is still there).
    mwaa.update_environment(Name="lab", AirflowConfigurationOptions={"core.default_task_retries": "2"})
    assert mwaa.get_environment(Name="lab")["Environment"]["Status"] == "UPDATING"
    assert _settled(mwaa)["Status"] == "AVAILABLE"
    assert _api(mwaa, "GET", "/dags/hello")["is_paused"] is False, "the REST API answers the restarted Airflow"

    token = mwaa.create_cli_token(Name="lab")
    assert token["CliToken"] and token["WebServerHostname"].startswith("127.0.0.1:")

    mwaa.delete_environment(Name="lab")
    _until(lambda: "lab" not in mwaa.list_environments()["Environments"])
    with pytest.raises(ClientError) as gone:
        mwaa.get_environment(Name="lab")
    assert gone.value.response["Error"]["Code"] == "ResourceNotFoundException"
