"""Generate learner labs from solution notebooks: ``solutions/`` is the single source of truth.

In a solution, each exercise's answer sits between ``### BEGIN SOLUTION`` and
``### END SOLUTION``; the lab keeps the cell but replaces the region with ``# YOUR CODE HERE``
and a ``raise NotImplementedError``. Outputs and execution counts are stripped.
"""

from __future__ import annotations

import copy
import re
from pathlib import Path

import nbformat

BEGIN, END = "### BEGIN SOLUTION", "### END SOLUTION"
ROOT = Path(__file__).resolve().parents[2]
SOLUTIONS, LABS = ROOT / "solutions", ROOT / "labs"
_EXERCISE = re.compile(r"^###\s*(?:Exercise|Stretch)\s+(\S+)", re.M)
_KEEP_METADATA = ("tags",)


class LabgenError(ValueError):
    """A solution notebook is malformed (unbalanced markers); the message names the cell."""


def strip_solution(source: str, exercise: str, where: str) -> str:
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


def lab_from_solution(solution: nbformat.NotebookNode, name: str) -> nbformat.NotebookNode:
    lab = copy.deepcopy(solution)
    exercise = "?"
    for index, cell in enumerate(lab.cells):
        cell.metadata = {k: v for k, v in cell.metadata.items() if k in _KEEP_METADATA}
        if cell.cell_type == "markdown":
            numbers = _EXERCISE.findall(cell.source)
            exercise = numbers[-1] if numbers else exercise
        elif cell.cell_type == "code":
            cell.source = strip_solution(cell.source, exercise, f"{name} cell {index}")
            cell.outputs, cell.execution_count = [], None
    lab.metadata = {k: v for k, v in lab.metadata.items() if k in ("kernelspec", "language_info")}
    lab.metadata.get("language_info", {}).pop("version", None)
    return lab


def render(solution_path: Path) -> str:
    solution = nbformat.read(solution_path, as_version=4)
    return nbformat.writes(lab_from_solution(solution, solution_path.name)) + "\n"


def build(check_only: bool = False, solutions: Path = SOLUTIONS, labs: Path = LABS) -> list[str]:
    """Write every lab (or, with ``check_only``, list the labs that are out of date or extra)."""
    stale = []
    expected = {p.name for p in solutions.glob("*.ipynb")}
    for solution_path in sorted(solutions.glob("*.ipynb")):
        lab_path = labs / solution_path.name
        text = render(solution_path)
        if not lab_path.exists() or lab_path.read_text(encoding="utf-8") != text:
            stale.append(lab_path.name)
            if not check_only:
                labs.mkdir(exist_ok=True)
                lab_path.write_text(text, encoding="utf-8")
    extra = sorted(p.name for p in labs.glob("*.ipynb") if p.name not in expected)
    stale += [f"{name} (no solution)" for name in extra]
    if not check_only:
        for name in extra:
            (labs / name).unlink()
    return stale
