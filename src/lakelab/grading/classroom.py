"""GitHub Classroom: an assignment's autograding workflow, in the shape GitHub Classroom generates.

GitHub Classroom's autograding runs ``.github/workflows/classroom.yml`` of the assignment repository on
every push: one ``classroom-resources/autograding-command-grader@v1`` step per test (``test-name``,
``setup-command``, ``command``, ``timeout`` in minutes, ``max-score``: the points a test earns when its
command exits 0), then ``classroom-resources/autograding-grading-reporter@v1`` with every step's id in
``runners`` and each step's ``result`` output in an ``<ID>_RESULTS`` variable (the id upper-cased). That
is the workflow GitHub Classroom writes for an assignment's tests (GitHub Docs, "Use autograding"; the
actions' READMEs in github.com/classroom-resources).

The template repository is the course repository itself (learners work in ``labs/``). The lab's notebook
runs once, in a plain step (``lakelab check --save``: the grader, one fresh emulator, the checks from
outside the kernel); each exercise's grader step then reads that result (``lakelab check --results …
--exercise N``), so the notebook is not run once per exercise. Stretch exercises get no step: they are
never counted in a score.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from lakelab import course
from lakelab.checks import checks_for
from lakelab.grading.batch import week_of

WORKFLOW = Path(".github/workflows/classroom.yml")
RESULTS = "lakelab-grading.json"
POINTS = 10  # per counted exercise
GRADING_MINUTES = 30  # the notebook's run, on GitHub's runner
COMMAND_GRADER = "classroom-resources/autograding-command-grader@v1"
REPORTER = "classroom-resources/autograding-grading-reporter@v1"


def step_id(number: str) -> str:
    return "exercise-" + re.sub(r"[^a-z0-9]+", "-", number.lower()).strip("-")


def workflow(lab: str, points: int = POINTS) -> str:
    """The text of ``classroom.yml`` for ``lab``."""
    week = course.week(week_of(lab))
    notebook = f"labs/{week.lab}.ipynb"
    counted = [check for check in checks_for(week.key) if not check.stretch]
    q = json.dumps  # a JSON string is a YAML double-quoted scalar: titles with ':' or quotes stay one value
    lines = [
        f"# Autograding for {week.lab}: written by `lakelab classroom --lab {week.lab}`; regenerate, do not edit.",
        "name: Autograding Tests",
        "'on':",
        "- push",
        "- repository_dispatch",
        "permissions:",
        "  checks: write",
        "  actions: read",
        "  contents: read",
        "jobs:",
        "  run-autograding-tests:",
        "    runs-on: ubuntu-latest",
        "    if: github.actor != 'github-classroom[bot]'",
        "    steps:",
        "    - name: Checkout code",
        "      uses: actions/checkout@v4",
        "    - name: Set up Python",
        "      uses: actions/setup-python@v5",
        "      with:",
        "        python-version: '3.11'",
        "    - name: Install the course",
        "      run: make install",
        f"    - name: Grade {week.lab} once (every exercise's step reads this result)",
        f"      timeout-minutes: {GRADING_MINUTES}",
        f"      run: .venv/bin/lakelab check {notebook} --save {RESULTS} || true",
    ]
    for check in counted:
        ident = step_id(check.number)
        lines += [
            f"    - name: {q(f'{check.number} {check.title}')}",
            f"      id: {ident}",
            f"      uses: {COMMAND_GRADER}",
            "      with:",
            f"        test-name: {q(f'{check.number} {check.title}')}",
            "        setup-command: ''",
            f"        command: .venv/bin/lakelab check --results {RESULTS} --exercise {check.number}",
            "        timeout: 1",
            f"        max-score: {points}",
        ]
    lines += ["    - name: Autograding Reporter", f"      uses: {REPORTER}", "      env:"]
    lines += [f"        {step_id(c.number).upper()}_RESULTS: \"${{{{steps.{step_id(c.number)}.outputs.result}}}}\""
              for c in counted]
    lines += ["      with:", f"        runners: {','.join(step_id(c.number) for c in counted)}"]
    return "\n".join(lines) + "\n"


def write(lab: str, repository: Path, points: int = POINTS) -> Path:
    """Write the workflow into ``repository`` (the assignment's template: the course repository)."""
    text = workflow(lab, points)  # before any folder is made: an unknown lab writes nothing
    path = Path(repository) / WORKFLOW
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def classroom_command(lab: str, out: str, points: int) -> int:
    from lakelab.grading import GradingError

    try:
        path = write(lab, Path(out), points)
    except GradingError as error:
        import sys

        print(f"lakelab classroom: {error}", file=sys.stderr)
        return 2
    print(f"wrote {path}: commit it to the assignment's template repository")
    return 0
