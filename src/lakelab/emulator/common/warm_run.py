"""A Spark job run on the warm JVM (``warm_spark.py``), or on its own JVM when it cannot keep apart.

The run's script still runs in its own Python process (the bootstrap, the role's credentials, its
own folder), so a script that raises, exits or calls ``os._exit`` ends only that process. What the
run would have put in its own JVM's start-up goes in its ``SparkConf`` instead (``run_properties``):

- its Spark settings, as the cold path writes them to ``spark-defaults.conf``;
- S3A's credentials from the settings (``TemporaryAWSCredentialsProvider``), not from the JVM's
  environment, which belongs to no run; Hadoop's FileSystem cache is closed between runs;
- its local files (shuffle, spill, PySpark's temporary files) in its own folder, as the cold path's
  ``SPARK_LOCAL_DIRS`` puts them: the warm JVM's ``SPARK_LOCAL_DIRS`` is a link to the run's folder;
- the run's environment for the Python workers of UDFs (``spark.executorEnv.*``): its credentials,
  endpoint, temporary folder and ``PYTHONPATH``, which they took from the JVM before.

A run starts its own JVM, as before, when the warm one is busy (runs at the same time), when
``LAKELAB_SPARK_WARM=0``, or when it asks for a setting only a JVM's start can apply
(``JVM_START_SETTINGS``: driver memory, Java options, class path, jars and packages).
Stopped or timed-out runs kill the warm JVM with their process; the next run starts a fresh one.
"""

from __future__ import annotations

import logging
import threading
import time
from pathlib import Path

from lakelab.emulator.common import job_process, warm_spark

log = logging.getLogger("lakelab.emulator")

JVM_START_SETTINGS = ("spark.driver.memory", "spark.driver.extraJavaOptions", "spark.driver.defaultJavaOptions",
                      "spark.driver.extraClassPath", "spark.driver.extraLibraryPath", "spark.driver.userClassPathFirst",
                      "spark.jars", "spark.jars.packages", "spark.jars.repositories", "spark.jars.excludes",
                      "spark.jars.ivy", "spark.jars.ivySettings", "spark.submit.pyFiles", "spark.archives")
# The run's variables its UDF workers get (the cold path's workers inherit them from the run's JVM).
WORKER_VARIABLES = ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_REGION",
                    "AWS_DEFAULT_REGION", "AWS_ENDPOINT_URL", "AWS_DISABLE_HOST_PREFIX_INJECTION",
                    "AWS_EC2_METADATA_DISABLED", "TMPDIR", "PYTHONPATH", "LANG")

Lines = dict[str, list[tuple[int, str]]]


def launch(argv: list[str], env: dict[str, str], folder: Path, values: dict[str, str],
           requested: dict[str, str]) -> job_process.JobProcess | WarmJobProcess:
    """The run's driver: on the warm JVM when it can keep the run apart, else in a JVM of its own."""
    reason = cold_reason(requested)
    jvm = None if reason else warm_spark.pool.acquire()
    if jvm is None:
        log.debug("Spark run in its own JVM: %s", reason or "the warm JVM is busy or unavailable")
        return job_process.JobProcess(argv, env, folder)
    try:
        (folder / "spark-local").mkdir(exist_ok=True)
        jvm.prepare(run_properties(values, env, jvm), folder / "spark-local")
        return WarmJobProcess(argv, env, folder, jvm)
    except Exception as error:  # the JVM could not take the run: kill it, run this one as before
        log.warning("the warm Spark JVM could not take a run (%s): it runs in its own", error)
        jvm.attach(None)
        warm_spark.pool.give_back(jvm, reusable=False)
        return job_process.JobProcess(argv, env, folder)


def cold_reason(requested: dict[str, str]) -> str:
    """Why this run needs its own JVM, or "" if the warm one can take it."""
    if not warm_spark.enabled():
        return f"{warm_spark.SETTING} turns the warm JVM off"
    for key, value in requested.items():
        if key in JVM_START_SETTINGS and warm_spark.spark.FAST_START.get(key) != value:
            return f"{key} applies at a JVM's start only"
    return ""


def run_properties(values: dict[str, str], env: dict[str, str], jvm: warm_spark.WarmJvm) -> dict[str, str]:
    """The system properties a run's SparkConf reads: what its own JVM's spark-submit would have set."""
    properties = dict(values)
    for key in ("spark.driver.memory", "spark.driver.extraJavaOptions", "spark.driver.extraClassPath"):
        properties[key] = jvm.values[key]  # what the JVM really runs with
    for key, value in warm_spark.LAUNCHER_PROPERTIES.items():
        properties.setdefault(key, value)  # the run's own spark.app.name wins, as with spark-submit
    properties["spark.app.submitTime"] = str(int(time.time() * 1000))
    hadoop = "spark.hadoop.fs.s3a."
    properties[hadoop + "aws.credentials.provider"] = "org.apache.hadoop.fs.s3a.TemporaryAWSCredentialsProvider"
    properties[hadoop + "access.key"] = env.get("AWS_ACCESS_KEY_ID", "")
    properties[hadoop + "secret.key"] = env.get("AWS_SECRET_ACCESS_KEY", "")
    properties[hadoop + "session.token"] = env.get("AWS_SESSION_TOKEN", "")
    for name in WORKER_VARIABLES:
        if name in env:
            properties.setdefault(f"spark.executorEnv.{name}", env[name])  # the run's own setting wins
    return properties


class WarmJobProcess:
    """``job_process.JobProcess``'s interface for a run on the warm JVM: the run's Python process,
    the JVM's output while the run has it, and the JVM released (or killed) when the run ends."""

    def __init__(self, argv: list[str], env: dict[str, str], cwd: Path, jvm: warm_spark.WarmJvm) -> None:
        self._jvm: warm_spark.WarmJvm | None = jvm
        self._jvm_lines: Lines = {"stdout": [], "stderr": []}
        jvm.attach(self._jvm_lines)
        gateway = {"PYSPARK_GATEWAY_PORT": str(jvm.port), "PYSPARK_GATEWAY_SECRET": jvm.secret}
        self._python = job_process.JobProcess(argv, {**env, **gateway}, cwd)

    @property
    def pid(self) -> int:
        return self._python.pid

    def wait(self, seconds: float) -> int | None:
        code = self._python.wait(seconds)
        if code is not None and self._jvm is not None:
            self._give_back(reusable=self._release())
        return code

    def take(self) -> Lines:
        """The run's lines since the last call, its Python's and its JVM's, in the order they came."""
        taken = self._python.take()
        fresh: Lines = {"stdout": [], "stderr": []}
        jvm_taken = self._jvm.attach(fresh) if self._jvm is not None else None
        if jvm_taken is None:  # the JVM went back to the pool: what it wrote for this run is kept here
            jvm_taken, fresh = self._jvm_lines, {"stdout": [], "stderr": []}
        self._jvm_lines = fresh
        return {name: sorted(taken[name] + jvm_taken[name], key=lambda line: line[0]) for name in taken}

    def kill(self) -> None:
        """Stopped or timed out while running: its process and the JVM it was using both go."""
        self._python.kill()
        if self._jvm is not None:
            self._give_back(reusable=False)

    def _release(self) -> bool:
        """Bring the JVM back to blank within a time limit; False if it could not be."""
        jvm, outcome = self._jvm, {"ok": False}

        def release() -> None:
            try:
                jvm.release()
                outcome["ok"] = True
            except Exception as error:
                log.warning("the warm Spark JVM could not be cleaned after a run (%s): a fresh one will start", error)

        worker = threading.Thread(target=release, name="lakelab-spark-release", daemon=True)
        worker.start()
        worker.join(warm_spark.RELEASE_LIMIT_SECONDS)
        time.sleep(0.05)  # the last lines the JVM wrote while stopping the run's context
        return outcome["ok"] and not worker.is_alive()

    def _give_back(self, reusable: bool) -> None:
        jvm, self._jvm = self._jvm, None
        jvm.attach(None)
        warm_spark.pool.give_back(jvm, reusable)
