"""The house shape of every solution notebook (and so of every lab generated from it)."""

from __future__ import annotations

import importlib
import re

import nbformat
import pytest

from lakelab import course
from lakelab.checks import checks_for
from lakelab.notebooks.labs import SOLUTIONS as SOLUTIONS_FOLDER

SOLUTIONS = sorted(SOLUTIONS_FOLDER.glob("week*.ipynb"))


def _load(path):
    notebook = nbformat.read(path, as_version=4)
    week = course.key_of(re.match(r"week(\d+[a-z]?)_", path.name).group(1))
    markdown = "\n".join(c.source for c in notebook.cells if c.cell_type == "markdown")
    code = [c for c in notebook.cells if c.cell_type == "code"]
    return notebook, week, markdown, code


def _grader_only(week) -> bool:
    """A lab judged as a whole by its grader, with no exercise cells (the capstone)."""
    return bool(getattr(importlib.import_module(course.week(week).checks_module), "GRADER_ONLY", ""))


@pytest.mark.parametrize("path", SOLUTIONS, ids=lambda p: p.stem)
def test_sections_in_house_order(path):
    _, week, markdown, _ = _load(path)
    assert markdown.startswith("# Capstone · " if _grader_only(week) else f"# Week {week} · ")
    assert "⏱" in markdown.split("##")[0], "the title cell gives the time"
    headings = re.findall(r"^## (.+)$", markdown, flags=re.M)
    assert headings[:2] == ["Objectives", "Setup"] and headings[-2:] == ["Clean up", "Key points"]
    bullets = re.findall(r"^- \*\*(\w+)\*\*", markdown.split("## Objectives")[1].split("##")[0], flags=re.M)
    assert 3 <= len(bullets) <= 5, "three to five objectives, each starting with a verb"
    assert "Fidelity note" in markdown


@pytest.mark.parametrize("path", SOLUTIONS, ids=lambda p: p.stem)
def test_every_check_is_called_once_after_its_exercise(path):
    _, week, markdown, code = _load(path)
    calls = [m for c in code for m in re.findall(r"^check\.(\w+)\(\)$", c.source, flags=re.M)]
    registered = [check.function.__name__ for check in checks_for(week)]
    exercises = re.findall(r"^### (?:Exercise|Stretch) (\S+)", markdown, flags=re.M)
    if _grader_only(week):  # its criteria run from the grader (lakelab check / grade), never in the notebook
        assert calls == [] and exercises == [] and registered
        return
    assert sorted(calls) == sorted(registered)
    assert exercises == [check.number for check in checks_for(week)]


@pytest.mark.parametrize("path", SOLUTIONS, ids=lambda p: p.stem)
def test_setup_and_cleanup_cells(path):
    _, week, _, code = _load(path)
    named = f'"{week}"' if isinstance(week, str) else week  # a week's second lab: start(week="6b")
    named = '"capstone"' if _grader_only(week) else named
    assert f"lakelab.start(week={named})" in code[0].source
    cleanup = [c for c in code if "cleanup" in c.metadata.get("tags", [])]
    assert len(cleanup) == 1 and cleanup[0].source.strip() == "lab.clean_up()"
    assert all("endpoint_url" not in c.source for c in code), "targets come from the environment only"
