"""Job logs in CloudWatch Logs where Glue writes them: one stream per run, named by the run id.

The driver's stdout goes to ``<group>/output`` and its stderr (Spark's log, tracebacks) to
``<group>/error``; Spark jobs use ``/aws-glue/jobs``, Python shell jobs ``/aws-glue/python-jobs``.
Lines are written (by ``common/logs.py``) as the job prints them.
"""

from __future__ import annotations

from lakelab.emulator.common import logs as cloudwatch_logs

SPARK_GROUP = "/aws-glue/jobs"
PYTHON_SHELL_GROUP = "/aws-glue/python-jobs"

Lines = dict[str, list[tuple[int, str]]]


def group_for(command_name: str) -> str:
    return PYTHON_SHELL_GROUP if command_name == "pythonshell" else SPARK_GROUP


class RunLog:
    def __init__(self, account_id: str, region: str, group: str, stream: str) -> None:
        self.account_id, self.region, self.group, self.stream = account_id, region, group, stream
        self.closed = False  # set when the emulator is reset: its new state must not get old lines

    def write(self, lines: Lines) -> None:
        for name, suffix in (("stdout", "output"), ("stderr", "error")):
            if lines.get(name) and not self.closed:
                cloudwatch_logs.write(self.account_id, self.region, f"{self.group}/{suffix}", self.stream, lines[name])

    def open(self) -> None:
        """Both streams exist from the start, so reading a run's error log never fails for lack of one."""
        if self.closed:
            return
        for suffix in ("output", "error"):
            cloudwatch_logs.ensure_stream(self.account_id, self.region, f"{self.group}/{suffix}", self.stream)

    def error(self, message: str) -> None:
        """A line of the service's own in the error log (a script that cannot be fetched, say)."""
        self.write({"stderr": [(cloudwatch_logs.now_ms(), message)]})
