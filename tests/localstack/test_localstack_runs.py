"""The localstack target run for real: week 1's solution, its checks, Clean up, and the refusals.

Every test here shares one LocalStack (see conftest.py); each leaves it as it found it.
"""

from __future__ import annotations

from pathlib import Path

import boto3
import nbformat
import pytest

import lakelab
from lakelab import course
from lakelab.checks import checks_for
from lakelab.lab import teardown
from lakelab.notebooks import execution
from lakelab.notebooks.labs import SOLUTIONS
from lakelab.targets import TargetError

PREFIX = "lakelab-learner-"


def run_on_localstack(path: Path, endpoint: str) -> nbformat.NotebookNode:
    env = execution.test_environment()
    env.update(LAKELAB_TARGET="localstack", LOCALSTACK_ENDPOINT=endpoint)
    return execution.run(nbformat.read(path, as_version=4), path.parent, env, allow_errors=True)


def outputs(cell) -> str:
    return "".join(o.get("text", "") or o.get("data", {}).get("text/plain", "") for o in cell.get("outputs", []))


def errors(notebook) -> list[str]:
    return [f"{o.ename}: {o.evalue}" for c in notebook.cells if c.cell_type == "code"
            for o in c.outputs if o.output_type == "error"]


def course_resources() -> list[str]:
    """Everything named with the course's prefix on the services LocalStack's free tier offers, tagged or not."""
    s3, sqs, iam = boto3.client("s3"), boto3.client("sqs"), boto3.client("iam")
    aws_lambda, logs = boto3.client("lambda"), boto3.client("logs")
    return ([f"bucket {b['Name']}" for b in s3.list_buckets()["Buckets"] if b["Name"].startswith(PREFIX)]
            + [f"queue {u}" for u in sqs.list_queues(QueueNamePrefix=PREFIX).get("QueueUrls", [])]
            + [f"role {r['RoleName']}" for r in iam.list_roles()["Roles"] if r["RoleName"].startswith(PREFIX)]
            + [f"function {f['FunctionName']}" for f in aws_lambda.list_functions()["Functions"]
               if f["FunctionName"].startswith(PREFIX)]
            + [f"log group {g['logGroupName']}" for g in logs.describe_log_groups(
                logGroupNamePrefix=f"/aws/lambda/{PREFIX}")["logGroups"]])


def test_target_uses_the_configured_endpoint_and_knows_what_it_offers(on_localstack, localstack):
    assert on_localstack.endpoint == localstack.endpoint and not localstack.endpoint.endswith(":4566")
    assert {"s3", "sqs", "lambda", "logs", "iam"} <= on_localstack.services
    assert not on_localstack.offers("glue") and not on_localstack.offers("athena")
    assert on_localstack.summary().startswith(f"Target: localstack · {localstack.endpoint} · account 000000000000")


def test_week01_solution_passes_every_check_and_its_clean_up_leaves_nothing(on_localstack, localstack):
    executed = run_on_localstack(SOLUTIONS / f"{course.week(1).lab}.ipynb", localstack.endpoint)
    assert errors(executed) == []
    cells = [cell for cell in executed.cells if cell.cell_type == "code"]
    assert outputs(cells[0]).startswith(f"Target: localstack · {localstack.endpoint}")
    printed = "".join(outputs(cell) for cell in cells)
    for check in checks_for(1):  # the check cells read LocalStack's state, from the kernel as a learner runs them
        assert f"✅ PASS {check.number} " in printed, f"check {check.number} did not pass on LocalStack"
    assert "❌" not in printed
    clean_up = outputs(next(cell for cell in cells if "clean_up()" in cell.source)).splitlines()
    assert clean_up[-2].startswith("Not swept: environment, state machine, trigger, job, application, delivery "
                                   "stream, flow, connector profile, replication task, endpoint, replication "
                                   "instance, db instance, db snapshot, db parameter group, crawler, workgroup, "
                                   "trail, redshift workgroup, redshift namespace, redshift cluster, redshift "
                                   "parameter group, redshift subnet group, lake formation grant, data cells filter, "
                                   "lf-tag, registered location, database, stream (mwaa, stepfunctions, glue, ")
    assert clean_up[-1] == "Removed 2 resource(s) of the course (all weeks)."
    assert course_resources() == []


def test_week03_runs_what_needs_no_lambda_code_and_says_what_it_skipped(on_localstack, localstack):
    """Without Docker, LocalStack runs no function's code: week 3's role, contracts and package run; every cell
    marked ``# needs: lambda-code`` is skipped with the reason, and each check either passes or says, in one
    line, that this target cannot show it. Never a traceback; Clean up leaves nothing."""
    path = SOLUTIONS / f"{course.week(3).lab}.ipynb"
    env = execution.test_environment()
    env.update(LAKELAB_TARGET="localstack", LOCALSTACK_ENDPOINT=localstack.endpoint, LAKELAB_LOCALSTACK_LAMBDA="none")
    executed = execution.run(nbformat.read(path, as_version=4), path.parent, env, allow_errors=True)
    assert errors(executed) == []
    cells = [cell for cell in executed.cells if cell.cell_type == "code"]
    setup = outputs(cells[0])
    assert "On this target: LocalStack runs a Lambda function's code only with Docker" in setup
    assert "The cells and checks that need it say so, and are skipped." in setup
    marked = [cell for cell in cells if cell.source.startswith("# needs: lambda-code")]
    assert len(marked) >= 10 and all(outputs(cell).startswith("⏭ skipped on this target: LocalStack runs a Lambda")
                                     for cell in marked)
    printed = "".join(outputs(cell) for cell in cells)
    for check in checks_for(3):
        shown = f"✅ PASS {check.number} " in printed
        said = f"⏭ SKIP {check.number} {check.title}: not shown on this target, because " in printed
        assert shown or said, f"check {check.number} neither passed nor said why it cannot be shown"
    assert "❌" not in printed
    assert course_resources() == []


def test_a_lab_needing_paid_services_is_refused_before_it_creates_anything(on_localstack, monkeypatch):
    monkeypatch.delenv("LOCALSTACK_AUTH_TOKEN", raising=False)
    with pytest.raises(TargetError) as refused:
        lakelab.start(week=2)
    message = str(refused.value)
    assert message.startswith("This lab uses glue, athena, which this LocalStack does not offer, so nothing was created")
    assert "LOCALSTACK_AUTH_TOKEN" in message and "unset LAKELAB_TARGET" in message and "\n" not in message
    assert course_resources() == []  # week 2's Setup would have rebuilt week 1's lake bucket


def _course_bucket_and_queue() -> None:
    tags = {"course": "lakelab", "learner": "learner", "week": "01"}
    s3 = boto3.client("s3")
    s3.create_bucket(Bucket=f"{PREFIX}lake")
    s3.put_bucket_tagging(Bucket=f"{PREFIX}lake", Tagging={"TagSet": [{"Key": k, "Value": v} for k, v in tags.items()]})
    s3.put_object(Bucket=f"{PREFIX}lake", Key="raw/x.csv", Body=b"1")
    boto3.client("sqs").create_queue(QueueName=f"{PREFIX}raw-events", tags=tags)


def test_teardown_sweeps_what_the_target_offers_from_its_health(on_localstack):
    _course_bucket_and_queue()
    lines = []
    removed = teardown.teardown(report=lines.append)
    assert [(r.kind, r.name) for r in removed] == [("bucket", f"{PREFIX}lake"), ("queue", f"{PREFIX}raw-events")]
    assert lines[-2] == ("Not swept: environment, state machine, trigger, job, application, delivery stream, "
                         "flow, connector profile, replication task, endpoint, replication instance, db instance, "
                         "db snapshot, db parameter group, crawler, workgroup, trail, redshift workgroup, redshift "
                         "namespace, redshift cluster, redshift parameter group, redshift subnet group, lake formation "
                         "grant, data cells filter, lf-tag, registered location, database, stream (mwaa, "
                         "stepfunctions, glue, emr-serverless, firehose, appflow, dms, rds, athena, cloudtrail, "
                         "redshift-serverless, redshift, lakeformation, kinesis: not offered by this target, so none "
                         "were created).")
    assert course_resources() == []


def test_teardown_treats_501_not_implemented_as_not_offered(on_localstack, localstack):
    """Without a resolved target (as when a tool points boto3 at LocalStack itself), the 501 answers decide."""
    from lakelab import targets

    _course_bucket_and_queue()
    targets.forget()  # the environment still points boto3 at LocalStack
    lines = []
    removed = teardown.teardown(report=lines.append)
    assert [r.kind for r in removed] == ["bucket", "queue"]
    assert lines[-2].startswith("Not swept: environment, state machine, trigger, job, application, delivery stream, "
                                "flow, connector profile, replication task, endpoint, replication instance, db "
                                "instance, db snapshot, db parameter group, crawler, workgroup, trail, redshift "
                                "workgroup, redshift namespace, redshift cluster, redshift parameter group, redshift "
                                "subnet group, lake formation grant, data cells filter, lf-tag, registered location, "
                                "database, stream (mwaa, stepfunctions, glue")
    assert course_resources() == []


def test_the_emulator_answers_week01s_calls_as_localstack_does(on_localstack, emulator):
    """Where the two differed on week 1 and AWS sides with LocalStack, the emulator was fixed: keep it so."""
    def answers(endpoint: str, key: str) -> dict:
        s3 = boto3.client("s3", endpoint_url=endpoint, aws_access_key_id=key, aws_secret_access_key=key)
        s3.create_bucket(Bucket=f"{PREFIX}answers")
        try:
            rules = {"Rules": [{"ID": "r", "Status": "Enabled", "Filter": {"Prefix": "raw/"}, "Expiration": {"Days": 1}}]}
            lifecycle = s3.put_bucket_lifecycle_configuration(Bucket=f"{PREFIX}answers", LifecycleConfiguration=rules)
            policy = s3.put_bucket_policy(Bucket=f"{PREFIX}answers", Policy='{"Version": "2012-10-17", "Statement": '
                                          '[{"Effect": "Deny", "Principal": "*", "Action": "s3:DeleteBucket", '
                                          f'"Resource": "arn:aws:s3:::{PREFIX}none"}}]}}')
            return {"lifecycle": lifecycle.get("TransitionDefaultMinimumObjectSize"),
                    "policy status": policy["ResponseMetadata"]["HTTPStatusCode"]}
        finally:
            s3.delete_bucket_policy(Bucket=f"{PREFIX}answers")
            s3.delete_bucket(Bucket=f"{PREFIX}answers")

    expected = {"lifecycle": "all_storage_classes_128K", "policy status": 204}
    assert answers(on_localstack.endpoint, "test") == expected
    assert answers(emulator.endpoint, "testing") == expected
