"""Turning a submitted file into a notebook the grader can run, or a clear reason why not.

A submission is refused when it is not a notebook (text, invalid JSON, binary, not nbformat) or
belongs to another lab. What is run is the learner's code cells as submitted, minus the lab's
clean-up: run before grading, it would remove exactly the state the checks inspect.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from lakelab import course
from lakelab.grading.results import first_line
from lakelab.notebooks.transforms import is_cleanup

if TYPE_CHECKING:
    import nbformat

MAX_BYTES = 50 * 1024 * 1024  # a lab notebook with every output is well under 5 MB
_SETUP_WEEK = (  # start(week=6), start(week="6b") (a week's second lab) or start(week="capstone")
    re.compile(r"\blakelab\.start\(\s*(?:week\s*=\s*)?(\d+|[\"'](?:\d+[a-z]?|capstone)[\"'])\s*[,)]"),
    re.compile(r"\bstart\(\s*week\s*=\s*(\d+|[\"'](?:\d+[a-z]?|capstone)[\"'])\s*[,)]"),
)
_FILE_WEEK = re.compile(r"week0*(\d+[a-z]?)(?![a-z])", re.I)
_NBVAL_TAGS = ("nbval-skip", "nbval-ignore-output", "nbval-check-output", "nbval-raises-exception",
               "raises-exception")


class Rejected(ValueError):
    """The submission cannot be graded; the message says why, for the gradebook and the learner."""


@dataclass
class Prepared:
    """The notebook to run, and where each of its code cells was in the submitted one."""

    notebook: nbformat.NotebookNode
    code_cells: list[tuple[int, str]] = field(default_factory=list)  # (index in submission, first line)
    removed: list[tuple[int, str]] = field(default_factory=list)


def load(path: Path) -> nbformat.NotebookNode:
    """Read and validate a submitted notebook, or raise :class:`Rejected` saying what it is instead."""
    if not path.exists():
        raise Rejected(f"no such file: {path}")
    if not path.is_file():
        raise Rejected(f"not a file: {path}")
    if path.stat().st_size > MAX_BYTES:
        raise Rejected(f"the file is {path.stat().st_size:,} bytes: too large to be a lab notebook")
    try:
        text = path.read_bytes().decode("utf-8")
        document = json.loads(text)
    except UnicodeDecodeError:
        raise Rejected("not a notebook: the file is binary, not JSON text") from None
    except json.JSONDecodeError as error:
        raise Rejected(f"not a notebook: invalid JSON ({error.msg} at line {error.lineno})") from None
    if not isinstance(document, dict) or "cells" not in document and "worksheets" not in document:
        raise Rejected("not a notebook: valid JSON, but without the cells of a Jupyter notebook")
    import nbformat  # imported here: it takes seconds, which the fork server spends meanwhile

    try:
        notebook = nbformat.reads(text, as_version=4)
        nbformat.validate(notebook)
    except Exception as error:  # nbformat raises several types for malformed notebooks
        reason = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        raise Rejected(f"not a valid Jupyter notebook: {reason[:200]}") from None
    return notebook


def week_named_in(notebook: nbformat.NotebookNode, filename: str) -> int | str | None:
    """The lab a notebook is for (its key: ``6``, ``"6b"``): its Setup cell's ``lakelab.start(week=N)``,
    else its file name."""
    for cell in notebook.cells:
        if cell.cell_type == "code":
            for pattern in _SETUP_WEEK:
                found = pattern.search(cell.source)
                if found:
                    return course.key_of(found.group(1).strip("\"'"))
    found = _FILE_WEEK.search(filename)
    return course.key_of(found.group(1)) if found else None


def refuse_other_lab(notebook: nbformat.NotebookNode, filename: str, week: int | str) -> None:
    named = week_named_in(notebook, filename)
    if named is not None and named != course.key_of(week):
        other = course.WEEKS[named].lab if named in course.WEEKS else f"week {named}"
        raise Rejected(f"wrong lab: this notebook is for {other} (week {named}), "
                       f"not {course.week(week).lab}")


def prepare(path: Path, week: int) -> Prepared:
    """The submission as the grader runs it: validated, for this week, without clean-up or old outputs."""
    import nbformat

    submitted = load(path)
    refuse_other_lab(submitted, path.name, week)
    prepared = Prepared(nbformat.v4.new_notebook())  # nbval is told which kernel: the grader's own
    for index, cell in enumerate(submitted.cells):
        if cell.cell_type != "code":
            continue
        if is_cleanup(cell):
            prepared.removed.append((index, first_line(cell.source)))
            continue
        prepared.notebook.cells.append(_runnable(cell))
        prepared.code_cells.append((index, first_line(cell.source)))
    return prepared


def _runnable(cell: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """The learner's source only: stored outputs would make nbval compare them, tags could skip the cell."""
    import nbformat

    tags = [tag for tag in cell.metadata.get("tags", []) if tag not in _NBVAL_TAGS]
    return nbformat.v4.new_code_cell(cell.source, metadata={"tags": tags} if tags else {})
