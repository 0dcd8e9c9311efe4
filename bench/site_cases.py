"""The course site and JupyterLab in a browser: ``make site``'s build, and ``make lab`` to the Setup cell's output.

Run as ``python bench/site_cases.py``; prints one JSON object on its last line, whose ``rows`` are the table
lines ``bench/run.py`` prints. The site is built in a child process (as ``make site`` does) into a temporary
folder; its CPU time is the child's, its wall time includes waiting for a shared machine. The browser path
runs what ``tests/lab/test_lab_in_a_browser.py`` runs, timing each phase; it is skipped without Chromium.
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "lab"))


def site() -> list[tuple[str, float, str]]:
    with tempfile.TemporaryDirectory() as out:
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        started = time.perf_counter()
        subprocess.run([sys.executable, "-m", "lakelab.site", "--out", out], cwd=ROOT, check=True,
                       capture_output=True)
        wall = time.perf_counter() - started
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        pages = len(list(Path(out, "html").rglob("*.html")))
    cpu = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
    return [("make site: build and check the course site", wall, f"{pages} pages; goal ≤ 30 s on 2 cores"),
            ("make site: CPU time of the build", cpu, "user + system")]


def browser() -> list[tuple[str, float, str]]:
    from headless_chromium import Browser, find_chromium
    from test_lab_in_a_browser import LAB, NOTEBOOK_READY, SETUP_CELL, SETUP_OUTPUT, make_lab

    chromium = find_chromium()
    if chromium is None:
        return []
    with tempfile.TemporaryDirectory() as folder:
        started = time.perf_counter()
        with make_lab(Path(folder)) as (base, token):
            up = time.perf_counter()
            with Browser(chromium, Path(folder) / "chromium", f"{base}/lab/tree/{LAB}?token={token}") as page:
                page.wait_for(NOTEBOOK_READY, 120, "the notebook")
                ready = time.perf_counter()
                position = page.wait_for(SETUP_CELL, 10, "the Setup cell")
                page.click(position["x"], position["y"])
                page.shift_enter()
                page.wait_for(SETUP_OUTPUT + "?.includes('This lab creates')", 120, "the Setup output")
                ran = time.perf_counter()
        stopped = time.perf_counter()
    return [("make lab: JupyterLab answering (emulator started first)", up - started, ""),
            ("headless Chromium: week 1 open, kernel idle", ready - up, ""),
            ("the Setup cell: Shift+Enter to its output", ran - ready, ""),
            ("browser test end to end (start to stopped)", stopped - started, "goal ≤ 60 s on 2 cores")]


if __name__ == "__main__":
    rows = site() + browser()
    print(json.dumps({"rows": rows}))
