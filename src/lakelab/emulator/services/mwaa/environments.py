"""MWAA environments: what CreateEnvironment checks, how an environment comes up, updates and goes.

An environment is CREATING while its Airflow is prepared (metadata database, DAGs synced, four
processes started and healthy: about 20 s here, 20-30 min on AWS), then AVAILABLE; a check that fails
on the way (the DAG folder missing, the execution role unable to read the bucket, Airflow not
starting) leaves it CREATE_FAILED with ``LastUpdate.Error`` saying why, as MWAA reports it.
UpdateEnvironment goes UPDATING -> AVAILABLE, restarting Airflow with the new settings (its metadata
database, so its DAG runs, kept). DeleteEnvironment goes DELETING, stops every process, and the
environment is gone.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import tempfile
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lakelab.emulator import context, identity, seam
from lakelab.emulator.common import s3_objects, user_code
from lakelab.emulator.services.mwaa import sync, versions
from lakelab.emulator.services.mwaa.guard import alive as _alive
from lakelab.emulator.services.mwaa.airflow import AIRFLOW_VERSION, Airflow, AirflowError, free_port, settings

NAME = re.compile(r"^[a-zA-Z][0-9a-zA-Z\-_]*$")
LOG_MODULES = {"DagProcessingLogs": "DAGProcessing", "SchedulerLogs": "Scheduler", "WebserverLogs": "WebServer",
               "WorkerLogs": "Worker", "TaskLogs": "Task"}
CLASSES = ("mw1.micro", "mw1.small", "mw1.medium", "mw1.large", "mw1.xlarge", "mw1.2xlarge")
SESSION_NAME = "AmazonMWAA-airflow"
HOME_PREFIX = "lakelab-mwaa-"  # + the emulator's pid: a folder whose emulator is gone is abandoned


class MwaaError(Exception):
    """An MWAA error answer: ``code`` is its type, ``status`` its HTTP status."""

    def __init__(self, code: str, message: str, status: int = 400, extra: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.code, self.status, self.extra = code, status, extra or {}


def validation(message: str) -> MwaaError:
    return MwaaError("ValidationException", message)


def not_found(name: str) -> MwaaError:
    return MwaaError("ResourceNotFoundException", f"Environment named {name} not found.", 404)


@dataclass
class Environment:
    name: str
    account_id: str
    region: str
    settings: dict[str, Any]
    tags: dict[str, str] = field(default_factory=dict)
    status: str = "CREATING"
    created_at: dt.datetime = field(default_factory=lambda: dt.datetime.now(dt.timezone.utc))
    last_update: dict[str, Any] = field(default_factory=dict)
    endpoint: str = ""
    airflow: Airflow | None = None
    home: Path | None = None
    port: int = 0
    _tickers: list[sync.Ticker] = field(default_factory=list)
    _lock: threading.RLock = field(default_factory=threading.RLock)

    @property
    def arn(self) -> str:
        return f"arn:aws:airflow:{self.region}:{self.account_id}:environment/{self.name}"

    @property
    def bucket(self) -> str:
        return self.settings["SourceBucketArn"].split(":::", 1)[-1]

    def log_group(self, module: str) -> str:
        return f"airflow-{self.name}-{LOG_MODULES[module]}"

    def logging(self, module: str) -> dict[str, Any]:
        chosen = (self.settings.get("LoggingConfiguration") or {}).get(module) or {}
        return {"Enabled": bool(chosen.get("Enabled", False)), "LogLevel": chosen.get("LogLevel", "INFO")}

    def role(self) -> Any:
        return identity.role_session(self.settings["ExecutionRoleArn"], SESSION_NAME,
                                     invoked_by="airflow.amazonaws.com")

    def describe(self) -> dict[str, Any]:
        chosen = self.settings
        logging = {}
        for module in LOG_MODULES:
            entry = self.logging(module)
            if entry["Enabled"]:
                entry["CloudWatchLogGroupArn"] = (f"arn:aws:logs:{self.region}:{self.account_id}:log-group:"
                                                  f"{self.log_group(module)}")
            logging[module] = entry
        answer = {
            "Name": self.name, "Status": self.status, "Arn": self.arn,
            "CreatedAt": self.created_at.timestamp(),
            "WebserverUrl": f"127.0.0.1:{self.port}" if self.port else "",
            "ExecutionRoleArn": chosen["ExecutionRoleArn"],
            "ServiceRoleArn": (f"arn:aws:iam::{self.account_id}:role/aws-service-role/airflow.amazonaws.com/"
                               "AWSServiceRoleForAmazonMWAA"),
            "AirflowVersion": chosen.get("AirflowVersion") or AIRFLOW_VERSION,
            "SourceBucketArn": chosen["SourceBucketArn"], "DagS3Path": chosen["DagS3Path"],
            "AirflowConfigurationOptions": dict(chosen.get("AirflowConfigurationOptions") or {}),
            "EnvironmentClass": chosen.get("EnvironmentClass") or "mw1.small",
            "MaxWorkers": chosen.get("MaxWorkers") or 10, "MinWorkers": chosen.get("MinWorkers") or 1,
            "Schedulers": chosen.get("Schedulers") or 2,
            "MaxWebservers": chosen.get("MaxWebservers") or 2, "MinWebservers": chosen.get("MinWebservers") or 2,
            "NetworkConfiguration": chosen["NetworkConfiguration"],
            "LoggingConfiguration": logging,
            "WeeklyMaintenanceWindowStart": chosen.get("WeeklyMaintenanceWindowStart") or "SUN:03:30",
            "Tags": dict(self.tags),
            "WebserverAccessMode": chosen.get("WebserverAccessMode") or "PRIVATE_ONLY",
            "EndpointManagement": chosen.get("EndpointManagement") or "SERVICE",
            "CeleryExecutorQueue": f"arn:aws:sqs:{self.region}:{self.account_id}:airflow-celery-{self.name}",
        }
        for optional in ("PluginsS3Path", "PluginsS3ObjectVersion", "RequirementsS3Path",
                         "RequirementsS3ObjectVersion", "StartupScriptS3Path", "StartupScriptS3ObjectVersion",
                         "KmsKey"):
            if chosen.get(optional):
                answer[optional] = chosen[optional]
        if self.last_update:
            answer["LastUpdate"] = dict(self.last_update)
        return answer


_environments: dict[tuple[str, str, str], Environment] = {}
_lock = threading.Lock()


def key(name: str) -> tuple[str, str, str]:
    here = context.current()
    return here.principal.account_id, here.region, name


def get(name: str) -> Environment:
    found = _environments.get(key(name))
    if found is None:
        raise not_found(name)
    return found


def listed() -> list[Environment]:
    here = context.current()
    return [env for (account, region, _), env in sorted(_environments.items())
            if account == here.principal.account_id and region == here.region]


def by_arn(arn: str) -> Environment:
    for environment in _environments.values():
        if environment.arn == arn:
            return environment
    raise MwaaError("ResourceNotFoundException", f"Resource {arn} not found.", 404)


# --- CreateEnvironment -------------------------------------------------------------------------


def create(name: str, request: dict[str, Any], endpoint: str) -> Environment:
    check_request(name, request, creating=True)
    here = context.current()
    environment = Environment(name, here.principal.account_id, here.region, dict(request),
                              tags=dict(request.get("Tags") or {}), endpoint=endpoint)
    environment.last_update = {"Status": "PENDING", "CreatedAt": environment.created_at.timestamp(),
                               "Source": "CreateEnvironment"}
    with _lock:
        if key(name) in _environments:
            raise validation(f"Environment {name} already exists.")
        _environments[key(name)] = environment
    threading.Thread(target=context.carry(_bring_up), args=(environment, "CREATE_FAILED"),
                     name=f"mwaa-{name}", daemon=True).start()
    return environment


def check_request(name: str, request: dict[str, Any], creating: bool) -> None:
    """MWAA's request checks: name, version, class, role, bucket (versioned, public access blocked)."""
    if not NAME.match(name) or len(name) > 80:
        raise validation(f"1 validation error detected: Value '{name}' at 'name' failed to satisfy constraint: "
                         "Member must satisfy regular expression pattern: ^[a-zA-Z][0-9a-zA-Z-_]*$")
    version = request.get("AirflowVersion")
    if version:
        refused = versions.refusal(version)
        if refused:
            raise validation(refused)
    chosen_class = request.get("EnvironmentClass")
    if chosen_class and chosen_class not in CLASSES:
        raise validation(f"Invalid EnvironmentClass {chosen_class!r}. Valid classes: {', '.join(CLASSES)}.")
    role_arn = request.get("ExecutionRoleArn")
    if role_arn or creating:
        _check_role(role_arn or "")
    bucket_arn = request.get("SourceBucketArn")
    if bucket_arn or creating:
        _check_bucket(bucket_arn or "")
    network = request.get("NetworkConfiguration")
    if creating and len((network or {}).get("SubnetIds") or []) != 2:
        raise validation("NetworkConfiguration.SubnetIds must name two private subnets in different "
                         "Availability Zones.")
    for option, value in (request.get("AirflowConfigurationOptions") or {}).items():
        if "." not in option or not isinstance(value, str):
            raise validation(f"Invalid AirflowConfigurationOptions entry {option!r}: keys are 'section.key' "
                             "and values are strings.")


def _check_role(role_arn: str) -> None:
    parts = role_arn.split(":")
    if len(parts) < 6 or parts[2] != "iam" or not parts[5].startswith("role/"):
        raise validation(f"Invalid ExecutionRoleArn {role_arn!r}: expected arn:aws:iam::<account>:role/<name>.")
    try:
        seam.backend("iam", parts[4] or context.current().principal.account_id).get_role_by_arn(role_arn)
    except Exception:  # noqa: BLE001 - moto's IAMNotFoundException
        raise validation(f"The execution role {role_arn} does not exist.") from None


def _check_bucket(bucket_arn: str) -> None:
    if not bucket_arn.startswith("arn:aws:s3:::") or "/" in bucket_arn:
        raise validation(f"Invalid SourceBucketArn {bucket_arn!r}: expected arn:aws:s3:::<bucket>.")
    bucket_name = bucket_arn.split(":::", 1)[1]
    backend = s3_objects.backend(context.current().principal.account_id)
    try:
        bucket = backend.get_bucket(bucket_name)
    except seam.MissingBucket:
        raise validation(f"The source bucket {bucket_name} does not exist.") from None
    if getattr(bucket, "versioning_status", None) != "Enabled":
        raise validation(f"The source bucket {bucket_name} must have versioning enabled (Amazon MWAA reads "
                         "your DAGs, plugins and requirements by version).")
    blocked = getattr(bucket, "public_access_block", None)
    if blocked is None or not all(str(getattr(blocked, f, "")).lower() == "true" for f in
                                  ("block_public_acls", "ignore_public_acls", "block_public_policy",
                                   "restrict_public_buckets")):
        raise validation(f"The source bucket {bucket_name} must block all public access.")


# --- coming up, updating, going ----------------------------------------------------------------


def _bring_up(environment: Environment, failed_status: str) -> None:
    with environment._lock:
        try:
            _start_airflow(environment)
        except (AirflowError, MwaaError, OSError) as error:
            _stop_airflow(environment)
            environment.status = failed_status
            environment.last_update.update(Status="FAILED", Error={
                "ErrorCode": getattr(error, "code", "INCORRECT_CONFIGURATION"), "ErrorMessage": str(error)})
            return
        if _environments.get((environment.account_id, environment.region, environment.name)) is not environment:
            _stop_airflow(environment)  # deleted or reset while it came up
            return
        environment.status = "AVAILABLE"
        environment.last_update["Status"] = "SUCCESS"
        environment.last_update.pop("Error", None)


def _start_airflow(environment: Environment) -> None:
    with context.acting_as(environment.role(), invoked_by="airflow.amazonaws.com"):
        dags = sync.DagFolder(environment.account_id, environment.bucket, environment.settings["DagS3Path"],
                              Path("."))
        try:
            if not dags.exists():
                raise MwaaError("INCORRECT_CONFIGURATION", f"The DAG folder s3://{environment.bucket}/"
                                f"{dags.prefix} is empty or does not exist: upload a DAG file there first.")
        except Exception as error:  # noqa: BLE001 - AccessDenied from the role's policies
            if isinstance(error, MwaaError):
                raise
            raise MwaaError("INCORRECT_CONFIGURATION", f"The execution role "
                            f"{environment.settings['ExecutionRoleArn']} cannot read the source bucket "
                            f"{environment.bucket}: {error}") from None
    if environment.home is None:
        _remove_abandoned_homes()
        environment.home = Path(tempfile.mkdtemp(prefix=f"{HOME_PREFIX}{os.getpid()}-{environment.name}-"))
    environment.port = environment.port or free_port()
    _create_log_groups(environment)
    task_logs = environment.logging("TaskLogs")
    task_group = (f"arn:aws:logs:{environment.region}:{environment.account_id}:log-group:"
                  f"{environment.log_group('TaskLogs')}" if task_logs["Enabled"] else None)
    env = user_code.passed_through()
    env.update(settings(environment.home, environment.port, task_group, task_logs["LogLevel"],
                        environment.settings.get("AirflowConfigurationOptions") or {}))
    principal = user_code.Principal(environment.account_id, environment.region, SESSION_NAME,
                                    environment.settings["ExecutionRoleArn"])
    env.update(user_code.credentials(principal))
    env.update(AWS_REGION=environment.region, AWS_DEFAULT_REGION=environment.region,
               AWS_ENDPOINT_URL=environment.endpoint, AWS_EC2_METADATA_DISABLED="true",
               AWS_DISABLE_HOST_PREFIX_INJECTION="true", LANG="en_US.UTF-8", PYTHONUNBUFFERED="1")
    airflow = Airflow(environment.home, env, environment.port)
    environment.airflow = airflow
    folder = sync.DagFolder(environment.account_id, environment.bucket, environment.settings["DagS3Path"],
                            environment.home / "dags")
    with context.acting_as(environment.role(), invoked_by="airflow.amazonaws.com"):
        folder.sync()
        if environment.settings.get("PluginsS3Path"):
            sync.unpack_plugins(environment.account_id, environment.bucket, environment.settings["PluginsS3Path"],
                                environment.home / "plugins")
    if not (environment.home / "airflow.db").exists():
        airflow.prepare_database()
    airflow.start()
    airflow.wait_healthy()
    _start_tickers(environment, folder)


def _remove_abandoned_homes() -> None:
    """Folders of environments whose emulator was killed (a kernel shut down) before it could remove them
    (their Airflow processes died with it: see ``guard``)."""
    for folder in Path(tempfile.gettempdir()).glob(f"{HOME_PREFIX}*"):
        owner = folder.name[len(HOME_PREFIX):].split("-", 1)[0]
        if owner.isdigit() and int(owner) != os.getpid() and not _alive(int(owner)):
            shutil.rmtree(folder, ignore_errors=True)


def _start_tickers(environment: Environment, folder: sync.DagFolder) -> None:
    role = environment.role()

    def sync_dags() -> None:
        with context.acting_as(role, invoked_by="airflow.amazonaws.com"):
            folder.sync()

    shipper = sync.OutputShipper(environment.account_id, environment.region)
    home = environment.home
    assert home is not None

    def ship_logs() -> None:
        for process, module in sync.OUTPUT_MODULES.items():
            if environment.logging(module)["Enabled"]:
                shipper.ship(home / "output" / f"{process}.log", environment.log_group(module), process)
        if environment.logging("DagProcessingLogs")["Enabled"]:
            for path in sorted((home / "logs" / "dag_processor").rglob("*.log")):
                stream = str(path.relative_to(home / "logs"))
                shipper.ship(path, environment.log_group("DagProcessingLogs"), stream)

    environment._tickers = [sync.Ticker(context.carry(sync_dags), sync.SYNC_SECONDS, f"mwaa-{environment.name}-dags"),
                            sync.Ticker(context.carry(ship_logs), 1.0, f"mwaa-{environment.name}-logs")]


def _create_log_groups(environment: Environment) -> None:
    backend = seam.backend("logs", environment.account_id, environment.region)
    for module in LOG_MODULES:
        if environment.logging(module)["Enabled"]:
            backend.ensure_log_group(environment.log_group(module))


def _stop_airflow(environment: Environment) -> None:
    for ticker in environment._tickers:
        ticker.stop()
    environment._tickers = []
    if environment.airflow is not None:
        environment.airflow.stop()
        environment.airflow = None


def update(name: str, request: dict[str, Any]) -> Environment:
    environment = get(name)
    if environment.status not in ("AVAILABLE", "UPDATE_FAILED", "CREATE_FAILED"):
        raise validation(f"Environment {name} is {environment.status}: it can be updated once it is AVAILABLE.")
    check_request(name, request, creating=False)
    changes = {k: v for k, v in request.items() if v is not None}
    environment.settings.update(changes)
    environment.status = "UPDATING"
    environment.last_update = {"Status": "PENDING", "CreatedAt": dt.datetime.now(dt.timezone.utc).timestamp(),
                               "Source": "UpdateEnvironment"}

    def restart() -> None:
        with environment._lock:
            _stop_airflow(environment)
        _bring_up(environment, "UPDATE_FAILED")

    threading.Thread(target=context.carry(restart), name=f"mwaa-{name}-update", daemon=True).start()
    return environment


def delete(name: str) -> Environment:
    environment = get(name)
    if environment.status in ("CREATING", "UPDATING", "DELETING"):
        raise validation(f"Environment {name} is {environment.status}: wait until it is AVAILABLE to delete it.")
    environment.status = "DELETING"

    def remove() -> None:
        with environment._lock:
            _stop_airflow(environment)
            if environment.home is not None:
                shutil.rmtree(environment.home, ignore_errors=True)
        with _lock:
            _environments.pop((environment.account_id, environment.region, environment.name), None)

    threading.Thread(target=remove, name=f"mwaa-{name}-delete", daemon=True).start()
    return environment


def stop_all() -> None:
    """Every environment's Airflow stopped and forgotten (reset, interpreter exit)."""
    with _lock:
        found = list(_environments.values())
        _environments.clear()
    for environment in found:
        _stop_airflow(environment)
        if environment.home is not None:
            shutil.rmtree(environment.home, ignore_errors=True)
