"""Fixtures of the weeks' tests: each ``test_weekNN_<slug>.py`` sets ``WEEK`` and gets its own runs.

``solution_run`` runs the week's solution with the week's correct alternatives applied (its test
module's ``ALTERNATIVES``, none if it has none), checks it, runs the plain solution again over that state
and checks again (the labs of ``RUN_AGAIN_IN_THE_SUITE``; every lab with ``LAKELAB_RUN_TWICE=all``), then
tears down that week and then every week (what the lab's Clean up cell does); ``lab_run`` runs the
untouched lab and checks it. Why one run serves both the solution's tests and the alternatives' is told in
every_week.py.
"""

from __future__ import annotations

import os

import lab_runs
import pytest

from lakelab import course
from lakelab.lab import teardown
from lakelab.notebooks.labs import LABS, SOLUTIONS


@pytest.fixture(scope="module")
def attached(_session_emulator):
    saved = dict(os.environ)
    os.environ["AWS_ENDPOINT_URL"] = _session_emulator.endpoint
    yield _session_emulator
    os.environ.clear()
    os.environ.update(saved)


@pytest.fixture(scope="module")
def week(request) -> course.Week:
    return course.week(request.module.WEEK)


@pytest.fixture(scope="module")
def solution_path(week):
    return SOLUTIONS / f"{week.lab}.ipynb"


# Labs whose solution ``make test`` runs a second time over the state its first run left (every lab with
# LAKELAB_RUN_TWICE=all, as ``make test-twice`` does): the quick ones, each proven to converge.
RUN_AGAIN_IN_THE_SUITE = (1, 2, 3, "6b", 7)


def runs_again(week: course.Week) -> bool:
    return week.key in RUN_AGAIN_IN_THE_SUITE or os.environ.get("LAKELAB_RUN_TWICE") == "all"


@pytest.fixture(scope="module")
def solution_run(request, week, attached):
    alternatives = getattr(request.module, "ALTERNATIVES", [])
    executed, outcomes = lab_runs.run_then_check(attached, SOLUTIONS / f"{week.lab}.ipynb", week.key, alternatives)
    if runs_again(week):  # the plain solution, run again over what the first run (with the alternatives) left
        lab_runs.AGAIN[week.key] = lab_runs.run_again_then_check(attached, SOLUTIONS / f"{week.lab}.ipynb", week.key)
    lines = []
    teardown.teardown(week=week.key, report=lines.append)
    after_week = lab_runs.leftovers(week.key)
    teardown.teardown(report=lines.append)  # what the lab's Clean up cell does
    return executed, outcomes, after_week + lab_runs.leftovers()


@pytest.fixture(scope="module")
def lab_run(week, attached):
    return lab_runs.run_then_check(attached, LABS / f"{week.lab}.ipynb", week.key)
