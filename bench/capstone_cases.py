"""Capstone grading time per submission: the reference solution and the untouched capstone through
``lakelab grade`` (a fresh emulator each, nbval, the ten criteria from outside), one at a time.

Run as ``python bench/capstone_cases.py``; prints one JSON object on its last line, whose ``rows`` are the
table lines ``bench/run.py`` prints. Goal: at most 3 minutes a submission on 2 cores, every part included
(the notebook's run, the replayed day, the broken run and its alarm, the teardown).
"""

from __future__ import annotations

import json
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
GOAL_S = 180


def main() -> None:
    from lakelab import grading

    rows = []
    with tempfile.TemporaryDirectory() as folder:
        for name, source in (("reference", ROOT / "solutions" / "week09_capstone.ipynb"),
                             ("untouched", ROOT / "labs" / "week09_capstone.ipynb")):
            copy = Path(folder) / f"{name}_week09_capstone.ipynb"
            copy.write_bytes(source.read_bytes())
            started = time.perf_counter()
            (outcome,) = grading.grade([copy], "capstone", out=None, jobs=1, timeout=900)
            seconds = time.perf_counter() - started
            rows.append((f"capstone grading: the {name} notebook", seconds,
                         f"score {outcome.score:g}, {outcome.status}; goal ≤ {GOAL_S} s a submission"))
    print(json.dumps({"rows": rows}))


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT / "src"))
    main()
