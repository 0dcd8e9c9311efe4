"""lakelab classroom: GitHub Classroom's autograding workflow per lab; lakelab check --save/--results/--exercise."""

from __future__ import annotations

import json
import re

import pytest
import yaml

from lakelab import course
from lakelab.checks import checks_for
from lakelab.cli import main
from lakelab.grading import classroom
from lakelab.grading.results import CheckResult, Outcome

WEEKS = [week.number for week in course.ready() if __import__("importlib").util.find_spec(week.checks_module)]


@pytest.mark.parametrize("week", WEEKS)
def test_the_workflow_has_github_classrooms_shape_one_grader_step_per_counted_exercise(tmp_path, week):
    lab = course.week(week).lab
    assert main(["classroom", "--lab", lab, "--out", str(tmp_path), "--points", "5"]) == 0
    document = yaml.safe_load((tmp_path / ".github" / "workflows" / "classroom.yml").read_text())
    assert document["name"] == "Autograding Tests" and document["on"] == ["push", "repository_dispatch"]
    assert document["permissions"] == {"checks": "write", "actions": "read", "contents": "read"}
    job = document["jobs"]["run-autograding-tests"]
    assert job["runs-on"] == "ubuntu-latest" and job["if"] == "github.actor != 'github-classroom[bot]'"
    steps = job["steps"]
    assert steps[0]["uses"] == "actions/checkout@v4"
    grade = next(step for step in steps if "run" in step and "--save" in step["run"])
    assert f"lakelab check labs/{lab}.ipynb --save {classroom.RESULTS}" in grade["run"]
    graders = [step for step in steps if step.get("uses") == "classroom-resources/autograding-command-grader@v1"]
    counted = [check for check in checks_for(week) if not check.stretch]
    assert [step["with"]["test-name"] for step in graders] == [f"{c.number} {c.title}" for c in counted]
    for step, check in zip(graders, counted):
        assert set(step["with"]) == {"test-name", "setup-command", "command", "timeout", "max-score"}
        assert step["with"]["max-score"] == 5 and isinstance(step["with"]["timeout"], int)
        assert step["with"]["command"].endswith(f"--results {classroom.RESULTS} --exercise {check.number}")
        assert re.fullmatch(r"[a-z0-9-]+", step["id"])
    reporter = steps[-1]
    assert reporter["uses"] == "classroom-resources/autograding-grading-reporter@v1"
    ids = [step["id"] for step in graders]
    assert reporter["with"]["runners"] == ",".join(ids) and len(set(ids)) == len(ids)
    assert reporter["env"] == {f"{i.upper()}_RESULTS": f"${{{{steps.{i}.outputs.result}}}}" for i in ids}
    assert steps.index(grade) < steps.index(graders[0])


def test_an_unknown_lab_is_refused(tmp_path, capsys):
    assert main(["classroom", "--lab", "week01_glue", "--out", str(tmp_path)]) == 2
    assert "week01_s3" in capsys.readouterr().err and not (tmp_path / ".github").exists()


def test_check_saves_the_outcome_and_each_exercise_step_reads_its_own_result(tmp_path, monkeypatch, capsys):
    from lakelab import grading

    outcome = Outcome("labs/week01_s3.ipynb", "week01_s3", "graded", 2,
                      [CheckResult("1.1", "bucket", False, True), CheckResult("1.2", "versioning", False, False,
                                                                               "Enabled", "never enabled", "call it")])
    monkeypatch.setattr(grading, "check", lambda *args: outcome)
    saved = tmp_path / "result.json"
    assert main(["check", "labs/week01_s3.ipynb", "--save", str(saved)]) == 1
    assert json.loads(saved.read_text())["checks"][0]["number"] == "1.1"
    monkeypatch.undo()
    capsys.readouterr()
    assert main(["check", "--results", str(saved), "--exercise", "1.1"]) == 0
    assert main(["check", "--results", str(saved), "--exercise", "1.2"]) == 1
    assert "hint: call it" in capsys.readouterr().out
    assert main(["check", "--results", str(saved), "--exercise", "1.9"]) == 1
    assert main(["check", "--results", str(tmp_path / "missing.json"), "--exercise", "1.1"]) == 2
    assert main(["check"]) == 2 and "give a notebook" in capsys.readouterr().err
