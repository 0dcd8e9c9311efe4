"""Fixtures of the weeks' tests: each ``test_weekNN_<slug>.py`` sets ``WEEK`` and gets its own runs.

``solution_run`` runs the week's solution with the week's correct alternatives applied (its test
module's ``ALTERNATIVES``, none if it has none), checks it, then tears down that week and then every
week (what the lab's Clean up cell does); ``lab_run`` runs the untouched lab and checks it. Why one
run serves both the solution's tests and the alternatives' is told in every_week.py.
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


@pytest.fixture(scope="module")
def solution_run(request, week, attached):
    alternatives = getattr(request.module, "ALTERNATIVES", [])
    executed, outcomes = lab_runs.run_then_check(attached, SOLUTIONS / f"{week.lab}.ipynb", week.key, alternatives)
    lines = []
    teardown.teardown(week=week.key, report=lines.append)
    after_week = lab_runs.leftovers(week.key)
    teardown.teardown(report=lines.append)  # what the lab's Clean up cell does
    return executed, outcomes, after_week + lab_runs.leftovers()


@pytest.fixture(scope="module")
def lab_run(week, attached):
    return lab_runs.run_then_check(attached, LABS / f"{week.lab}.ipynb", week.key)
