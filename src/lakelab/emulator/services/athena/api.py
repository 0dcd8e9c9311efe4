"""Athena's query-execution API on top of moto's Athena service.

moto keeps workgroups, named queries and data catalogs; the query-execution operations are
replaced so queries really run. Executions are stored in moto's backend (so ``/moto-api/reset``
forgets them) and listed newest first, as Athena lists them.
"""

from __future__ import annotations

import json
from typing import Any


from lakelab.emulator import seam
from lakelab.emulator.services.athena import executions, results
from lakelab.emulator.services.athena.executions import Execution

# GetQueryExecution waits this long for a running query before answering, so clients that poll
# (awswrangler sleeps a second between polls) see fast queries finish on their first poll.
POLL_WAIT_SECONDS = 1.0
_NO_OUTPUT = ("No output location provided. An output location is required either through the Workgroup "
              "result configuration setting or as an API input.")


class InvalidRequestException(seam.JsonRESTError):
    def __init__(self, message: str) -> None:
        super().__init__("InvalidRequestException", message)


def _backend(response: Any) -> Any:
    return response.athena_backend


def _execution(response: Any, execution_id: str | None) -> Execution:
    found = _backend(response).executions.get(execution_id or "")
    if not isinstance(found, Execution):
        raise InvalidRequestException(f"QueryExecution {execution_id} was not found")
    return found


_START_PARAMETERS = ("QueryString", "WorkGroup", "ClientRequestToken", "ResultConfiguration",
                     "QueryExecutionContext", "ExecutionParameters")


def start_query_execution(self: Any) -> str:
    request = {name: self._get_param(name) for name in _START_PARAMETERS}
    return json.dumps({"QueryExecutionId": start(_backend(self), request)})


def start(backend: Any, request: dict[str, Any]) -> str:
    """StartQueryExecution on moto's Athena ``backend``: validate, record, submit; the execution id."""
    query = request.get("QueryString") or ""
    workgroup_name = request.get("WorkGroup") or "primary"
    workgroup = backend.work_groups.get(workgroup_name)
    if workgroup is None:
        raise InvalidRequestException(f"WorkGroup {workgroup_name} is not found.")
    token = request.get("ClientRequestToken")
    tokens = backend.__dict__.setdefault("lakelab_request_tokens", {})
    if token and token in tokens:
        return tokens[token]  # the same request, retried
    configuration = dict(request.get("ResultConfiguration") or {})
    output = _output_location(workgroup.configuration, configuration.get("OutputLocation"))
    if not query.strip():
        raise InvalidRequestException("Query string must not be empty")
    execution = Execution(backend.account_id, backend.region_name, query, workgroup_name, output,
                          configuration, dict(request.get("QueryExecutionContext") or {}),
                          request.get("ExecutionParameters"),
                          workgroup.configuration.get("BytesScannedCutoffPerQuery"))
    execution.result_configuration["OutputLocation"] = execution.output_file
    backend.executions[execution.id] = execution
    if token:
        tokens[token] = execution.id
    executions.submit(execution)
    return execution.id


def _output_location(workgroup_configuration: dict[str, Any], requested: str | None) -> str:
    configured = (workgroup_configuration.get("ResultConfiguration") or {}).get("OutputLocation")
    enforced = workgroup_configuration.get("EnforceWorkGroupConfiguration", False)
    location = configured if (enforced and configured) else (requested or configured)
    if not location:
        raise InvalidRequestException(_NO_OUTPUT)
    if not location.startswith("s3://"):
        raise InvalidRequestException(f"Invalid OutputLocation: {location} (expected s3://bucket/prefix/)")
    return location if location.endswith("/") else location + "/"


def describe(execution: Execution) -> dict[str, Any]:
    """The ``QueryExecution`` structure of GetQueryExecution and BatchGetQueryExecution."""
    status: dict[str, Any] = {"State": execution.state, "SubmissionDateTime": execution.submitted}
    if execution.finished is not None:
        status["CompletionDateTime"] = execution.finished
    if execution.reason:
        status["StateChangeReason"] = execution.reason
    if execution.state == "FAILED":
        status["AthenaError"] = {"ErrorCategory": execution.error_category or 2, "ErrorType": 1000,
                                 "Retryable": False, "ErrorMessage": execution.reason}
    found: dict[str, Any] = {
        "QueryExecutionId": execution.id, "Query": execution.query, "StatementType": execution.statement_type,
        "SubstatementType": execution.substatement_type, "ResultConfiguration": execution.result_configuration,
        "ResultReuseConfiguration": {"ResultReuseByAgeConfiguration": {"Enabled": False}},
        "QueryExecutionContext": execution.query_context, "Status": status,
        "Statistics": statistics(execution), "WorkGroup": execution.workgroup,
        "EngineVersion": {"SelectedEngineVersion": "AUTO", "EffectiveEngineVersion": "Athena engine version 3"},
    }
    if execution.execution_parameters:
        found["ExecutionParameters"] = execution.execution_parameters
    return found


def _millis(start: float | None, end: float | None) -> int:
    return int(round(((end or 0) - (start or 0)) * 1000)) if start is not None and end is not None else 0


def statistics(execution: Execution) -> dict[str, Any]:
    found: dict[str, Any] = {
        "EngineExecutionTimeInMillis": _millis(execution.started, execution.engine_done),
        "DataScannedInBytes": execution.scanned_bytes,
        "TotalExecutionTimeInMillis": _millis(execution.submitted, execution.finished),
        "QueryQueueTimeInMillis": _millis(execution.submitted, execution.started or execution.finished),
        "ServicePreProcessingTimeInMillis": 0,
        "QueryPlanningTimeInMillis": int(round(execution.planning_seconds * 1000)),
        "ServiceProcessingTimeInMillis": _millis(execution.engine_done, execution.finished),
        "ResultReuseInformation": {"ReusedPreviousResult": False},
    }
    if execution.manifest:
        found["DataManifestLocation"] = execution.manifest
    return found


def get_query_execution(self: Any) -> str:
    execution = _execution(self, self._get_param("QueryExecutionId"))
    if execution.state not in executions.FINAL_STATES:
        executions.wait(execution, POLL_WAIT_SECONDS)
    return json.dumps({"QueryExecution": describe(execution)})


def batch_get_query_execution(self: Any) -> str:
    found, missing = [], []
    for execution_id in self._get_param("QueryExecutionIds") or []:
        execution = _backend(self).executions.get(execution_id)
        if isinstance(execution, Execution):
            found.append(describe(execution))
        else:
            missing.append({"QueryExecutionId": execution_id, "ErrorCode": "INVALID_INPUT",
                            "ErrorMessage": f"QueryExecution {execution_id} was not found"})
    return json.dumps({"QueryExecutions": found, "UnprocessedQueryExecutionIds": missing})


def _existing_workgroup(self: Any) -> Any:
    """The request's workgroup; AWS refuses an unknown one where moto answers with nothing."""
    name = self._get_param("WorkGroup") or "primary"
    workgroup = _backend(self).work_groups.get(name)
    if workgroup is None:
        raise InvalidRequestException(f"WorkGroup {name} is not found.")
    return workgroup


def get_work_group(self: Any) -> str:
    workgroup = _existing_workgroup(self)
    return json.dumps({"WorkGroup": _backend(self).get_work_group(workgroup.name)}, default=str)


# UpdateWorkGroup's ConfigurationUpdates (AWS Athena API, "WorkGroupConfigurationUpdates"): a value set,
# or removed by its Remove... flag; what the request leaves out stays.
_SETTINGS = ("EnforceWorkGroupConfiguration", "PublishCloudWatchMetricsEnabled", "BytesScannedCutoffPerQuery",
             "RequesterPaysEnabled", "EngineVersion")
_RESULT_SETTINGS = ("OutputLocation", "EncryptionConfiguration", "ExpectedBucketOwner", "AclConfiguration")


def update_work_group(self: Any) -> str:
    """UpdateWorkGroup, which moto lacks: the description, state and configuration updates applied."""
    workgroup = _existing_workgroup(self)
    if self._get_param("Description") is not None:
        workgroup.description = self._get_param("Description")
    if self._get_param("State") in ("ENABLED", "DISABLED"):
        workgroup.state = self._get_param("State")
    updates, configuration = self._get_param("ConfigurationUpdates") or {}, workgroup.configuration
    for setting in _SETTINGS:
        if setting in updates:
            configuration[setting] = updates[setting]
    if updates.get("RemoveBytesScannedCutoffPerQuery"):
        configuration.pop("BytesScannedCutoffPerQuery", None)
    results = updates.get("ResultConfigurationUpdates") or {}
    current = configuration.setdefault("ResultConfiguration", {})
    for setting in _RESULT_SETTINGS:
        if results.get(f"Remove{setting}"):
            current.pop(setting, None)
        elif setting in results:
            if setting == "OutputLocation" and not str(results[setting]).startswith("s3://"):
                raise InvalidRequestException(
                    f"Invalid OutputLocation: {results[setting]} (expected s3://bucket/prefix/)")
            current[setting] = results[setting]
    return json.dumps({})


def list_query_executions(self: Any) -> str:
    workgroup = _existing_workgroup(self).name
    limit = min(int(self._get_param("MaxResults") or 50), 50)
    ordered = sorted((e for e in list(_backend(self).executions.values())
                      if isinstance(e, Execution) and e.workgroup == workgroup),
                     key=lambda e: e.submitted, reverse=True)
    start = int(self._get_param("NextToken") or 0)
    page = ordered[start : start + limit]
    answer: dict[str, Any] = {"QueryExecutionIds": [e.id for e in page]}
    if start + limit < len(ordered):
        answer["NextToken"] = str(start + limit)
    return json.dumps(answer)


def stop_query_execution(self: Any) -> str:
    executions.stop(_execution(self, self._get_param("QueryExecutionId")))
    return "{}"


def get_query_results(self: Any) -> str:
    execution = _execution(self, self._get_param("QueryExecutionId"))
    if execution.state != "SUCCEEDED":
        if execution.state in executions.FINAL_STATES:
            raise InvalidRequestException(f"Query did not finish successfully. Final query state: {execution.state}")
        raise InvalidRequestException(f"Query has not yet finished. Current state: {execution.state}")
    result = results.kept(execution.id)
    if result is None:
        result = results.read_back(execution.account_id, execution.output_file, execution.column_info, execution.header)
        results.keep(execution.id, result)
    try:
        page = results.page(result, self._get_param("MaxResults"), self._get_param("NextToken"))
    except ValueError as error:
        raise InvalidRequestException(str(error)) from None
    return json.dumps(page)


def get_query_runtime_statistics(self: Any) -> str:
    execution = _execution(self, self._get_param("QueryExecutionId"))
    timings = statistics(execution)
    rows: dict[str, Any] = {"InputBytes": execution.scanned_bytes, "OutputBytes": execution.output_bytes,
                            "OutputRows": execution.output_rows}
    if execution.input_rows is not None:
        rows["InputRows"] = execution.input_rows
    timeline = {k: timings[k] for k in ("QueryQueueTimeInMillis", "ServicePreProcessingTimeInMillis",
                                        "QueryPlanningTimeInMillis", "EngineExecutionTimeInMillis",
                                        "ServiceProcessingTimeInMillis", "TotalExecutionTimeInMillis")}
    return json.dumps({"QueryRuntimeStatistics": {"Timeline": timeline, "Rows": rows}})


HANDLERS = {
    "start_query_execution": start_query_execution, "get_query_execution": get_query_execution,
    "batch_get_query_execution": batch_get_query_execution, "list_query_executions": list_query_executions,
    "stop_query_execution": stop_query_execution, "get_query_results": get_query_results,
    "get_query_runtime_statistics": get_query_runtime_statistics, "get_work_group": get_work_group,
}
