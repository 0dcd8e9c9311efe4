"""EMR Serverless extensions: Spark job runs run, on the same local Spark as Glue jobs.

moto answers SUCCESS for every job run and runs nothing. Here ``StartJobRun`` with
``jobDriver.sparkSubmit.entryPoint`` on S3 runs the PySpark script in its own process
(``common/job_process.py``, ``common/spark.py``, shared with Glue jobs) with ``entryPointArguments`` as its arguments,
``--conf`` settings from ``sparkSubmitParameters`` and from a ``spark-defaults`` classification
in ``configurationOverrides``, and ``--py-files`` on its path. Runs go SUBMITTED -> PENDING ->
SCHEDULED -> RUNNING -> SUCCESS / FAILED, or CANCELLING -> CANCELLED after ``CancelJobRun``.
With ``monitoringConfiguration.s3MonitoringConfiguration.logUri`` the driver's output is written
where EMR Serverless writes it: ``<logUri>/applications/<app>/jobs/<run>/SPARK_DRIVER/stdout.gz``
and ``stderr.gz``. Applications go CREATED -> STARTING -> STARTED -> STOPPING -> STOPPED, and a
job run auto-starts a stopped application, as ``autoStartConfiguration`` allows.

Fidelity notes:

> The script runs in Spark local mode on this machine's cores, whatever the capacity settings;
> only PySpark entry points run (a JAR with ``--class`` fails the run). Resource utilization is
> computed for one default-sized driver (4 vCPU, 16 GB) over the run's time. Applications do not
> stop by themselves when idle, and CloudWatch logging is not written. Successive runs share the
> Glue jobs' warm JVM (``common/warm_spark.py``), each a Spark application of its own.
"""

from __future__ import annotations

from lakelab.emulator.seam import Patch

SERVICES = ("emrserverless",)  # moto's backend name for EMR Serverless

PATCHES = (
    Patch("EMRServerlessBackend", "create_application", wrap=".hooks:created",
          why="AWS creates applications stopped (CREATED); moto says STARTED"),
    Patch("EMRServerlessBackend", "start_application", wrap=".hooks:starting",
          why="applications go STARTING -> STARTED"),
    Patch("EMRServerlessBackend", "stop_application", wrap=".hooks:stopping",
          why="applications go STOPPING -> STOPPED, refused while job runs are active"),
    Patch("EMRServerlessBackend", "start_job_run", wrap=".hooks:runs_for_real",
          why="moto answers SUCCESS and runs nothing; here the Spark script runs (auto-starting the app)"),
    Patch("EMRServerlessBackend", "cancel_job_run", wrap=".hooks:cancels",
          why="CancelJobRun stops the run's process"),
    Patch("EMRServerlessBackend", "list_job_runs", wrap=".hooks:lists_no_runs_too",
          why="AWS lists no runs for an application without any; moto answers ResourceNotFound"),
    Patch("EMRServerlessResponse", "update_application", wrap=".hooks:updates_the_release",
          why="UpdateApplication changes the release label too; moto leaves it"),
    Patch("EMRServerlessResponse", "setup_class", wrap="lakelab.emulator.common.user_code:remembers_endpoint",
          why="job processes need this emulator's address for AWS_ENDPOINT_URL"),
)


def install() -> None:
    """Job runs stop on reset and at interpreter exit."""
    import atexit

    from lakelab.emulator import registry
    from lakelab.emulator.services.emr_serverless import runs

    registry.on_reset(runs.abandon_all)
    atexit.register(runs.abandon_all)
