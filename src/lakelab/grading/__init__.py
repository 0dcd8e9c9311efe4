"""Grading a class: each submitted notebook runs on a fresh emulator, then the lab's checks judge the state.

The checks run in the grader's processes, never in the learner's kernel, so nothing a notebook
redefines or monkeypatches changes a result. Stretch checks are reported but not counted.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path

from lakelab import course
from lakelab.grading import batch, gradebook, regrade, report
from lakelab.grading.regrade import LatePolicy
from lakelab.grading.batch import GradingError, default_jobs, refuse_other_targets, week_of
from lakelab.grading.results import ERROR, GRADED, TIMEOUT, CellResult, CheckResult, Outcome

__all__ = ["ERROR", "GRADED", "TIMEOUT", "CellResult", "CheckResult", "GradingError", "Outcome", "grade",
           "LatePolicy", "check", "default_jobs", "refuse_other_targets", "week_of"]

DEFAULT_TIMEOUT_S = 600
DEFAULT_CELL_TIMEOUT_S = 300  # week 5 backfills three days, a Spark job each, in one cell


def grade(submissions: list[Path], lab: str, out: Path | None = Path("grades"), jobs: int | None = None,
          timeout: float = DEFAULT_TIMEOUT_S, cell_timeout: float = DEFAULT_CELL_TIMEOUT_S,
          on_done: Callable[[Outcome], None] = lambda outcome: None, changed_only: bool = False,
          late: LatePolicy = LatePolicy()) -> list[Outcome]:
    """Grade notebooks for ``lab`` in parallel; write ``gradebook.csv``, feedback and ``report.html`` into ``out``.

    Parameters
    ----------
    submissions
        Notebook files, in the order the gradebook lists them; anything else gets an ``error`` row.
    lab
        ``week01_s3`` (or ``week01``, ``1``): the lab whose registered checks judge every submission.
    out
        Folder for ``gradebook.csv``, ``feedback/*.md`` and ``report.html``; ``None`` writes nothing.
    jobs
        Submissions graded at once (default: the number of cores).
    timeout, cell_timeout
        Seconds for a whole notebook and for one cell; after ``timeout`` the state so far is checked.
    on_done
        Called with each outcome as it is known (a progress bar).
    changed_only
        Keep the earlier row of every submission whose content hash is unchanged (not graded again).
    late
        The late policy (:func:`lakelab.grading.regrade.policy`): deadline and points off per day late.

    Returns
    -------
    list of Outcome
        One per submission graded, in the order given (unchanged ones kept with ``changed_only`` are not).
    """
    week = week_of(lab)
    refuse_other_targets()
    paths = [Path(s) for s in submissions]
    earlier: dict[str, gradebook.Row] = {}
    if out is not None:
        try:  # before grading, not after: an unusable folder must not cost a class's grading
            (Path(out) / report.FEEDBACK_DIR).mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise GradingError(f"cannot write the gradebook into {out}: {error.strerror}") from None
        try:
            earlier = regrade.previous_rows(Path(out), course.week(week).lab)
        except gradebook.GradebookError as error:
            raise GradingError(str(error)) from None
    digests = [regrade.content_hash(path) for path in paths]
    keep = [changed_only and regrade.unchanged(earlier.get(str(path)), digest) for path, digest in zip(paths, digests)]
    graded = batch.run([p for p, k in zip(paths, keep) if not k], week, jobs or default_jobs(), timeout,
                       cell_timeout, on_done) if not all(keep) else []
    if out is not None:
        now = regrade.stamp(datetime.now(timezone.utc))
        fresh = iter(graded)
        entries, extra = [], []
        for path, digest, kept in zip(paths, digests, keep):
            before = earlier.get(str(path))
            entry = before if kept else next(fresh)
            score = entry.score
            when = regrade.submitted_at(path)
            days, taken, final = late.apply(score, when)
            entries.append(entry)
            extra.append({"sha256": digest, "graded_at": before["graded_at"] if kept else now,
                          "submitted_at": regrade.stamp(when), "days_late": str(days), "late_penalty": f"{taken:.1f}",
                          "final_score": f"{final:.1f}",
                          "history": before["history"] if kept else regrade.history(before)})
        report.write(entries, Path(out), extra)
        try:
            write_class_report(Path(out), week)
        except Exception as error:  # the gradebook is written: a report that fails must not cost the grading
            import html
            import sys

            message = f"report.html could not be built: {type(error).__name__}: {error}"
            print(f"lakelab grade: {message}", file=sys.stderr)
            (Path(out) / "report.html").write_text(f"<!DOCTYPE html><meta charset='utf-8'><title>Class report"
                                                   f"</title><p>{html.escape(message)}</p>\n", encoding="utf-8")
    return graded


def write_class_report(out: Path, week: int) -> Path:
    """``report.html`` beside the gradebook, from the gradebook and feedback files just written."""
    from lakelab.grading import classreport
    from lakelab.notebooks.labs import LABS

    return classreport.write(out, lab_notebook=LABS / f"{course.week(week).lab}.ipynb")


def check(notebook: Path, timeout: float = DEFAULT_TIMEOUT_S,
          cell_timeout: float = DEFAULT_CELL_TIMEOUT_S) -> Outcome:
    """Grade one learner's notebook for the lab its Setup cell (or file name) names.

    Raises
    ------
    GradingError
        The file is not a gradable notebook, or names no lab with checks.
    """
    from lakelab.grading import submission

    notebook = Path(notebook)
    try:
        week = submission.week_named_in(submission.load(notebook), notebook.name)
    except submission.Rejected as reason:
        raise GradingError(f"{notebook}: {reason}") from None
    if week is None:
        raise GradingError(f"{notebook}: cannot tell which lab this is: its Setup cell does not call "
                           f"lakelab.start(week=N) and its file name names no week")
    return grade([notebook], str(week), out=None, jobs=1, timeout=timeout, cell_timeout=cell_timeout)[0]
