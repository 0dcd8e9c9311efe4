"""Asynchronous work, as AWS does it: the API call returns, the side effect follows.

An :class:`OrderedWorker` runs queued tasks one at a time, in order, on its own daemon thread;
``drain()`` waits for everything queued so far (tests and the grader use it to read a settled
state). The module's own worker delivers notifications and triggers (:func:`submit`,
:func:`drain`); the request pipeline has another that records CloudTrail events.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable

log = logging.getLogger("lakelab.emulator")


class OrderedWorker:
    """One thread, started on first use, running tasks in the order they were queued."""

    def __init__(self, name: str) -> None:
        self.name = name
        self._tasks: queue.Queue[Callable[[], None]] = queue.Queue()
        self._thread: threading.Thread | None = None
        self._start_lock = threading.Lock()

    def submit(self, task: Callable[[], None]) -> None:
        """Queue ``task`` to run after everything queued before it."""
        self._ensure_thread()
        self._tasks.put(task)

    def drain(self, timeout: float = 30.0) -> bool:
        """Wait until every task queued before this call has run; False on timeout."""
        if self._thread is None or threading.current_thread() is self._thread:
            return True  # nothing was ever queued, or a task of this worker is asking
        done = threading.Event()
        self.submit(done.set)
        return done.wait(timeout)

    def _ensure_thread(self) -> None:
        with self._start_lock:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name=self.name, daemon=True)
                self._thread.start()

    def _run(self) -> None:
        while True:
            task = self._tasks.get()
            try:
                task()
            except Exception:  # an asynchronous side effect must never take the emulator down
                log.exception("%s: a queued task failed", self.name)


_deliveries = OrderedWorker("lakelab-dispatch")


def submit(task: Callable[[], None]) -> None:
    """Queue ``task`` (a notification, a trigger) to run after the current request has answered."""
    _deliveries.submit(task)


def drain(timeout: float = 30.0) -> bool:
    """Wait until every delivery queued before this call has happened; False on timeout."""
    return _deliveries.drain(timeout)
