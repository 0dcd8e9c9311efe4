import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from lakelab.notebooks import labs
from lakelab.notebooks.labs import build, lab_from_solution
from lakelab.notebooks.transforms import LabgenError, strip_solution


def test_region_becomes_a_placeholder_that_raises():
    source = "x = 1\n### BEGIN SOLUTION\ny = x + 1\n### END SOLUTION\nprint(y)"
    assert strip_solution(source, "1.2", "cell") == (
        'x = 1\n# YOUR CODE HERE\nraise NotImplementedError("Exercise 1.2: your code goes here")\nprint(y)'
    )


def test_indented_region_keeps_its_indentation():
    source = "def f():\n    ### BEGIN SOLUTION\n    return 1\n    ### END SOLUTION"
    assert strip_solution(source, "2.1", "cell").splitlines()[1:] == [
        "    # YOUR CODE HERE", '    raise NotImplementedError("Exercise 2.1: your code goes here")']


@pytest.mark.parametrize("source, problem", [
    ("### BEGIN SOLUTION\nx = 1", "never closed"),
    ("x = 1\n### END SOLUTION", "without"),
    ("### BEGIN SOLUTION\n### BEGIN SOLUTION\n### END SOLUTION", "inside another"),
])
def test_unbalanced_markers_are_refused(source, problem):
    with pytest.raises(LabgenError, match=problem):
        strip_solution(source, "1.1", "week01 cell 3")


def _solution() -> nbformat.NotebookNode:
    nb = new_notebook(cells=[
        new_markdown_cell("### Exercise 3.1 — something"),
        new_code_cell("### BEGIN SOLUTION\nanswer = 42\n### END SOLUTION", execution_count=4,
                      outputs=[nbformat.v4.new_output("stream", text="42\n")], metadata={"tags": ["x"], "collapsed": True}),
    ])
    return nb


def test_lab_strips_outputs_counts_and_answers_but_keeps_tags():
    lab = lab_from_solution(_solution(), "week03.ipynb")
    cell = lab.cells[1]
    assert cell.outputs == [] and cell.execution_count is None
    assert "answer = 42" not in cell.source and "Exercise 3.1" in cell.source
    assert cell.metadata == {"tags": ["x"]}


def test_build_reports_and_repairs_out_of_sync_labs(tmp_path):
    solutions, labs = tmp_path / "solutions", tmp_path / "labs"
    solutions.mkdir()
    nbformat.write(_solution(), solutions / "week03_x.ipynb")
    assert build(check_only=True, solutions=solutions, labs=labs) == ["week03_x.ipynb"]
    assert build(solutions=solutions, labs=labs) == ["week03_x.ipynb"]
    assert build(check_only=True, solutions=solutions, labs=labs) == []
    (labs / "week03_x.ipynb").write_text((labs / "week03_x.ipynb").read_text().replace("YOUR CODE", "edited"))
    (labs / "orphan.ipynb").write_text("{}")
    assert build(check_only=True, solutions=solutions, labs=labs) == ["week03_x.ipynb", "orphan.ipynb (no solution)"]


def test_committed_labs_are_in_sync_with_solutions():
    stale = build(check_only=True)
    assert not stale, f"labs are not in sync with solutions ({', '.join(stale)}): run `lakelab build` (or `make build`)"
    assert sorted(p.name for p in labs.LABS.glob("*.ipynb")) == sorted(p.name for p in labs.SOLUTIONS.glob("*.ipynb"))
