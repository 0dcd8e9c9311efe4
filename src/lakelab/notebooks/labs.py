"""Generate learner labs from solution notebooks: ``solutions/`` is the single source of truth.

In a solution, each exercise's answer sits between ``### BEGIN SOLUTION`` and
``### END SOLUTION``; the lab keeps the cell but replaces the region with ``# YOUR CODE HERE``
and a ``raise NotImplementedError``. Outputs and execution counts are stripped.
"""

from __future__ import annotations

from pathlib import Path

import nbformat

from lakelab.notebooks.transforms import strip_outputs, strip_solutions, with_whats_next

ROOT = Path(__file__).resolve().parents[3]
SOLUTIONS, LABS = ROOT / "solutions", ROOT / "labs"


def next_lab(name: str) -> str | None:
    """The line that sends a learner from the lab ``name`` (``week01_s3.ipynb``) to the next ready one."""
    from lakelab import course

    ready = course.ready()
    stems = [week.lab for week in ready]
    stem = Path(name).stem
    if stem not in stems or stems.index(stem) + 1 == len(stems):
        return None
    following = ready[stems.index(stem) + 1]
    label = f"week {following.key}" if str(following.key)[0].isdigit() else f"the {following.key}"
    return (f"Next: {label}, *{following.title}* — read `weeks/{following.lab}.md`, then open "
            f"`labs/{following.lab}.ipynb`.")


def lab_from_solution(solution: nbformat.NotebookNode, name: str) -> nbformat.NotebookNode:
    return with_whats_next(strip_outputs(strip_solutions(solution, name)), next_lab(name))


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
