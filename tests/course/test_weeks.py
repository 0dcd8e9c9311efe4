"""The weeks' table is the one place a week is described: its files exist, and every view derives from it.

A test-only week added to the table shows up in the curriculum, the lab's resource list, the
prerequisites its Setup cell rebuilds, teardown's sweepers and grading's preloads, with nothing
else edited.
"""

from __future__ import annotations

import importlib.util

import pytest

from lakelab import course
from lakelab.course import naming, prerequisites, weeks
from lakelab.grading import batch
from lakelab.lab import sweepers, teardown
from lakelab.lab.setup_cell import Lab
from lakelab.notebooks.labs import ROOT, SOLUTIONS

# "ledger" (QLDB) is a kind no week creates, so no sweeper removes it.
EXTRA = weeks.Week(10, "extra", "A test-only week", ("s3", "kinesis"), ready=True,
                   resources=(("bucket", "extra"), ("ledger", "clicks")), prerequisites=("lake",))


@pytest.fixture
def extra_week(monkeypatch) -> weeks.Week:
    monkeypatch.setitem(weeks.WEEKS, EXTRA.number, EXTRA)
    return EXTRA


@pytest.mark.parametrize("week", course.ready(), ids=lambda week: week.lab)
def test_a_ready_week_has_its_reading_solution_lab_checks_and_tests(week):
    missing = [f"{what}: {path}" for what, path in week.files().items() if not (ROOT / path).is_file()]
    assert not missing, f"{week.lab} is ready but lacks {missing}"
    assert importlib.util.find_spec(week.checks_module) is not None


def test_every_solution_is_a_ready_week():
    labs = {week.lab for week in course.ready()}
    assert {path.stem for path in SOLUTIONS.glob("*.ipynb")} == labs


def test_every_kind_a_lab_creates_has_a_sweeper():
    """Every sweeper sweeps what some lab creates, but those awaiting their lab (named in sweepers.AWAITING_LAB)."""
    assert [kind for kind, _ in sweepers.in_dependency_order(course.swept_kinds())] == [
        k for k, _ in sweepers.ORDER if k not in sweepers.AWAITING_LAB]
    assert not set(sweepers.AWAITING_LAB) & course.swept_kinds(), "a lab lists them now: empty AWAITING_LAB"


def test_the_curriculum_is_the_table(extra_week):
    assert course.week(10) is extra_week and course.ready()[-1] is extra_week
    names = naming.Names(10, "jd", "123456789012", "us-east-1", globally_unique=False)
    assert names.tags["lab"] == "week10_extra"


def test_the_labs_resource_list_is_the_entrys(extra_week):
    names = naming.Names(10, "jd", "123456789012", "us-east-1", globally_unique=False)
    lab = Lab(extra_week, target=None, names=names, check=None)
    assert lab.resources() == ["  • bucket    lakelab-jd-extra", "  • ledger    lakelab-jd-clicks"]


def test_prerequisites_are_the_entrys(extra_week):
    assert prerequisites.rebuilders(10) == [prerequisites.ensure_lake]
    assert prerequisites.rebuilders(1) == [] and prerequisites.rebuilders(3) == [prerequisites.ensure_lake]
    assert prerequisites.rebuilders(4) == [prerequisites.ensure_lake, prerequisites.ensure_validated_zone]


def test_teardown_sweeps_the_kinds_the_entries_create(extra_week, monkeypatch):
    assert "ledger" in course.swept_kinds()
    with pytest.raises(ValueError, match="no sweeper removes ledger"):
        teardown.find()  # refused before anything is listed: the table names a kind nothing removes
    monkeypatch.setattr(weeks, "WEEKS", {1: weeks.WEEKS[1]})
    assert sweepers.in_dependency_order(course.swept_kinds()) == [("bucket", sweepers.buckets),
                                                                   ("queue", sweepers.queues)]


def test_grading_preloads_the_entrys_checks_and_services(extra_week):
    preloads = batch.preloads(extra_week)
    assert "lakelab.checks.week10_extra" in preloads and "moto.kinesis.models" in preloads
    with pytest.raises(batch.GradingError, match="week10_extra has no checks yet"):
        batch.week_of("week10_extra")


def test_week_7_lists_its_lake_formation_resources_as_the_lab_names_them():
    names = naming.Names(7, "jd", "123456789012", "us-east-1", globally_unique=True)
    lines = Lab(course.week(7), target=None, names=names, check=None).resources()
    assert lines[0] == "  • database  lakelab_jd_governed"
    assert lines[5:] == ["  • registered location s3://lakelab-jd-123456789012-us-east-1-lake/curated/governed/",
                         "  • lf-tag    lakelab-jd-classification", "  • data cells filter lakelab-jd-customers-de",
                         "  • key       alias/lakelab-jd-lake-key", "  • bucket    lakelab-jd-123456789012-us-east-1-audit-logs",
                         "  • trail     lakelab-jd-audit-trail"]
    assert course.week(7).ready and course.week(7).prerequisites == ("lake",)
