"""Lambda's Python runtimes and the dates AWS retires them: what may still be created or updated.

Dates from the "Lambda runtimes" page (docs.aws.amazon.com/lambda/latest/dg/lambda-runtimes.html)
as two mirrors of it read in 2026: AWS's own cfn-lint (``LmbdRuntimeLifecycle.json``, updated
2026-06-02 "from AWS docs") and endoflife.date (2026-08; deprecation and update-block dates).
AWS moves these dates: re-check the page before changing the course's runtime.

The week 3 check and the emulator read the same table, so a runtime the check accepts is one the
emulator lets you create, and one AWS lets you create on the same day.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timezone


@dataclass(frozen=True)
class Runtime:
    identifier: str
    deprecated: date  # no more security patches or support
    create_blocked: date  # CreateFunction refused from this day
    update_blocked: date  # UpdateFunctionCode / UpdateFunctionConfiguration refused from this day


PYTHON = tuple(Runtime(identifier, *(date.fromisoformat(day) for day in days)) for identifier, *days in (
    ("python3.14", "2029-06-30", "2029-07-31", "2029-08-31"),
    ("python3.13", "2029-06-30", "2029-07-31", "2029-08-31"),
    ("python3.12", "2028-10-31", "2028-11-30", "2029-01-10"),
    ("python3.11", "2027-06-30", "2027-07-31", "2027-08-31"),
    ("python3.10", "2026-10-31", "2027-02-01", "2027-03-03"),
    ("python3.9", "2025-12-15", "2027-02-01", "2027-03-03"),
    ("python3.8", "2024-10-14", "2027-02-01", "2027-03-03"),
    ("python3.7", "2023-12-04", "2024-01-09", "2027-03-03"),
    ("python3.6", "2022-07-18", "2022-07-18", "2022-08-29"),
    ("python2.7", "2021-07-15", "2021-07-15", "2022-05-30"),
))
BY_IDENTIFIER = {runtime.identifier: runtime for runtime in PYTHON}
NEWEST = PYTHON[0].identifier  # the runtime AWS's refusal recommends


def today() -> date:
    return datetime.now(timezone.utc).date()


def creatable(on: date | None = None) -> list[str]:
    """The Python runtimes CreateFunction accepts on ``on`` (today, UTC, by default), newest first."""
    day = on or today()
    return [runtime.identifier for runtime in PYTHON if day < runtime.create_blocked]


def supported(on: date | None = None) -> list[str]:
    """The Python runtimes not yet deprecated on ``on``: patched and eligible for support."""
    day = on or today()
    return [runtime.identifier for runtime in PYTHON if day < runtime.deprecated]


def blocked(identifier: str, for_update: bool = False, on: date | None = None) -> bool:
    """Whether Lambda refuses ``identifier`` for a new function (or, ``for_update``, for an update)."""
    runtime = BY_IDENTIFIER[identifier]
    return (on or today()) >= (runtime.update_blocked if for_update else runtime.create_blocked)


def refusal(identifier: str) -> str:
    """Lambda's words when a retired runtime is used (InvalidParameterValueException, HTTP 400)."""
    return (f"The runtime parameter of {identifier} is no longer supported for creating or updating AWS Lambda "
            f"functions. We recommend you use the new runtime ({NEWEST}) while creating or updating functions.")
