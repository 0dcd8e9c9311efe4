"""Running a Glue job run: fetch the script, start the job process, watch it, record the outcome.

``pythonshell`` jobs run the script on the course's Python; ``glueetl`` and ``gluestreaming``
jobs run it with local PySpark, configured for the emulator's S3 (``spark.py``). Either way the
script runs in its own process with Glue's command line and the job role's credentials.
"""

from __future__ import annotations

import hashlib
import logging
import time
from pathlib import Path

from lakelab.emulator.common import job_files, job_process, spark, user_code, warm_run
from lakelab.emulator.services.glue.job_runs import GlueJobRun, active_runs

RUNTIME_PATH = Path(__file__).with_name("runtime")  # holds the awsglue stand-in

log = logging.getLogger("lakelab.emulator")

SPARK_COMMANDS = ("glueetl", "gluestreaming")
LOCAL_GLUE_VERSIONS = ("4.0", "5.0")  # Spark 3.3 and 3.5; both run on the local Spark 3.5.4
UNSUPPORTED_ARGUMENTS = ("--additional-python-modules", "--python-modules-installer-option", "--datalake-formats")


class RunRefused(Exception):
    """The run cannot start here; the message is the run's ErrorMessage."""


def execute(run: GlueJobRun) -> None:
    """The run's thread, from STARTING to a final state."""
    folder = None
    try:
        folder = user_code.run_folder("lakelab-glue-")
        run.log.open()
        driver = _launch(run, folder)
        if driver is None:
            run.finish("STOPPED")
            return
        run.set_state("RUNNING")
        deadline = time.monotonic() + run.timeout_minutes * 60 if run.timeout_minutes else None
        ended, code = job_process.supervise(driver, run.log.write, run.stop_requested, deadline)
        _record_outcome(run, ended, code, folder / "result.json")
    except (RunRefused, job_files.ScriptUnavailable, spark.SparkUnavailable) as refused:
        run.log.error(str(refused))
        run.finish("FAILED", str(refused))
    except Exception as error:  # a run must never take the emulator down
        log.exception("Glue job run %s failed in the emulator", run.job_run_id)
        run.finish("FAILED", f"Internal error in the local emulator: {type(error).__name__}: {error}")
    finally:
        user_code.remove(folder)
        active_runs.discard(run)


def _launch(run: GlueJobRun, folder: Path) -> job_process.JobProcess | warm_run.WarmJobProcess | None:
    job, arguments = run.job, _arguments(run)
    account_id = job.backend.account_id
    location = (job.command or {}).get("ScriptLocation") or ""
    try:
        script = job_files.download(location, folder, account_id)
    except job_files.ScriptUnavailable as missing:
        raise job_files.ScriptUnavailable(f"Failed to download the job script {location}: {missing}") from None
    extra = job_files.download_all(arguments.get("--extra-py-files", ""), folder / "extra-py-files", account_id)
    job_files.download_all(arguments.get("--extra-files", ""), folder, account_id)  # beside the script, as on Glue
    env = user_code.variables(_principal(run), folder, [RUNTIME_PATH, *job_files.python_paths(extra)])
    values = requested = None
    if run.command_name in SPARK_COMMANDS:
        values, requested = _spark_settings(run, arguments, folder)
        env.update(spark.environment(spark.write_conf_dir(folder / "spark-conf", values), folder))
    elif run.command_name != "pythonshell":
        raise RunRefused(f"Jobs of type {run.command_name} do not run on the local emulator "
                         "(glueetl, gluestreaming and pythonshell jobs do)")
    _note_ignored_arguments(run, arguments)
    if run.stop_requested.is_set():
        return None
    command = job_process.JobProcess.command(script, folder / "result.json", glue_argv(
        job.name, job.arn, run.job_run_id, arguments))
    if values is None:
        return job_process.JobProcess(command, env, folder)
    return warm_run.launch(command, env, folder, values, requested)  # the warm Spark JVM when it can


def _arguments(run: GlueJobRun) -> dict[str, str]:
    """The job's default arguments, then the run's, then the ones the job does not let runs override."""
    merged = dict(run.job.default_arguments or {})
    merged.update(run.arguments)
    merged.update(run.job.non_overridable_arguments or {})
    return merged


def _principal(run: GlueJobRun) -> user_code.Principal:
    backend, role = run.job.backend, run.job.role or ""
    if not role.startswith("arn:"):  # Glue takes a role's name or its ARN
        role = f"arn:aws:iam::{backend.account_id}:role/{role}"
    return user_code.Principal(backend.account_id, backend.region_name, "GlueJobRunnerSession", role)


def _spark_settings(run: GlueJobRun, arguments: dict[str, str],
                    folder: Path) -> tuple[dict[str, str], dict[str, str]]:
    """Every Spark setting of the run, and those its --conf asked for."""
    if not user_code.endpoint():
        raise RunRefused("the emulator's address is unknown: start the run through its HTTP endpoint")
    if run.job.glue_version not in LOCAL_GLUE_VERSIONS:
        version = run.job.glue_version or "(not set)"
        run.log.error(f"WARN Lake Labs: GlueVersion {version} is run on local Spark 3.5.4, as Glue 5.0 would")
    requested, _ = spark.submit_parameters("--conf " + arguments["--conf"] if arguments.get("--conf") else "")
    return spark.settings(user_code.endpoint(), run.job.backend.region_name, folder, requested), requested


def _note_ignored_arguments(run: GlueJobRun, arguments: dict[str, str]) -> None:
    for name in UNSUPPORTED_ARGUMENTS:
        if arguments.get(name):
            run.log.error(f"WARN Lake Labs: {name} is ignored locally: jobs use the packages of the course environment")


def _record_outcome(run: GlueJobRun, ended: str, code: int | None, result_file: Path) -> None:
    if ended == "timeout":
        minutes = run.timeout_minutes
        return run.finish("TIMEOUT", f"Job run timed out after {minutes} minute{'s' if minutes != 1 else ''}")
    if ended == "stopped":
        return run.finish("STOPPED")
    if code == 0:
        return run.finish("SUCCEEDED")
    run.finish("FAILED", error_message(run.command_name, job_process.read_result(result_file), code))


def error_message(command_name: str, result: dict | None, code: int | None) -> str:
    """Glue's ErrorMessage for a script that failed: category, line and exception for Spark jobs."""
    if result is None:
        return f"Command failed with exit code {code}"
    exception = f"{result['type']}: {result['message']}" if result.get("type") else str(result.get("message"))
    if command_name not in SPARK_COMMANDS:
        return exception
    line = f"Failed Line Number: {result['line']}; " if result.get("line") else ""
    return f"Error Category: UNCLASSIFIED_ERROR; {line}{exception}"


def glue_argv(job_name: str, job_arn: str, run_id: str, arguments: dict[str, str]) -> list[str]:
    """Glue's command line after the script: its own arguments first, then the job's, as ``--key value``."""
    bookmark = arguments.get("--job-bookmark-option", "job-bookmark-disable")
    job_id = "j_" + hashlib.sha256(job_arn.encode()).hexdigest()
    argv = ["--JOB_ID", job_id, "--JOB_RUN_ID", run_id, "--job-bookmark-option", bookmark, "--JOB_NAME", job_name]
    for key, value in arguments.items():
        if key not in ("--job-bookmark-option", "--JOB_NAME", "--JOB_ID", "--JOB_RUN_ID"):
            argv += [key, str(value)]
    return argv
