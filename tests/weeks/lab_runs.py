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


def run_then_check(emulator, path: Path, week: int, patches: list[Patch] = ()
                   ) -> tuple[nbformat.NotebookNode, dict[str, str | None]]:
    """Run the notebook at ``path`` without its clean-up and with ``patches`` applied (a patch that
    matches no cell, or several, is an error), then every check: None or the failure."""
    emulator.reset()
    notebook = patched(transforms.without_cleanup(nbformat.read(path, as_version=4)), list(patches))
    executed = execution.run(notebook, path.parent, attached_environment(emulator.endpoint), allow_errors=True)
    emulator.drain()
    return executed, _check_all(week)


def leftovers(week: int | None = None) -> list[str]:
    """Resources of every kind named with the course's prefix, tagged or not; after one week's
    teardown, less those tagged as an earlier week's (Setup rebuilt them; their own week removes them)."""
    from lakelab import course

    number = course.week(week).number if week else 1
    prefix = f"{naming.COURSE}-{naming.learner()}-"
    earlier = {entry.tag for entry in course.WEEKS.values() if entry.number < number}
    return [f"{kind} {name}" for kind, sweeper in sweepers.ORDER for name, tags, _ in sweeper(prefix)
            if not (naming.is_course_resource(tags) and tags.get("week") in earlier)]


def errors(executed: nbformat.NotebookNode) -> list[dict]:
    return [o for c in executed.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "error"]


def assert_checks_fail_with_hints(week: int, outcomes: dict[str, str | None]) -> None:
    """On the untouched lab every check fails, and says what it expected and how to get there."""
    for check in checks_for(week):
        message = outcomes[check.number]
        assert message, f"week {week}: check {check.number} passed on the untouched lab: it cannot fail"
        assert message.startswith(f"❌ FAIL {check.number} {check.title}") and "hint:" in message and "expected:" in message


# --- the other two states: plausible wrong answers and correct alternatives ---------------------------


class Patch:
    """A small edit of the solution notebook: in the one code cell containing ``find``, ``find`` -> ``replace``.

    ``check`` is the exercise whose check must then fail (a wrong answer: ``says`` names words its
    message must contain) or pass (a correct alternative).
    """

    def __init__(self, check: str, find: str, replace: str, says: tuple[str, ...] = (), name: str = "") -> None:
        self.check, self.find, self.replace, self.says = check, find, replace, says
        self.name = name or f"{check}: {replace.strip().splitlines()[0][:60]}"

    def __repr__(self) -> str:
        return self.name


def patched(notebook: nbformat.NotebookNode, patches: list[Patch]) -> nbformat.NotebookNode:
    """The notebook with every patch applied; a patch that matches no cell, or several, is an error."""
    edited = nbformat.from_dict(notebook)
    for patch in patches:
        cells = [cell for cell in edited.cells if cell.cell_type == "code" and patch.find in cell.source]
        assert len(cells) == 1, f"patch {patch!r}: {len(cells)} code cells contain {patch.find!r}"
        cells[0].source = cells[0].source.replace(patch.find, patch.replace)
    return edited


AGAIN: dict[int | str, tuple[list[dict], dict[str, str | None]]] = {}  # lab key -> the second run's errors, outcomes


def run_again_then_check(emulator, path: Path, week: int | str) -> tuple[list[dict], dict[str, str | None]]:
    """Run the notebook at ``path`` again on the emulator as the previous run left it (no reset, no clean-up),
    then every check: the errors the second run raised, and the outcomes."""
    notebook = transforms.without_cleanup(nbformat.read(path, as_version=4))
    executed = execution.run(notebook, path.parent, attached_environment(emulator.endpoint), allow_errors=True)
    emulator.drain()
    return errors(executed), _check_all(week)


def run_patched_then_check(emulator, path: Path, week: int, patches: list[Patch]) -> dict[str, str | None]:
    """Run the solution with ``patches`` applied (without its clean-up), then every check."""
    return run_then_check(emulator, path, week, patches)[1]


def _check_all(week: int) -> dict[str, str | None]:
    outcomes: dict[str, str | None] = {}
    for check in checks_for(week):
        try:
            with redirect_stdout(io.StringIO()):
                check()
            outcomes[check.number] = None
        except CheckFailed as failure:
            outcomes[check.number] = str(failure)
    return outcomes


def assert_wrong_answers_fail(week: int, outcomes: dict[str, str | None], patches: list[Patch]) -> None:
    """Each wrongly answered exercise's check fails, and its message names what is wrong."""
    for patch in patches:
        message = outcomes[patch.check]
        assert message, f"week {week}: check {patch.check} passed on a wrong answer ({patch!r}): it cannot tell"
        missing = [word for word in patch.says if word.lower() not in message.lower()]
        assert not missing, f"week {week}: check {patch.check} on {patch!r} does not say {missing}:\n{message}"


def assert_alternatives_pass(week: int, outcomes: dict[str, str | None], patches: list[Patch]) -> None:
    """Each correct alternative passes its check (and every other check still passes)."""
    failed = {number: message for number, message in outcomes.items() if message}
    assert not failed, f"week {week}: correct alternatives {patches!r} failed:\n" + "\n".join(failed.values())
