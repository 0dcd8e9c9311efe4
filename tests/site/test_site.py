"""The course site builds (``make site``), its internal links and anchors resolve, and no solution leaks."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from lakelab.course.weeks import WEEKS
from lakelab.notebooks.labs import ROOT
from lakelab.site.checks import broken_links, solution_leaks, solution_lines
from lakelab.site.sources import curriculum, reading_of



@pytest.fixture(scope="session")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The site, built once per test session exactly as ``make site`` builds it (links checked there too).

    How long it takes is measured by ``make bench`` (the site cases), not asserted here."""
    out = tmp_path_factory.mktemp("site")
    built = subprocess.run([sys.executable, "-m", "lakelab.site", "--out", str(out)], cwd=ROOT,
                           capture_output=True, text=True, timeout=300)
    assert built.returncode == 0, built.stdout + built.stderr
    return out / "html"


def test_it_builds(site: Path) -> None:
    assert (site / "index.html").is_file()


def test_every_internal_link_and_anchor_resolves(site: Path) -> None:
    assert broken_links(site) == []


def test_no_solution_region_leaks(site: Path) -> None:
    assert solution_leaks(site) == []


def test_every_reading_lab_and_the_guide_have_a_page(site: Path) -> None:
    pages = {p.relative_to(site).as_posix() for p in site.rglob("*.html")}
    expected = {f"weeks/{p.stem}.html" for p in (ROOT / "weeks").glob("*.md") if p.name != "instructors.md"}
    expected |= {f"labs/{p.stem}.html" for p in (ROOT / "labs").glob("*.ipynb")}
    assert expected | {"instructors.html", "curriculum.html"} <= pages


def test_a_lab_page_shows_the_placeholder_not_the_answer(site: Path) -> None:
    page = (site / "labs" / "week01_s3.html").read_text(encoding="utf-8")
    assert "YOUR CODE HERE" in page and "Exercise 1.1: your code goes here" in page


def test_the_curriculum_counts_each_labs_exercises() -> None:
    row = next(line for line in curriculum().splitlines() if line.startswith("| 1 |"))
    assert "| 7 + 1 stretch |" in row, row  # week 1: exercises 1.1 to 1.7 and stretch S.1


def test_the_curriculum_has_every_week_from_the_course_list(site: Path) -> None:
    page = (site / "curriculum.html").read_text(encoding="utf-8")
    for week in WEEKS.values():
        assert week.title.split(":")[0] in page
        for kind, path in (("reading", reading_of(week)), ("lab", week.files()["lab"])):
            if path and (ROOT / path).exists():
                assert f'href="{Path(path).with_suffix(".html")}"' in page, f"{week.label}: no link to its {kind}"


def test_a_week_without_its_files_is_listed_without_links_and_a_reading_may_be_named_by_its_slug(tmp_path: Path):
    (tmp_path / "weeks").mkdir()
    (tmp_path / "labs").mkdir()
    table = curriculum(tmp_path)
    assert "| 1 | S3 foundations: the lake bucket | — |  |" in table
    assert "](" not in table
    (tmp_path / "weeks" / "capstone.md").write_text("# Capstone\n")
    assert "[Capstone: the complete lake](weeks/capstone.md)" in curriculum(tmp_path)


# --- the checkers themselves, on pages made for them -------------------------------------------------

def _write(folder: Path, name: str, body: str) -> None:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"<html><body>{body}</body></html>", encoding="utf-8")


def test_broken_links_names_a_missing_page_a_missing_anchor_and_an_escape(tmp_path: Path) -> None:
    _write(tmp_path, "index.html", '<a href="labs/a.html#go">ok</a> <a href="labs/b.html">gone</a> '
           '<a href="labs/a.html#nowhere">no anchor</a> <a href="../x.html">out</a> '
           '<a href="https://aws.amazon.com/">ext</a>')
    _write(tmp_path, "labs/a.html", '<h2 id="go">Go</h2><a href="../index.html">home</a><a href="#go">self</a>')
    assert broken_links(tmp_path) == [
        "index.html: links to labs/b.html (no such file)",
        "index.html: links to labs/a.html#nowhere (no anchor #nowhere in labs/a.html)",
        "index.html: links to ../x.html (outside the site)",
    ]


def test_solution_leaks_finds_a_region_line_on_its_lab_page_and_a_marker_anywhere(tmp_path: Path) -> None:
    solutions = tmp_path / "solutions"
    solutions.mkdir()
    nbformat.write(new_notebook(cells=[
        new_markdown_cell("### Exercise 1.1 — the bucket"),
        new_code_cell('s3 = boto3.client("s3")\n### BEGIN SOLUTION\ns3.create_bucket(Bucket=names.bucket("lake"))\n'
                      '### END SOLUTION\nprint("done")'),
    ]), solutions / "week01_s3.ipynb")
    site = tmp_path / "html"
    _write(site, "labs/week01_s3.html", '<pre>s3.create_bucket(Bucket=names.bucket(&quot;lake&quot;))</pre>')
    _write(site, "weeks/week01_s3.html", "<pre>### BEGIN SOLUTION</pre>")
    _write(site, "labs/week02.html", '<pre>s3.create_bucket(Bucket=names.bucket("lake"))</pre>')  # not its lab
    assert solution_leaks(site, solutions) == [
        "labs/week01_s3.html: shows a line of its solution: s3.create_bucket(Bucket=names.bucket(\"lake\"))",
        "weeks/week01_s3.html: shows the marker '### BEGIN SOLUTION'",
    ]


def test_lines_given_outside_a_region_are_not_answers() -> None:
    notebook = new_notebook(cells=[
        new_code_cell('client = boto3.client("s3")\n### BEGIN SOLUTION\nclient = boto3.client("s3")\n'
                      'client.put_bucket_versioning(Bucket=bucket)\nx = 1\n### END SOLUTION'),
    ])
    assert solution_lines(notebook) == {"client.put_bucket_versioning(Bucket=bucket)"}
