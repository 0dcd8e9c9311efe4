"""``lakelab grade`` and ``lakelab check``: the grading engine, with a progress bar and plain output."""

from __future__ import annotations

import json
import sys
from dataclasses import asdict
from pathlib import Path

from lakelab import grading
from lakelab.grading import exports, gradebook, regrade, report


def grade_command(lab: str, submissions: list[str], out: str, jobs: int | None, timeout: float,
                  cell_timeout: float, export: list[str] | None = None, changed_only: bool = False,
                  deadline: str | None = None, late_penalty: float | None = None) -> int:
    """Grade a class; 0 once every submission has its row (whatever its status), 2 if grading cannot start.

    With no submissions, the report and exports are written again from the gradebook already in ``out``.
    """
    from tqdm import tqdm

    try:
        late = regrade.policy(deadline, late_penalty)
        for lms in export or []:
            exports.supported(lms)
        if not submissions:
            return _from_gradebook(lab, Path(out), export or [])
        with tqdm(total=len(submissions), desc="grading", unit="notebook", file=sys.stderr, delay=1) as bar:
            outcomes = grading.grade([Path(s) for s in submissions], lab, Path(out), jobs, timeout, cell_timeout,
                                     on_done=lambda outcome: bar.update(), changed_only=changed_only, late=late)
        written = [exports.export(Path(out), lms) for lms in export or []]
    except (grading.GradingError, regrade.PolicyError, exports.ExportError, gradebook.GradebookError) as error:
        print(f"lakelab grade: {error}", file=sys.stderr)
        return 2
    if outcomes:
        print(report.summary(outcomes))
    if len(outcomes) < len(submissions):
        print(f"{len(submissions) - len(outcomes)} notebook(s) unchanged since they were graded: rows kept")
    print(f"\ngradebook: {Path(out) / 'gradebook.csv'} · feedback: {Path(out) / report.FEEDBACK_DIR}/ · "
          f"class report: {Path(out) / 'report.html'}" + "".join(f" · {path.stem}: {path}" for path in written))
    return 0


def _from_gradebook(lab: str, out: Path, export: list[str]) -> int:
    week = grading.week_of(lab)
    rows = gradebook.read(out)
    if rows and gradebook.lab_of(rows) != grading.course.week(week).lab:
        raise gradebook.GradebookError(f"{out / 'gradebook.csv'} is {gradebook.lab_of(rows)}'s gradebook, not {lab}'s")
    written = [grading.write_class_report(out, week)] + [exports.export(out, lms) for lms in export]
    print("written from the gradebook: " + ", ".join(str(path) for path in written))
    return 0


def check_command(notebook: str | None, timeout: float, cell_timeout: float, save: str | None = None,
                  results: str | None = None, exercise: str | None = None) -> int:
    """Grade one notebook: 0 when every counted check passes, 1 otherwise, 2 for an ungradable file.

    ``save`` writes the outcome as JSON; ``results`` reads such a file instead of grading, and with
    ``exercise`` the exit code is that one exercise's (0 passed, 1 not): GitHub Classroom's grader steps.
    """
    try:
        if results:
            outcome = load_outcome(Path(results))
        elif notebook:
            outcome = grading.check(Path(notebook), timeout, cell_timeout)
        else:
            raise grading.GradingError("give a notebook to grade, or --results from an earlier --save")
    except (grading.GradingError, OSError, ValueError) as error:
        print(f"lakelab check: {error}", file=sys.stderr)
        return 2
    if save:
        Path(save).write_text(json.dumps(asdict(outcome), indent=1), encoding="utf-8")
    if exercise:
        found = next((c for c in outcome.checks if c.number == exercise), None)
        if found is None:
            print(f"exercise {exercise}: no check ran (status {outcome.status}: {outcome.note or 'see the feedback'})")
            return 1
        print(f"{'✅ PASS' if found.passed else '❌ FAIL'} {found.number} {found.title}"
              + ("" if found.passed else f"\n   expected: {found.expected}\n   found: {found.found}\n   hint: {found.hint}"))
        return 0 if found.passed else 1
    print(report.feedback(outcome))
    if outcome.status == grading.ERROR and not outcome.checks:
        return 2
    return 0 if outcome.all_passed else 1


def load_outcome(path: Path) -> grading.Outcome:
    """An outcome written by ``lakelab check --save``."""
    data = json.loads(path.read_text(encoding="utf-8"))
    data["checks"] = [grading.CheckResult(**check) for check in data.get("checks", [])]
    data["cells"] = [grading.CellResult(**cell) for cell in data.get("cells", [])]
    data["removed"] = [grading.CellResult(**cell) for cell in data.get("removed", [])]
    return grading.Outcome(**data)
