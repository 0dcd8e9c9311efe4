"""``lakelab plan --week N`` and ``make plans`` (every ready lab, plans kept in ``weeks/plans/``)."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path


def plan_command(week: str, as_json: bool, policy_out: str | None, fresh: bool, save: str | None,
                 account: str | None, region: str | None) -> int:
    from lakelab import course
    from lakelab.plan import planner

    if week == "all":
        return _every_lab(Path(save) if save else planner.committed_folder(), fresh)
    try:
        entry = course.week(week)
    except ValueError as error:
        print(f"lakelab plan: {error}", file=sys.stderr)
        return 2
    if not entry.ready:
        print(f"lakelab plan: {entry.label} has no solution yet", file=sys.stderr)
        return 2
    progress = (lambda line: print(line, file=sys.stderr)) if as_json else print
    found = None if fresh else planner.kept(entry.key)
    source = _source(entry.key) if found else "made now from two runs of the solution (then cached)"
    try:
        made = found or planner.plan(entry.key, fresh=True, progress=progress)
    except planner.PlanError as error:
        print(f"lakelab plan: {error}", file=sys.stderr)
        return 1
    if save:
        planner.save(made, Path(save))
    return _show(made, source, as_json, policy_out, account, region)


def _source(week) -> str:
    from lakelab.plan import planner

    committed = planner.summary_path(week, planner.committed_folder())
    try:
        if json.loads(committed.read_text(encoding="utf-8")).get("solution_sha256") == planner.solution_hash(week):
            return f"kept in {committed.relative_to(planner.repository())} for this solution's code"
    except (OSError, ValueError):
        pass
    return f"kept in {planner.cache_folder()} for this solution's code"


def _show(made: dict, source: str, as_json: bool, policy_out: str | None, account: str | None,
          region: str | None) -> int:
    from lakelab.course import naming
    from lakelab.plan import report

    account = account or os.environ.get("LAKELAB_AWS_ACCOUNT") or "123456789012"
    region = region or os.environ.get("AWS_DEFAULT_REGION") or "us-east-1"
    planned = report.for_learner(made, account, region, naming.learner())
    if policy_out:
        written = report.write_policy(planned, policy_out)
        print(f"policy written to {written}", file=sys.stderr if as_json else sys.stdout)
    print(json.dumps(planned, indent=1) if as_json else report.text(planned, source))
    return 0 if made["proof"]["passed"] else 1


def _every_lab(folder: Path, fresh: bool) -> int:
    """Make the plan of every ready lab whose kept plan is missing or stale, into ``folder``."""
    from lakelab import course
    from lakelab.plan import planner

    failed = 0
    for entry in course.ready():
        current = planner.summary_path(entry.key, folder)
        try:
            kept = json.loads(current.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            kept = {}
        if not fresh and kept.get("solution_sha256") == planner.solution_hash(entry.key) \
                and kept.get("format") == planner.FORMAT and kept["proof"]["passed"]:
            print(f"{entry.label}: up to date ({current.name})")
            continue
        try:
            made = planner.make(entry.key)
        except planner.PlanError as error:
            print(f"{entry.label}: {error}")
            failed += 1
            continue
        planner.save(made, folder)
        print(f"{entry.label}: {made['actions']} actions, proof {'passed' if made['proof']['passed'] else 'FAILED'}, "
              f"{made['seconds']['learn'] + made['seconds']['prove']:.0f} s -> {current}")
        failed += not made["proof"]["passed"]
    return 1 if failed else 0
