"""EventBridge events of the Data API: a statement run ``WithEvent`` reports how it ended."""

from __future__ import annotations

import json
import logging
from typing import TYPE_CHECKING

from lakelab.emulator import seam

if TYPE_CHECKING:
    from lakelab.emulator.services.redshift.statements import Statement

log = logging.getLogger("lakelab.emulator.services.redshift")


def status_change(statement: Statement) -> None:
    """``WithEvent``: EventBridge's "Redshift Data Statement Status Change", in the shape of AWS's example
    (https://docs.aws.amazon.com/redshift/latest/mgmt/data-api-monitoring-events.html)."""
    target = statement.target
    resource = (f"arn:aws:redshift:{target.region}:{target.account_id}:cluster:{target.name}"
                if target.kind == "cluster" else
                f"arn:aws:redshift-serverless:{target.region}:{target.account_id}:workgroup/{target.name}")
    rows = statement.last.result_rows if statement.status == "FINISHED" else -1
    detail = {"principal": statement.principal, "statementName": statement.name or "", "statementId": statement.id,
              "redshiftQueryId": statement.last.query_id or -1, "state": statement.status, "rows": max(rows, -1),
              "expireAt": int(statement.created.timestamp()) + 24 * 3600}
    try:
        seam.backend("events", target.account_id, target.region).put_events([{
            "Source": "aws.redshift-data", "DetailType": "Redshift Data Statement Status Change",
            "Detail": json.dumps(detail), "Resources": [resource]}])
    except Exception:  # noqa: BLE001 - an event that cannot be sent must not change the statement
        log.exception("the Data API event of statement %s was not sent", statement.id)
