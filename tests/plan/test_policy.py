"""lakelab plan's policy generation: actions as the emulator's IAM layer names them, resources generalized."""

from __future__ import annotations

import json

import pytest

from lakelab.emulator.services.iam.s3_actions import s3_requests
from lakelab.emulator.services.iam.service_actions import iam_action, service_resources
from lakelab.plan import baseline, policy

ACCOUNT, REGION, LEARNER = "123456789012", "us-east-1", "jd"
WHERE = (REGION, ACCOUNT)


def generalized(resource: str) -> str:
    return policy.generalize(resource, ACCOUNT, REGION, LEARNER)


@pytest.mark.parametrize("operation, params, expected", [
    ("ListObjectsV2", {"Bucket": "lakelab-jd-lake"}, [("s3:ListBucket", "arn:aws:s3:::lakelab-jd-lake")]),
    ("UploadPart", {"Bucket": "b", "Key": "k"}, [("s3:PutObject", "arn:aws:s3:::b/k")]),
    ("CompleteMultipartUpload", {"Bucket": "b", "Key": "k"}, [("s3:PutObject", "arn:aws:s3:::b/k")]),
    ("HeadObject", {"Bucket": "b", "Key": "k"}, [("s3:GetObject", "arn:aws:s3:::b/k")]),
    ("PutBucketLifecycle", {"Bucket": "b"}, [("s3:PutLifecycleConfiguration", "arn:aws:s3:::b")]),
])
def test_s3_calls_are_named_by_the_action_iam_checks(operation, params, expected):
    assert s3_requests(operation, params, b"") == expected


def test_other_services_are_named_by_their_iam_prefix_and_renamed_operations():
    assert iam_action("lambda", "Invoke") == "lambda:InvokeFunction"
    assert iam_action("stepfunctions", "StartExecution") == "states:StartExecution"
    assert iam_action("mwaa", "InvokeRestApi") == "airflow:InvokeRestApi"
    assert service_resources("glue", "GetTable", {"DatabaseName": "lakelab_jd_lake", "Name": "orders"}, WHERE) == [
        "arn:aws:glue:us-east-1:123456789012:catalog", "arn:aws:glue:us-east-1:123456789012:database/lakelab_jd_lake",
        "arn:aws:glue:us-east-1:123456789012:table/lakelab_jd_lake/orders"]


@pytest.mark.parametrize("resource, expected", [
    ("arn:aws:s3:::lakelab-jd-lake", "arn:aws:s3:::lakelab-{learner}-*"),
    ("arn:aws:s3:::lakelab-jd-lake/raw/orders.csv", "arn:aws:s3:::lakelab-{learner}-*"),
    ("arn:aws:glue:us-east-1:123456789012:table/lakelab_jd_lake/orders",
     "arn:aws:glue:{region}:{account}:table/lakelab_{learner}_*"),
    ("arn:aws:iam::123456789012:role/lakelab-jd-glue-crawler", "arn:aws:iam::{account}:role/lakelab-{learner}-*"),
    ("arn:aws:logs:us-east-1:123456789012:log-group:/aws/lambda/lakelab-jd-validator:*",
     "arn:aws:logs:{region}:{account}:log-group:/aws/lambda/lakelab-{learner}-*"),
    ("arn:aws:glue:us-east-1:123456789012:catalog", "arn:aws:glue:{region}:{account}:catalog"),
    ("arn:aws:athena:us-east-1:123456789012:workgroup/primary", "arn:aws:athena:{region}:{account}:workgroup/primary"),
    ("arn:aws:kms:us-east-1:123456789012:key/0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0", "arn:aws:kms:{region}:{account}:key/*"),
    ("arn:aws:emr-serverless:us-east-1:123456789012:/applications/00fabc123def4567",
     "arn:aws:emr-serverless:{region}:{account}:/applications/*"),
    ("arn:aws:dms:us-east-1:123456789012:endpoint:ABCDEFGHIJ0123456789KLMNOP", "arn:aws:dms:{region}:{account}:endpoint:*"),
    ("arn:aws:logs:us-east-1:123456789012:log-group:/aws-glue/jobs/output:log-stream:"
     "jr_e8273f466517a35506a1fbb3a1689e4126c37ff700786f470bf5cd405ef2911e-driver",
     "arn:aws:logs:{region}:{account}:log-group:/aws-glue/jobs/output:log-stream:jr_*-driver"),
    ("*", "*"),
])
def test_resources_are_scoped_to_the_course_prefix_and_lose_made_up_ids(resource, expected):
    assert generalized(resource) == expected


def test_another_learners_prefix_is_not_the_learners():
    assert generalized("arn:aws:s3:::lakelab-jdx-lake") == "arn:aws:s3:::lakelab-jdx-lake"


def test_an_action_checked_on_any_resource_keeps_only_star_and_covered_patterns_go():
    needed = policy.needs([("s3:ListAllMyBuckets", "*"), ("s3:GetObject", "arn:aws:s3:::lakelab-jd-lake/a"),
                           ("s3:GetObject", "arn:aws:s3:::lakelab-jd-lake"), ("sqs:ListQueues", "*"),
                           ("sqs:ListQueues", "arn:aws:sqs:us-east-1:123456789012:lakelab-jd-q")], ACCOUNT, REGION, LEARNER)
    assert needed == {"s3:GetObject": ["arn:aws:s3:::lakelab-{learner}-*"], "s3:ListAllMyBuckets": ["*"],
                      "sqs:ListQueues": ["*"]}


def test_the_document_groups_actions_by_resources_and_renders_for_an_account():
    template = policy.document({"s3:GetObject": ["arn:aws:s3:::lakelab-{learner}-*"],
                                "s3:PutObject": ["arn:aws:s3:::lakelab-{learner}-*"],
                                "s3:ListAllMyBuckets": ["*"],
                                "glue:GetTable": ["arn:aws:glue:{region}:{account}:table/lakelab_{learner}_*"]})
    assert [s["Sid"] for s in template["Statement"]] == ["AnyResource", "Glue", "S3"]
    rendered = policy.render(template, "210987654321", "eu-west-1", "ana")
    assert rendered["Statement"][1]["Resource"] == "arn:aws:glue:eu-west-1:210987654321:table/lakelab_ana_*"
    assert rendered["Statement"][2] == {"Sid": "S3", "Effect": "Allow", "Action": ["s3:GetObject", "s3:PutObject"],
                                        "Resource": "arn:aws:s3:::lakelab-ana-*"}
    assert policy.actions_of(rendered) == ["glue:GetTable", "s3:GetObject", "s3:ListAllMyBuckets", "s3:PutObject"]


def test_the_union_merges_labs_and_splits_into_managed_policies_within_the_quota():
    one = policy.document({"s3:GetObject": ["arn:aws:s3:::lakelab-{learner}-*"]})
    two = policy.document({"s3:GetObject": ["*"], "sqs:SendMessage": ["arn:aws:sqs:{region}:{account}:lakelab-{learner}-*"]})
    merged = policy.union([one, two])
    assert {s["Sid"]: s["Resource"] for s in merged["Statement"]} == {"AnyResource": "*", "Sqs": (
        "arn:aws:sqs:{region}:{account}:lakelab-{learner}-*")}
    many = policy.document({f"glue:Action{n:04d}": ["arn:aws:glue:{region}:{account}:table/lakelab_{learner}_*"]
                            for n in range(900)})
    parts = policy.split(many)
    assert len(parts) > 1 and all(policy.size(part) <= policy.MANAGED_POLICY_LIMIT for part in parts)
    assert sorted(a for part in parts for a in policy.actions_of(part)) == sorted(policy.actions_of(many))
    assert len({s["Sid"] for part in parts for s in part["Statement"]}) == sum(len(p["Statement"]) for p in parts)


def test_generated_actions_are_checked_against_the_service_authorization_reference():
    compared = baseline.compare(["s3:ListBucket", "s3:ListObjectsV2", "glue:GetTable"])
    assert compared["not_in_the_service_authorization_reference"] == ["s3:ListObjectsV2"]
    assert compared["actions_before"] > 10_000 > compared["service_wide_actions"] > 3
    assert json.dumps(compared)  # a plan is JSON


def test_pass_role_is_limited_to_the_services_roles_were_passed_to_and_unions_merge_them():
    role = ["arn:aws:iam::{account}:role/lakelab-{learner}-*"]
    glue = policy.document({"iam:PassRole": role}, policy.passed_to_service(["glue.amazonaws.com"]))
    assert glue["Statement"][0]["Condition"] == {"StringEquals": {"iam:PassedToService": ["glue.amazonaws.com"]}}
    assert policy.passed_to_service(["glue.amazonaws.com", ""]) == {}  # a service with no known principal: none
    states = policy.document({"iam:PassRole": role}, policy.passed_to_service(["states.amazonaws.com"]))
    merged = policy.union([glue, states])["Statement"][0]["Condition"]
    assert merged == {"StringEquals": {"iam:PassedToService": ["glue.amazonaws.com", "states.amazonaws.com"]}}
    assert "Condition" not in policy.union([glue, policy.document({"iam:PassRole": role})])["Statement"][0]
