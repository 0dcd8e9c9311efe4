"""Job logs in CloudWatch Logs where Glue writes them, which depends on the job's type and version.

- **Spark jobs on Glue 5.0 and later** (real-time logging, AWS Glue docs, "Logging for AWS Glue
  jobs"): the script's stdout *and* stderr go to ``/aws-glue/jobs/output``; Spark's own log
  (log4j) and the service's lines go to ``/aws-glue/jobs/error``. Streams are named
  ``<JobRunId>-driver`` (and ``<JobRunId>-executor<N>``: locally the executors run inside the
  driver's JVM, so there is only the driver's stream).
- **Spark jobs on Glue 4.0 and earlier** (without continuous logging) and **Python shell jobs**:
  stdout to ``<group>/output``, stderr to ``<group>/error``, one stream per run named by the run
  id; the group is ``/aws-glue/jobs`` for Spark and ``/aws-glue/python-jobs`` for Python shell.

Lines are written (by ``common/logs.py``) as the job prints them.
"""

from __future__ import annotations

import re

from lakelab.emulator.common import logs as cloudwatch_logs

SPARK_GROUP = "/aws-glue/jobs"
PYTHON_SHELL_GROUP = "/aws-glue/python-jobs"
REAL_TIME_LOGGING_FROM = (5, 0)  # Glue 5.0 gave every Spark job real-time logs, per driver and executor
SPARK_COMMANDS = ("glueetl", "gluestreaming")

# A line of Spark's log4j output, as common/spark.py lays it out: "25/01/31 12:00:00 WARN Class: message"
_SPARK_LOG_LINE = re.compile(r"\d\d/\d\d/\d\d \d\d:\d\d:\d\d (TRACE|DEBUG|INFO|WARN|ERROR|FATAL) ")
# What continues a log4j record: an indented stack frame, "Caused by:", a Java exception's class name, and the
# lines of an IOStatistics dump that S3A logs when a stream closes ("gauges=((...));", "minimums=((...));")
_SPARK_CONTINUATION = re.compile(r"\s|Caused by:|Suppressed:|[a-z][\w$]*(\.[\w$]+)+(Exception|Error)\b"
                                 r"|[a-z_]+=\(\(")

Lines = dict[str, list[tuple[int, str]]]


def group_for(command_name: str) -> str:
    return PYTHON_SHELL_GROUP if command_name == "pythonshell" else SPARK_GROUP


def real_time_logging(command_name: str, glue_version: str | None) -> bool:
    """Whether the run logs as Glue 5.0+ Spark jobs do (a ``-driver`` stream, stderr with stdout)."""
    try:
        version = tuple(int(part) for part in (glue_version or "").split("."))
    except ValueError:
        return False
    return command_name in SPARK_COMMANDS and version >= REAL_TIME_LOGGING_FROM


def stream_for(run_id: str, command_name: str, glue_version: str | None) -> str:
    return f"{run_id}-driver" if real_time_logging(command_name, glue_version) else run_id


class RunLog:
    def __init__(self, account_id: str, region: str, command_name: str, glue_version: str | None,
                 run_id: str) -> None:
        self.account_id, self.region, self.group = account_id, region, group_for(command_name)
        self.real_time = real_time_logging(command_name, glue_version)
        self.stream = stream_for(run_id, command_name, glue_version)
        self.closed = False  # set when the emulator is reset: its new state must not get old lines
        self._in_spark_record = False  # a log4j record's stack trace spans lines, and sometimes two takes

    def write(self, lines: Lines) -> None:
        routed = self._route(lines) if self.real_time else {"output": lines.get("stdout", []),
                                                           "error": lines.get("stderr", [])}
        for suffix, events in routed.items():
            if events and not self.closed:
                cloudwatch_logs.write(self.account_id, self.region, f"{self.group}/{suffix}", self.stream, events)

    def open(self) -> None:
        """Both streams exist from the start, so reading a run's logs never fails for lack of one."""
        if self.closed:
            return
        for suffix in ("output", "error"):
            cloudwatch_logs.ensure_stream(self.account_id, self.region, f"{self.group}/{suffix}", self.stream)

    def error(self, message: str) -> None:
        """A line of the service's own (a script that cannot be fetched, say): the error group, always."""
        if not self.closed:
            cloudwatch_logs.write(self.account_id, self.region, f"{self.group}/error", self.stream,
                                  [(cloudwatch_logs.now_ms(), message)])

    def _route(self, lines: Lines) -> dict[str, list[tuple[int, str]]]:
        """Glue 5.0+: the script's stdout and stderr to output, Spark's log4j records to error."""
        routed: dict[str, list[tuple[int, str]]] = {"output": list(lines.get("stdout", [])), "error": []}
        for stamp, line in lines.get("stderr", []):
            if _SPARK_LOG_LINE.match(line):
                self._in_spark_record = True
            elif not (self._in_spark_record and _SPARK_CONTINUATION.match(line)):
                self._in_spark_record = False
            routed["error" if self._in_spark_record else "output"].append((stamp, line))
        return routed
