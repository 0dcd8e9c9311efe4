"""Checks of the built site, read from its HTML (independent of the tool that wrote it).

- :func:`broken_links`: every link and asset a page names inside the site exists, and every
  ``#anchor`` is an ``id`` (or ``<a name>``) of the page it points to.
- :func:`solution_leaks`: no page holds a solution marker, and no lab's page holds a line of code
  found only inside its solution's regions (between ``### BEGIN SOLUTION`` and ``### END SOLUTION``).
  Only the lab's own page: a later lab's given code may repeat an earlier lab's answer (its Setup
  rebuilds that state), and a reading may sketch a statement its lab asks for; neither is a region.
"""

from __future__ import annotations

from functools import cache
from html import unescape
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import nbformat

from lakelab.notebooks.labs import SOLUTIONS
from lakelab.notebooks.transforms import BEGIN, END

_LINKING = {"a": "href", "link": "href", "img": "src", "script": "src", "iframe": "src", "source": "src"}
_SHORTEST_TELLING_LINE = 16  # shorter solution lines (`)`, `else:`, `s3 = client`) tell nothing apart


class _Page(HTMLParser):
    """One HTML page: the links it makes, the anchors it offers, and its text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[str] = []
        self.anchors: set[str] = set()
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if values.get("id"):
            self.anchors.add(values["id"])
        if tag == "a" and values.get("name"):
            self.anchors.add(values["name"])
        target = values.get(_LINKING.get(tag, ""))
        if target:
            self.links.append(target)

    def handle_data(self, data: str) -> None:
        self.text.append(data)


@cache
def _read(path: Path) -> _Page:
    page = _Page()
    page.feed(path.read_text(encoding="utf-8"))
    return page


def _pages(html: Path) -> list[Path]:
    return sorted(html.rglob("*.html"))


def broken_links(html: Path) -> list[str]:
    """``"labs/week01_s3.html: links to ../weeks/x.html (no such file)"`` for each link that does not resolve."""
    _read.cache_clear()
    root, problems = html.resolve(), []
    for page in _pages(html):
        for link in _read(page).links:
            why = _why_broken(page.resolve(), link, root)
            if why:
                problems.append(f"{page.relative_to(html)}: links to {link} ({why})")
    return problems


def _why_broken(page: Path, link: str, root: Path) -> str | None:
    parts = urlsplit(link)
    if parts.scheme or parts.netloc or link.startswith(("//", "mailto:", "javascript:", "data:")):
        return None  # outside the site: Sphinx's `linkcheck` builder is the tool for those
    target = (page.parent / unquote(parts.path)).resolve() if parts.path else page
    if root not in target.parents and target != root:
        return "outside the site"
    if target.is_dir():
        target = target / "index.html"
    if not target.is_file():
        return "no such file"
    fragment = unquote(parts.fragment)
    if fragment and target.suffix == ".html" and fragment not in _read(target).anchors:
        return f"no anchor #{fragment} in {target.relative_to(root)}"
    return None


def _page_lines(page: Path) -> set[str]:
    text = unescape("".join(_read(page).text))
    return {line.strip() for line in text.splitlines() if line.strip()}


def solution_lines(solution: nbformat.NotebookNode) -> set[str]:
    """The telling lines of a solution's regions: long enough, and found nowhere else in the notebook."""
    inside, elsewhere = set(), set()
    for cell in solution.cells:
        within = False
        for line in cell.source.splitlines():
            stripped = line.strip()
            if stripped in (BEGIN, END):
                within = stripped == BEGIN and cell.cell_type == "code"
                continue
            (inside if within else elsewhere).add(stripped)
    return {line for line in inside - elsewhere if len(line) >= _SHORTEST_TELLING_LINE}


def solution_leaks(html: Path, solutions: Path = SOLUTIONS) -> list[str]:
    """``"labs/week01_s3.html: shows a line of week01_s3's solution: ..."`` for each leak found."""
    _read.cache_clear()
    answers = {path.stem: solution_lines(nbformat.read(path, as_version=4))
               for path in sorted(solutions.glob("*.ipynb"))}
    problems = []
    for page in _pages(html):
        lines, name = _page_lines(page), page.relative_to(html)
        problems += [f"{name}: shows the marker {marker!r}" for marker in (BEGIN, END)
                     if any(marker in line for line in lines)]
        telling = answers.get(page.stem, set()) if page.parent.name == "labs" else set()
        problems += [f"{name}: shows a line of its solution: {line}" for line in sorted(telling & lines)]
    return problems
