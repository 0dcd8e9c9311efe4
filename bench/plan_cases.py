"""Bench: ``lakelab plan`` for every ready lab, made fresh (two runs of each solution: learn, then prove).

Prints one JSON line: rows of (what, seconds, note) with, per lab, the actions of the generated
policy against the policy a learner held before (AdministratorAccess) and against ``<service>:*`` for
the services the lab calls. ``--summaries DIR`` also writes each plan there (``make plans`` does, into
``weeks/plans``).
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path


def main() -> None:
    options = argparse.ArgumentParser()
    options.add_argument("--summaries", default=None)
    options.add_argument("--week", action="append", default=None)
    arguments = options.parse_args()
    from lakelab import course
    from lakelab.plan import planner

    rows = []
    started = time.perf_counter()
    for entry in course.ready():
        if arguments.week and str(entry.key) not in arguments.week:
            continue
        began = time.perf_counter()
        try:
            made = planner.make(entry.key, progress=lambda line: None)
        except planner.PlanError as error:
            rows.append((f"plan {entry.label}", time.perf_counter() - began, f"FAILED: {error}"[:300]))
            continue
        if arguments.summaries:
            planner.save(made, Path(arguments.summaries))
        before = made["before"]
        proof = made["proof"]
        checks = f"{sum(ok for _, ok in proof['checks'])}/{len(proof['checks'])} checks"
        rows.append((f"plan {entry.label} (learn {made['seconds']['learn']:.0f} s + prove {made['seconds']['prove']:.0f} s)",
                     time.perf_counter() - began,
                     f"{made['actions']} actions vs {before['actions_before']:,} before (AdministratorAccess), "
                     f"{before['service_wide_actions']:,} as <service>:* over {len(before['services'])} services; "
                     f"proof {'passed' if proof['passed'] else 'FAILED'} ({checks})"))
    rows.append(("plan, every lab", time.perf_counter() - started, "fresh: nothing cached"))
    print(json.dumps({"rows": rows}))


if __name__ == "__main__":
    main()
