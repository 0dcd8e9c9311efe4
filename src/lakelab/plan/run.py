"""One run of a lab's solution as the learner's role, on a fresh emulator in a process of its own.

The emulator enforces IAM. The learner's role (``LakeLabs-<learner>``, the role ``lakelab bootstrap``
makes on AWS) holds either every action (to learn what the lab needs) or a generated policy (to prove
it), and the kernel signs every call with that role's session credentials. The solution runs cell by
cell; before its Clean up the lab's checks run from outside the kernel, as the account, and the
course's resources are listed as teardown finds them; then the Clean up runs, as the learner does on
AWS (so what it needs is in the policy too). Under a generated policy, a call outside it is made last
and must be refused.
"""

from __future__ import annotations

import io
import multiprocessing
import os
import time
import uuid
from contextlib import redirect_stdout
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

GUARDRAIL_PREFIX = "LakeLabs"  # LakeLabs-<learner>: the role a learner runs the labs as, outside the labs'
# own names (lakelab-<learner>-...), which labs sweep and the capstone inventories
SESSION_NAME = "lakelab-plan"
ADMIN = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
CHECKER_KEY = "lakelab-plan-checks"  # keys the emulator never issued act as the account's root


@dataclass
class RunResult:
    seconds: float = 0.0
    authorizations: list[tuple[str, str]] = field(default_factory=list)
    denied: list[tuple[str, str, str]] = field(default_factory=list)
    unnamed: dict[str, int] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)
    passed_to: list[str] = field(default_factory=list)  # services iam:PassRole handed roles to
    trail_calls: dict[str, int] = field(default_factory=dict)
    cell_errors: list[str] = field(default_factory=list)
    checks: list[tuple[str, str, bool, str]] = field(default_factory=list)  # (number, title, passed, why)
    resources: list[tuple[str, str, str]] = field(default_factory=list)  # (kind, name, size: class, shards...)
    outside_call: str = ""  # the AccessDenied a call outside the policy got
    error: str = ""

    @property
    def passed(self) -> bool:
        # (a lab graded otherwise -- the capstone's rubric -- has no checks: every cell must run)
        return not self.error and not self.cell_errors and all(ok for _, _, ok, _ in self.checks)


def run_in_own_process(week: Any, policies: list[dict] | None, timeout: float = 900) -> RunResult:
    """:func:`run` in a new process, its result sent back: moto's state is per process, and a process started
    afresh (not forked) inherits neither a test's emulator state nor its threads."""
    spawn = multiprocessing.get_context("spawn")
    reader, writer = spawn.Pipe(duplex=False)
    child = spawn.Process(target=_child, args=(week, policies, writer), name="lakelab-plan-run")
    child.start()
    writer.close()
    try:
        if reader.poll(timeout):
            return reader.recv()
        return RunResult(error=f"the run took longer than {timeout:g} s")
    except EOFError:
        return RunResult(error=f"the run's process ended unexpectedly (exit code {child.exitcode})")
    finally:
        child.join(5)
        _end_session(child.pid)  # the kernel, and servers the emulator started (PostgreSQL, Airflow), with it


def _end_session(leader: int | None) -> None:
    import signal

    try:
        os.killpg(leader, signal.SIGKILL)
    except (ProcessLookupError, PermissionError, TypeError):
        pass


def _child(week: Any, policies: list[dict] | None, writer: Any) -> None:
    os.setsid()  # one session: the kernel and whatever it starts end with it
    from lakelab.notebooks.execution import use_claimed_kernel_ports

    use_claimed_kernel_ports()  # a kernel's ports must not be another run's (tests and grading run side by side)
    try:
        result = run(week, policies)
    except Exception as error:  # report, never hang the parent
        result = RunResult(error=f"{type(error).__name__}: {error}")
    writer.send(result)
    writer.close()
    os._exit(0)  # the emulator's threads and the kernel's session die with the process


def run(week: Any, policies: list[dict] | None) -> RunResult:
    """Run ``week``'s solution as the learner's role holding ``policies`` (None: every action)."""
    from lakelab import course
    from lakelab.emulator import Emulator
    from lakelab.notebooks.execution import test_environment
    from lakelab.plan.capture import Capture, trail_calls

    entry = course.week(week)
    started = time.perf_counter()
    environment = test_environment()
    os.environ.clear()
    os.environ.update(environment)
    with Emulator() as emulator:
        os.environ.update(AWS_ENDPOINT_URL=emulator.endpoint, LAKELAB_EMBEDDED="0",
                          LAKELAB_PORT=emulator.endpoint.rsplit(":", 1)[1])
        role_arn, credentials = _learner_role(emulator.endpoint, policies or [ADMIN])
        result = RunResult()
        with Capture(role_arn) as capture:
            _execute(entry, emulator.endpoint, credentials, result)
            if policies is not None:
                result.outside_call = _call_outside(emulator.endpoint, credentials)
            emulator.drain()
        result.authorizations = sorted(capture.allowed)
        result.denied = capture.denied
        result.counts = dict(sorted(capture.counts.items()))
        result.passed_to = sorted(capture.passed_to)
        result.unnamed = {f"{service}:{operation}": count for (service, operation), count in capture.unnamed.items()}
        result.trail_calls = trail_calls(emulator_account(), "us-east-1", SESSION_NAME)
    result.seconds = time.perf_counter() - started
    return result


def emulator_account() -> str:
    from lakelab.emulator.context import DEFAULT_ACCOUNT

    return DEFAULT_ACCOUNT


def _client(service: str, endpoint: str, key: str = CHECKER_KEY, secret: str = "testing", token: str | None = None):
    import boto3

    return boto3.client(service, endpoint_url=endpoint, region_name="us-east-1", aws_access_key_id=key,
                        aws_secret_access_key=secret, aws_session_token=token)


def role_name() -> str:
    from lakelab.course import naming

    return f"{GUARDRAIL_PREFIX}-{naming.learner()}"


def _learner_role(endpoint: str, policies: list[dict]) -> tuple[str, tuple[str, str, str]]:
    """The learner's role with ``policies`` attached (managed policies, as bootstrap makes them), and a session."""
    import json

    iam = _client("iam", endpoint)
    trust = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                                                     "Principal": {"AWS": f"arn:aws:iam::{emulator_account()}:root"}}]}
    role = iam.create_role(RoleName=role_name(), AssumeRolePolicyDocument=json.dumps(trust), MaxSessionDuration=43200)
    for number, document in enumerate(policies, 1):
        arn = iam.create_policy(PolicyName=f"{role_name()}-{number}", PolicyDocument=json.dumps(document))["Policy"]["Arn"]
        iam.attach_role_policy(RoleName=role_name(), PolicyArn=arn)
    make_data_lake_admin(_client("lakeformation", endpoint), role["Role"]["Arn"])
    session = _client("sts", endpoint).assume_role(RoleArn=role["Role"]["Arn"], RoleSessionName=SESSION_NAME,
                                                   DurationSeconds=43200)["Credentials"]
    return role["Role"]["Arn"], (session["AccessKeyId"], session["SecretAccessKey"], session["SessionToken"])


def make_data_lake_admin(lakeformation: Any, role_arn: str) -> bool:
    """Add the role to Lake Formation's data lake administrators, keeping the other settings (PutDataLakeSettings
    replaces them all). Week 7's reading asks the learner to be one on AWS: the account's administrator does this
    once (``lakelab bootstrap`` does). False if it already was one."""
    settings = lakeformation.get_data_lake_settings()["DataLakeSettings"]
    admins = settings.get("DataLakeAdmins", [])
    if any(admin.get("DataLakePrincipalIdentifier") == role_arn for admin in admins):
        return False
    settings["DataLakeAdmins"] = [*admins, {"DataLakePrincipalIdentifier": role_arn}]
    lakeformation.put_data_lake_settings(DataLakeSettings=settings)
    return True


def _execute(entry: Any, endpoint: str, credentials: tuple[str, str, str], result: RunResult) -> None:
    import nbformat
    from nbclient import NotebookClient

    from lakelab.notebooks.transforms import is_cleanup

    path = Path(entry.files()["solution"])
    notebook = nbformat.read(_repository() / path, as_version=4)
    os.environ["LAKELAB_LOCAL_CREDENTIALS"] = ":".join(credentials)
    client = NotebookClient(notebook, timeout=600, allow_errors=True, kernel_name="python3",
                            resources={"metadata": {"path": str((_repository() / path).parent)}})
    body = [(i, c) for i, c in enumerate(notebook.cells) if c.cell_type == "code" and not is_cleanup(c)]
    cleanup = [(i, c) for i, c in enumerate(notebook.cells) if c.cell_type == "code" and is_cleanup(c)]
    with client.setup_kernel():
        for index, cell in body:
            client.execute_cell(cell, index)
        result.checks = _checks(entry, endpoint)
        result.resources = _resources(entry, endpoint)
        for index, cell in cleanup:
            client.execute_cell(cell, index)
    for index, cell in body + cleanup:
        result.cell_errors += [f"cell {index}: {output.get('ename')}: {str(output.get('evalue'))[:300]}"
                               for output in cell.get("outputs", []) if output.get("output_type") == "error"
                               and "raises-exception" not in cell.metadata.get("tags", [])]


def _repository() -> Path:
    from lakelab.notebooks.labs import SOLUTIONS

    return SOLUTIONS.parent


def _as_account(endpoint: str) -> dict[str, str]:
    saved = dict(os.environ)
    os.environ.update(AWS_ACCESS_KEY_ID=CHECKER_KEY, AWS_SECRET_ACCESS_KEY="testing", AWS_ENDPOINT_URL=endpoint)
    os.environ.pop("AWS_SESSION_TOKEN", None)
    return saved


def _checks(entry: Any, endpoint: str) -> list[tuple[str, str, bool, str]]:
    from lakelab.checks import checks_for
    from lakelab.grading.runner import run_check

    saved = _as_account(endpoint)
    try:
        outcomes = [run_check(check) for check in checks_for(entry.key)]
    finally:
        os.environ.clear()
        os.environ.update(saved)
    return [(o.number, o.title, o.passed, "" if o.passed else f"expected {o.expected}; found {o.found}")
            for o in outcomes]


def _resources(entry: Any, endpoint: str) -> list[tuple[str, str, str]]:
    """What the lab left tagged as its own, found as teardown finds it (only the kinds its entry names)."""
    from lakelab.course import naming
    from lakelab.lab import sweepers

    saved = _as_account(endpoint)
    prefix = f"{naming.COURSE}-{naming.learner()}-"
    try:
        with redirect_stdout(io.StringIO()):
            found = {(kind, name) for kind, sweeper in sweepers.in_dependency_order(set(entry.sweeps))
                     for name, tags, _ in sweeper(prefix) if naming.is_course_resource(tags, entry.key)}
        sized = sorted((kind, name, _size(kind, name, endpoint)) for kind, name in found)
    finally:
        os.environ.clear()
        os.environ.update(saved)
    return sized


def _size(kind: str, name: str, endpoint: str) -> str:
    """What a resource's hourly price depends on: a class, shards, capacity ('' if nothing)."""
    from botocore.exceptions import BotoCoreError, ClientError

    asked = {
        "stream": lambda: f"{_client('kinesis', endpoint).describe_stream_summary(StreamName=name)['StreamDescriptionSummary']['OpenShardCount']} shards",
        "db instance": lambda: _client("rds", endpoint).describe_db_instances(
            DBInstanceIdentifier=name)["DBInstances"][0]["DBInstanceClass"],
        "replication instance": lambda: _client("dms", endpoint).describe_replication_instances(
            Filters=[{"Name": "replication-instance-id", "Values": [name]}])["ReplicationInstances"][0]["ReplicationInstanceClass"],
        "environment": lambda: _client("mwaa", endpoint).get_environment(Name=name)["Environment"]["EnvironmentClass"],
        "redshift workgroup": lambda: f"{_client('redshift-serverless', endpoint).get_workgroup(workgroupName=name)['workgroup']['baseCapacity']} RPU",
    }
    try:
        return asked[kind]() if kind in asked else ""
    except (BotoCoreError, ClientError, LookupError):
        return ""


def _call_outside(endpoint: str, credentials: tuple[str, str, str]) -> str:
    """A bucket outside the course's prefix, asked for with the learner's session: AWS's AccessDenied."""
    from botocore.exceptions import ClientError

    s3 = _client("s3", endpoint, *credentials)
    bucket = f"outside-the-course-{uuid.uuid4().hex[:8]}"
    try:
        s3.create_bucket(Bucket=bucket)
    except ClientError as error:
        return f"s3 CreateBucket {bucket}: {error.response['Error']['Code']}: {error.response['Error']['Message']}"
    return f"s3 CreateBucket {bucket}: allowed (the policy is not scoped to the course)"
