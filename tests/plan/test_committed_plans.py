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


def test_lakelab_plan_answers_at_once_from_the_kept_plan(capsys, tmp_path, monkeypatch):
    from lakelab.cli import main

    monkeypatch.setenv("LAKELAB_LEARNER", "jd")
    monkeypatch.setenv("LAKELAB_CACHE", str(tmp_path / "cache"))  # nothing cached: the committed plan answers
    assert main(["plan", "--week", "1", "--json", "--policy-out", str(tmp_path / "policy.json"),
                 "--account", "210987654321", "--region", "eu-west-1"]) == 0
    planned = json.loads(capsys.readouterr().out)
    assert planned["lab"] == "week01_s3" and planned["proof"]["passed"]
    assert {"kind": "bucket", "name": "lakelab-jd-210987654321-eu-west-1-lake", "size": ""} in planned["resources"]
    written = json.loads((tmp_path / "policy.json").read_text())
    assert written == planned["policy"] and "arn:aws:s3:::lakelab-jd-*" in json.dumps(written)
    assert not (tmp_path / "cache").exists()
