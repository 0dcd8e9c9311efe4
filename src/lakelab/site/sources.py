"""The site's pages, staged in one folder for Sphinx: readings, labs, the curriculum and the guide.

- **Readings** are ``weeks/*.md`` as written; each week's reading gets one line under its title that
  links to its lab (and to its sourced facts, where the week has them).
- **Labs** are ``labs/*.ipynb``, as the lab generator wrote them from ``solutions/`` (``make build``;
  ``make test`` fails when they are out of date): solution regions replaced by ``# YOUR CODE HERE``,
  no outputs. Outputs from the solutions are left out
  on purpose: nearly every output after an exercise is a product of its answer (the policy printed, the
  rows counted, the check passing), so it would give away what the lab asks the learner to find.
- **The curriculum** is generated from :data:`lakelab.course.weeks.WEEKS`, the single source of the weeks.
- **The instructors' guide** is ``weeks/instructors.md``.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import nbformat

from lakelab.course.weeks import WEEKS, Week
from lakelab.notebooks.labs import ROOT

GUIDE = "instructors.md"
_EXERCISES = re.compile(r"^###\s*(Exercise|Stretch)\s+\S+", re.M)  # as the lab generator names them
_TIMES = re.compile(r"⏱\s*Reading\s+(\d+)\s+minutes\s*·\s*Lab\s+(\d+)\s+minutes")


def facts_name(week: Week) -> str:
    """``week05_facts.md``: the sourced facts behind a week's reading, where it has them."""
    return f"week{week.tag}_facts.md"


def stage(target: Path, root: Path = ROOT) -> None:
    """Write every page of the site into ``target`` (emptied first)."""
    shutil.rmtree(target, ignore_errors=True)
    (target / "weeks").mkdir(parents=True)
    (target / "labs").mkdir()
    readings = sorted(p for p in (root / "weeks").glob("*.md") if p.name != GUIDE)
    for path in readings:
        (target / "weeks" / path.name).write_text(_reading(path, root), encoding="utf-8")
    for path in sorted((root / "labs").glob("*.ipynb")):
        shutil.copyfile(path, target / "labs" / path.name)
    shutil.copyfile(root / "weeks" / GUIDE, target / GUIDE)
    (target / "curriculum.md").write_text(curriculum(root), encoding="utf-8")
    labs = [p.name for p in sorted((root / "labs").glob("*.ipynb"))]
    (target / "index.md").write_text(index([p.name for p in readings], labs, root), encoding="utf-8")


def reading_of(week: Week, root: Path = ROOT) -> str | None:
    """The week's reading, relative to ``root``: ``weeks/week01_s3.md``, or by its slug alone
    (``weeks/capstone.md``, as the capstone's brief is named); None when it has none yet."""
    for name in (week.files()["reading"], f"weeks/{week.slug}.md"):
        if (root / name).exists():
            return name
    return None


def _week_of_reading(name: str, root: Path) -> Week | None:
    return next((week for week in WEEKS.values() if reading_of(week, root) == f"weeks/{name}"), None)


def _reading(path: Path, root: Path) -> str:
    """The reading, with a line under its title linking to its lab and facts (pages of the site)."""
    text, week = path.read_text(encoding="utf-8"), _week_of_reading(path.name, root)
    if week is None or not (root / "labs" / f"{week.lab}.ipynb").exists():
        return text
    links = [f"[the lab, {week.lab}.ipynb](../labs/{week.lab}.ipynb) (open it in JupyterLab with `make lab`)"]
    if (root / "weeks" / facts_name(week)).exists():
        links.append(f"[the sourced facts behind this reading]({facts_name(week)})")
    title, _, rest = text.partition("\n")
    return f"{title}\n\n*This week:* {'; '.join(links)}.\n{rest}"


def curriculum(root: Path = ROOT) -> str:
    """The curriculum table, one row per lab of :data:`WEEKS`, linking each to its reading and lab."""
    rows = ["| week | reading | lab | exercises | time | AWS services | status |", "|---|---|---|---|---|---|---|"]
    for week in WEEKS.values():
        reading, lab = reading_of(week, root), root / week.files()["lab"]
        title = f"[{week.title}]({reading})" if reading else week.title
        lab_link = f"[{lab.stem}]({week.files()['lab']})" if lab.exists() else "—"
        status = "ready" if week.ready else "planned"
        times = _times(root / reading) if reading else ""
        rows.append(f"| {week.key} | {title} | {lab_link} | {_exercises(lab)} | {times} | "
                    f"{', '.join(week.services)} | {status} |")
    return ("# Curriculum\n\nOne row per lab, from the course's list of weeks. Every lab runs on a laptop "
            "against the local emulator (`make lab`), and unchanged on LocalStack or a sandbox account.\n\n"
            + "\n".join(rows) + "\n")


def _exercises(lab: Path) -> str:
    """``7 + 1 stretch``: the lab's exercise headings, counted."""
    if not lab.exists():
        return ""
    kinds = [found.group(1) for cell in nbformat.read(lab, as_version=4).cells if cell.cell_type == "markdown"
             for found in _EXERCISES.finditer(cell.source)]
    stretch = kinds.count("Stretch")
    return f"{kinds.count('Exercise')}{f' + {stretch} stretch' if stretch else ''}" if kinds else ""


def _times(reading: Path) -> str:
    found = _TIMES.search(reading.read_text(encoding="utf-8")) if reading.exists() else None
    return f"reading {found.group(1)} min, lab {found.group(2)} min" if found else ""


def index(readings: list[str], labs: list[str], root: Path = ROOT) -> str:
    """The home page: what the course is, and the tables of contents every page is reached from."""
    weekly = [Path(name).name for name in (reading_of(week, root) for week in WEEKS.values())
              if name and Path(name).name in readings]
    facts = [facts_name(week) for week in WEEKS.values() if facts_name(week) in readings]
    others = [name for name in readings if name not in weekly and name not in facts]
    in_order = [f"{week.lab}.ipynb" for week in WEEKS.values()]
    labs = sorted(labs, key=lambda name: (in_order.index(name) if name in in_order else len(in_order), name))
    sections = [("The course", ["curriculum"]), ("Readings", [f"weeks/{n[:-3]}" for n in weekly + others]),
                ("Labs", [f"labs/{n[:-6]}" for n in labs]), ("Sourced facts", [f"weeks/{n[:-3]}" for n in facts]),
                ("For instructors", [GUIDE[:-3]])]
    toctrees = "\n".join(_toctree(caption, pages) for caption, pages in sections if pages)
    return f"""# Lake Labs

An eight-week, hands-on course in data engineering on AWS. Each week is a reading and a Jupyter lab of
exercises with instant feedback; the labs run for real on a laptop with no AWS account and no Docker.

This site is for reading. To do a lab, clone the course and run `make lab`: JupyterLab opens the
labs with the local emulator behind them. The labs here are shown as you will open them, with your
exercises still to do and no outputs.

Start with the [curriculum](curriculum.md).

{toctrees}"""


def _toctree(caption: str, pages: list[str]) -> str:
    return "```{toctree}\n:caption: " + caption + "\n:maxdepth: 1\n\n" + "\n".join(pages) + "\n```\n"
