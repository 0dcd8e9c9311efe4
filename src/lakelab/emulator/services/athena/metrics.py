"""Athena's query metrics in CloudWatch, for workgroups that publish them ("Monitor Athena query
metrics with CloudWatch": https://docs.aws.amazon.com/athena/latest/ug/query-metrics-viewing.html).

When a query ends in a workgroup whose configuration has ``PublishCloudWatchMetricsEnabled``
(``primary`` included unless its configuration says otherwise: unverified), namespace
``AWS/Athena`` gets ``TotalExecutionTime``, ``QueryQueueTime``, ``QueryPlanningTime`` and
``EngineExecutionTime`` in milliseconds and ``ProcessedBytes`` in bytes (for DML queries), by
``QueryState``, ``QueryType`` and ``WorkGroup``. Every figure is the execution's measured one,
the same as GetQueryExecution's ``Statistics``.
"""

from __future__ import annotations

import logging
from typing import Any

from lakelab.emulator import seam
from lakelab.emulator.services.cloudwatch import calls

_log = logging.getLogger(__name__)


def publishes(account_id: str, region: str, workgroup: str) -> bool:
    found = seam.backend("athena", account_id, region).work_groups.get(workgroup)
    configuration = (found.configuration if found is not None else None) or {}
    return bool(configuration.get("PublishCloudWatchMetricsEnabled", workgroup == "primary"))


def query_finished(execution: Any) -> None:
    try:
        if not publishes(execution.account_id, execution.region, execution.workgroup):
            return
        finished = execution.finished or execution.submitted
        started = execution.started or finished
        engine_done = execution.engine_done or finished
        figures = [("TotalExecutionTime", (finished - execution.submitted) * 1000, "Milliseconds"),
                   ("QueryQueueTime", (started - execution.submitted) * 1000, "Milliseconds"),
                   ("QueryPlanningTime", execution.planning_seconds * 1000, "Milliseconds"),
                   ("EngineExecutionTime", (engine_done - started) * 1000, "Milliseconds")]
        if execution.statement_type == "DML":
            figures.append(("ProcessedBytes", execution.scanned_bytes, "Bytes"))
        dimensions = {"QueryState": execution.state, "QueryType": execution.statement_type,
                      "WorkGroup": execution.workgroup}
        calls.put("AWS/Athena", [(n, round(max(0.0, v), 3), u) for n, v, u in figures], dimensions,
                  execution.account_id, execution.region)
    except Exception:  # noqa: BLE001 - metrics must not change how the query ended
        _log.exception("publishing Athena metrics of %s failed", execution.id)
