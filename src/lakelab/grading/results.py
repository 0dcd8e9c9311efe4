"""What grading found, per cell and per check, and the score it makes.

These travel from each submission's grading process back to the batch, so they are plain,
picklable dataclasses with every text already truncated to a size a feedback file can hold.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

GRADED, ERROR, TIMEOUT = "graded", "error", "timeout"
MAX_TEXT = 1000  # characters kept of any message a learner's code produced


def truncated(text: object, limit: int = MAX_TEXT) -> str:
    """A message cut to ``limit`` characters, saying how much was left out."""
    text = str(text)
    if len(text) <= limit:
        return text
    return f"{text[:limit]}… [{len(text) - limit:,} more characters not shown]"


def first_line(source: str, limit: int = 100) -> str:
    """The line that names a cell best: its first line of code (``# YOUR CODE HERE`` starts many)."""
    lines = [line.strip() for line in source.splitlines() if line.strip()]
    code = [line for line in lines if not line.startswith("#")]
    return truncated((code or lines or ["(empty cell)"])[0], limit)


@dataclass
class CellResult:
    """One code cell of the submitted notebook, as run by the grader."""

    index: int  # position among all cells of the submitted notebook, from 0
    first_line: str
    status: str  # "ok", "error", "timeout", "skipped" (an nbval skip marker), "not run"
    error_name: str = ""
    error_message: str = ""

    @property
    def failed(self) -> bool:
        return self.status in ("error", "timeout")


@dataclass
class CheckResult:
    number: str
    title: str
    stretch: bool
    passed: bool
    expected: str = ""
    found: str = ""
    hint: str = ""


@dataclass
class Outcome:
    """One submission's row of the gradebook and the content of its feedback."""

    submission: str
    lab: str
    status: str
    counted_checks: int  # the lab's checks that count toward the score (stretch ones do not)
    checks: list[CheckResult] = field(default_factory=list)
    cells: list[CellResult] = field(default_factory=list)
    removed: list[CellResult] = field(default_factory=list)  # clean-up cells the grader did not run
    duration_s: float = 0.0
    note: str = ""

    @property
    def passed(self) -> int:
        return sum(1 for check in self.checks if check.passed and not check.stretch)

    @property
    def stretch_passed(self) -> int:
        return sum(1 for check in self.checks if check.passed and check.stretch)

    @property
    def stretch_total(self) -> int:
        return sum(1 for check in self.checks if check.stretch)

    @property
    def score(self) -> float:
        """Counted checks passed, out of 100, rounded half up to one decimal (6 of 7 is 85.7)."""
        if not self.counted_checks:
            return 0.0
        exact = Decimal(100 * self.passed) / Decimal(self.counted_checks)
        return float(exact.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))

    @property
    def all_passed(self) -> bool:
        return self.status != ERROR and self.passed == self.counted_checks > 0

    @property
    def first_failing_cell(self) -> CellResult | None:
        return next((cell for cell in self.cells if cell.failed), None)
