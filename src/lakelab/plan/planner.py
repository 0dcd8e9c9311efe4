"""``lakelab plan``: a lab's resources, cost and least-privilege policy, from two local runs of its solution.

1. The solution runs as the learner's role holding every action; the emulator's IAM layer records
   each (action, resource) decided for it (``capture``), and ``policy`` turns them into a policy.
2. The solution runs again, on a fresh emulator, as the same role holding only that policy: every
   cell must run and every check pass, and a call outside the policy must be refused.

A plan is kept by the hash of the solution's code cells (outputs change at every execution; code
is what decides the calls): in the user's cache folder, and for the course's own solutions in
``weeks/plans/`` (``make plans`` writes them; a test says when a solution changed after its plan),
so a second ``plan`` -- and ``lakelab bootstrap`` -- never runs anything.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any

from lakelab.plan import policy
from lakelab.plan.run import RunResult, run_in_own_process

FORMAT = 3  # bump when a plan's fields or the policy's rules change: older plans are then made again
LOCAL_ACCOUNT, LOCAL_REGION, LOCAL_LEARNER = "123456789012", "us-east-1", "learner"


def repository() -> Path:
    from lakelab.notebooks.labs import SOLUTIONS

    return SOLUTIONS.parent


def committed_folder() -> Path:
    return repository() / "weeks" / "plans"


def cache_folder() -> Path:
    """``LAKELAB_CACHE``, else the platform's user cache folder (``~/.cache/lakelab/plans`` on Linux)."""
    if os.environ.get("LAKELAB_CACHE"):
        return Path(os.environ["LAKELAB_CACHE"]) / "plans"
    if os.name == "nt":
        return Path(os.environ.get("LOCALAPPDATA", Path.home())) / "lakelab" / "cache" / "plans"
    if os.uname().sysname == "Darwin":
        return Path.home() / "Library" / "Caches" / "lakelab" / "plans"
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "lakelab" / "plans"


def solution_hash(week: Any) -> str:
    """SHA-256 of the solution's code cells, in order (what decides the calls it makes)."""
    import nbformat

    from lakelab import course

    notebook = nbformat.read(repository() / course.week(week).files()["solution"], as_version=4)
    digest = hashlib.sha256(f"plan format {FORMAT}\n".encode())
    for cell in notebook.cells:
        if cell.cell_type == "code":
            digest.update(cell.source.encode() + b"\n\x00")
    return digest.hexdigest()


def summary_path(week: Any, folder: Path) -> Path:
    from lakelab import course

    return folder / f"week{course.week(week).tag}.json"


def kept(week: Any) -> dict | None:
    """A plan made for this solution's code, committed or cached; None if there is none."""
    wanted = solution_hash(week)
    for folder in (committed_folder(), cache_folder()):
        path = summary_path(week, folder)
        try:
            found = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if found.get("solution_sha256") == wanted and found.get("format") == FORMAT:
            return found
    return None


def make(week: Any, progress=print) -> dict:
    """Run the solution twice (learn, then prove) and return the plan."""
    from lakelab import course

    entry = course.week(week)
    progress(f"{entry.label}: running the solution as the learner's role with every action, to learn what it needs ...")
    learned = run_in_own_process(entry.key, None)
    if learned.error or not learned.passed:
        raise PlanError(f"{entry.label}'s solution did not pass as the learner's role: {_why(learned)}")
    needed = policy.needs(learned.authorizations, LOCAL_ACCOUNT, LOCAL_REGION, LOCAL_LEARNER)
    template = policy.document(needed, policy.passed_to_service(learned.passed_to))
    progress(f"{entry.label}: running it again holding only the generated policy ({len(needed)} actions) ...")
    rendered = policy.render(template, LOCAL_ACCOUNT, LOCAL_REGION, LOCAL_LEARNER)
    proof = run_in_own_process(entry.key, policy.split(rendered))
    return _plan(entry, learned, proof, template, needed)


class PlanError(RuntimeError):
    pass


def _why(result: RunResult) -> str:
    failed = [f"check {number} failed ({why})" for number, _, ok, why in result.checks if not ok]
    return "; ".join([result.error, *result.cell_errors[:3], *failed[:3]] if result.error or result.cell_errors
                     else failed[:3]) or "no check ran"


def _plan(entry: Any, learned: RunResult, proof: RunResult, template: dict, needed: dict[str, list[str]]) -> dict:
    from lakelab.plan import baseline

    return {
        "format": FORMAT,
        "lab": entry.lab,
        "week": str(entry.key),
        "solution_sha256": solution_hash(entry.key),
        "resources": [[kind, name.replace(f"lakelab-{LOCAL_LEARNER}", "lakelab-{learner}")
                       .replace(f"lakelab_{LOCAL_LEARNER}", "lakelab_{learner}"), size]
                      for kind, name, size in learned.resources],
        "policy": template,
        "actions": len(needed),
        "actions_on_any_resource": [action for action, resources in needed.items() if resources == ["*"]],
        "before": baseline.compare(list(needed)),
        "validation": validation(template),
        "requests": learned.counts,
        "trail": {"events": sum(learned.trail_calls.values()), "calls": learned.trail_calls},
        "not_named_by_iam": learned.unnamed,
        "proof": {
            "passed": proof.passed and "AccessDenied" in proof.outside_call,
            "checks": [[number, ok] for number, _, ok, _ in proof.checks],
            "cell_errors": proof.cell_errors,
            "denied_inside_the_lab": [list(item) for item in proof.denied if "outside-the-course" not in item[1]],
            "outside_call": proof.outside_call,
        },
        "seconds": {"learn": round(learned.seconds, 1), "prove": round(proof.seconds, 1)},
    }


def validation(template: dict) -> list[list[str]]:
    """IAM Access Analyzer's ValidatePolicy findings on the policy (the emulator's implementation of its checks)."""
    from lakelab.emulator.services.accessanalyzer.api import validate_policy

    rendered = policy.render(template, LOCAL_ACCOUNT, LOCAL_REGION, LOCAL_LEARNER)
    found = validate_policy({"policyDocument": json.dumps(rendered), "policyType": "IDENTITY_POLICY"})["findings"]
    return [[finding["findingType"], finding["issueCode"], finding["findingDetails"]] for finding in found]


def plan(week: Any, fresh: bool = False, progress=print) -> dict:
    """The week's plan: kept if its solution's code is unchanged (unless ``fresh``), else made and cached."""
    found = None if fresh else kept(week)
    if found is not None:
        return found
    made = make(week, progress)
    save(made, cache_folder())
    return made


def save(made: dict, folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = summary_path(made["week"], folder)
    path.write_text(json.dumps(made, indent=1, sort_keys=False) + "\n", encoding="utf-8")
    return path
