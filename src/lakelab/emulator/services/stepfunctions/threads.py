"""Threads of an execution run in the context of the StartExecution that began it.

The interpreter starts a thread for the execution, one per state (to enforce ``TimeoutSeconds``),
one per Parallel branch and one per Map iteration. Python starts every thread with an empty
context, so code running there would not know which emulator's settings apply (IAM on or off,
CloudTrail on or off) nor who started the execution. :class:`ContextThread` copies the creating
thread's context; the package's patches give it to the interpreter's modules in place of
``threading.Thread``.
"""

from __future__ import annotations

import contextvars
import threading
from typing import Any


class ContextThread(threading.Thread):
    """A ``threading.Thread`` that runs in a copy of its creator's context."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._creator_context = contextvars.copy_context()

    def run(self) -> None:
        try:
            self._creator_context.run(super().run)
        finally:
            del self._creator_context  # the interpreter keeps every thread object it started


class _ThreadingWithContext:
    """The ``threading`` module as the interpreter's modules see it: the same, but for ``Thread``."""

    Thread = ContextThread

    def __getattr__(self, name: str) -> Any:
        return getattr(threading, name)


THREADING = _ThreadingWithContext()
