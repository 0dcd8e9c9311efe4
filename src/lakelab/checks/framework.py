"""The machinery shared by every week's checks: registration, messages, AWS errors."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass

from botocore.exceptions import BotoCoreError, ClientError

from lakelab.course import weeks


class CheckFailed(AssertionError):
    """An exercise's check did not pass; ``str()`` is the message a learner reads."""

    def __init__(self, number: str, title: str, expected: str, found: str, hint: str) -> None:
        self.number, self.title, self.expected, self.found, self.hint = number, title, expected, found, hint
        super().__init__(
            f"❌ FAIL {number} {title}\n   expected: {expected}\n   found:    {found}\n   hint:     {hint}"
        )


class _Problem(Exception):
    def __init__(self, expected: str, found: str, hint: str | None) -> None:
        super().__init__(expected)
        self.expected, self.found, self.hint = expected, found, hint


def expect(condition: object, *, expected: str, found: object, hint: str | None = None) -> None:
    """Inside a check: stop with expected/found (and a hint more precise than the check's own)."""
    if not condition:
        raise _Problem(expected, str(found), hint)


@dataclass(frozen=True)
class Check:
    week: int | str  # the lab's key: 6, or "6b" for a week's second lab
    number: str
    title: str
    hint: str
    function: Callable[[], None]
    stretch: bool = False
    needs: tuple[str, ...] = ()  # capabilities a target may lack (``Target.lacks``): then nothing is shown

    def __call__(self) -> str | None:
        """Run the check: print PASS (with what it observed, when it says) or raise :class:`CheckFailed`."""
        missing = _lacking(self.needs)
        if missing:
            print(f"⏭ SKIP {self.number} {self.title}: not shown on this target, because {missing}")
            return None
        try:
            observed = self.function()  # a check may return what it saw (the capstone's criteria do)
        except _Problem as problem:
            raise CheckFailed(self.number, self.title, problem.expected, problem.found,
                              problem.hint or self.hint) from None
        except ClientError as error:
            code = error.response.get("Error", {}).get("Code", "error")
            found = f"AWS answered {code}: {error.response.get('Error', {}).get('Message', '')}".rstrip(": ")
            raise CheckFailed(self.number, self.title, "the resource to exist", found, self.hint) from None
        except BotoCoreError as error:
            raise CheckFailed(self.number, self.title, "the target to answer", str(error),
                              "run the Setup cell first, then this exercise") from None
        print(f"✅ PASS {self.number} {self.title}" + (f"\n   observed: {observed}" if observed else ""))
        return observed


def _lacking(needs: tuple[str, ...]) -> str:
    """Why the target in force cannot show what ``needs`` names ("" when it can, or none is resolved)."""
    if not needs:
        return ""
    from lakelab import targets

    target = targets.current()
    lacks = getattr(target, "lacks", None) or {}
    return "; ".join(lacks[name] for name in needs if name in lacks)


_REGISTRY: dict[int | str, list[Check]] = {}


def exercise(week: int | str, number: str, title: str, *, hint: str, stretch: bool = False, needs: tuple[str, ...] = ()):
    """Register a check function as the check of exercise ``number`` (``needs``: what the target must do)."""

    def register(function: Callable[[], None]) -> Check:
        key = weeks.week(week).key
        check = Check(key, number, title, hint, function, stretch, needs)
        _REGISTRY.setdefault(key, []).append(check)
        return check

    return register


def checks_for(week: int | str) -> list[Check]:
    """Every registered check of a lab (``6``, ``"6b"``), in exercise order."""
    entry = weeks.week(week)
    importlib.import_module(entry.checks_module)
    return sorted(_REGISTRY.get(entry.key, []), key=_exercise_order)


def _exercise_order(check: Check) -> tuple:
    parts = check.number.split(".")
    return (check.stretch, *((0, int(p), "") if p.isdigit() else (1, 0, p) for p in parts))
