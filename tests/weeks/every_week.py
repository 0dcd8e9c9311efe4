"""The tests every week's lab passes, imported by each ``test_weekNN_<slug>.py`` (which sets ``WEEK``).

The solution runs without errors and passes every check; the untouched lab fails every check with
its hint and tells the learner where to write; teardown after the solution leaves nothing of the
week. The other two states of each check (plausible wrong answers, correct alternatives) are the
week's own ``Patch`` lists, in its test file.

One run of the solution serves the solution's tests and the correct alternatives': ``solution_run``
runs it with the week's ``ALTERNATIVES`` applied (a notebook run is the suite's unit of cost, up to
three minutes for week 5), and ``test_correct_alternatives_pass`` reads that run's outcomes. Nothing
becomes unable to fail:

- an alternative that breaks a check fails ``test_correct_alternatives_pass`` and
  ``test_every_check_passes_on_the_solution`` (and, as the solution's own check cells then raise
  CheckFailed, ``test_solution_runs_without_errors``); a patch that no longer matches exactly one
  cell fails the fixture, so every test of the solution errors;
- an error anywhere the alternatives do not edit still fails ``test_solution_runs_without_errors``,
  and one an alternative brings in does too;
- the plain solution, untouched, is run by nbval (``make test`` runs ``solutions/*.ipynb`` with
  ``--nbval``): any error fails it, and every check cell's committed output (that the check passed)
  must be printed again. What that run does not compare is what the checks read from outside the
  kernel, as the grader does, and the teardown: those are proven here on the solution with its
  alternatives, whose resources are the same ones, made another way. Running only ``tests/weeks``
  proves the plain solution only through the alternatives' run: run ``solutions`` with ``--nbval``
  too when a change touches the lines an alternative replaces.
"""

from __future__ import annotations

import lab_runs
import pytest
from lab_runs import assert_checks_fail_with_hints, errors


def test_solution_runs_without_errors(solution_run, week):
    executed, _, _ = solution_run
    raised = errors(executed)
    assert not raised, f"{week.label} solution raised: {raised[0]['ename']}: {raised[0]['evalue']}"


def test_every_check_passes_on_the_solution(solution_run, week):
    _, outcomes, _ = solution_run
    failed = {number: message for number, message in outcomes.items() if message}
    assert not failed, f"{week.label}: " + "\n".join(failed.values())
    assert len(outcomes) >= 3


def test_every_check_fails_with_its_hint_on_the_untouched_lab(lab_run, week):
    _, outcomes = lab_run
    assert_checks_fail_with_hints(week.key, outcomes)


def test_untouched_lab_tells_the_learner_where_to_write(lab_run):
    executed, _ = lab_run
    raised = [error["ename"] for error in errors(executed)]
    assert "NotImplementedError" in raised and "CheckFailed" in raised


def test_teardown_after_the_solution_leaves_nothing(solution_run, week):
    _, _, leftovers = solution_run
    assert leftovers == [], f"{week.label}: teardown left {leftovers}"


def test_the_solution_runs_again_over_its_own_state(solution_run, week):
    """Every exercise cell can be run again (create-or-update, never "already exists"): the plain solution,
    run a second time over what the first run left (without its Clean up), raises nothing and passes every
    check. The first run had the week's correct alternatives applied, so the second also proves that
    changing an answer and running the cells again converges on the solution's state."""
    if week.key not in lab_runs.AGAIN:
        pytest.skip(f"{week.lab} runs again with `make test-twice` (minutes a run: no room in the suite's budget)")
    raised, outcomes = lab_runs.AGAIN[week.key]
    assert not raised, f"{week.label}, second run: {raised[0]['ename']}: {raised[0]['evalue'][:400]}"
    failed = {number: message for number, message in outcomes.items() if message}
    assert not failed, f"{week.label}, after the second run:\n" + "\n".join(failed.values())
