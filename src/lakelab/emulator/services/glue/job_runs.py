"""Glue job runs as Glue reports them: states, timings, errors, concurrency and stopping.

A run goes STARTING -> RUNNING -> SUCCEEDED | FAILED | TIMEOUT, or STOPPING -> STOPPED after
``BatchStopJobRun``. ``MaxConcurrentRuns`` (default 1) counts runs that have not finished.
The work itself happens on the run's own thread (``execution.py``), after StartJobRun answers.
"""

from __future__ import annotations

import threading
import time
from typing import Any

from lakelab.emulator import seam
from lakelab.emulator.services.glue import job_logs, metrics

ACTIVE_STATES = ("STARTING", "RUNNING", "STOPPING", "WAITING")
_start_lock = threading.Lock()
active_runs: set[GlueJobRun] = set()


class GlueJobRun:
    """One run of a job: what GetJobRun answers, plus the handles that stop it."""

    def __init__(self, job: Any, arguments: dict[str, str], capacity: dict[str, Any]) -> None:
        self.job = job
        self.job_name = job.name
        self.job_run_id = f"jr_{seam.mock_random.get_random_hex(64)}"
        self.arguments = dict(arguments)  # the run's own: GetJobRun does not repeat the job's defaults
        self.capacity = capacity
        self.state = "STARTING"
        self.started_on = self.last_modified_on = seam.utcnow()
        self.completed_on: Any = None
        self.error_message: str | None = None
        self.running_since: float | None = None
        self.execution_seconds = 0
        self.stop_requested = threading.Event()
        self.thread: threading.Thread | None = None
        self.log = job_logs.RunLog(job.backend.account_id, job.backend.region_name, self.command_name,
                                   job.glue_version, self.job_run_id)

    @property
    def command_name(self) -> str:
        return (self.job.command or {}).get("Name", "glueetl")

    @property
    def log_group(self) -> str:
        return job_logs.group_for(self.command_name)

    @property
    def status(self) -> str:  # moto's name for the state
        return self.state

    def advance(self) -> None:
        """moto ticks a simulated state machine on every read; a real run has none."""

    def set_state(self, state: str) -> None:
        if state == "RUNNING":
            self.running_since = time.monotonic()
            if self.stop_requested.is_set():
                state = "STOPPING"  # BatchStopJobRun came first: the run is on its way out
        self.state, self.last_modified_on = state, seam.utcnow()

    def finish(self, state: str, error_message: str | None = None) -> None:
        if self.stop_requested.is_set() and state != "TIMEOUT":
            state, error_message = "STOPPED", None  # a stop wins over whatever the killed process said
        if self.running_since is not None:
            self.execution_seconds = max(1, round(time.monotonic() - self.running_since))
        self.error_message = error_message
        self.completed_on = seam.utcnow()
        self.set_state(state)
        metrics.run_finished(self)  # EventBridge's state change event, CloudWatch's job metrics

    def as_dict(self) -> dict[str, Any]:
        answer: dict[str, Any] = {
            "Id": self.job_run_id, "Attempt": 0, "JobName": self.job_name, "JobMode": "SCRIPT",
            "StartedOn": self.started_on, "LastModifiedOn": self.last_modified_on, "JobRunState": self.state,
            "Arguments": self.arguments, "PredecessorRuns": [], "ExecutionTime": self._execution_time(),
            "Timeout": self.timeout_minutes or 2880, "LogGroupName": self.log_group,
            "ExecutionClass": getattr(self.job, "execution_class", None) or "STANDARD",
        }
        optional = {"CompletedOn": self.completed_on, "ErrorMessage": self.error_message,
                    "GlueVersion": self.job.glue_version, **self.capacity}
        answer.update({key: value for key, value in optional.items() if value is not None})
        return answer

    @property
    def timeout_minutes(self) -> int | None:
        return self.capacity.get("Timeout") or self.job.timeout

    def _execution_time(self) -> int:
        if self.completed_on is None and self.running_since is not None:
            return round(time.monotonic() - self.running_since)
        return self.execution_seconds


def start_job_run(job: Any, arguments: dict[str, str] | None = None, **requested: Any) -> str:
    """``FakeJob.start_job_run``: check concurrency, record the run, start its thread."""
    with _start_lock:  # two StartJobRun calls at once must not both pass the limit
        running = [run for run in job.job_runs if run.status in ACTIVE_STATES]
        if len(running) >= int((job.execution_property or {}).get("MaxConcurrentRuns", 1)):
            raise seam.ConcurrentRunsExceededException(f"Concurrent runs exceeded for {job.name}")
        run = GlueJobRun(job, arguments or {}, _capacity(job, requested))
        job.job_runs.append(run)
        active_runs.add(run)
    _start_thread(run)
    return run.job_run_id


def _capacity(job: Any, requested: dict[str, Any]) -> dict[str, Any]:
    """The run's settings as GetJobRun reports them: the run's own, else the job's."""
    fields = {"AllocatedCapacity": "allocated_capacity", "MaxCapacity": "max_capacity", "WorkerType": "worker_type",
              "NumberOfWorkers": "number_of_workers", "Timeout": "timeout",
              "SecurityConfiguration": "security_configuration", "NotificationProperty": "notification_property"}
    capacity = {name: requested.get(field) or getattr(job, field, None) for name, field in fields.items()}
    capacity["PreviousRunId"] = requested.get("previous_run_id")
    return capacity


def job_runs_newest_first(job: Any) -> list[GlueJobRun]:
    """``FakeJob.get_job_runs``: GetJobRuns lists the latest run first, as AWS does."""
    return list(reversed(job.job_runs))


def _start_thread(run: GlueJobRun) -> None:
    from lakelab.emulator.services.glue.job_execution import execute

    run.thread = threading.Thread(target=execute, args=(run,), name=f"lakelab-glue-job-{run.job_name}", daemon=True)
    run.thread.start()


def batch_stop_job_run(response: Any) -> Any:
    """``BatchStopJobRun`` (moto 5.2.5 has none): stop runs that have not finished."""
    name = response.parameters.get("JobName")
    runs = {run.job_run_id: run for run in response.glue_backend.get_job(name).job_runs}
    stopped, errors = [], []
    for run_id in response.parameters.get("JobRunIds") or []:
        run = runs.get(run_id)
        if run is None or run.state not in ("STARTING", "RUNNING", "WAITING"):
            errors.append(_not_stoppable(name, run_id, run))
            continue
        run.stop_requested.set()
        run.set_state("STOPPING")
        stopped.append({"JobName": name, "JobRunId": run_id})
    return seam.ActionResult({"SuccessfulSubmissions": stopped, "Errors": errors})


def _not_stoppable(name: str, run_id: str, run: GlueJobRun | None) -> dict[str, Any]:
    detail = "not found" if run is None else f"in state {run.state}"
    message = f"Job run {run_id} is {detail}: it cannot be stopped"
    return {"JobName": name, "JobRunId": run_id,
            "ErrorDetail": {"ErrorCode": "InvalidInputException", "ErrorMessage": message}}


def abandon_all() -> None:
    """On reset: stop every run and keep its lines out of the fresh state."""
    for run in list(active_runs):
        run.log.closed = True
        run.stop_requested.set()
    for run in list(active_runs):
        if run.thread is not None:
            run.thread.join(timeout=15)
    active_runs.clear()
