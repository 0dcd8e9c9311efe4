"""Sphinx settings for the course site (``make site``); :mod:`lakelab.site.sources` stages the pages.

The labs are rendered as generated (no outputs): myst-nb never executes them here.
"""

project = "Lake Labs"
author = "Lake Labs contributors"
copyright = "Lake Labs contributors, Apache-2.0"

extensions = ["myst_nb"]
# myst-nb renders the stored notebook; nothing runs at build time (the labs have no outputs).
nb_execution_mode = "off"
# Headings down to ### get anchors, so `[text](page.md#a-heading)` links resolve and are checked.
myst_heading_anchors = 3
myst_enable_extensions = ["colon_fence", "deflist"]
exclude_patterns = ["_build"]
# A page that is in no table of contents is a build error (-W), so no reading is ever left out.
html_theme = "alabaster"
html_title = "Lake Labs"
html_theme_options = {"description": "Data engineering on AWS, on a laptop", "show_relbars": True,
                      "page_width": "1100px", "sidebar_width": "260px"}
html_sidebars = {"**": ["about.html", "navigation.html", "relations.html", "searchbox.html"]}
html_show_sourcelink = False
html_copy_source = False
# A reading's sketch of a statement (with "…" for what is left out) is not valid SQL: Pygments then
# highlights it in its relaxed mode, which renders well; that is not worth failing the build for.
suppress_warnings = ["misc.highlighting_failure"]
