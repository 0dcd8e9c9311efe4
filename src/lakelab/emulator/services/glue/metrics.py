"""What a finished Glue job run tells CloudWatch and EventBridge.

- EventBridge: a "Glue Job State Change" event from ``aws.glue`` on the default bus for every run
  that ends (SUCCEEDED, FAILED, TIMEOUT, STOPPED), with ``detail`` ``{jobName, severity, state,
  jobRunId, message}`` as "Automating AWS Glue with EventBridge" shows it
  (https://docs.aws.amazon.com/glue/latest/dg/automating-awsglue-with-cloudwatch-events.html);
  severity INFO for SUCCEEDED and STOPPED, ERROR for FAILED and TIMEOUT (STOPPED's is unverified).
  Rules on that bus deliver it to their targets as moto's EventBridge does (SQS queues and log
  groups; moto delivers to no SNS topic or Lambda function).
- CloudWatch, for a job run with ``--enable-metrics`` (job or run argument): namespace ``Glue``,
  ``glue.driver.aggregate.elapsedTime`` in milliseconds, dimensions ``JobName``, ``JobRunId`` (the
  run's id, and ``ALL``) and ``Type`` ``count`` ("Monitoring AWS Glue using Amazon CloudWatch
  metrics": https://docs.aws.amazon.com/glue/latest/dg/monitoring-awsglue-with-cloudwatch-metrics.html).
  Spark's task, stage, memory and byte counters are not published: the emulator's Spark does not
  report them, and a made-up figure would be a wrong answer.
"""

from __future__ import annotations

import json
import logging
import time
from typing import Any

from lakelab.emulator import seam
from lakelab.emulator.services.cloudwatch import calls

SEVERITY = {"SUCCEEDED": "INFO", "STOPPED": "INFO", "FAILED": "ERROR", "TIMEOUT": "ERROR"}
_log = logging.getLogger(__name__)


def run_finished(run: Any) -> None:
    account, region = run.job.backend.account_id, run.job.backend.region_name
    try:
        _state_change(run, account, region)
        if "--enable-metrics" in {**(getattr(run.job, "default_arguments", None) or {}), **run.arguments}:
            elapsed = (time.monotonic() - run.running_since) * 1000 if run.running_since is not None else 0.0
            for run_id in (run.job_run_id, "ALL"):
                calls.put("Glue", [("glue.driver.aggregate.elapsedTime", round(elapsed), "Milliseconds")],
                          {"JobName": run.job_name, "JobRunId": run_id, "Type": "count"}, account, region)
    except Exception:  # noqa: BLE001 - reporting must not change how the run ended
        _log.exception("reporting Glue job run %s failed", run.job_run_id)


def _state_change(run: Any, account: str, region: str) -> None:
    message = run.error_message or {"SUCCEEDED": "Job run succeeded", "STOPPED": "Job run stopped"}.get(run.state, "")
    detail = {"jobName": run.job_name, "severity": SEVERITY.get(run.state, "INFO"), "state": run.state,
              "jobRunId": run.job_run_id, "message": message}
    seam.backend("events", account, region).put_events([{
        "Source": "aws.glue", "DetailType": "Glue Job State Change", "Detail": json.dumps(detail), "Resources": []}])
