"""The capstone grader's parts on small states (seconds each): finding the orchestration, breaking and mending
its roles, the tagging inventory, and the teardown that still removes untagged resources named with the prefix.
The criteria on whole builds are in tests/weeks/test_week09_capstone.py."""

from __future__ import annotations

import json

import boto3
import pytest

from lakelab.capstone import contract, inventory
from lakelab.capstone import pipeline as orchestration
from lakelab.course import naming

TAGS = naming.for_week(9).tags
TAG_SET = [{"Key": k, "Value": v} for k, v in TAGS.items()]
TRUST = {"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": {"Service": "states.amazonaws.com"}, "Action": "sts:AssumeRole"}]}
PASS_ONLY = json.dumps({"StartAt": "Done", "States": {"Done": {"Type": "Pass", "End": True}}})


def _state_machine(name: str, tags: dict[str, str]) -> str:
    iam, sfn = boto3.client("iam"), boto3.client("stepfunctions")
    try:
        role = iam.create_role(RoleName=f"{name}-role", AssumeRolePolicyDocument=json.dumps(TRUST),
                               Tags=[{"Key": k, "Value": v} for k, v in TAGS.items()])["Role"]["Arn"]
    except iam.exceptions.EntityAlreadyExistsException:
        role = iam.get_role(RoleName=f"{name}-role")["Role"]["Arn"]
    return sfn.create_state_machine(name=name, definition=PASS_ONLY, roleArn=role,
                                    tags=[{"key": k, "value": v} for k, v in tags.items()])["stateMachineArn"]


def test_the_orchestration_is_found_by_its_tag_and_only_one(emulator):
    terms = contract()
    assert orchestration.find(terms) == (None, "no state machine or MWAA environment tagged component=pipeline")
    _state_machine("lakelab-learner-helper", TAGS)  # the course's tags, not the pipeline's
    assert orchestration.find(terms)[0] is None
    _state_machine("lakelab-learner-daily", {**TAGS, "component": "pipeline"})
    found, seen = orchestration.find(terms)
    assert (found.kind, found.name, seen) == ("state machine", "lakelab-learner-daily",
                                              "state machine lakelab-learner-daily")
    assert found.run(timeout=30) == (True, "execution SUCCEEDED")
    _state_machine("lakelab-learner-other", {**TAGS, "component": "pipeline"})
    found, seen = orchestration.find(terms)
    assert found is None and seen.startswith("2 orchestrations tagged component=pipeline")


def test_breaking_denies_the_service_roles_reading_raw_customers_and_mending_removes_only_that(emulator):
    terms, iam = contract(), boto3.client("iam")
    _state_machine("lakelab-learner-daily", {**TAGS, "component": "pipeline"})
    iam.create_role(RoleName="lakelab-learner-analyst", AssumeRolePolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::123456789012:root"}, "Action": "sts:AssumeRole"}]}))
    broken = orchestration.break_reading(terms, orchestration.find(terms)[0])
    assert broken == ["lakelab-learner-daily-role"]  # the persona is a person's role: left alone
    policy = iam.get_role_policy(RoleName=broken[0], PolicyName=orchestration.BREAK_POLICY)["PolicyDocument"]
    assert policy["Statement"][0]["Resource"] == f"arn:aws:s3:::{terms.bucket}/raw/customers/*"
    orchestration.mend(broken)
    assert iam.list_role_policies(RoleName=broken[0])["PolicyNames"] == []


def test_untagged_resources_are_reported_and_teardown_still_removes_them(emulator):
    s3, sqs = boto3.client("s3"), boto3.client("sqs")
    s3.create_bucket(Bucket="lakelab-learner-lake")
    s3.put_bucket_tagging(Bucket="lakelab-learner-lake", Tagging={"TagSet": TAG_SET})
    sqs.create_queue(QueueName="lakelab-learner-forgotten")  # named with the prefix, no tags
    assert sorted(inventory.prefixed()) == [("bucket", "lakelab-learner-lake", True),
                                            ("queue", "lakelab-learner-forgotten", False)]
    assert inventory.tear_down() == ([], [], ["queue lakelab-learner-forgotten"])
    assert sqs.list_queues().get("QueueUrls", []) == [] and s3.list_buckets()["Buckets"] == []


def test_a_course_tagged_resource_without_the_prefix_is_what_teardown_cannot_find(emulator):
    s3 = boto3.client("s3")
    s3.create_bucket(Bucket="acme-shop-raw")
    s3.put_bucket_tagging(Bucket="acme-shop-raw", Tagging={"TagSet": TAG_SET})
    assert inventory.tear_down() == ([], ["arn:aws:s3:::acme-shop-raw"], [])


DAILY = '''
from datetime import datetime
from airflow.sdk import DAG, task

with DAG("daily_lake", start_date=datetime(2024, 1, 1), schedule=None, catchup=False) as dag:
    @task
    def validate():
        print("validated")

    validate()
'''


def test_an_mwaa_environment_tagged_as_the_pipeline_runs_its_unpaused_dags(emulator):
    """The grader's other orchestration: an MWAA environment (a real Airflow here), its DAG run through
    InvokeRestApi (about 30 s: the environment starts, the DAG is parsed, runs, and the environment goes)."""
    import time

    from botocore.config import Config

    s3, iam = boto3.client("s3"), boto3.client("iam")
    patient = Config(inject_host_prefix=False, retries={"mode": "standard", "max_attempts": 8})
    mwaa = boto3.client("mwaa", config=patient)
    s3.create_bucket(Bucket="lakelab-learner-airflow")
    s3.put_bucket_versioning(Bucket="lakelab-learner-airflow", VersioningConfiguration={"Status": "Enabled"})
    s3.put_object(Bucket="lakelab-learner-airflow", Key="dags/daily_lake.py", Body=DAILY.encode())
    role = iam.create_role(RoleName="lakelab-learner-mwaa", AssumeRolePolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {
            "Service": ["airflow.amazonaws.com", "airflow-env.amazonaws.com"]},
            "Action": "sts:AssumeRole"}]}))["Role"]["Arn"]
    iam.put_role_policy(RoleName="lakelab-learner-mwaa", PolicyName="work", PolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": ["s3:*", "logs:*"], "Resource": "*"}]}))
    mwaa.create_environment(Name="lakelab-learner-airflow", ExecutionRoleArn=role, AirflowVersion="3.0.6",
                            SourceBucketArn="arn:aws:s3:::lakelab-learner-airflow", DagS3Path="dags",
                            NetworkConfiguration={"SubnetIds": ["subnet-1", "subnet-2"], "SecurityGroupIds": ["sg-1"]},
                            Tags={**TAGS, "component": "pipeline"})
    try:
        deadline = time.monotonic() + 180
        while mwaa.get_environment(Name="lakelab-learner-airflow")["Environment"]["Status"] == "CREATING":
            assert time.monotonic() < deadline
            time.sleep(1)
        found, seen = orchestration.find(contract())
        assert (found.kind, seen) == ("environment", "environment lakelab-learner-airflow")
        assert found.run(timeout=10) == (False, "environment lakelab-learner-airflow has no unpaused DAG")

        def api(method, path, body=None):
            return mwaa.invoke_rest_api(Name="lakelab-learner-airflow", Method=method, Path=path,
                                        **({"Body": body} if body is not None else {}))["RestApiResponse"]

        while not any(dag["dag_id"] == "daily_lake" for dag in api("GET", "/dags")["dags"]):
            assert time.monotonic() < deadline, "the DAG was never parsed"
            time.sleep(1)
        api("PATCH", "/dags/daily_lake", {"is_paused": False})  # paused at creation, as on MWAA
        assert found.run(timeout=120) == (True, "DAG runs: daily_lake success")
    finally:  # gone before the next test resets the emulator (Airflow's processes stop with it)
        mwaa.delete_environment(Name="lakelab-learner-airflow")
        deadline = time.monotonic() + 120
        while "lakelab-learner-airflow" in mwaa.list_environments()["Environments"] and time.monotonic() < deadline:
            time.sleep(1)


def test_late_events_in_the_curated_table_fail_the_clickstream_criterion(emulator):
    """A delivery stream that keeps every event, late ones included (the plausible slip), fails criterion 4
    naming the late events; the on-time ones arrived."""
    from lakelab.capstone import replay
    from lakelab.checks import CheckFailed, checks_for

    s3, glue, kinesis, firehose, iam = (boto3.client(s) for s in ("s3", "glue", "kinesis", "firehose", "iam"))
    terms = contract()
    s3.create_bucket(Bucket=terms.bucket)
    glue.create_database(DatabaseInput={"Name": terms.database})
    glue.create_table(DatabaseName=terms.database, TableInput={"Name": "clickstream", "StorageDescriptor": {
        "Columns": [{"Name": "event_id", "Type": "string"}, {"Name": "event_ts", "Type": "string"}],
        "Location": f"s3://{terms.bucket}/curated/clickstream/",
        "SerdeInfo": {"SerializationLibrary": "org.openx.data.jsonserde.JsonSerDe"}}})
    kinesis.create_stream(StreamName=terms.stream, ShardCount=1)
    kinesis.get_waiter("stream_exists").wait(StreamName=terms.stream)
    stream_arn = kinesis.describe_stream_summary(StreamName=terms.stream)["StreamDescriptionSummary"]["StreamARN"]
    role = iam.create_role(RoleName="lakelab-learner-delivery", AssumeRolePolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "firehose.amazonaws.com"},
                                                "Action": "sts:AssumeRole"}]}))["Role"]["Arn"]
    iam.put_role_policy(RoleName="lakelab-learner-delivery", PolicyName="work", PolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": ["s3:*", "kinesis:*"], "Resource": "*"}]}))
    firehose.create_delivery_stream(
        DeliveryStreamName="lakelab-learner-clicks", DeliveryStreamType="KinesisStreamAsSource",
        KinesisStreamSourceConfiguration={"KinesisStreamARN": stream_arn, "RoleARN": role},
        ExtendedS3DestinationConfiguration={"RoleARN": role, "BucketARN": f"arn:aws:s3:::{terms.bucket}",
                                            "Prefix": "curated/clickstream/",
                                            "BufferingHints": {"SizeInMBs": 1, "IntervalInSeconds": 1},
                                            "ProcessingConfiguration": {"Enabled": True, "Processors": [
                                                {"Type": "AppendDelimiterToRecord"}]}})
    replay.forget()
    clickstream = next(check for check in checks_for(9) if check.number == "4")
    try:
        clickstream()
    except CheckFailed as failure:
        assert "no late event" in failure.expected and "grader-" in failure.found and "-late-" in failure.found
    else:
        raise AssertionError("late events in the curated table passed criterion 4")
    finally:
        replay.forget()


def test_on_the_learners_own_target_the_criteria_refuse_and_progress_runs_none(emulator, monkeypatch, tmp_path):
    """A notebook (or `lakelab progress`) that activated the learner's target never runs the criteria: they
    would commit changes in the source database and tear the lake down. The Setup line says how it is judged."""
    from lakelab import course, targets
    from lakelab.checks import CheckFailed, checks_for
    from lakelab.grading import progress

    monkeypatch.setenv("LAKELAB_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("LAKELAB_EMBEDDED", raising=False)
    targets.forget()
    try:
        target = targets.activate()  # what a Setup cell does
        s3 = boto3.client("s3")
        s3.create_bucket(Bucket="lakelab-learner-lake")
        s3.put_bucket_tagging(Bucket="lakelab-learner-lake", Tagging={"TagSet": TAG_SET})
        teardown = next(check for check in checks_for(9) if check.number == "10")
        with pytest.raises(CheckFailed) as refused:
            teardown()
        assert "lakelab check labs/week09_capstone.ipynb" in str(refused.value)
        assert [b["Name"] for b in s3.list_buckets()["Buckets"]] == ["lakelab-learner-lake"], "nothing torn down"
        exercises, _ = progress.collect([9], target)
        assert len(exercises) == 10 and {e.status for e in exercises} == {progress.NOT_SHOWN}
        assert progress.where_you_are(course.week(9), target).startswith(
            "Your progress on this lab: judged by behaviour, not cell by cell: `lakelab check")
    finally:
        targets.forget()
