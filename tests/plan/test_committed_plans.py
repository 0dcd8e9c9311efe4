"""The plans kept in weeks/plans/ were made from the solutions as they are (cheap: hashes only)."""

from __future__ import annotations

import json

from lakelab import course
from lakelab.plan import planner


def test_every_ready_lab_has_a_proven_plan_made_from_its_solutions_code():
    stale = []
    for entry in course.ready():
        path = planner.summary_path(entry.key, planner.committed_folder())
        kept = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
        if kept.get("solution_sha256") != planner.solution_hash(entry.key) or kept.get("format") != planner.FORMAT:
            stale.append(entry.label)
        elif not kept["proof"]["passed"]:
            stale.append(f"{entry.label} (its proof failed)")
    assert not stale, f"plans out of date with their solutions: {', '.join(stale)}: run `make plans`"
