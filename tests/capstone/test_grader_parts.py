"""The capstone grader's parts on small states (seconds each): finding the orchestration, breaking and mending
its roles, the tagging inventory, and the teardown that still removes untagged resources named with the prefix.
The criteria on whole builds are in tests/weeks/test_week09_capstone.py."""

from __future__ import annotations

import json

import boto3

from lakelab.capstone import contract, inventory
from lakelab.capstone import pipeline as orchestration
from lakelab.course import naming

TAGS = naming.for_week(9).tags
TRUST = {"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": {"Service": "states.amazonaws.com"}, "Action": "sts:AssumeRole"}]}
PASS_ONLY = json.dumps({"StartAt": "Done", "States": {"Done": {"Type": "Pass", "End": True}}})


def _state_machine(name: str, tags: dict[str, str]) -> str:
    iam, sfn = boto3.client("iam"), boto3.client("stepfunctions")
    try:
        role = iam.create_role(RoleName=f"{name}-role", AssumeRolePolicyDocument=json.dumps(TRUST),
                               Tags=[{"Key": k, "Value": v} for k, v in TAGS.items()])["Role"]["Arn"]
    except iam.exceptions.EntityAlreadyExistsException:
        role = iam.get_role(RoleName=f"{name}-role")["Role"]["Arn"]
    return sfn.create_state_machine(name=name, definition=PASS_ONLY, roleArn=role,
                                    tags=[{"key": k, "value": v} for k, v in tags.items()])["stateMachineArn"]


def test_the_orchestration_is_found_by_its_tag_and_only_one(emulator):
    terms = contract()
    assert orchestration.find(terms) == (None, "no state machine or MWAA environment tagged component=pipeline")
    _state_machine("lakelab-learner-helper", TAGS)  # the course's tags, not the pipeline's
    assert orchestration.find(terms)[0] is None
    _state_machine("lakelab-learner-daily", {**TAGS, "component": "pipeline"})
    found, seen = orchestration.find(terms)
    assert (found.kind, found.name, seen) == ("state machine", "lakelab-learner-daily",
                                              "state machine lakelab-learner-daily")
    assert found.run(timeout=30) == (True, "execution SUCCEEDED")
    _state_machine("lakelab-learner-other", {**TAGS, "component": "pipeline"})
    found, seen = orchestration.find(terms)
    assert found is None and seen.startswith("2 orchestrations tagged component=pipeline")


def test_breaking_denies_the_service_roles_reading_raw_customers_and_mending_removes_only_that(emulator):
    terms, iam = contract(), boto3.client("iam")
    _state_machine("lakelab-learner-daily", {**TAGS, "component": "pipeline"})
    iam.create_role(RoleName="lakelab-learner-analyst", AssumeRolePolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::123456789012:root"},
                                                "Action": "sts:AssumeRole"}]}))
    broken = orchestration.break_reading(terms, orchestration.find(terms)[0])
    assert broken == ["lakelab-learner-daily-role"]  # the persona is a person's role: left alone
    policy = iam.get_role_policy(RoleName=broken[0], PolicyName=orchestration.BREAK_POLICY)["PolicyDocument"]
    assert policy["Statement"][0]["Resource"] == f"arn:aws:s3:::{terms.bucket}/raw/customers/*"
    orchestration.mend(broken)
    assert iam.list_role_policies(RoleName=broken[0])["PolicyNames"] == []


def test_untagged_resources_are_reported_and_teardown_still_removes_them(emulator):
    s3, sqs = boto3.client("s3"), boto3.client("sqs")
    s3.create_bucket(Bucket="lakelab-learner-lake")
    s3.put_bucket_tagging(Bucket="lakelab-learner-lake", Tagging={"TagSet": [{"Key": k, "Value": v} for k, v in TAGS.items()]})
    sqs.create_queue(QueueName="lakelab-learner-forgotten")  # named with the prefix, no tags
    assert sorted(inventory.prefixed()) == [("bucket", "lakelab-learner-lake", True),
                                            ("queue", "lakelab-learner-forgotten", False)]
    left, outside = inventory.tear_down()
    assert (left, outside) == ([], [])
    assert sqs.list_queues().get("QueueUrls", []) == [] and s3.list_buckets()["Buckets"] == []


def test_a_course_tagged_resource_without_the_prefix_is_what_teardown_cannot_find(emulator):
    s3 = boto3.client("s3")
    s3.create_bucket(Bucket="acme-shop-raw")
    s3.put_bucket_tagging(Bucket="acme-shop-raw", Tagging={"TagSet": [{"Key": k, "Value": v} for k, v in TAGS.items()]})
    left, outside = inventory.tear_down()
    assert left == [] and outside == ["arn:aws:s3:::acme-shop-raw"]
