"""lakelab plan end to end on week 1: learned from a run as the learner's role, proven by a second run under it."""

from __future__ import annotations

import json

import pytest

from lakelab.plan import planner, report


@pytest.fixture(scope="module")
def made() -> dict:
    return planner.make(1, progress=lambda line: None)  # two runs of the solution, about 40 s each


def test_the_plan_lists_what_the_lab_creates_and_what_its_policy_allows(made):
    assert made["resources"] == [["bucket", "lakelab-{learner}-lake", ""], ["queue", "lakelab-{learner}-raw-events", ""]]
    statements = {statement["Sid"]: statement for statement in made["policy"]["Statement"]}
    s3 = statements["S3"]
    assert s3["Resource"] == "arn:aws:s3:::lakelab-{learner}-*"
    # named as IAM names them: ListObjectsV2 -> s3:ListBucket, the lifecycle calls -> ...LifecycleConfiguration
    assert {"s3:ListBucket", "s3:PutLifecycleConfiguration", "s3:PutBucketPolicy", "s3:PutObject"} <= set(s3["Action"])
    assert not {"s3:ListObjectsV2", "s3:PutBucketLifecycle"} & set(s3["Action"])
    assert "s3:ListAllMyBuckets" in statements["AnyResource"]["Action"]
    assert made["before"]["not_in_the_service_authorization_reference"] == []
    assert made["actions"] < made["before"]["service_wide_actions"] < made["before"]["actions_before"]
    assert made["trail"]["events"] > 0 and made["not_named_by_iam"] == {}
    assert made["validation"] == []  # IAM Access Analyzer's ValidatePolicy (the emulator's) finds nothing


def test_the_solution_passes_every_check_holding_only_the_policy_and_a_call_outside_it_is_denied(made):
    proof = made["proof"]
    assert proof["passed"], proof
    assert proof["checks"] and all(ok for _, ok in proof["checks"]) and proof["cell_errors"] == []
    assert proof["denied_inside_the_lab"] == []
    assert "AccessDenied: User: arn:aws:sts::123456789012:assumed-role/LakeLabs-learner/lakelab-plan is not " \
           "authorized to perform: s3:CreateBucket on resource: \"arn:aws:s3:::outside-the-course-" in proof["outside_call"]


def test_the_report_names_the_learners_resources_prices_them_and_writes_the_policy(made, tmp_path):
    planned = report.for_learner(made, "210987654321", "eu-west-1", "ana")
    assert [r["name"] for r in planned["resources"]] == ["lakelab-ana-210987654321-eu-west-1-lake", "lakelab-ana-raw-events"]
    assert 0 < planned["cost"]["usd"] < 0.01 and planned["cost"]["lab_minutes"] == 60
    written = report.write_policy(planned, str(tmp_path / "policy.json"))
    assert "arn:aws:s3:::lakelab-ana-*" in json.loads(written.read_text())["Statement"][-2]["Resource"]
    text = report.text(planned, "made now")
    assert "Proof (PASS)" in text and "AccessDenied" in text and "22," in text  # AdministratorAccess's count
