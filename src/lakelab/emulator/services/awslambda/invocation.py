"""One invocation, from moto's ``Invoke`` (or a trigger) to the answer, the logs and the worker.

Every outcome a learner can meet on AWS has its answer here: the handler's result; an unhandled
exception (``FunctionError: Unhandled`` with the runtime's error document); an init failure
(import error, missing handler, syntax error); a timeout (``Sandbox.Timedout``, worker killed);
a runtime that exits (``Runtime.ExitError``). None of them takes the emulator down.
"""

from __future__ import annotations

import base64
import json
import time
import uuid
from dataclasses import dataclass
from typing import Any

from lakelab.emulator.services.awslambda import logs, metrics
from lakelab.emulator.services.awslambda.functions import FunctionVersion
from lakelab.emulator.services.awslambda.pool import WorkerPool
from lakelab.emulator.services.awslambda.workers import Worker, WorkerExited, WorkerTimedOut

INIT_LIMIT_SECONDS = 10.0  # Lambda's limit for the init phase of an on-demand environment
SIGNAL_NAMES = {6: "aborted", 9: "killed", 11: "segmentation fault", 15: "terminated"}

workers = WorkerPool()


@dataclass
class Outcome:
    request_id: str
    payload: bytes
    function_error: bool
    log: logs.InvocationLog

    def document(self) -> Any:
        """The answer as JSON (None when it is not JSON): what triggers read back."""
        try:
            return json.loads(self.payload or b"null")
        except ValueError:
            return None


def run(version: FunctionVersion, event: str, invoked_arn: str = "", client_context: Any = None,
        request_id: str | None = None) -> Outcome:
    """Invoke ``version`` with the JSON text ``event`` and wait for the outcome."""
    attempt = Attempt(version, request_id or str(uuid.uuid4()))
    worker, cold = workers.acquire(version)
    try:
        outcome = attempt.run(worker, cold, event, invoked_arn or version.arn, client_context)
    finally:
        workers.release(worker)  # a killed or exited worker is dropped here
    logs.write(version.account_id, version.region, version.log_group, worker.log_stream, outcome.log)
    return outcome


class Attempt:
    """The state of one invocation while it runs on a worker."""

    def __init__(self, version: FunctionVersion, request_id: str) -> None:
        self.version, self.request_id = version, request_id
        self.log = logs.InvocationLog()
        self.started = time.perf_counter()
        self.cold = False
        self.worker: Worker | None = None

    def run(self, worker: Worker, cold: bool, event: str, invoked_arn: str, client_context: Any) -> Outcome:
        self.worker, self.cold = worker, cold
        try:
            if cold:
                worker.wait_ready(max(INIT_LIMIT_SECONDS, float(self.version.timeout)))
                self.log.extend(worker.logs.take(end_marker=""))
            if worker.init_error is not None:
                return self.init_failed(worker.init_error)
            self.log.start(self.request_id, self.version.version)
            self.started = time.perf_counter()
            answer = worker.invoke(self.request(event, invoked_arn, client_context), self.version.timeout)
        except WorkerTimedOut:
            return self.timed_out()
        except WorkerExited as exited:
            return self.exited(exited.returncode)
        self.log.extend(worker.logs.take(end_marker=self.request_id))
        return self.finish(answer["payload"].encode("latin-1"), not answer["ok"], answer["duration_ms"])

    def request(self, event: str, invoked_arn: str, client_context: Any) -> dict[str, Any]:
        deadline_ms = int(time.time() * 1000) + self.version.timeout * 1000
        trace = f"Root=1-{int(time.time()):08x}-{uuid.uuid4().hex[:24]};Parent={uuid.uuid4().hex[:16]};Sampled=0"
        return {"request_id": self.request_id, "event": event, "deadline_ms": deadline_ms,
                "invoked_function_arn": invoked_arn, "trace_id": trace, "client_context": client_context}

    def finish(self, payload: bytes, failed: bool, duration_ms: float, status: str | None = None,
               error_type: str | None = None) -> Outcome:
        assert self.worker is not None
        report = logs.Report(self.request_id, duration_ms, self.version.memory_size, self.worker.peak_memory_mb,
                             self.worker.init_duration_ms if self.cold else None, status, error_type)
        self.log.end(self.request_id, report)
        version = self.version
        metrics.invoked(version.account_id, version.region, version.name, version.version, failed, duration_ms)
        return Outcome(self.request_id, payload, failed, self.log)

    def init_failed(self, error: dict[str, Any]) -> Outcome:
        assert self.worker is not None
        self.log.add(logs.init_report(self.worker.init_duration_ms, error["errorType"]))
        self.log.start(self.request_id, self.version.version)
        self.cold = False  # the failed init is reported on its own INIT_REPORT line
        return self.finish(json.dumps(error).encode(), True, 0.0, "error", error["errorType"])

    def timed_out(self) -> Outcome:
        self._start_if_needed()
        self.log.add(logs.timeout_line(self.request_id, self.version.timeout))
        message = f"RequestId: {self.request_id} Error: Task timed out after {self.version.timeout:.2f} seconds"
        payload = json.dumps({"errorType": "Sandbox.Timedout", "errorMessage": message}).encode()
        return self.finish(payload, True, self._elapsed_ms(), "timeout")

    def exited(self, returncode: int | None) -> Outcome:
        self._start_if_needed()
        reason = _exit_reason(returncode)
        message = f"RequestId: {self.request_id} Error: {reason}"
        self.log.add(message)
        self.log.add("Runtime.ExitError")
        payload = json.dumps({"errorType": "Runtime.ExitError", "errorMessage": message}).encode()
        return self.finish(payload, True, self._elapsed_ms(), "error", "Runtime.ExitError")

    def _start_if_needed(self) -> None:
        assert self.worker is not None
        self.log.extend(self.worker.logs.take(end_marker=None, wait=0))
        if not any(message.startswith("START RequestId:") for _, message in self.log.events):
            self.log.start(self.request_id, self.version.version)

    def _elapsed_ms(self) -> float:
        return (time.perf_counter() - self.started) * 1000


def _exit_reason(returncode: int | None) -> str:
    if returncode is None or returncode == 0:
        return "Runtime exited without providing a reason"
    if returncode < 0:
        return f"Runtime exited with error: signal: {SIGNAL_NAMES.get(-returncode, -returncode)}"
    return f"Runtime exited with error: exit status {returncode}"


def client_context_from_header(value: str | None) -> Any:
    """The ``ClientContext`` of Invoke (base64 JSON), or None."""
    if not value:
        return None
    try:
        return json.loads(base64.b64decode(value))
    except ValueError:
        return None
