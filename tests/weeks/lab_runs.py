"""Running a week's notebook for its tests: the solution or the untouched lab, then every check.

Each notebook runs in a kernel attached to the test process's emulator, without its clean-up, so
the checks read the very state the notebook built, from outside the kernel, as the grader does.
"""

from __future__ import annotations

import io
from contextlib import redirect_stdout
from pathlib import Path

import nbformat

from lakelab.checks import CheckFailed, checks_for
from lakelab.course import naming
from lakelab.lab import sweepers
from lakelab.notebooks import execution, transforms


def attached_environment(endpoint: str) -> dict[str, str]:
    env = execution.test_environment()
    env.update(LAKELAB_EMBEDDED="0", AWS_ENDPOINT_URL=endpoint)
    return env


def run_then_check(emulator, path: Path, week: int) -> tuple[nbformat.NotebookNode, dict[str, str | None]]:
    """Run the notebook at ``path`` without its clean-up, then every check: None or the failure."""
    emulator.reset()
    notebook = transforms.without_cleanup(nbformat.read(path, as_version=4))
    executed = execution.run(notebook, path.parent, attached_environment(emulator.endpoint), allow_errors=True)
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


def leftovers(week: int | None = None) -> list[str]:
    """Resources of every kind named with the course's prefix, tagged or not; after one week's
    teardown, less those tagged as an earlier week's (Setup rebuilt them; their own week removes them)."""
    prefix, earlier = f"{naming.COURSE}-{naming.learner()}-", {f"{n:02d}" for n in range(1, week or 1)}
    return [f"{kind} {name}" for kind, sweeper in sweepers.ORDER for name, tags, _ in sweeper(prefix)
            if not (naming.is_course_resource(tags) and tags.get("week") in earlier)]


def errors(executed: nbformat.NotebookNode) -> list[dict]:
    return [o for c in executed.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "error"]


def assert_checks_fail_with_hints(week: int, outcomes: dict[str, str | None]) -> None:
    """On the untouched lab every check fails, and says what it expected and how to get there."""
    for check in checks_for(week):
        message = outcomes[check.number]
        assert message, f"week {week}: check {check.number} passed on the untouched lab: it cannot fail"
        assert message.startswith(f"❌ {check.number} {check.title}") and "hint:" in message and "expected:" in message
