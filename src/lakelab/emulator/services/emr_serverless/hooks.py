"""The replacements this package's ``PATCHES`` install in moto's EMR Serverless backend."""

from __future__ import annotations

import threading
from typing import Any

from lakelab.emulator import seam
from lakelab.emulator.services.emr_serverless import runs

APPLICATION_TRANSITION_SECONDS = 1.0  # long enough to be seen, short enough not to slow a lab
TERMINAL_RUN_STATES = ("SUCCESS", "FAILED", "CANCELLED")


def created(original: Any) -> Any:
    def create_application(self: Any, *args: Any, **kwargs: Any) -> Any:
        application = original(self, *args, **kwargs)
        application.state = "CREATED"  # moto says STARTED; AWS creates applications stopped
        application.created_at = application.updated_at = seam.utcnow()
        return application

    return create_application


def starting(original: Any) -> Any:
    def start_application(self: Any, application_id: str) -> None:
        application = self.get_application(application_id)
        if application.state not in ("STARTING", "STARTED"):
            start(application)

    return start_application


def start(application: Any) -> None:
    """STARTING now, STARTED a moment later (job runs wait for it in PENDING)."""
    _move(application, "STARTING", "STARTED")


def stopping(original: Any) -> Any:
    def stop_application(self: Any, application_id: str) -> None:
        application = self.get_application(application_id)
        busy = [run.id for run in self.job_runs.get(application_id, []) if run.state not in TERMINAL_RUN_STATES]
        if busy:
            raise seam.EMRServerlessValidationException(f"Application {application_id} has job runs that have not finished: "
                                      f"{', '.join(busy)}. Cancel them or wait for them first.")
        if application.state not in ("STOPPING", "STOPPED"):
            _move(application, "STOPPING", "STOPPED")

    return stop_application


def _move(application: Any, now: str, then: str) -> None:
    application.state, application.updated_at = now, seam.utcnow()

    def settle() -> None:
        if application.state == now:
            application.state, application.updated_at = then, seam.utcnow()

    timer = threading.Timer(APPLICATION_TRANSITION_SECONDS, settle)
    timer.daemon = True
    timer.start()


def runs_for_real(original: Any) -> Any:
    def start_job_run(self: Any, application_id: str, *args: Any, **kwargs: Any) -> Any:
        application = self.get_application(application_id)
        if application.state not in ("STARTING", "STARTED") and not application.auto_start_configuration.get("enabled"):
            raise seam.EMRServerlessValidationException(f"Application {application_id} is not started and auto-start is disabled")
        job_run = original(self, application_id, *args, **kwargs)
        if application.state not in ("STARTING", "STARTED", "TERMINATED"):
            start(application)  # autoStartConfiguration: a job run starts the application
        runs.submit(self, application, job_run)
        return job_run

    return start_job_run


def cancels(original: Any) -> Any:
    def cancel_job_run(self: Any, application_id: str, job_run_id: str) -> tuple[str, str]:
        job_run = self.get_job_run(application_id, job_run_id)
        if job_run.state in TERMINAL_RUN_STATES:
            raise seam.EMRServerlessValidationException(f"Job run {job_run_id} is in a terminal state ({job_run.state})")
        runs.cancel(job_run)
        return application_id, job_run_id

    return cancel_job_run


def lists_no_runs_too(original: Any) -> Any:
    def list_job_runs(self: Any, application_id: str, *args: Any, **kwargs: Any) -> Any:
        self.get_application(application_id)  # an unknown application is still an error
        if application_id not in self.job_runs:
            return []  # moto answers ResourceNotFound until the first run; AWS lists none
        return original(self, application_id, *args, **kwargs)

    return list_job_runs



def updates_the_release(original: Any) -> Any:
    """UpdateApplication changes ``releaseLabel`` too (AWS EMR Serverless API, "UpdateApplication": "The
    Amazon EMR release label for the application. You can change the release label to use a different
    release of Amazon EMR."); moto takes the capacities and configurations only."""

    def update_application(self: Any) -> Any:
        answer = original(self)  # the state check (CREATED or STOPPED) and the other fields
        release = self._get_param("releaseLabel")
        if release:
            application = self.emrserverless_backend.get_application(self._get_param("applicationId"))
            application.release_label = release
        return answer

    return update_application
