"""The notebook transforms, and the one rule for a clean-up cell that execution and grading share."""

from __future__ import annotations

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from lakelab.notebooks import transforms
from lakelab.notebooks.labs import SOLUTIONS

KERNEL = {"name": "python3", "display_name": "Python 3"}


def test_a_clean_up_cell_is_tagged_or_calls_the_clean_up():
    cleanup = [new_code_cell("pass", metadata={"tags": ["cleanup"]}), new_code_cell("lab.clean_up()"),
               new_code_cell("!lakelab teardown --yes"), new_code_cell("teardown.teardown(week=1)")]
    kept = [new_code_cell("def clean_up(frame):\n    return frame"), new_markdown_cell("Then lab.clean_up() removes it")]
    assert all(transforms.is_cleanup(cell) for cell in cleanup)
    assert not any(transforms.is_cleanup(cell) for cell in kept)
    assert transforms.without_cleanup(new_notebook(cells=cleanup + kept)).cells == kept


def test_every_solution_has_exactly_its_tagged_clean_up_cell_removed():
    for path in sorted(SOLUTIONS.glob("week*.ipynb")):
        notebook = nbformat.read(path, as_version=4)
        removed = [cell for cell in notebook.cells if transforms.is_cleanup(cell)]
        assert [cell.source for cell in removed] == ["lab.clean_up()"], path.name
        assert removed[0].metadata["tags"] == ["cleanup"]


def test_strip_outputs_keeps_only_tags_and_the_kernel():
    cell = new_code_cell("x", execution_count=3, outputs=[new_output("stream", text="1")],
                         metadata={"tags": ["t"], "scrolled": True})
    language = {"name": "python", "version": "3.12"}
    notebook = new_notebook(cells=[cell], metadata={"kernelspec": KERNEL, "language_info": language, "widgets": {}})
    stripped = transforms.strip_outputs(notebook)
    cell = stripped.cells[0]
    assert (cell.outputs, cell.execution_count, cell.metadata) == ([], None, {"tags": ["t"]})
    assert stripped.metadata == {"kernelspec": KERNEL, "language_info": {"name": "python"}}
    assert notebook.cells[0].outputs, "the original is left as it was"


def test_strip_solutions_names_the_exercise_above_each_placeholder():
    notebook = new_notebook(cells=[new_markdown_cell("### Exercise 2.3 — a thing"),
                                   new_code_cell("### BEGIN SOLUTION\nanswer = 1\n### END SOLUTION")])
    source = transforms.strip_solutions(notebook, "week02.ipynb").cells[1].source
    assert source == '# YOUR CODE HERE\nraise NotImplementedError("Exercise 2.3: your code goes here")'


def _signposts(notebook) -> list[str]:
    return [cell.source for cell in notebook.cells if transforms.NEXT_TAG in cell.metadata.get("tags", [])]


def test_each_section_ends_by_saying_what_is_next_and_the_last_names_the_next_lab():
    notebook = new_notebook(cells=[
        new_markdown_cell("## Objectives\n\n- learn"), new_markdown_cell("## Setup"), new_code_cell("lab = 1"),
        new_markdown_cell("## 1. Buckets\n\n### Exercise 1.1 — create the bucket\n\nDo it."), new_code_cell("x"),
        new_markdown_cell("### Exercise 1.2 — tag it"), new_code_cell("y"),
        new_markdown_cell("## 2. Versions\n\ntext"), new_markdown_cell("### Exercise 1.3 — turn it on"),
        new_markdown_cell("## Clean up"), new_code_cell("lab.clean_up()")])
    signposted = transforms.with_whats_next(notebook, "Next: week 2.")
    sources = [cell.source for cell in signposted.cells]
    # Objectives runs straight into Setup; every other section is closed by one signpost, just before the next.
    assert _signposts(signposted) == [
        "**What is next:** *1. Buckets* — exercise 1.1, create the bucket.",
        "**What is next:** *2. Versions* — exercise 1.3, turn it on.",
        sources[sources.index("## Clean up") - 1],
        "**What is next:** you have finished this lab — `lakelab.progress()` shows where you stand in the course. "
        "Next: week 2."]
    assert sources.index(_signposts(signposted)[1]) == sources.index("## 2. Versions\n\ntext") - 1
    assert "Run it when you are done for the day" in _signposts(signposted)[2]
    assert sources[-1].endswith("Next: week 2.") and sources[-2] == "lab.clean_up()"
    again = transforms.with_whats_next(signposted, "Next: week 2.")  # no second set of signposts
    assert [cell.source for cell in again.cells] == sources
    assert "the course's last lab" in _signposts(transforms.with_whats_next(notebook, None))[-1]
    assert len(notebook.cells) == 11, "the original is left as it was"


def test_every_lab_sends_the_learner_to_the_next_ready_lab():
    from lakelab import course
    from lakelab.notebooks.labs import LABS

    ready = course.ready()
    for week, following in zip(ready, ready[1:]):
        last = _signposts(nbformat.read(LABS / f"{week.lab}.ipynb", as_version=4))[-1]
        assert f"`labs/{following.lab}.ipynb`" in last, week.lab
