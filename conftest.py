"""Test-wide environment: the local target with an emulator per kernel, never a real account.

nbval's kernels inherit this process's environment, so solution notebooks run exactly as
``lakelab execute`` ran them when their outputs were stored.
"""

import os

from lakelab.notebooks.execution import test_environment, use_private_kernel_ports

_environment = test_environment()
os.environ.clear()
os.environ.update(_environment)

# Each xdist worker (gw0, gw1, ...) starts its kernels on ports of its own.
_worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
use_private_kernel_ports(int(_worker[2:]) if _worker.startswith("gw") else 4)


# --- longest first ------------------------------------------------------------------------------------
# `make test` runs with --dist loadfile: each file runs whole on one of two workers, handed out as the
# workers free up. pytest-xdist's own order (most tests first) put the files that run notebooks, which
# have few tests, among the last, so one long file could start when the other worker had little left.
# Here the files go longest first (a stable sort: every file's own order is kept) and xdist's reordering
# is off, so that the many short files fill in at the end. The seconds are estimates from a full run on
# two cores; they only order the files, so a wrong one costs time, never a result.
SECONDS_PER_NOTEBOOK_RUN = {"1": 12, "2": 20, "3": 30, "4": 115, "5": 180, "6": 80, "6b": 60, "7": 25, "8": 100}
UNMEASURED_WEEK_RUN = 90  # a week not in the table yet


def _estimated_seconds(path: str) -> float:
    import re

    week = re.search(r"(?:^|/)(?:test_)?week(\d+[a-z]?)_", path)
    run = SECONDS_PER_NOTEBOOK_RUN.get(week.group(1).lstrip("0"), UNMEASURED_WEEK_RUN) if week else 0
    if path.startswith("tests/weeks/"):
        return 3 * run  # the solution (run again for some labs), the untouched lab, at least one group of wrong answers
    if path.startswith("solutions/"):
        return run  # nbval's run of the solution
    return 200 if path == "tests/grading/test_grading.py" else 0  # grades every week's lab at once


def pytest_configure(config):
    if hasattr(config.option, "loadscopereorder"):
        config.option.loadscopereorder = False  # the order below is the one that counts


def pytest_collection_modifyitems(config, items):
    items.sort(key=lambda item: -_estimated_seconds(item.nodeid.split("::", 1)[0]))
