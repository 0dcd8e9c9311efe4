"""Capstone: the grader's criteria on the untouched notebook (0), on partial builds (in between, each where
expected) and on the reference solution (100), and teardown after it leaves nothing.

A capstone run is the suite's dearest unit (the notebook about 60-80 s, a grading 40-100 s), so the partial
builds are graded from partly built states of the reference's one run, not run each on their own: one kernel
executes the reference section by section, and the criteria are judged at checkpoints along the way (every
criterion but the teardown, which would destroy the state the next sections build on). The last checkpoint is
the whole reference, graded with all ten. The untouched notebook and a clickstream-only build go through
``lakelab grade`` itself (runner, nbval, gradebook), each on its own fresh emulator.
"""

from __future__ import annotations

import csv
import io
import json
import os
import sys
import time
from pathlib import Path

import boto3
import lab_runs
import nbformat
import pytest
from nbclient import NotebookClient

from lakelab import grading
from lakelab.capstone import replay
from lakelab.checks import checks_for
from lakelab.grading.runner import run_check
from lakelab.notebooks import transforms
from lakelab.notebooks.labs import LABS, SOLUTIONS

WEEK = 9
SOLUTION = SOLUTIONS / "week09_capstone.ipynb"
EVERY = {str(n) for n in range(1, 11)}
# checkpoint: (sections run before it, what the test adds, criteria expected to pass of the nine judged)
CHECKPOINTS = [
    ("ingestion and orchestration only", "## 7.", {"1", "2", "3", "4", "9"}),
    ("no monitoring, no cost estimate, one role untagged", "## 10.", {"1", "2", "3", "4", "5", "6"}),
]


def _sections_until(notebook: nbformat.NotebookNode, heading: str | None) -> list[int]:
    """Indexes of the code cells before the markdown cell starting with ``heading`` (None: before Clean up)."""
    stop = heading or "## Clean up"
    end = next(i for i, cell in enumerate(notebook.cells)
               if cell.cell_type == "markdown" and cell.source.startswith(stop))
    return [i for i, cell in enumerate(notebook.cells[:end]) if cell.cell_type == "code"]


def _judge(numbers: set[str]) -> dict[str, str]:
    """Each criterion in ``numbers`` from a fresh replay: number -> "" (passed) or what it found."""
    replay.forget()
    results = {}
    for check in checks_for(WEEK):
        if check.number in numbers:
            result = run_check(check)
            results[check.number] = "" if result.passed else f"expected {result.expected}; found {result.found}"
    return results


@pytest.fixture(scope="module")
def staged_run(attached):
    """The reference, run section by section in one kernel, judged at each checkpoint; the last is all of it."""
    attached.reset()
    notebook = transforms.without_cleanup(nbformat.read(SOLUTION, as_version=4))
    saved = dict(os.environ)
    os.environ.clear()
    os.environ.update(lab_runs.attached_environment(attached.endpoint))
    client = NotebookClient(notebook, timeout=600, allow_errors=True, kernel_name="python3",
                            resources={"metadata": {"path": str(SOLUTIONS)}})
    judged, done = [], set()
    try:
        with client.setup_kernel():
            for (name, heading, expected), stage in zip(CHECKPOINTS + [("reference", None, EVERY)],
                                                        range(len(CHECKPOINTS) + 1)):
                for index in _sections_until(notebook, heading):
                    if index not in done:
                        client.execute_cell(notebook.cells[index], index)
                        done.add(index)
                attached.drain()
                if stage == 1:
                    _untagged_role("add")
                if stage == 2:
                    _untagged_role("tag")
                started = time.perf_counter()
                judged.append((name, expected, _judge(EVERY if heading is None else EVERY - {"10"})))
                print(f"capstone checkpoint {name!r}: judged in {time.perf_counter() - started:.0f} s", file=sys.stderr)
    finally:
        os.environ.clear()
        os.environ.update(saved)
    return notebook, judged, lab_runs.leftovers()


def _untagged_role(step: str) -> None:
    """A role named with the prefix and no tags (a plausible slip), then tagged as the contract asks."""
    iam, name = boto3.client("iam"), "lakelab-learner-scratch"
    if step == "add":
        iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]}))
    else:
        iam.tag_role(RoleName=name, Tags=[{"Key": k, "Value": v} for k, v in
                                          {"course": "lakelab", "week": "09", "lab": "week09_capstone",
                                           "learner": "learner"}.items()])


def test_the_reference_runs_without_errors(staged_run):
    notebook, _, _ = staged_run
    raised = lab_runs.errors(notebook)
    assert not raised, f"{raised[0]['ename']}: {raised[0]['evalue'][:500]}"


def test_the_reference_scores_full_marks(staged_run):
    _, judged, _ = staged_run
    name, _, results = judged[-1]
    failed = {number: found for number, found in results.items() if found}
    assert not failed, f"{name}: {failed}"


@pytest.mark.parametrize("checkpoint", range(len(CHECKPOINTS)), ids=[name for name, _, _ in CHECKPOINTS])
def test_a_partial_build_scores_where_expected(staged_run, checkpoint):
    _, judged, _ = staged_run
    name, expected, results = judged[checkpoint]
    passed = {number for number, found in results.items() if not found}
    assert passed == expected, f"{name}: passed {sorted(passed, key=int)}, expected {sorted(expected, key=int)}: " + \
        json.dumps({n: f for n, f in results.items() if (n in expected) == bool(f)}, indent=1)
    assert all(found for number, found in results.items() if number not in expected)  # each says what it saw


def test_teardown_after_the_reference_leaves_nothing(staged_run):
    _, _, leftovers = staged_run
    assert leftovers == []


def test_the_grader_scores_the_untouched_capstone_zero_and_a_clickstream_only_build_ten(tmp_path):
    """Through ``lakelab grade``: each notebook on its own fresh emulator, the criteria from outside, a gradebook."""
    lab = LABS / "week09_capstone.ipynb"
    clicks_only = nbformat.read(SOLUTION, as_version=4)
    keep = set(_sections_until(clicks_only, "## 2.")) | _section(clicks_only, "## 3.")
    for index, cell in enumerate(clicks_only.cells):
        if cell.cell_type == "code" and index not in keep and not transforms.is_cleanup(cell):
            cell.source = ""
    (tmp_path / "in").mkdir()
    untouched = tmp_path / "in" / "untouched_week09_capstone.ipynb"
    partial = tmp_path / "in" / "clicks_week09_capstone.ipynb"
    untouched.write_text(lab.read_text(encoding="utf-8"), encoding="utf-8")
    nbformat.write(clicks_only, partial)
    outcomes = grading.grade([untouched, partial], "capstone", out=tmp_path / "grades", jobs=1, timeout=600)
    scores = {Path(outcome.submission).name: (outcome.score, outcome.status) for outcome in outcomes}
    assert scores == {untouched.name: (0.0, grading.GRADED), partial.name: (10.0, grading.GRADED)}, \
        {o.submission: [(c.number, c.found) for c in o.checks] for o in outcomes}
    assert next(c for c in outcomes[1].checks if c.number == "4").passed
    rows = list(csv.DictReader(io.StringIO((tmp_path / "grades" / "gradebook.csv").read_text(encoding="utf-8"))))
    assert [(row["lab"], row["score"]) for row in rows] == [("week09_capstone", "0.0"), ("week09_capstone", "10.0")]


def _section(notebook: nbformat.NotebookNode, heading: str) -> set[int]:
    start = next(i for i, c in enumerate(notebook.cells) if c.cell_type == "markdown" and c.source.startswith(heading))
    end = next(i for i in range(start + 1, len(notebook.cells)) if notebook.cells[i].cell_type == "markdown"
               and notebook.cells[i].source.startswith("## "))
    return {i for i in range(start, end) if notebook.cells[i].cell_type == "code"}
