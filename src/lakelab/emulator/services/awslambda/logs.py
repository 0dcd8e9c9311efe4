"""CloudWatch Logs as Lambda writes them: one group per function, one stream per environment.

Lines follow Lambda's text format (START / END / REPORT with tab-separated fields, INIT_REPORT
when the init phase failed, the timeout line), and are written by ``common/logs.py``.
"""

from __future__ import annotations

import base64
import math
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timezone

from lakelab.emulator.common import logs as cloudwatch_logs

TAIL_BYTES = 4096  # LogType=Tail returns the last 4 KB of the invocation's log


def stream_name(version: str) -> str:
    """``2026/11/26/[$LATEST]0123456789abcdef0123456789abcdef``, as Lambda names streams."""
    return f"{datetime.now(timezone.utc):%Y/%m/%d}/[{version}]{uuid.uuid4().hex}"


@dataclass
class Report:
    """The numbers of one invocation's REPORT line."""

    request_id: str
    duration_ms: float
    memory_size: int
    max_memory_mb: int
    init_duration_ms: float | None = None
    status: str | None = None  # "timeout" or "error", absent on success, as on AWS
    error_type: str | None = None

    def line(self) -> str:
        # Since August 2025 the init phase of on-demand ZIP functions is billed too.
        billed = math.ceil(self.duration_ms + (self.init_duration_ms or 0))
        fields = [f"REPORT RequestId: {self.request_id}", f"Duration: {self.duration_ms:.2f} ms",
                  f"Billed Duration: {billed} ms", f"Memory Size: {self.memory_size} MB",
                  f"Max Memory Used: {self.max_memory_mb} MB"]
        if self.init_duration_ms is not None:
            fields.append(f"Init Duration: {self.init_duration_ms:.2f} ms")
        if self.status:
            fields.append(f"Status: {self.status}")
        if self.error_type:
            fields.append(f"Error Type: {self.error_type}")
        return "\t".join(fields) + "\t"


@dataclass
class InvocationLog:
    """The events of one invocation, in order, with their millisecond timestamps."""

    events: list[tuple[int, str]] = field(default_factory=list)

    def add(self, message: str) -> None:
        self.events.append((now_ms(), message))

    def extend(self, events: list[tuple[int, str]]) -> None:
        self.events.extend(events)

    def start(self, request_id: str, version: str) -> None:
        self.add(f"START RequestId: {request_id} Version: {version}")

    def end(self, request_id: str, report: Report) -> None:
        self.add(f"END RequestId: {request_id}")
        self.add(report.line())

    def tail(self) -> str:
        text = "\n".join(message for _, message in self.events) + "\n"
        return base64.b64encode(text.encode("utf-8")[-TAIL_BYTES:]).decode("ascii")


def init_report(duration_ms: float, error_type: str) -> str:
    return f"INIT_REPORT Init Duration: {duration_ms:.2f} ms\tPhase: init\tStatus: error\tError Type: {error_type}"


def timeout_line(request_id: str, timeout: int) -> str:
    stamp = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
    return f"{stamp} {request_id} Task timed out after {timeout:.2f} seconds"


def write(account_id: str, region: str, group: str, stream: str, log: InvocationLog) -> None:
    cloudwatch_logs.write(account_id, region, group, stream, log.events)


def now_ms() -> int:
    return cloudwatch_logs.now_ms()
