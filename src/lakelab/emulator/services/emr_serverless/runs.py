"""EMR Serverless job runs: the run's thread, from SUBMITTED to a final state, and its logs.

The script runs through the Glue jobs' runner (same bootstrap, same local Spark settings); what
differs is the command line (``entryPointArguments``), where settings come from
(``sparkSubmitParameters``, ``spark-defaults``) and where logs go (S3, EMR Serverless's layout).
"""

from __future__ import annotations

import gzip
import logging
import threading
import time
from pathlib import Path
from typing import Any

from lakelab.emulator import seam
from lakelab.emulator.common import s3_objects
from lakelab.emulator.common import job_files, job_process, spark, user_code, warm_run

log = logging.getLogger("lakelab.emulator")

APPLICATION_START_LIMIT_SECONDS = 60.0
DRIVER = {"vCPU": 4, "memoryGB": 16}  # EMR Serverless's default driver size

Lines = dict[str, list[tuple[int, str]]]


class RunRefused(Exception):
    """The run cannot run here; the message becomes its stateDetails."""


class Run:
    """Our handles on one of moto's job runs: its thread, the cancel request, the output so far."""

    def __init__(self, backend: Any, application: Any, job_run: Any) -> None:
        self.backend, self.application, self.job_run = backend, application, job_run
        self.cancel_requested = threading.Event()
        self.abandoned = False
        self.output: Lines = {"stdout": [], "stderr": []}
        self.thread = threading.Thread(target=execute, args=(self,), name=f"lakelab-emr-{job_run.id}", daemon=True)

    def set_state(self, state: str, details: str | None = None) -> None:
        if self.abandoned:
            return
        self.job_run.state, self.job_run.updated_at = state, seam.utcnow()
        if state == "RUNNING":
            self.job_run.started_at = self.job_run.updated_at
        if details is not None:
            self.job_run.state_details = details

    def collect(self, lines: Lines) -> None:
        for name, taken in lines.items():
            self.output[name].extend(taken)


_runs: dict[str, Run] = {}


def submit(backend: Any, application: Any, job_run: Any) -> None:
    job_run.created_at = job_run.updated_at = seam.utcnow()  # moto rounds them down to midnight
    job_run.state, job_run.attempt = "SUBMITTED", 1
    run = _runs[job_run.id] = Run(backend, application, job_run)
    run.thread.start()


def cancel(job_run: Any) -> None:
    run = _runs.get(job_run.id)
    if run is not None:
        run.set_state("CANCELLING")
        run.cancel_requested.set()


def execute(run: Run) -> None:
    folder, started = None, time.monotonic()
    try:
        run.set_state("PENDING")
        _wait_for_application(run)
        run.set_state("SCHEDULED")
        folder = user_code.run_folder("lakelab-emr-")
        driver = None if run.cancel_requested.is_set() else _launch(run, folder)
        if driver is None:
            return _finish(run, "CANCELLED", None, started)
        run.set_state("RUNNING")
        deadline = started + int(run.job_run.execution_timeout_minutes) * 60
        ended, code = job_process.supervise(driver, run.collect, run.cancel_requested, deadline)
        _finish(run, *_outcome(ended, code, folder / "result.json"), started)
    except (RunRefused, job_files.ScriptUnavailable, spark.SparkUnavailable) as refused:
        run.output["stderr"].append((int(time.time() * 1000), str(refused)))
        _finish(run, "FAILED", str(refused), started)
    except Exception as error:  # a run must never take the emulator down
        log.exception("EMR Serverless job run %s failed in the emulator", run.job_run.id)
        _finish(run, "FAILED", f"Internal error in the local emulator: {type(error).__name__}: {error}", started)
    finally:
        user_code.remove(folder)
        _runs.pop(run.job_run.id, None)


def _wait_for_application(run: Run) -> None:
    limit = time.monotonic() + APPLICATION_START_LIMIT_SECONDS
    while run.application.state != "STARTED" and not run.cancel_requested.is_set():
        if time.monotonic() > limit or run.application.state in ("STOPPING", "STOPPED", "TERMINATED"):
            raise RunRefused(f"Application {run.application.id} did not start (state {run.application.state})")
        time.sleep(0.1)


def _launch(run: Run, folder: Path) -> job_process.JobProcess | warm_run.WarmJobProcess:
    submit_job = (run.job_run.job_driver or {}).get("sparkSubmit") or {}
    entry_point = submit_job.get("entryPoint") or ""
    conf, options = spark.submit_parameters(submit_job.get("sparkSubmitParameters"))
    if options.get("class") or not entry_point.endswith(".py"):
        raise RunRefused(f"Only PySpark entry points (.py) run on the local emulator, not {entry_point}")
    account_id = run.backend.account_id
    try:
        script = job_files.download(entry_point, folder, account_id)
    except job_files.ScriptUnavailable as missing:
        raise job_files.ScriptUnavailable(f"Failed to download the entry point {entry_point}: {missing}") from None
    py_files = job_files.download_all(options.get("py-files", ""), folder / "py-files", account_id)
    job_files.download_all(options.get("files", ""), folder, account_id)
    env = user_code.variables(_principal(run), folder, job_files.python_paths(py_files))
    requested = {**_spark_defaults(run), **conf}
    values = spark.settings(user_code.endpoint(), run.backend.region_name, folder, requested)
    env.update(spark.environment(spark.write_conf_dir(folder / "spark-conf", values), folder))
    arguments = [str(argument) for argument in submit_job.get("entryPointArguments") or []]
    command = job_process.JobProcess.command(script, folder / "result.json", arguments)
    return warm_run.launch(command, env, folder, values, requested)  # the warm Spark JVM when it can


def _principal(run: Run) -> user_code.Principal:
    backend = run.backend
    return user_code.Principal(backend.account_id, backend.region_name, "EMRServerlessJobRun",
                                 run.job_run.execution_role_arn)


def _spark_defaults(run: Run) -> dict[str, str]:
    overrides = run.job_run.configuration_overrides or {}
    found: dict[str, str] = {}
    for classification in overrides.get("applicationConfiguration") or []:
        if classification.get("classification") == "spark-defaults":
            found.update({str(k): str(v) for k, v in (classification.get("properties") or {}).items()})
    return found


def _outcome(ended: str, code: int | None, result_file: Path) -> tuple[str, str | None]:
    if ended == "stopped":
        return "CANCELLED", "Job run was cancelled"
    if ended == "timeout":
        return "FAILED", "Job run exceeded its execution timeout"
    if code == 0:
        return "SUCCESS", None
    result = job_process.read_result(result_file)
    details = f"Job failed, please check complete logs in configured logging destination. ExitCode: {code}."
    if result is not None:
        exception = f"{result['type']}: {result['message']}" if result.get("type") else str(result.get("message"))
        details += f" Last few exceptions: {exception}"
    return "FAILED", details


def _finish(run: Run, state: str, details: str | None, started: float) -> None:
    if run.cancel_requested.is_set() and state != "SUCCESS":
        state, details = "CANCELLED", "Job run was cancelled"
    seconds = max(1, round(time.monotonic() - started))
    _record_utilization(run.job_run, seconds)
    _write_logs(run)
    run.job_run.ended_at = seam.utcnow()
    run.set_state(state, details)


def _record_utilization(job_run: Any, seconds: int) -> None:
    hours = seconds / 3600
    billed_hours = max(seconds, 60) / 3600  # one minute at least, as EMR Serverless bills
    job_run.total_execution_duration_seconds = seconds
    job_run.total_resource_utilization = {"vCPUHour": round(DRIVER["vCPU"] * hours, 6),
                                          "memoryGBHour": round(DRIVER["memoryGB"] * hours, 6), "storageGBHour": 0.0}
    job_run.billed_resource_utilization = {"vCPUHour": round(DRIVER["vCPU"] * billed_hours, 6),
                                           "memoryGBHour": round(DRIVER["memoryGB"] * billed_hours, 6),
                                           "storageGBHour": 0.0}


def _write_logs(run: Run) -> None:
    """The driver's stdout and stderr, gzipped, where EMR Serverless puts them under ``logUri``."""
    overrides = run.job_run.configuration_overrides or {}
    log_uri = ((overrides.get("monitoringConfiguration") or {}).get("s3MonitoringConfiguration") or {}).get("logUri")
    if not log_uri or run.abandoned:
        return
    bucket, prefix = s3_objects.split_uri(log_uri)
    base = f"{prefix.strip('/')}/" if prefix.strip("/") else ""
    folder = f"{base}applications/{run.application.id}/jobs/{run.job_run.id}/SPARK_DRIVER"
    for name in ("stdout", "stderr"):
        body = gzip.compress("".join(line + "\n" for _, line in run.output[name]).encode("utf-8"))
        try:
            s3_objects.write_bytes(bucket, f"{folder}/{name}.gz", body, run.backend.account_id)
        except Exception:  # a missing log bucket must not change the run's outcome
            log.warning("could not write EMR Serverless logs to %s", log_uri)


def abandon_all() -> None:
    """On reset: cancel every run and keep it from touching the fresh state."""
    for run in list(_runs.values()):
        run.abandoned = True
        run.cancel_requested.set()
    for run in list(_runs.values()):
        run.thread.join(timeout=15)
    _runs.clear()
