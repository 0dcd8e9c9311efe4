"""Week 2 · Glue Data Catalog and Athena: every check passes on the solution and fails with its hint on the untouched
lab; teardown after the solution leaves nothing of the week (earlier weeks' resources, which Setup
rebuilds, go with the teardown of all weeks)."""

from __future__ import annotations

from lab_runs import assert_checks_fail_with_hints, errors

WEEK = 2


def test_solution_runs_without_errors(solution_run):
    executed, _, _ = solution_run
    raised = errors(executed)
    assert not raised, f"week {WEEK} solution raised: {raised[0]['ename']}: {raised[0]['evalue']}"


def test_every_check_passes_on_the_solution(solution_run):
    _, outcomes, _ = solution_run
    failed = {number: message for number, message in outcomes.items() if message}
    assert not failed, f"week {WEEK}: " + "\n".join(failed.values())
    assert len(outcomes) >= 3


def test_every_check_fails_with_its_hint_on_the_untouched_lab(lab_run):
    _, outcomes = lab_run
    assert_checks_fail_with_hints(WEEK, outcomes)


def test_untouched_lab_tells_the_learner_where_to_write(lab_run):
    executed, _ = lab_run
    raised = [error["ename"] for error in errors(executed)]
    assert "NotImplementedError" in raised and "CheckFailed" in raised


def test_teardown_after_the_solution_leaves_nothing(solution_run):
    _, _, leftovers = solution_run
    assert leftovers == [], f"week {WEEK}: teardown left {leftovers}"
