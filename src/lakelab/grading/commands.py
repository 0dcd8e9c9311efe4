"""``lakelab grade`` and ``lakelab check``: the grading engine, with a progress bar and plain output."""

from __future__ import annotations

import sys
from pathlib import Path

from lakelab import grading
from lakelab.grading import report


def grade_command(lab: str, submissions: list[str], out: str, jobs: int | None, timeout: float,
                  cell_timeout: float) -> int:
    """Grade a class; 0 once every submission has its row (whatever its status), 2 if grading cannot start."""
    from tqdm import tqdm

    try:  # the bar waits a second before showing: a refusal comes sooner, and alone
        with tqdm(total=len(submissions), desc="grading", unit="notebook", file=sys.stderr, delay=1) as bar:
            outcomes = grading.grade([Path(s) for s in submissions], lab, Path(out), jobs, timeout, cell_timeout,
                                     on_done=lambda outcome: bar.update())
    except grading.GradingError as error:
        print(f"lakelab grade: {error}", file=sys.stderr)
        return 2
    print(report.summary(outcomes))
    print(f"\ngradebook: {Path(out) / 'gradebook.csv'} · feedback: {Path(out) / report.FEEDBACK_DIR}/ · "
          f"class report: {Path(out) / 'report.html'}")
    return 0


def check_command(notebook: str, timeout: float, cell_timeout: float) -> int:
    """Grade one notebook: 0 when every counted check passes, 1 otherwise, 2 for an ungradable file."""
    try:
        outcome = grading.check(Path(notebook), timeout, cell_timeout)
    except grading.GradingError as error:
        print(f"lakelab check: {error}", file=sys.stderr)
        return 2
    print(report.feedback(outcome))
    if outcome.status == grading.ERROR and not outcome.checks:
        return 2
    return 0 if outcome.all_passed else 1
