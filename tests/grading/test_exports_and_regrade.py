"""LMS exports, regrading only changed notebooks, the score history and the late policy.

Exports read the committed synthetic class (tests/grading/fixtures/class). Regrading replaces the notebook
runs by a stand-in (``batch.run``) that scores a notebook by the ``PASS`` lines it holds, so what is
tested is which notebooks are run again and what the gradebook keeps, in a second, not a notebook run.
"""

from __future__ import annotations

import csv
import json
import os
import shutil
from datetime import datetime, timezone
from pathlib import Path

import pytest

from lakelab import grading
from lakelab.cli import main
from lakelab.grading import batch, exports, regrade
from lakelab.grading.results import CheckResult, Outcome

FIXTURE = Path(__file__).parent / "fixtures" / "class"


@pytest.fixture
def graded(tmp_path) -> Path:
    shutil.copytree(FIXTURE, tmp_path / "class")
    return tmp_path / "class"


def _rows(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8", newline="") as file:
        return list(csv.reader(file))


def test_canvas_export_has_canvas_columns_points_possible_and_every_row(graded, capsys):
    assert main(["grade", "--lab", "week01_s3", "--out", str(graded), "--export", "canvas"]) == 0
    rows = _rows(graded / "canvas.csv")
    assert rows[0] == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", "week01_s3"]
    assert rows[1] == ["Points Possible", "", "", "", "", "100"]
    by_learner = [(row[0], row[3], row[5]) for row in rows[2:]]
    assert by_learner[:3] == [("alice", "alice", "100.0"), ("alice", "alice", "75.0"), ("bob", "bob", "100.0")]
    assert len(by_learner) == 7 and ("dave", "dave", "0.0") in by_learner
    assert "alice: 2 submissions" in capsys.readouterr().err, "both kept, and said"
    assert (graded / "report.html").exists(), "no submissions given: report and exports from the gradebook"


def test_moodle_export_maps_a_user_column_a_grade_and_its_feedback(graded):
    path = exports.export(graded, "Moodle", warn=lambda text: None)
    rows = _rows(path)
    assert rows[0] == ["Username", "week01_s3", "week01_s3 feedback"]
    assert rows[4][:2] == ["carol", "25.0"] and rows[4][2].startswith("1 of 4 checks passed (graded)")
    assert "not a notebook" in rows[5][2]


def test_an_unknown_lms_lists_the_supported_ones(graded, capsys):
    assert main(["grade", "--lab", "week01_s3", "--out", str(graded), "--export", "blackboard"]) == 2
    assert "supported learning platforms are canvas, moodle" in capsys.readouterr().err
    assert not (graded / "blackboard.csv").exists()


def test_a_gradebook_of_another_lab_or_mixing_labs_is_refused(graded, capsys):
    assert main(["grade", "--lab", "week03", "--out", str(graded), "--export", "canvas"]) == 2
    assert "is week01_s3's gradebook, not week03's" in capsys.readouterr().err
    text = (graded / "gradebook.csv").read_text().replace("carol.ipynb,week01_s3", "carol.ipynb,week03_lambda")
    (graded / "gradebook.csv").write_text(text)
    assert main(["grade", "--lab", "week01_s3", "--out", str(graded), "--export", "moodle"]) == 2
    assert "several labs (week01_s3, week03_lambda)" in capsys.readouterr().err


# ------------------------------------------------------------------------------------------ regrading, late work

def _notebook(folder: Path, name: str, passes: int, mtime: datetime | None = None) -> Path:
    path = folder / name
    source = "lab = lakelab.start(week=1)\n" + "PASS\n" * passes
    path.write_text(json.dumps({"cells": [{"cell_type": "code", "metadata": {}, "outputs": [],
                                           "execution_count": None, "source": source}],
                                "metadata": {}, "nbformat": 4, "nbformat_minor": 5}))
    if mtime:
        os.utime(path, (mtime.timestamp(), mtime.timestamp()))
    return path


@pytest.fixture
def fake_runs(monkeypatch):
    """batch.run scoring each notebook by its PASS lines (out of 4); records which notebooks ran."""
    ran: list[str] = []

    def run(paths, week, jobs, timeout, cell_timeout, on_done=lambda outcome: None):
        outcomes = []
        for path in paths:
            ran.append(path.name)
            passes = path.read_text().count("PASS")
            checks = [CheckResult(f"1.{n + 1}", f"exercise {n + 1}", False, n < passes, hint=f"hint {n + 1}")
                      for n in range(4)]
            outcomes.append(Outcome(str(path), "week01_s3", "graded", 4, checks, duration_s=1.0))
            on_done(outcomes[-1])
        return outcomes

    monkeypatch.setattr(batch, "run", run)
    return ran


def _gradebook(out: Path) -> dict[str, dict[str, str]]:
    with (out / "gradebook.csv").open(encoding="utf-8") as file:
        return {Path(row["submission"]).name: row for row in csv.DictReader(file)}


def test_only_changed_notebooks_are_graded_again_and_the_history_is_kept(tmp_path, fake_runs):
    subs, out = tmp_path / "subs", tmp_path / "grades"
    subs.mkdir()
    paths = [_notebook(subs, "alice.ipynb", 1), _notebook(subs, "bob.ipynb", 2)]
    assert main(["grade", "--lab", "week01_s3", "--out", str(out), *map(str, paths)]) == 0
    first = _gradebook(out)
    assert first["alice.ipynb"]["score"] == "25.0" and first["alice.ipynb"]["history"] == ""
    assert first["alice.ipynb"]["sha256"] == regrade.content_hash(paths[0])
    _notebook(subs, "alice.ipynb", 3)  # alice improves; bob's notebook is untouched
    fake_runs.clear()
    assert main(["grade", "--lab", "week01_s3", "--out", str(out), "--changed-only", *map(str, paths)]) == 0
    assert fake_runs == ["alice.ipynb"], "bob's notebook has the same content hash"
    second = _gradebook(out)
    assert second["alice.ipynb"]["score"] == "75.0"
    assert second["alice.ipynb"]["history"] == f"{first['alice.ipynb']['graded_at']} 25.0 {first['alice.ipynb']['sha256'][:8]}"
    assert second["bob.ipynb"] == first["bob.ipynb"], "kept as it was, graded_at included"
    assert "hint 3" in (out / second["bob.ipynb"]["feedback"]).read_text(), "its feedback file kept"
    fake_runs.clear()
    assert main(["grade", "--lab", "week01_s3", "--out", str(out), *map(str, paths)]) == 0
    assert fake_runs == ["alice.ipynb", "bob.ipynb"], "without --changed-only everything is graded"
    assert _gradebook(out)["alice.ipynb"]["history"].count(" | ") == 1


def test_late_policy_takes_points_per_started_day_and_says_so_per_row(tmp_path, fake_runs):
    subs, out = tmp_path / "subs", tmp_path / "grades"
    subs.mkdir()
    deadline = datetime(2026, 3, 1, 23, 59, tzinfo=timezone.utc)
    paths = [_notebook(subs, "early.ipynb", 4, datetime(2026, 3, 1, 12, 0, tzinfo=timezone.utc)),
             _notebook(subs, "a_day.ipynb", 4, datetime(2026, 3, 2, 8, 0, tzinfo=timezone.utc)),
             _notebook(subs, "three_days.ipynb", 2, datetime(2026, 3, 4, 0, 30, tzinfo=timezone.utc)),
             _notebook(subs, "weeks.ipynb", 1, datetime(2026, 4, 1, tzinfo=timezone.utc))]
    assert main(["grade", "--lab", "week01_s3", "--out", str(out), "--deadline", "2026-03-01T23:59",
                 "--late-penalty", "10", "--export", "canvas", *map(str, paths)]) == 0
    rows = _gradebook(out)
    got = {name: (row["score"], row["days_late"], row["late_penalty"], row["final_score"]) for name, row in rows.items()}
    assert got == {"early.ipynb": ("100.0", "0", "0.0", "100.0"), "a_day.ipynb": ("100.0", "1", "10.0", "90.0"),
                   "three_days.ipynb": ("50.0", "3", "30.0", "20.0"), "weeks.ipynb": ("25.0", "31", "25.0", "0.0")}
    assert rows["a_day.ipynb"]["submitted_at"] == "2026-03-02T08:00:00Z"
    assert "1 day(s) after the deadline: 10.0 points off, **final score 90.0 / 100**" in \
        (out / rows["a_day.ipynb"]["feedback"]).read_text()
    assert [row[5] for row in _rows(out / "canvas.csv")[2:]] == ["100.0", "90.0", "20.0", "0.0"], "final scores"
    assert deadline == regrade.policy("2026-03-01T23:59Z", 10).deadline


def test_bad_late_policies_are_refused_before_grading(tmp_path, fake_runs, capsys):
    path = _notebook(tmp_path, "a.ipynb", 1)
    for options, message in ((["--late-penalty", "5"], "needs --deadline"),
                             (["--deadline", "next friday"], "is not a date and time"),
                             (["--deadline", "2026-03-01", "--late-penalty", "150"], "0 to 100")):
        assert main(["grade", "--lab", "week01_s3", "--out", str(tmp_path / "g"), *options, str(path)]) == 2
        assert message in capsys.readouterr().err
    assert fake_runs == []


def test_grading_into_another_labs_gradebook_is_refused(graded, fake_runs, capsys):
    path = _notebook(graded, "x.ipynb", 1)
    assert grading.week_of("week03") == 3
    assert main(["grade", "--lab", "week03", "--out", str(graded), str(path)]) == 2
    assert "is week01_s3's gradebook, not week03_lambda's" in capsys.readouterr().err and fake_runs == []
