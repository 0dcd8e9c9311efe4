"""Schedule expressions and the clock that runs Active scheduled flows.

``rate(5 minutes)`` (AppFlow's reference writes ``rate(5minutes)``: both are read) with ``minute``,
``minutes``, ``hour(s)`` or ``day(s)``, and ``cron(minutes hours day-of-month month day-of-week
year)`` in EventBridge's six fields (``*``, ``?``, ``,``, ``-``, ``/``; ``L``, ``W`` and ``#`` are
refused by name). Salesforce flows run at most once a minute, as AppFlow allows.
A scheduled flow runs first when it is activated (or at ``scheduleStartTime``, when later), then at
each interval (unverified: AppFlow picks the first run's moment itself); it stops after
``scheduleEndTime``.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass

from lakelab.emulator import context
from lakelab.emulator.services.appflow.errors import validation

MINUTE_SECONDS = 60.0  # one schedule minute; a test may shorten it so a rate(1 minute) flow runs quickly
# The course's own test runs (the notebook test environment) set this to a few seconds, so that a solution's
# rate(1minutes) flow runs its next time without a minute's wait; a learner's emulator never sets it.
MINUTE_SECONDS_VARIABLE = "LAKELAB_SCHEDULE_MINUTE_SECONDS"


def minute_seconds() -> float:
    """How long a ``rate(...)`` minute lasts here: 60 s, unless the course's tests shortened it."""
    override = os.environ.get(MINUTE_SECONDS_VARIABLE, "").strip()
    return float(override) if override else MINUTE_SECONDS
TICK_SECONDS = 0.2
_RATE = re.compile(r"^rate\(\s*(\d+)\s*(minute|minutes|hour|hours|day|days)\s*\)$", re.IGNORECASE)
_CRON = re.compile(r"^cron\((.*)\)$", re.IGNORECASE)
_UNIT_MINUTES = {"minute": 1, "hour": 60, "day": 1440}
_FIELD_RANGES = ((0, 59), (0, 23), (1, 31), (1, 12), (1, 7), (1970, 2199))
_DAY_NAMES = {name: n for n, name in enumerate(("SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"), 1)}
_MONTH_NAMES = {name: n for n, name in enumerate(("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP",
                                                   "OCT", "NOV", "DEC"), 1)}


@dataclass(frozen=True)
class Schedule:
    expression: str
    every_minutes: int | None = None  # a rate
    cron: tuple[frozenset[int], ...] | None = None

    def next_after(self, moment: dt.datetime) -> dt.datetime:
        """The first run strictly after ``moment``."""
        if self.every_minutes is not None:
            return moment + dt.timedelta(seconds=self.every_minutes * minute_seconds())
        candidate = moment.replace(second=0, microsecond=0) + dt.timedelta(minutes=1)
        for _ in range(366 * 24 * 60):
            if self._matches(candidate):
                return candidate
            candidate += dt.timedelta(minutes=1)
        raise validation(f"Schedule expression {self.expression} never runs in the coming year.")

    def _matches(self, moment: dt.datetime) -> bool:
        assert self.cron is not None
        minutes, hours, days, months, weekdays, years = self.cron
        weekday = moment.isoweekday() % 7 + 1  # EventBridge: 1 = Sunday
        return (moment.minute in minutes and moment.hour in hours and moment.month in months
                and moment.year in years and moment.day in days and weekday in weekdays)


def parse(expression: str) -> Schedule:
    """A Schedule, or AppFlow's ValidationException for an expression it would refuse."""
    text = (expression or "").strip()
    rate = _RATE.match(text)
    if rate:
        count, unit = int(rate.group(1)), rate.group(2).lower().rstrip("s")
        if count < 1:
            raise validation(f"Invalid schedule expression {expression}: the rate must be at least 1 {unit}.")
        return Schedule(text, every_minutes=count * _UNIT_MINUTES[unit])
    cron = _CRON.match(text)
    if cron:
        return Schedule(text, cron=_cron_fields(expression, cron.group(1).split()))
    raise validation(f"Invalid schedule expression {expression}: use rate(value unit) or cron(minutes hours "
                     "day-of-month month day-of-week year).")  # wording unverified


def _cron_fields(expression: str, parts: list[str]) -> tuple[frozenset[int], ...]:
    if len(parts) != 6:
        raise validation(f"Invalid schedule expression {expression}: cron takes six fields, got {len(parts)}.")
    if (parts[2] == "?") == (parts[4] == "?"):
        raise validation(f"Invalid schedule expression {expression}: one of day-of-month and day-of-week must "
                         "be '?'.")
    names = (None, None, None, _MONTH_NAMES, _DAY_NAMES, None)
    return tuple(_cron_field(expression, part, low, high, named)
                 for part, (low, high), named in zip(parts, _FIELD_RANGES, names))


def _cron_field(expression: str, part: str, low: int, high: int, named: dict[str, int] | None) -> frozenset[int]:
    if part in ("*", "?"):
        return frozenset(range(low, high + 1))
    values: set[int] = set()
    for item in part.split(","):
        if any(mark in item for mark in ("L", "W", "#")) and not (named and item.upper() in named):
            raise validation(f"Invalid schedule expression {expression}: '{item}' (L, W and #) is not supported "
                             "by this emulator.")
        span, _, step = item.partition("/")
        start, _, end = span.partition("-")
        try:
            first = low if start == "*" else _value(start, named)
            last = (high if start == "*" or step else first) if not end else _value(end, named)
            values.update(range(first, last + 1, int(step) if step else 1))
        except ValueError:
            raise validation(f"Invalid schedule expression {expression}: '{item}' is not a cron value.") from None
    if not values or min(values) < low or max(values) > high:
        raise validation(f"Invalid schedule expression {expression}: '{part}' is outside {low}-{high}.")
    return frozenset(values)


def _value(text: str, named: dict[str, int] | None) -> int:
    return named[text.upper()] if named and text.upper() in named else int(text)


class Clock:
    """One thread that calls ``run_due`` every tick while any scheduled flow is Active."""

    def __init__(self, run_due: Callable[[dt.datetime], None]) -> None:
        self._run_due = run_due
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()
        self._lock = threading.Lock()

    def ensure_running(self) -> None:
        with self._lock:
            if self._thread is None or not self._thread.is_alive():
                self._stop.clear()
                # The clock runs in the context of the StartFlow that started it: that emulator's settings.
                self._thread = threading.Thread(target=context.carry(self._loop), name="lakelab-appflow-schedules",
                                                daemon=True)
                self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout=5)
        self._thread = None

    def _loop(self) -> None:
        while not self._stop.wait(TICK_SECONDS):
            self._run_due(dt.datetime.now(dt.timezone.utc))
