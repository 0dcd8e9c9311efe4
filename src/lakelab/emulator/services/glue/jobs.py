"""Job runs run the job's script: the replacements the glue package's ``PATCHES`` install for jobs.

moto's ``StartJobRun`` reports SUCCEEDED at once and runs nothing. Here the run fetches
``Command.ScriptLocation`` from the emulator's S3 and runs it in a separate process with Glue's
command line (``--JOB_ID``, ``--JOB_RUN_ID``, ``--job-bookmark-option``, ``--JOB_NAME``, then
the job's ``DefaultArguments`` overlaid by the run's ``Arguments`` as ``--key value``), the job
role's credentials and ``AWS_ENDPOINT_URL`` set to this emulator:

- ``pythonshell`` jobs run on the course's Python, where awswrangler, pandas and boto3 are.
- ``glueetl`` jobs run on local PySpark 3.5.4 (Glue 5.0's Spark) on Java 17, with ``s3://``
  paths read and written through S3A against this emulator (``common/spark.py``). Successive runs
  share one warm JVM, each with its own process, SparkContext, settings and credentials
  (``common/warm_spark.py``, ``common/warm_run.py``; ``LAKELAB_SPARK_WARM=0`` gives each its own JVM).

Runs go STARTING -> RUNNING -> SUCCEEDED / FAILED / TIMEOUT, or STOPPING -> STOPPED through
``BatchStopJobRun`` (which kills the process and its JVM). ``MaxConcurrentRuns`` is enforced.
Logs go where Glue writes them (``job_logs``): for Spark jobs on Glue 5.0 and later, stdout and
stderr to ``/aws-glue/jobs/output`` and Spark's own log to ``/aws-glue/jobs/error``, stream
``<run id>-driver``; for Glue 4.0 and earlier, and Python shell jobs (``/aws-glue/python-jobs``),
stdout to ``.../output`` and stderr to ``.../error``, stream = run id.

Fidelity notes:

> ``GlueContext``, ``DynamicFrame`` and ``Job`` (bookmarks) need Glue's own libraries, which do
> not run locally: scripts use ``SparkSession`` DataFrames, which run unchanged on Glue.
> ``awsglue.utils.getResolvedOptions`` works. Spark reads the Data Catalog only on Glue:
> ``spark.sql`` against catalog tables is not available locally; read the S3 paths.
> Python shell jobs run Python 3.11, not 3.9; ``--additional-python-modules`` is ignored (the
> course environment's packages are there). Spark runs in local mode on this machine's cores,
> whatever the worker type; ErrorMessage always has the category UNCLASSIFIED_ERROR. Output is
> committed with Hadoop's file committer (Glue uses an S3-optimised one): same files, slower.
> On the warm JVM a run's ``SparkConf`` also holds its S3A credentials (``spark.hadoop.fs.s3a.*``)
> and its UDF workers' variables (``spark.executorEnv.*``): settings a script
> that prints every setting would show; a run that is stopped or times out takes that JVM down.
"""

from __future__ import annotations


def set_up() -> None:
    import atexit

    from lakelab.emulator import registry
    from lakelab.emulator.services.glue import job_runs

    registry.on_reset(job_runs.abandon_all)
    atexit.register(job_runs.abandon_all)
