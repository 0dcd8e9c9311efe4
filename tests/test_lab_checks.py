"""Every self-check, in both states: it passes on the state the solution builds, and fails with
its hint on the state the untouched lab leaves. Also: teardown after the solution leaves nothing
of that week (earlier weeks' resources, which Setup rebuilds, go with the teardown of all weeks).

Each notebook runs in a kernel attached to this process's emulator, so the checks read the very
state the notebook built, from outside the kernel, as the grader does.
"""

from __future__ import annotations

import io
import os
import re
from contextlib import redirect_stdout

import nbformat
import pytest

from lakelab import labgen, naming, notebooks, sweepers, teardown
from lakelab.checks import CheckFailed, checks_for

WEEKS = sorted(int(re.match(r"week(\d+)_", p.name).group(1)) for p in labgen.SOLUTIONS.glob("week*.ipynb"))


def _attached_environment(endpoint: str) -> dict[str, str]:
    env = notebooks.test_environment()
    env.update(LAKELAB_EMBEDDED="0", AWS_ENDPOINT_URL=endpoint)
    return env


def _run_then_check(emulator, folder, week: int) -> tuple[nbformat.NotebookNode, dict[str, str | None]]:
    """Run the week's notebook from ``folder`` without its clean-up, then every check: None or the failure."""
    emulator.reset()
    path = next(folder.glob(f"week{week:02d}_*.ipynb"))
    notebook = notebooks.without_cleanup(nbformat.read(path, as_version=4))
    executed = notebooks.run(notebook, path.parent, _attached_environment(emulator.endpoint), allow_errors=True)
    emulator.drain()
    outcomes = {}
    for check in checks_for(week):
        try:
            with redirect_stdout(io.StringIO()):
                check()
            outcomes[check.number] = None
        except CheckFailed as failure:
            outcomes[check.number] = str(failure)
    return executed, outcomes


@pytest.fixture(scope="module")
def attached(_session_emulator):
    saved = dict(os.environ)
    os.environ["AWS_ENDPOINT_URL"] = _session_emulator.endpoint
    yield _session_emulator
    os.environ.clear()
    os.environ.update(saved)


@pytest.fixture(scope="module", params=WEEKS)
def solution_run(request, attached):
    week = request.param
    executed, outcomes = _run_then_check(attached, labgen.SOLUTIONS, week)
    lines = []
    teardown.teardown(week=week, report=lines.append)
    after_week = _leftovers(week)
    teardown.teardown(report=lines.append)  # what the lab's Clean up cell does
    return week, executed, outcomes, after_week + _leftovers()


@pytest.fixture(scope="module", params=WEEKS)
def lab_run(request, attached):
    return request.param, *_run_then_check(attached, labgen.LABS, request.param)


def _leftovers(week: int | None = None) -> list[str]:
    """Resources of every kind named with the course's prefix, tagged or not; after one week's
    teardown, less those tagged as an earlier week's (Setup rebuilt them; their own week removes them)."""
    prefix, earlier = f"{naming.COURSE}-{naming.learner()}-", {f"{n:02d}" for n in range(1, week or 1)}
    return [f"{kind} {name}" for kind, sweeper in sweepers.ORDER for name, tags, _ in sweeper(prefix)
            if not (naming.is_course_resource(tags) and tags.get("week") in earlier)]


def test_solution_runs_without_errors(solution_run):
    week, executed, _, _ = solution_run
    errors = [o for c in executed.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "error"]
    assert not errors, f"week {week} solution raised: {errors[0]['ename']}: {errors[0]['evalue']}"


def test_every_check_passes_on_the_solution(solution_run):
    week, _, outcomes, _ = solution_run
    failed = {number: message for number, message in outcomes.items() if message}
    assert not failed, f"week {week}: " + "\n".join(failed.values())
    assert len(outcomes) >= 3


def test_every_check_fails_with_its_hint_on_the_untouched_lab(lab_run):
    week, _, outcomes = lab_run
    for check in checks_for(week):
        message = outcomes[check.number]
        assert message, f"week {week}: check {check.number} passed on the untouched lab: it cannot fail"
        assert message.startswith(f"❌ {check.number} {check.title}") and "hint:" in message and "expected:" in message


def test_untouched_lab_tells_the_learner_where_to_write(lab_run):
    week, executed, _ = lab_run
    errors = [o["ename"] for c in executed.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "error"]
    assert "NotImplementedError" in errors and "CheckFailed" in errors


def test_teardown_after_the_solution_leaves_nothing(solution_run):
    week, _, _, leftovers = solution_run
    assert leftovers == [], f"week {week}: teardown left {leftovers}"
