"""Teardown sweeps AppFlow: the course's flows (by their tags), then the connector profiles they read through."""

from __future__ import annotations

import pytest

from lakelab import course
from lakelab.lab import sweepers, teardown
from tests.emulator.appflow.appflow_helpers import bucket_for_appflow, map_tasks, s3_destination, salesforce_profile, \
    salesforce_source

WEEK_6 = {"course": "lakelab", "learner": "jd", "week": "06"}


@pytest.fixture
def learner(monkeypatch):
    monkeypatch.setenv("LAKELAB_LEARNER", "jd")
    monkeypatch.setattr(course, "swept_kinds", lambda: {"flow"})  # the week's entry will list its flow


def _flow(appflow, name: str, profile: str, tags: dict[str, str]) -> None:
    appflow.create_flow(flowName=name, triggerConfig={"triggerType": "OnDemand"}, tags=tags,
                        sourceFlowConfig=salesforce_source(profile=profile), tasks=map_tasks(["Id", "Name"]),
                        destinationFlowConfigList=s3_destination("lakelab-jd-raw"))


def test_flows_go_by_their_tags_then_the_profiles_they_read_through(client, learner):
    appflow = client("appflow")
    bucket_for_appflow(client("s3"), "lakelab-jd-raw")
    for profile in ("lakelab-jd-crm", "lakelab-jd-orphan", "lakelab-ab-crm"):
        salesforce_profile(appflow, profile)
    _flow(appflow, "lakelab-jd-crm-accounts", "lakelab-jd-crm", WEEK_6)
    _flow(appflow, "lakelab-jd-untagged", "lakelab-jd-crm", {})  # the course's prefix, not its tags
    _flow(appflow, "lakelab-ab-crm-accounts", "lakelab-ab-crm", {**WEEK_6, "learner": "ab"})

    assert teardown.teardown(week=5, report=lambda line: None) == []  # another week's teardown keeps them
    lines = []
    removed = teardown.teardown(week=6, report=lines.append)
    assert [(r.kind, r.name) for r in removed] == [("flow", "lakelab-jd-crm-accounts"),
                                                  ("connector profile", "lakelab-jd-crm")]
    assert lines[0].startswith("removed flow")
    assert sorted(f["flowName"] for f in appflow.list_flows()["flows"]) == ["lakelab-ab-crm-accounts",
                                                                          "lakelab-jd-untagged"]
    left = appflow.describe_connector_profiles()["connectorProfileDetails"]
    assert sorted(p["connectorProfileName"] for p in left) == ["lakelab-ab-crm", "lakelab-jd-orphan"]


def test_flows_go_before_their_profiles_and_the_buckets_they_write():
    assert [kind for kind, _ in sweepers.in_dependency_order({"flow", "bucket", "role"})] == [
        "flow", "connector profile", "bucket", "role"]
