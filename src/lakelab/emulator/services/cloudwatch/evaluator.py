"""The alarm evaluator: one thread that evaluates every metric alarm at the end of each of its periods.

Each alarm is due ``LAG`` seconds after each period boundary (aligned on the period, as
CloudWatch aligns datapoints), and once ``FIRST_EVALUATION`` seconds after it is put (AWS
evaluates a new alarm within its first period; unverified how soon). A state change re-evaluates
the composite alarms that name the alarm at once. The thread is started by the first alarm and
stopped when the emulator is reset (like Firehose's hoses and Lambda's pollers); ``figures()``
tells how punctual and how busy it has been (for the bench).
"""

from __future__ import annotations

import heapq
import itertools
import logging
import math
import threading
import time
from dataclasses import dataclass
from typing import Any

from lakelab.emulator import seam
from lakelab.emulator.services.cloudwatch import alarms, composite, evaluation

LAG = 0.25  # seconds after a period ends: metrics of its last instant have landed
FIRST_EVALUATION = 1.0
Key = tuple[str, str, str]
_log = logging.getLogger(__name__)


@dataclass
class Figures:
    evaluations: int = 0
    busy_seconds: float = 0.0
    worst_lateness: float = 0.0  # seconds between when an evaluation was due and when it ran


class Evaluator:
    def __init__(self) -> None:
        self.queue: list[tuple[float, int, Key]] = []
        self.due: dict[Key, float] = {}
        self.counter = itertools.count()
        self.wake = threading.Condition()
        self.stopped = False
        self.figures = Figures()
        self.thread = threading.Thread(target=self._run, name="cloudwatch-alarm-evaluator", daemon=True)
        self.thread.start()

    def schedule(self, key: Key, when: float) -> None:
        with self.wake:
            self.due[key] = when
            heapq.heappush(self.queue, (when, next(self.counter), key))
            self.wake.notify()

    def stop(self) -> None:
        with self.wake:
            self.stopped = True
            self.wake.notify()
        if self.thread is not threading.current_thread():
            self.thread.join(timeout=5)

    def _run(self) -> None:
        while True:
            with self.wake:
                while not self.stopped and (not self.queue or self.queue[0][0] > time.time()):
                    self.wake.wait(timeout=None if not self.queue else max(0.0, self.queue[0][0] - time.time()))
                if self.stopped:
                    return
                due_at, _, key = heapq.heappop(self.queue)
                if self.due.get(key) != due_at:
                    continue  # superseded by a later schedule (the alarm was put again)
                del self.due[key]
            self._evaluate(key, due_at)

    def _evaluate(self, key: Key, due_at: float) -> None:
        started, cpu = time.time(), time.thread_time()
        try:
            period = evaluate_now(key, started)
        except Exception:  # noqa: BLE001 - one broken alarm must not stop the others
            _log.exception("evaluating alarm %s failed", key)
            period = 60
        self.figures.evaluations += 1
        self.figures.busy_seconds += time.thread_time() - cpu
        self.figures.worst_lateness = max(self.figures.worst_lateness, started - due_at)
        if period:
            self.schedule(key, (math.floor(started / period) + 1) * period + LAG)


def evaluate_now(key: Key, moment: float) -> int | None:
    """Evaluate one alarm; its period (None when it no longer exists or is composite)."""
    account, region, name = key
    backend = seam.backend("cloudwatch", account, region)
    alarm = backend.alarms.get(name)
    if alarm is None:
        return None
    if alarm.rule:
        evaluate_composite(backend, alarm)
        return None
    outcome = evaluation.evaluate(backend, alarm, moment)
    if outcome is not None and alarms.change_state(backend, alarm, outcome.state, outcome.reason, outcome.reason_data):
        changed(backend, alarm)
    return evaluation.period_of(alarm)


def evaluate_composite(backend: Any, alarm: Any) -> None:
    state, reason = composite.evaluate(backend, alarm)
    if alarms.change_state(backend, alarm, state, reason, None):
        changed(backend, alarm)


def changed(backend: Any, alarm: Any, depth: int = 0) -> None:
    """Re-evaluate the composite alarms naming ``alarm`` (they may name composite alarms too)."""
    if depth > 10:
        return
    for parent in composite.parents(backend, alarm.name):
        state, reason = composite.evaluate(backend, parent)
        if alarms.change_state(backend, parent, state, reason, None):
            changed(backend, parent, depth + 1)


_evaluator: Evaluator | None = None
_lock = threading.Lock()


def evaluator() -> Evaluator:
    global _evaluator
    with _lock:
        if _evaluator is None or _evaluator.stopped:
            _evaluator = Evaluator()
        return _evaluator


def watch(account: str, region: str, name: str) -> None:
    """Evaluate the alarm soon, then at the end of each of its periods."""
    evaluator().schedule((account, region, name), time.time() + FIRST_EVALUATION)


def figures() -> Figures:
    return evaluator().figures


def stop() -> None:
    global _evaluator
    with _lock:
        running, _evaluator = _evaluator, None
    if running is not None:
        running.stop()
