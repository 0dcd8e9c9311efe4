"""The Step Functions API operations this package answers in place of moto's responses.

- every operation reaches the interpreting backend (``stepfunction_backend``), with no config;
- ``DescribeExecution`` answers AWS's fields (compact JSON output, the error and cause of a
  failed or stopped execution);
- ``StopExecution`` keeps the ``error`` and ``cause`` it is given, and answers once the execution
  is ``ABORTED``;
- ``GetExecutionHistory`` pages (``maxResults``, default 100, ``nextToken``), honours
  ``reverseOrder`` and ``includeExecutionData``;
- ``ValidateStateMachineDefinition`` (moto has none) answers the problems CreateStateMachine would
  refuse the definition for, as diagnostics;
- ``StartSyncExecution`` (moto has none) runs an EXPRESS execution and answers with its outcome.
  botocore sends it to the ``sync-`` host prefix, which an IP endpoint cannot have: the course
  sets ``AWS_DISABLE_HOST_PREFIX_INJECTION=true`` for emulator targets, and the emulator answers it
  on its one endpoint.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import time
import uuid
from typing import Any

from lakelab.emulator import seam

_FINISHED = ("SUCCEEDED", "FAILED", "TIMED_OUT", "ABORTED")
_HISTORY_PAGE = 100
_DATA_FIELDS = ("input", "output")


def _backend_of(response: Any) -> Any:
    return seam.backend("stepfunctions", response.current_account, response.region)


BACKEND = property(_backend_of)


def describe_execution(self: Any) -> Any:
    execution = self.stepfunction_backend.describe_execution(self._get_param("executionArn"))
    return seam.ActionResult(described(execution))


def described(execution: Any) -> dict[str, Any]:
    """DescribeExecution's answer for one of the interpreter's executions."""
    answer = {key: value for key, value in execution.to_describe_output().items() if value is not None}
    answer["status"] = execution.status
    if execution.status != "SUCCEEDED":
        answer.pop("output", None)
        answer.pop("outputDetails", None)
    return answer


def stop_execution(self: Any) -> Any:
    execution = self.stepfunction_backend.describe_execution(self._get_param("executionArn"))
    if execution.status == "RUNNING":
        error, cause = self._get_param("error"), self._get_param("cause")
        execution.error, execution.cause = error, cause
        execution.stop(stop_date=dt.datetime.now(dt.timezone.utc), error=error, cause=cause)
        _wait_until_finished(execution, timeout=5.0)
    return seam.ActionResult({"stopDate": execution.stop_date or dt.datetime.now(dt.timezone.utc)})


def _wait_until_finished(execution: Any, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while execution.status not in _FINISHED and time.monotonic() < deadline:
        time.sleep(0.01)


def get_execution_history(self: Any) -> Any:
    arn = self._get_param("executionArn")
    events = list(self.stepfunction_backend.get_execution_history(arn)["events"])
    if self._get_param("reverseOrder"):
        events.reverse()
    if self._get_param("includeExecutionData") is False:
        events = [_without_data(event) for event in events]
    start = _page_start(self._get_param("nextToken"))
    size = min(int(self._get_param("maxResults") or _HISTORY_PAGE), 1000)
    page = {"events": events[start:start + size]}
    if start + size < len(events):
        page["nextToken"] = str(start + size)
    return seam.ActionResult(page)


def _page_start(token: str | None) -> int:
    if token is None:
        return 0
    if not token.isdigit():
        raise seam.JsonRESTError("InvalidToken", f"Invalid Token: '{token}'")
    return int(token)


def _without_data(event: dict[str, Any]) -> dict[str, Any]:
    trimmed = {}
    for key, value in event.items():
        if key.endswith("EventDetails") and isinstance(value, dict):
            value = {name: part for name, part in value.items() if name not in _DATA_FIELDS}
        trimmed[key] = value
    return trimmed


def validate_state_machine_definition(self: Any) -> Any:
    from lakelab.emulator.services.stepfunctions import definitions

    express = self._get_param("type") == "EXPRESS"
    limit = int(self._get_param("maxResults") or 100)
    problems = definitions.problems_of(self._get_param("definition"), express)
    diagnostics = [{"severity": "ERROR", "code": problem.code, "message": problem.message,
                    **({"location": problem.location} if problem.location else {})} for problem in problems]
    return seam.ActionResult({"result": "FAIL" if problems else "OK", "diagnostics": diagnostics[:limit],
                              "truncated": len(diagnostics) > limit})


# --- StartSyncExecution -----------------------------------------------------------------------


def start_sync_execution(self: Any) -> Any:
    backend = self.stepfunction_backend
    machine = backend.describe_state_machine(self._get_param("stateMachineArn"))
    if machine.type != "EXPRESS":
        raise seam.JsonRESTError("StateMachineTypeNotSupported",
                                 "This operation is not supported by this type of state machine")
    name = self._get_param("name") or uuid.uuid4().hex
    if self._get_param("name"):
        backend._validate_name(name)
    execution_input = _input(self._get_param("input"))
    execution = seam.SfnSyncExecution(
        name=name, sm_type="EXPRESS", role_arn=machine.roleArn,
        exec_arn=f"arn:aws:states:{backend.region_name}:{backend.account_id}:express:{machine.name}:{name}:"
                 f"{uuid.uuid4()}",
        account_id=backend.account_id, region_name=backend.region_name, state_machine=machine,
        start_date=dt.datetime.now(dt.timezone.utc), cloud_watch_logging_session=None, activity_store={},
        input_data=execution_input)
    started = time.monotonic()
    execution.start()  # an EXPRESS execution started this way runs to its end in this request
    answer = {key: value for key, value in execution.to_start_sync_execution_output().items() if value is not None}
    milliseconds = max(100, math.ceil((time.monotonic() - started) * 10) * 100)
    answer["billingDetails"] = {"billedMemoryUsedInMB": 64, "billedDurationInMilliseconds": milliseconds}
    return seam.ActionResult(answer)


def _input(given: str | None) -> str:
    if given is None:
        return "{}"
    try:
        json.loads(given)
    except ValueError as error:
        raise seam.JsonRESTError("InvalidExecutionInput", f"Invalid State Machine Execution Input: '{error}'") from None
    return given
