"""Warm workers, kept per function version and reused, as Lambda keeps execution environments.

A worker is reused only by invocations of the same version with the same fingerprint: new code,
a new configuration or a published version gets a fresh (cold) worker, and the stale ones are
stopped. One worker serves one invocation at a time, so concurrent invocations start more
workers, as Lambda scales out environments.
"""

from __future__ import annotations

import shutil
import threading
import time
from collections.abc import Callable
from pathlib import Path

from lakelab.emulator.services.awslambda import environment, logs
from lakelab.emulator.services.awslambda.functions import FunctionVersion
from lakelab.emulator.services.awslambda.workers import Worker

IDLE_LIMIT_SECONDS = 900.0  # Lambda reclaims idle environments too; a laptop wants its memory back

Key = tuple[str, str, str, str]


class WorkerPool:
    def __init__(self) -> None:
        self.code = environment.CodeStore()
        self._idle: dict[Key, list[Worker]] = {}
        self._current: dict[Key, str] = {}  # the fingerprint a reusable worker must have
        self._keys: dict[Worker, Key] = {}
        self._scratch: dict[Worker, Path] = {}
        self._lock = threading.Lock()

    def acquire(self, version: FunctionVersion) -> tuple[Worker, bool]:
        """A worker for ``version`` and whether it is new (a cold start: call ``wait_ready``)."""
        with self._lock:
            self._current[version.key] = version.fingerprint
            self._stop_idle_workers(lambda key, worker: time.monotonic() - worker.idle_since > IDLE_LIMIT_SECONDS)
            idle = self._idle.get(version.key, [])
            while idle:
                worker = idle.pop()
                if worker.alive and worker.fingerprint == version.fingerprint:
                    return worker, False
                self._forget(worker)
        return self._start(version), True

    def release(self, worker: Worker) -> None:
        with self._lock:
            key = self._keys.get(worker)
            if key is not None and worker.alive and self._current.get(key) == worker.fingerprint:
                worker.idle_since = time.monotonic()
                self._idle.setdefault(key, []).append(worker)
                return
        self.discard(worker)

    def discard(self, worker: Worker) -> None:
        with self._lock:
            self._forget(worker)

    def retire(self, account_id: str, region: str, name: str, version: str | None = None) -> None:
        """Stop the idle workers of a function (of one version, if given); busy ones stop when they finish."""

        def matches(key: Key, _worker: Worker | None = None) -> bool:
            return key[:3] == (account_id, region, name) and version in (None, key[3])

        with self._lock:
            for key in [k for k in self._current if matches(k)]:
                del self._current[key]
            self._stop_idle_workers(matches)

    def shutdown(self) -> None:
        """Stop every worker, busy or idle, and remove the extracted code."""
        with self._lock:
            for worker in list(self._keys):
                self._forget(worker)
            self._idle, self._current = {}, {}
        self.code.clear()

    def pids(self) -> list[int]:
        with self._lock:
            return [worker.pid for worker in self._keys]

    def _start(self, version: FunctionVersion) -> Worker:
        task_root = self.code.folder_for(version.code_sha256, version.code)
        scratch = self.code.scratch_folder()
        stream = logs.stream_name(version.version)
        command = Worker.command(str(task_root), environment.layer_paths(self.code, version))
        env = environment.variables(version, task_root, stream, scratch)
        worker = Worker(command, env, str(task_root), stream, version.fingerprint)
        with self._lock:
            self._keys[worker], self._scratch[worker] = version.key, scratch
        return worker

    def _stop_idle_workers(self, should_stop: Callable[[Key, Worker], bool]) -> None:
        for key, workers in self._idle.items():
            for worker in [w for w in workers if should_stop(key, w)]:
                workers.remove(worker)
                self._forget(worker)

    def _forget(self, worker: Worker) -> None:
        worker.kill()
        self._keys.pop(worker, None)
        scratch = self._scratch.pop(worker, None)
        if scratch is not None:
            shutil.rmtree(scratch, ignore_errors=True)
