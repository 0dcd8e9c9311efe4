"""EMR Serverless extensions: Spark job runs run, on the same local Spark as Glue jobs.

moto answers SUCCESS for every job run and runs nothing. Here ``StartJobRun`` with
``jobDriver.sparkSubmit.entryPoint`` on S3 runs the PySpark script in its own process
(``glue_jobs.process``, ``glue_jobs.spark``) with ``entryPointArguments`` as its arguments,
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
> stop by themselves when idle, and CloudWatch logging is not written.
"""

from __future__ import annotations

SERVICES = ("emrserverless",)


def install() -> None:
    import atexit

    from lakelab.emulator import registry
    from lakelab.emulator.emr_serverless import hooks, runs

    hooks.apply()
    registry.on_reset(runs.abandon_all)
    atexit.register(runs.abandon_all)
