"""Every exercise cell can be run again: each ready lab's solution runs twice in a row on one emulator,
without its Clean up cell, and the second run raises nothing and passes every check.

A learner fixes a mistake by running a cell again, or runs the whole notebook again after a break; the
course's cells are create-or-update (or clear what an earlier attempt left, where the exercise depends on it),
never "already exists". The second run is what proves it.

The suite runs this for the labs in ``IN_THE_SUITE``: quick to run, and proven to pass. ``make test-twice``
(``LAKELAB_RUN_TWICE=all``) runs every lab; the suite's time budget (2 cores, well under 20 minutes) has no room
for a second run of the long ones (weeks 4, 5, 6 and 8: Spark jobs, an Airflow environment, streams and
alarms), and a lab joins ``IN_THE_SUITE`` once its second run passes.
"""

from __future__ import annotations

import os

import lab_runs
import nbformat
import pytest

from lakelab import course
from lakelab.lab import teardown
from lakelab.notebooks import execution, transforms
from lakelab.notebooks.labs import SOLUTIONS

IN_THE_SUITE = (1, "6b")
LABS = [week.key for week in course.ready() if (SOLUTIONS / f"{week.lab}.ipynb").exists()]


@pytest.mark.parametrize("key", LABS, ids=lambda key: course.week(key).lab)
def test_the_solution_run_twice_passes_every_check(key, attached):
    if key not in IN_THE_SUITE and os.environ.get("LAKELAB_RUN_TWICE") != "all":
        pytest.skip(f"{course.week(key).lab} runs twice with `make test-twice` (minutes a run; see the docstring)")
    week = course.week(key)
    path = SOLUTIONS / f"{week.lab}.ipynb"
    notebook = transforms.without_cleanup(nbformat.read(path, as_version=4))
    environment = lab_runs.attached_environment(attached.endpoint)
    attached.reset()
    try:
        for attempt in ("first", "second"):
            executed = execution.run(nbformat.from_dict(notebook), path.parent, environment, allow_errors=True)
            attached.drain()
            raised = [(n, cell.outputs) for n, cell in enumerate(executed.cells) if cell.cell_type == "code"
                      for output in cell.outputs if output.output_type == "error"]
            if raised:
                n, outputs = raised[0]
                error = next(o for o in outputs if o.output_type == "error")
                pytest.fail(f"{week.lab}, {attempt} run: cell {n} raised {error.ename}: {error.evalue[:500]}\n"
                            f"{executed.cells[n].source[:300]}")
        failed = {number: message for number, message in lab_runs._check_all(week.key).items() if message}
        assert not failed, f"{week.lab}, after the second run:\n" + "\n".join(failed.values())
    finally:
        teardown.teardown(report=lambda line: None)
