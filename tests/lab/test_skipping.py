"""Cells and checks a target cannot run say so in one line, instead of failing with a traceback."""

from __future__ import annotations

import pytest

from lakelab import targets
from lakelab.checks.framework import Check
from lakelab.lab import skipping

LACKS = {"lambda-code": "this target runs no function's code"}


def test_a_cell_declares_what_it_needs_on_its_first_line_only():
    assert skipping.needs("# needs: lambda-code\nprint(1)\n") == ["lambda-code"]
    assert skipping.needs("\n#needs: lambda-code, iam-evaluation\n") == ["lambda-code", "iam-evaluation"]
    assert skipping.needs("print(1)\n# needs: lambda-code\n") == []
    assert skipping.needs("# needs lambda-code\n") == []


def test_a_cell_needing_what_the_target_lacks_becomes_one_line_saying_why(capsys):
    transform = skipping.transformer(LACKS)
    lines = ["# needs: lambda-code\n", "raise RuntimeError('never run')\n"]
    replaced = transform(lines)
    exec("".join(replaced), {})  # noqa: S102 - the replacement prints a literal
    assert len(replaced) == 1
    assert capsys.readouterr().out == "⏭ skipped on this target: this target runs no function's code.\n"
    assert transform(["print(1)\n"]) == ["print(1)\n"]
    assert skipping.transformer({})(lines) == lines


@pytest.fixture
def target_lacking(monkeypatch):
    target = targets.Target("localstack", "000000000000", "us-east-1", lacks=dict(LACKS))
    monkeypatch.setattr("lakelab.targets.choice._current", target)
    return target


def _check(needs: tuple[str, ...]) -> Check:
    def fails() -> None:
        raise AssertionError("the check ran")

    return Check(3, "3.4", "files reach their zone", "hint", fails, needs=needs)


def test_a_check_needing_what_the_target_lacks_says_it_cannot_be_shown(target_lacking, capsys):
    _check(("lambda-code",))()
    assert capsys.readouterr().out == ("⏭ SKIP 3.4 files reach their zone: not shown on this target, because this "
                                       "target runs no function's code\n")
    with pytest.raises(AssertionError, match="the check ran"):
        _check(("iam-evaluation",))()  # a capability the target has: the check runs
