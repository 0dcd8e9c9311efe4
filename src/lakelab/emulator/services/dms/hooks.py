"""The hooks around moto's DMS backend: endpoints checked, connections tested, tasks that run."""

from __future__ import annotations

import json
import threading
from typing import Any

from lakelab.emulator import seam
from lakelab.emulator.services.dms import mappings, runs, source, target

_runs: dict[str, runs.Run] = {}  # task ARN -> its run
_lock = threading.RLock()
MIGRATION_TYPES = (runs.FULL_LOAD, runs.CDC, runs.BOTH)
START_TYPES = ("start-replication", "resume-processing", "reload-target")


def _invalid(message: str) -> Exception:
    return seam.JsonRESTError("InvalidParameterValueException", message)


def _not_found(message: str) -> Exception:
    return seam.resolve("DMSResourceNotFoundFault")(message)


def _bad_state(message: str) -> Exception:
    return seam.resolve("DMSInvalidResourceStateFault")(message)


def endpoint_by_arn(backend: Any, arn: str) -> Any:
    """moto keys endpoints by identifier; tasks and connections name them by ARN."""
    return next((endpoint for endpoint in backend.endpoints.values() if endpoint.endpoint_arn == arn), None)


def run_of(task: Any) -> runs.Run:
    with _lock:
        if task.arn not in _runs:
            _runs[task.arn] = runs.Run(task.id, task.arn.split(":")[4])
        return _runs[task.arn]


# --- endpoints and replication instances ---------------------------------------------------------


def checks_the_endpoint(create: Any) -> Any:
    def create_endpoint(self: Any, *args: Any, **kwargs: Any) -> Any:
        engine = (kwargs.get("engine_name") or "").lower()
        if kwargs.get("endpoint_type") == "target" and engine == "s3":
            reason = target.check(kwargs.get("s3_settings") or {}, kwargs.get("service_access_role_arn"))
            if reason:
                raise _invalid(reason)
        if kwargs.get("endpoint_type") == "source" and engine in ("postgres", "aurora-postgresql"):
            settings = kwargs.get("postgre_sql_settings") or {}
            if not (kwargs.get("server_name") or settings.get("ServerName")):
                raise _invalid("ServerName is required for a postgres endpoint")
        endpoint = create(self, *args, **kwargs)
        endpoint.status = "active"  # AWS: active at once
        return endpoint

    return create_endpoint


def available_at_once(create: Any) -> Any:
    def create_replication_instance(self: Any, *args: Any, **kwargs: Any) -> Any:
        instance = create(self, *args, **kwargs)
        instance.status = "available"
        return instance

    return create_replication_instance


# --- TestConnection ------------------------------------------------------------------------------


class Connection:
    """One TestConnection's result: ``testing`` in its answer, then successful or failed."""

    def __init__(self, instance: Any, endpoint: Any, failure: str) -> None:
        self.replication_instance_arn, self.endpoint_arn = instance.arn, endpoint.endpoint_arn
        self.replication_instance_identifier, self.endpoint_identifier = instance.id, endpoint.endpoint_identifier
        self.failure, self.status = failure, "testing"

    def advance(self) -> None:
        self.status = "failed" if self.failure else "successful"

    def to_dict(self) -> dict[str, Any]:
        return {"ReplicationInstanceArn": self.replication_instance_arn, "EndpointArn": self.endpoint_arn,
                "Status": self.status, "LastFailureMessage": self.failure if self.status == "failed" else "",
                "EndpointIdentifier": self.endpoint_identifier,
                "ReplicationInstanceIdentifier": self.replication_instance_identifier}


def tests_for_real(test: Any) -> Any:
    def test_connection(self: Any, replication_instance_arn: str, endpoint_arn: str) -> Any:
        instance = self.replication_instances.get(replication_instance_arn)
        if instance is None:
            raise _not_found("Replication instance could not be found.")
        endpoint = endpoint_by_arn(self, endpoint_arn)
        if endpoint is None:
            raise _not_found("Endpoint could not be found.")
        connection = Connection(instance, endpoint, _failure_of(endpoint, self.account_id))
        self.connections = [c for c in self.connections
                            if not (c.endpoint_arn == endpoint_arn and c.replication_instance_arn == instance.arn)]
        self.connections.append(connection)
        return connection

    return test_connection


def _failure_of(endpoint: Any, account_id: str) -> str:
    engine = (endpoint.engine_name or "").lower()
    if engine in ("postgres", "aurora-postgresql"):
        try:
            source.connect(source.settings_of(endpoint)).close()
        except source.SourceError as error:
            return str(error)
        return ""
    if engine == "s3":
        settings = target.settings_of(endpoint)
        from lakelab.emulator.common import s3_objects

        try:
            s3_objects.backend(account_id).get_bucket(settings.bucket)
        except Exception:
            return f"Failed to access S3 bucket '{settings.bucket}': The specified bucket does not exist"
        return ""
    return ""


# --- replication tasks --------------------------------------------------------------------------


def checks_the_task(create: Any) -> Any:
    def create_replication_task(self: Any, replication_task_identifier: str, source_endpoint_arn: str,
                                target_endpoint_arn: str, replication_instance_arn: str, migration_type: str,
                                table_mappings: str, *args: Any, **kwargs: Any) -> Any:
        if migration_type not in MIGRATION_TYPES:
            raise _invalid(f"Invalid value for MigrationType: {migration_type} (full-load, cdc or full-load-and-cdc)")
        try:
            mappings.parse(table_mappings)
        except mappings.MappingError as error:
            raise _invalid(str(error)) from None
        for arn, kind in ((source_endpoint_arn, "Source"), (target_endpoint_arn, "Target")):
            if endpoint_by_arn(self, arn) is None:
                raise _not_found(f"{kind} endpoint {arn} not found")
        if replication_instance_arn not in self.replication_instances:
            raise _not_found("Replication instance could not be found.")
        task = create(self, replication_task_identifier, source_endpoint_arn, target_endpoint_arn,
                      replication_instance_arn, migration_type, table_mappings, *args, **kwargs)
        task.status = "ready"
        return task

    return create_replication_task


def start_replication_task(self: Any) -> str:
    """StartReplicationTask with its StartReplicationTaskType (moto reads the ARN only)."""
    backend = self.dms_backend
    arn, kind = self._get_param("ReplicationTaskArn"), self._get_param("StartReplicationTaskType")
    task = backend.replication_tasks.get(arn)
    if task is None:
        raise _not_found("Replication task could not be found.")
    if kind not in START_TYPES:
        raise _invalid(f"Invalid value for StartReplicationTaskType: {kind}")
    run = run_of(task)
    if run.running:
        raise _bad_state(f"Replication task is in {run.status} state. Task can't be started.")
    # "start-replication is the only valid action that can be used for the first time a task ... is run"
    # (StartReplicationTask API reference); the messages' wording is unverified.
    if kind == "start-replication" and run.has_run:
        raise _bad_state("Start Type : START_REPLICATION, valid only for tasks running for the first time")
    if kind != "start-replication" and not run.has_run:
        raise _bad_state(f"Start Type : {kind.upper().replace('-', '_')}, valid only for tasks that have run before")
    for name in ("CdcStartTime", "CdcStartPosition", "CdcStopPosition"):
        if self._get_param(name) is not None:
            raise _invalid(f"{name} is not supported by the local emulator's DMS: a CDC task starts at its slot")
    mapping = mappings.parse(task.table_mappings)
    run.start(kind, task.migration_type, mapping, endpoint_by_arn(backend, task.source_endpoint_arn),
              endpoint_by_arn(backend, task.target_endpoint_arn))
    return json.dumps({"ReplicationTask": task.to_dict()})


def stops_the_run(stop: Any) -> Any:
    def stop_replication_task(self: Any, replication_task_arn: str) -> Any:
        task = self.replication_tasks.get(replication_task_arn)
        if task is None:
            raise _not_found("Replication task could not be found.")
        run = run_of(task)
        if not run.running:
            raise _bad_state("Replication task is not running")
        run.stop()
        return task

    return stop_replication_task


def deletes_the_run(delete: Any) -> Any:
    def delete_replication_task(self: Any, replication_task_arn: str) -> Any:
        task = self.replication_tasks.get(replication_task_arn)
        with _lock:
            run = _runs.pop(replication_task_arn, None)
        if run is not None and run.running:
            raise _bad_state("Replication task is running: stop it first")
        found = delete(self, replication_task_arn)
        if run is not None and task is not None:
            _drop_slot(self, task, run)
        return found

    return delete_replication_task


def _drop_slot(backend: Any, task: Any, run: runs.Run) -> None:
    endpoint = endpoint_by_arn(backend, task.source_endpoint_arn)
    if endpoint is None:
        return
    settings = source.settings_of(endpoint)
    try:
        connection = source.admin_connection(settings) or source.connect(settings)
        with connection:
            source.drop_slot(connection, run.slot)
    except Exception:  # the database may be gone already: the slot went with it
        pass


def reports_the_run(to_dict: Any) -> Any:
    def task_to_dict(self: Any) -> dict[str, Any]:
        answer = to_dict(self)
        run = _runs.get(self.arn)
        if run is None:
            answer["Status"] = self.status
            answer.pop("ReplicationTaskStats", None)
            return answer
        answer["Status"] = run.status
        if run.stop_reason:
            answer["StopReason"] = run.stop_reason
        if run.last_failure:
            answer["LastFailureMessage"] = run.last_failure
        answer["ReplicationTaskStartDate"] = _iso(run.started)
        loaded = [s for s in run.stats.values() if s.state == "Table completed"]
        answer["ReplicationTaskStats"] = {
            "FullLoadProgressPercent": run.full_load_percent, "TablesLoaded": len(loaded),
            "TablesLoading": sum(s.state == "Full load" for s in run.stats.values()),
            "TablesQueued": sum(s.state == "Before load" for s in run.stats.values()),
            "TablesErrored": 0, "StartDate": _iso(run.started), "StopDate": _iso(run.stopped),
            "FullLoadStartDate": _iso(run.full_load_started), "FullLoadFinishDate": _iso(run.full_load_finished),
            "ElapsedTimeMillis": int(((run.stopped or _now()) - run.started).total_seconds() * 1000)
            if run.started else 0}
        return {key: value for key, value in answer.items() if value is not None}

    return task_to_dict


def describe_table_statistics(self: Any) -> str:
    """DescribeTableStatistics: per table, full-load rows and the changes applied."""
    arn = self._get_param("ReplicationTaskArn")
    task = self.dms_backend.replication_tasks.get(arn)
    if task is None:
        raise _not_found("Replication task could not be found.")
    run = _runs.get(arn)
    statistics = [stats.to_dict() for stats in (run.stats.values() if run else [])]
    return json.dumps({"ReplicationTaskArn": arn, "TableStatistics": statistics})


def _iso(moment: Any) -> Any:
    return moment.timestamp() if moment is not None else None


def _now() -> Any:
    import datetime as dt

    return dt.datetime.now(dt.timezone.utc)


def stop_all() -> None:
    with _lock:
        found = list(_runs.values())
        _runs.clear()
    for run in found:
        if run.running:
            run.stop(wait=10)


# --- ModifyEndpoint and tags (moto lacks them) ---------------------------------------------------------

_ENDPOINT_FIELDS = {"EndpointIdentifier": "endpoint_identifier", "EndpointType": "endpoint_type",
                    "EngineName": "engine_name", "Username": "username", "Password": "password",
                    "ServerName": "server_name", "Port": "port", "DatabaseName": "database_name",
                    "ExtraConnectionAttributes": "extra_connection_attributes", "CertificateArn": "certificate_arn",
                    "SslMode": "ssl_mode", "ServiceAccessRoleArn": "service_access_role_arn",
                    "ExternalTableDefinition": "external_table_definition"}
_ENDPOINT_SETTINGS = {"S3Settings": "s3_settings", "PostgreSQLSettings": "postgre_sql_settings",
                      "DmsTransferSettings": "dms_transfer_settings", "KinesisSettings": "kinesis_settings",
                      "RedshiftSettings": "redshift_settings", "MySQLSettings": "my_sql_settings"}


def modify_endpoint(self: Any) -> str:
    """ModifyEndpoint: the given fields replace the endpoint's; a settings object is merged into the one the
    endpoint has, key by key, unless ``ExactSettings`` is true, when it replaces it ("If this attribute is Y, the
    current call to ModifyEndpoint replaces all existing endpoint settings with the exact settings that you
    specify in this call" -- ModifyEndpoint API reference). An S3 target is checked as at create. A task that
    is running keeps reading and writing with what it started with until it is started again (unverified)."""
    backend, params = self.dms_backend, json.loads(self.body or "{}")
    endpoint = endpoint_by_arn(backend, params.get("EndpointArn", ""))
    if endpoint is None:
        raise _not_found("Endpoint not found.")  # wording unverified
    renamed = params.get("EndpointIdentifier")
    if renamed and renamed != endpoint.endpoint_identifier and renamed in backend.endpoints:
        raise seam.resolve("DMSResourceAlreadyExistsFault")(f"Endpoint {renamed} already exists.")
    exact = bool(params.get("ExactSettings"))
    changed = {attribute: params[key] for key, attribute in _ENDPOINT_FIELDS.items() if key in params}
    settings = {attribute: (dict(params[key]) if exact else {**(getattr(endpoint, attribute, None) or {}), **params[key]})
                for key, attribute in _ENDPOINT_SETTINGS.items() if key in params}
    engine = (changed.get("engine_name") or endpoint.engine_name or "").lower()
    kind = changed.get("endpoint_type") or endpoint.endpoint_type
    if kind == "target" and engine == "s3":
        s3_settings = settings.get("s3_settings", endpoint.s3_settings or {})
        reason = target.check(s3_settings, changed.get("service_access_role_arn", endpoint.service_access_role_arn))
        if reason:
            raise _invalid(reason)
    if renamed and renamed != endpoint.endpoint_identifier:  # moto keys endpoints by identifier
        backend.endpoints[renamed] = backend.endpoints.pop(endpoint.endpoint_identifier)
    for attribute, value in {**changed, **settings}.items():
        setattr(endpoint, attribute, value)
    return json.dumps({"Endpoint": endpoint.to_dict()})


def add_tags_to_resource(self: Any) -> str:
    """AddTagsToResource: tags on a replication instance, endpoint, task (by ARN); a key given again is replaced."""
    params = json.loads(self.body or "{}")
    self.dms_backend.tagger.tag_resource(params["ResourceArn"], params.get("Tags") or [])
    return "{}"


def remove_tags_from_resource(self: Any) -> str:
    params = json.loads(self.body or "{}")
    self.dms_backend.tagger.untag_resource_using_names(params["ResourceArn"], params.get("TagKeys") or [])
    return "{}"
