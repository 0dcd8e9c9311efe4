"""The course site: readings, labs, the curriculum and the instructors' guide as static HTML.

``make site`` (``python -m lakelab.site``) stages the pages (:mod:`lakelab.site.sources`) and builds
them with Sphinx and MyST-NB into ``build/site/html`` (git-ignored), with every warning an error: a
page in no table of contents, a link to a page or heading that does not exist, a notebook that does
not parse. :mod:`lakelab.site.checks` then checks the HTML itself: every internal link and anchor
resolves, and no solution region of a lab appears anywhere.
"""

from __future__ import annotations

from pathlib import Path

from lakelab.notebooks.labs import ROOT

CONF_DIR = Path(__file__).parent
OUT = ROOT / "build" / "site"


class SiteError(RuntimeError):
    """The site did not build, or what it built is wrong; the message says where."""


def build(out: Path = OUT, root: Path = ROOT, quiet: bool = True) -> Path:
    """Stage and build the site under ``out``; return the folder of its HTML (``out/html``)."""
    from sphinx.cmd.build import build_main

    from lakelab.site.sources import stage

    stage(out / "source", root)
    html = out / "html"
    arguments = ["-b", "html", "-c", str(CONF_DIR), "-W", "--keep-going", "-n", "-E", "-d", str(out / "doctrees"),
                 str(out / "source"), str(html)]
    if quiet:
        arguments.insert(0, "-q")
    if build_main(arguments) != 0:
        raise SiteError("the site did not build: Sphinx's warnings above say why (each warning is an error)")
    return html
