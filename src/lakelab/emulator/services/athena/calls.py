"""Athena for other services (a Step Functions task, say): start a query and wait, in-process, as the caller.

The same path as StartQueryExecution over HTTP (workgroup, output location and validation), in
the caller's account and region, read from the request context in force.
"""

from __future__ import annotations

import time
from typing import Any

from lakelab.emulator import context, registry, seam


def _backend() -> Any:
    registry.install_for_backend("athena")
    caller = context.current()
    return seam.backend("athena", caller.principal.account_id, caller.region)


def start_query(sql: str, workgroup: str = "primary", database: str | None = None,
                output_location: str | None = None, parameters: list[str] | None = None) -> str:
    """Start ``sql`` in ``workgroup``; the query execution id (failures raise as the API's do)."""
    from lakelab.emulator.services.athena import api

    request: dict[str, Any] = {"QueryString": sql, "WorkGroup": workgroup, "ExecutionParameters": parameters}
    if database:
        request["QueryExecutionContext"] = {"Database": database}
    if output_location:
        request["ResultConfiguration"] = {"OutputLocation": output_location}
    return api.start(_backend(), request)


def wait_for_query(execution_id: str, timeout: float = 300.0) -> dict[str, Any]:
    """Wait until the query ends; its ``QueryExecution`` as GetQueryExecution describes it."""
    from lakelab.emulator.services.athena import api, executions

    execution = _backend().executions[execution_id]
    deadline = time.monotonic() + timeout
    while execution.state not in executions.FINAL_STATES and time.monotonic() < deadline:
        executions.wait(execution, min(1.0, max(0.0, deadline - time.monotonic())))
    return api.describe(execution)
