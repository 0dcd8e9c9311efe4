"""A job's driver process: started in its own process group, its output collected as it comes.

The emulator never runs job code in its own process: a script that crashes, loops or exits
takes down only its process, and stopping a run kills the whole group (the Spark JVM too).
Two reader threads keep the pipes drained; the run takes the new lines from time to time, so
the logs fill while the job runs, as CloudWatch Logs does on AWS.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

BOOTSTRAP = str(Path(__file__).with_name("job_bootstrap.py"))


class JobProcess:
    def __init__(self, argv: list[str], env: dict[str, str], cwd: Path) -> None:
        self._lock = threading.Lock()
        self._lines: dict[str, list[tuple[int, str]]] = {"stdout": [], "stderr": []}
        self._process = subprocess.Popen(
            argv, cwd=str(cwd), env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
            stderr=subprocess.PIPE, start_new_session=os.name == "posix",
        )
        self._readers = [_reader(self._read, name) for name in ("stdout", "stderr")]

    @staticmethod
    def command(script: Path, result_file: Path, arguments: list[str]) -> list[str]:
        # -u: lines reach the logs as they are printed; -P: the bootstrap's folder stays off sys.path
        return [sys.executable, "-u", "-P", "-X", "utf8", BOOTSTRAP, str(result_file), str(script), *arguments]

    @property
    def pid(self) -> int:
        return self._process.pid

    def wait(self, seconds: float) -> int | None:
        """The exit code, or None if the process still runs after ``seconds``."""
        try:
            code = self._process.wait(timeout=seconds)
        except subprocess.TimeoutExpired:
            return None
        for reader in self._readers:
            reader.join(timeout=5)  # the last lines, written just before exit
        return code

    def take(self) -> dict[str, list[tuple[int, str]]]:
        """The lines of each stream since the last call, with millisecond timestamps."""
        with self._lock:
            taken, self._lines = self._lines, {"stdout": [], "stderr": []}
        return taken

    def kill(self) -> None:
        """End the process and all it started: a Spark JVM outlives the script's Python otherwise."""
        if os.name != "posix":
            self._process.kill()
        else:
            self._kill_group()
        try:
            self._process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            pass

    def _kill_group(self) -> None:
        try:
            os.killpg(self._process.pid, signal.SIGKILL)  # it leads its own group (start_new_session)
        except (ProcessLookupError, PermissionError):
            return  # nothing of it is left
        time.sleep(0.1)  # SIGKILL acts at once; this only lets the kernel finish delivering it

    def _read(self, name: str) -> None:
        stream = getattr(self._process, name)
        with stream:
            for raw in stream:
                line = raw.decode("utf-8", errors="replace").rstrip("\r\n")
                with self._lock:
                    self._lines[name].append((int(time.time() * 1000), line))


def _reader(target: object, name: str) -> threading.Thread:
    thread = threading.Thread(target=target, args=(name,), name=f"lakelab-job-{name}", daemon=True)
    thread.start()
    return thread


POLL_SECONDS = 0.5


def supervise(process: JobProcess, flush: Callable[[dict[str, list[tuple[int, str]]]], None],
              stop_requested: threading.Event, deadline: float | None) -> tuple[str, int | None]:
    """Wait for the process, passing its output to ``flush`` as it comes.

    Returns ``("exited", code)``, or ``("stopped", None)`` / ``("timeout", None)`` after killing it.
    """
    while True:
        code = process.wait(POLL_SECONDS)
        flush(process.take())
        if code is not None:
            process.kill()  # the JVM's shutdown would race the removal of the run's folder
            return "exited", code
        ended = "stopped" if stop_requested.is_set() else "timeout" if deadline and time.monotonic() > deadline else ""
        if ended:
            process.kill()
            flush(process.take())
            return ended, None


def read_result(result_file: Path) -> dict[str, Any] | None:
    """What the bootstrap recorded about the script's exception, if it raised."""
    try:
        return json.loads(result_file.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
