"""Small named transforms of a notebook, shared by lab generation, execution and grading.

- :func:`strip_solutions`: each ``### BEGIN SOLUTION`` … ``### END SOLUTION`` region becomes
  ``# YOUR CODE HERE`` and a ``raise NotImplementedError`` naming the exercise.
- :func:`strip_outputs`: no outputs, execution counts or metadata beyond cell tags and the kernel.
- :func:`without_cleanup`: no clean-up cell, as :func:`is_cleanup` (the one rule) spots them.
"""

from __future__ import annotations

import copy
import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import nbformat

BEGIN, END = "### BEGIN SOLUTION", "### END SOLUTION"
_EXERCISE = re.compile(r"^###\s*(?:Exercise|Stretch)\s+(\S+)", re.M)
_KEEP_CELL_METADATA = ("tags",)
_KEEP_NOTEBOOK_METADATA = ("kernelspec", "language_info")
CLEANUP_TAG = "cleanup"
REFERENCE_TAG = "reference"  # a whole code cell of a reference solution (the capstone): emptied in the lab
# `lab.clean_up()` (under any name) and the teardown command or function; a learner's own
# `def clean_up(frame):` is not a call on an object, and stays.
_CLEANUP_CALL = re.compile(r"\.clean_up\s*\(|\blakelab[ .]teardown\b|\bteardown\.teardown\s*\(")


class LabgenError(ValueError):
    """A solution notebook is malformed (unbalanced markers); the message names the cell."""


def strip_solution(source: str, exercise: str, where: str) -> str:
    """One cell's source with its solution regions replaced by a placeholder that raises."""
    out, inside, indent = [], False, ""
    for line in source.splitlines():
        stripped = line.strip()
        if stripped == BEGIN:
            if inside:
                raise LabgenError(f"{where}: {BEGIN} inside another solution region")
            inside, indent = True, line[: len(line) - len(line.lstrip())]
            out.append(f"{indent}# YOUR CODE HERE")
            out.append(f'{indent}raise NotImplementedError("Exercise {exercise}: your code goes here")')
        elif stripped == END:
            if not inside:
                raise LabgenError(f"{where}: {END} without {BEGIN}")
            inside = False
        elif not inside:
            out.append(line)
    if inside:
        raise LabgenError(f"{where}: {BEGIN} is never closed by {END}")
    return "\n".join(out)


def strip_solutions(notebook: nbformat.NotebookNode, name: str) -> nbformat.NotebookNode:
    """A copy whose code cells keep no solution; each placeholder names the exercise above it."""
    stripped, exercise = copy.deepcopy(notebook), "?"
    for index, cell in enumerate(stripped.cells):
        if REFERENCE_TAG in cell.metadata.get("tags", []):
            # the capstone: a reference design, never a region to fill; the learner's cell starts empty
            cell.source = "" if cell.cell_type == "code" else "*Your decision: the options, the numbers, what you chose and why.*"
        elif cell.cell_type == "markdown":
            numbers = _EXERCISE.findall(cell.source)
            exercise = numbers[-1] if numbers else exercise
        elif cell.cell_type == "code":
            cell.source = strip_solution(cell.source, exercise, f"{name} cell {index}")
    return stripped


def strip_outputs(notebook: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """A copy without outputs, execution counts, the Python version, or metadata other than tags."""
    stripped = copy.deepcopy(notebook)
    for cell in stripped.cells:
        cell.metadata = {key: value for key, value in cell.metadata.items() if key in _KEEP_CELL_METADATA}
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    stripped.metadata = {key: value for key, value in stripped.metadata.items() if key in _KEEP_NOTEBOOK_METADATA}
    stripped.metadata.get("language_info", {}).pop("version", None)
    return stripped


def is_cleanup(cell: nbformat.NotebookNode) -> bool:
    """A clean-up cell: tagged ``cleanup``, or a code cell that calls the lab's clean-up or teardown."""
    tagged = CLEANUP_TAG in cell.metadata.get("tags", [])
    return tagged or (cell.cell_type == "code" and bool(_CLEANUP_CALL.search(cell.source)))


def without_cleanup(notebook: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """A copy without its clean-up cells, so checks can read the state the notebook built."""
    kept = copy.deepcopy(notebook)
    kept.cells = [cell for cell in kept.cells if not is_cleanup(cell)]
    return kept


# ----------------------------------------------------------------------------------------- what is next

_SECTION = re.compile(r"^##\s+(?!#)(.+?)\s*$", re.M)
_EXERCISE_TITLE = re.compile(r"^###\s*(Exercise|Stretch)\s+(\S+)\s*[—-]\s*(.+?)\s*$", re.M)
NEXT_TAG = "whats-next"
# Sections that need no signpost after them: the objectives run straight into Setup.
_NO_SIGNPOST = ("Objectives",)


def _sections(notebook: nbformat.NotebookNode) -> list[tuple[int, str, str]]:
    """(index of the cell that opens it, heading, its first exercise "1.2 — turn versioning on" or "") per
    ``## `` section, in order."""
    found: list[tuple[int, str, str]] = []
    for index, cell in enumerate(notebook.cells):
        if cell.cell_type != "markdown":
            continue
        heading = _SECTION.search(cell.source)
        if heading:
            found.append((index, heading.group(1), ""))
        exercise = _EXERCISE_TITLE.search(cell.source)
        if exercise and found and not found[-1][2]:
            kind, number, title = exercise.groups()
            found[-1] = (*found[-1][:2], f"{kind.lower()} {number}, {title.rstrip('.')}")
    return found


def with_whats_next(notebook: nbformat.NotebookNode, next_lab: str | None) -> nbformat.NotebookNode:
    """A copy with a short "What is next" cell closing every section (but the objectives): the next section
    and its first exercise, and after the last one the lab that follows (``next_lab``, a line of markdown)."""
    import nbformat as nbf

    signposted = copy.deepcopy(notebook)
    signposted.cells = [cell for cell in signposted.cells if NEXT_TAG not in cell.metadata.get("tags", [])]
    sections = _sections(signposted)
    inserts: list[tuple[int, str]] = []
    for position, (start, heading, _) in enumerate(sections):
        if heading in _NO_SIGNPOST:
            continue
        end = sections[position + 1][0] if position + 1 < len(sections) else len(signposted.cells)
        if position + 1 < len(sections):
            _, following, exercise = sections[position + 1]
            text = f"**What is next:** *{following}*" + (f" — {exercise}." if exercise else ".")
            if following == "Clean up":
                text += (" Run it when you are done for the day: on a real account it is what stops the bill "
                         "(the checks above read what exists, so run them first).")
            elif following.startswith("Stretch"):
                text += " Optional: skip to *Clean up* if you are short of time."
        else:
            text = (f"**What is next:** you have finished this lab — `lakelab.progress()` shows where you stand in "
                    f"the course. {next_lab}" if next_lab else
                    "**What is next:** you have finished the course's last lab — `lakelab.progress()` shows where "
                    "you stand in every week.")
        inserts.append((end, text))
    for end, text in reversed(inserts):
        cell = nbf.v4.new_markdown_cell(text)
        cell.metadata["tags"] = [NEXT_TAG]
        cell.id = f"whats-next-{end}"
        signposted.cells.insert(end, cell)
    return signposted
