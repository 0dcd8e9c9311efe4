"""Asynchronous delivery, as AWS does it: the API call returns, the side effect follows.

One ordered worker thread per emulator process; ``drain()`` waits for everything queued so
far (tests and the grader use it to read a settled state).
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable

log = logging.getLogger("lakelab.emulator")

_tasks: queue.Queue[Callable[[], None]] = queue.Queue()
_worker: threading.Thread | None = None
_start_lock = threading.Lock()


def submit(task: Callable[[], None]) -> None:
    """Queue ``task`` to run after the current request has answered."""
    _ensure_worker()
    _tasks.put(task)


def drain(timeout: float = 30.0) -> bool:
    """Wait until every task queued before this call has run; False on timeout."""
    done = threading.Event()
    submit(done.set)
    return done.wait(timeout)


def _ensure_worker() -> None:
    global _worker
    with _start_lock:
        if _worker is None or not _worker.is_alive():
            _worker = threading.Thread(target=_run, name="lakelab-dispatch", daemon=True)
            _worker.start()


def _run() -> None:
    while True:
        task = _tasks.get()
        try:
            task()
        except Exception:  # an async side effect must never take the emulator down
            log.exception("asynchronous delivery failed")
