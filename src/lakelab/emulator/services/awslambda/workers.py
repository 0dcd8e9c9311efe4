"""One warm worker process per Lambda execution environment, and the talk over its pipes.

A worker runs ``runtime_bootstrap.py`` on this very interpreter. Two reader threads per worker
keep the pipes drained (portable, unlike ``select`` on pipes): one turns answer lines into
messages, the other turns the log pipe into timestamped log events.
"""

from __future__ import annotations

import json
import os
import queue
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

BOOTSTRAP = str(Path(__file__).with_name("runtime_bootstrap.py"))
FRAME = "\x1e\x1f"  # must match runtime_bootstrap.FRAME
LOG_SETTLE_SECONDS = 2.0


class WorkerTimedOut(Exception):
    """The handler (or the init) did not answer in time; the worker has been killed."""


class WorkerExited(Exception):
    """The worker process ended while it was working; ``returncode`` says how."""

    def __init__(self, returncode: int | None) -> None:
        super().__init__(f"worker exited with {returncode}")
        self.returncode = returncode


class LogCollector:
    """Log events from the worker's log pipe, with the end-of-request markers it sends."""

    def __init__(self) -> None:
        self._events: list[tuple[int, str]] = []
        self._ends: set[str] = set()
        self._changed = threading.Condition()

    def add_line(self, line: str) -> None:
        text, _, framed = line.partition(FRAME)
        with self._changed:
            if text:
                self._events.append((_now_ms(), text))
            if framed:
                self._add_frame(json.loads(framed))
            self._changed.notify_all()

    def _add_frame(self, document: dict[str, Any]) -> None:
        if "end" in document:
            self._ends.add(document["end"])
        else:
            self._events.append((_now_ms(), document["log"]))

    def take(self, end_marker: str | None, wait: float = LOG_SETTLE_SECONDS) -> list[tuple[int, str]]:
        """Events so far; with ``end_marker``, first wait until the worker's marker arrived."""
        with self._changed:
            if end_marker is not None:
                self._changed.wait_for(lambda: end_marker in self._ends, timeout=wait)
                self._ends.discard(end_marker)
            events, self._events = self._events, []
        return events


class Worker:
    """A started runtime process for one function version (see ``pool.py`` for reuse)."""

    def __init__(self, argv: list[str], env: dict[str, str], cwd: str, log_stream: str, fingerprint: str) -> None:
        self.log_stream = log_stream
        self.fingerprint = fingerprint
        self.init_error: dict[str, Any] | None = None
        self.init_duration_ms = 0.0
        self.peak_memory_mb = 0
        self.logs = LogCollector()
        self.idle_since = self._spawned = time.monotonic()
        self._answers: queue.Queue[dict[str, Any] | None] = queue.Queue()
        self._process = subprocess.Popen(
            argv, cwd=cwd, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            start_new_session=os.name == "posix",  # its own process group: a timeout kills the handler's children too
        )
        _reader(self._read_answers, "answers")
        _reader(self._read_logs, "logs")

    @classmethod
    def command(cls, task_root: str, layer_paths: list[str]) -> list[str]:
        # -P: the bootstrap's folder must not land on sys.path; -X utf8: UTF-8 as Lambda's LANG
        return [sys.executable, "-u", "-P", "-X", "utf8", BOOTSTRAP, task_root, json.dumps(layer_paths)]

    @property
    def pid(self) -> int:
        return self._process.pid

    @property
    def alive(self) -> bool:
        return self._process.poll() is None

    def wait_ready(self, limit_seconds: float) -> None:
        """Wait for the handler module to load; sets ``init_error`` when it could not."""
        try:
            message = self._next_answer(limit_seconds)
        finally:
            self.init_duration_ms = (time.monotonic() - self._spawned) * 1000
        if message["type"] == "init_error":
            self.init_error = message["error"]
            self.peak_memory_mb = message.get("max_memory_mb", 0)
            self.kill()

    def invoke(self, request: dict[str, Any], timeout_seconds: float) -> dict[str, Any]:
        assert self._process.stdin is not None
        try:
            self._process.stdin.write((json.dumps(request) + "\n").encode("utf-8"))
            self._process.stdin.flush()
        except OSError:
            raise WorkerExited(self._process.wait(timeout=5)) from None
        answer = self._next_answer(timeout_seconds)
        self.peak_memory_mb = answer["max_memory_mb"] or self.peak_memory_mb
        self.idle_since = time.monotonic()
        return answer

    def _next_answer(self, timeout_seconds: float) -> dict[str, Any]:
        try:
            message = self._answers.get(timeout=timeout_seconds)
        except queue.Empty:
            self.peak_memory_mb = _peak_memory_mb(self.pid) or self.peak_memory_mb
            self.kill()
            raise WorkerTimedOut() from None
        if message is None:
            raise WorkerExited(self._process.wait(timeout=5))
        return message

    def kill(self) -> None:
        if self._process.poll() is None:
            try:
                if os.name == "posix":
                    os.killpg(self._process.pid, signal.SIGKILL)
                else:
                    self._process.kill()
            except (ProcessLookupError, PermissionError):
                pass
        try:
            self._process.wait(timeout=5)  # reap it: no zombie left behind
        except subprocess.TimeoutExpired:
            pass
        if self._process.stdin is not None:
            try:
                self._process.stdin.close()
            except OSError:
                pass

    def _read_answers(self) -> None:
        assert self._process.stdout is not None
        try:
            with self._process.stdout:
                for line in self._process.stdout:
                    self._answers.put(json.loads(line))
        finally:
            self._answers.put(None)  # end of file: the process has ended

    def _read_logs(self) -> None:
        assert self._process.stderr is not None
        with self._process.stderr:
            for raw in self._process.stderr:
                self.logs.add_line(raw.decode("utf-8", errors="replace").rstrip("\r\n"))


def _reader(target: Any, name: str) -> None:
    threading.Thread(target=target, name=f"lakelab-lambda-{name}", daemon=True).start()


def _now_ms() -> int:
    return int(time.time() * 1000)


def _peak_memory_mb(pid: int) -> int:
    """Peak resident memory of a running process, where the OS tells it (Linux)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0
    for line in status.splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) // 1024
    return 0
