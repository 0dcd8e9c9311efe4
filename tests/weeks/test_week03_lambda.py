"""Week 3 · Lambda: every check passes on the solution and on correct alternatives, and fails with
its hint on the untouched lab and on plausible wrong answers (small patches of the solution);
teardown after the solution leaves nothing of the week (earlier weeks' resources, which Setup
rebuilds, go with the teardown of all weeks)."""

from __future__ import annotations

import pytest
from lab_runs import (
    Patch,
    assert_alternatives_pass,
    assert_wrong_answers_fail,
    run_patched_then_check,
)

from lakelab.notebooks.labs import SOLUTIONS

WEEK = 3

from every_week import *  # noqa: E402,F401,F403  (the five tests every week passes)







# --- the other two states: plausible wrong answers fail, naming what is wrong; alternatives pass -------------

RAW_READ = '"Action": ["s3:GetObject", "s3:GetObjectVersion"],\n            "Resource": f"{bucket_arn}/raw/*",'
REQUIRED_REASON = 'return f"row {number}: {column} is required"'
OUTCOME = '"outcome": "quarantined" if reason else "validated"'

# Run 1: one wrong answer per exercise, none of which stops the others from running.
WRONG = [
    Patch("3.1", RAW_READ, RAW_READ.replace('"s3:GetObjectVersion"', '"s3:GetObjectVersion", "s3:PutObject"'),
          says=("also allowed", "s3:PutObject on", "/raw/orders/orders.csv")),
    Patch("3.3", "    SourceAccount=names.account,\n", "", says=("SourceAccount", "1 permission(s) for S3"),
          name="3.3: no SourceAccount"),
    # (quarantine/ holds 5: the 3.5 patch of the same run keeps the corrected file's stale copy)
    Patch("3.4", REQUIRED_REASON, 'return f"row {number}: a value is missing"',
          says=("3 file(s) in validated/ and 4 in quarantine/", "validated/ holds 3, quarantine/ 5",
                "sample-customer-missing.csv has the reason 'row 1: a value is missing'", "'customer_id'")),
    Patch("3.5", "s3.delete_object(Bucket=bucket, Key=stale)", "pass",
          says=("landed 7, validated 3, quarantined 5", "in both zones: raw/orders/sample-amount-not-numeric.csv")),
    Patch("3.6", "retentionInDays=14", "retentionInDays=365", says=("14 to 90 days", "365 days")),
    Patch("3.7", "if copied_from(bucket, target) == etag:", "if False:",
          says=("rewritten: validated/customers/customers.csv", "and 3 more")),
]
# Run 2: a Deny that names the right ARN, and a runtime Lambda no longer lets you create.
WRONG_DENY = [
    Patch("3.1", '"Sid": "ReadRawZone",\n            "Effect": "Allow",',
          '"Sid": "ReadRawZone",\n            "Effect": "Deny",',
          says=("not allowed", "s3:GetObject on", "/raw/orders/orders.csv (explicitDeny)")),
    Patch("3.2", '"Runtime": "python3.13",', '"Runtime": "python3.7",', says=("no such function",)),
]
# Run 3: s3:* on the whole bucket, and log lines whose outcome says nothing.
WRONG_BROAD = [
    Patch("3.1", RAW_READ, '"Action": "s3:*",\n            "Resource": f"{bucket_arn}/*",',
          says=("s3:DeleteObject on", "curated/orders/orders.parquet", "s3:PutObjectAcl on")),
    Patch("3.6", OUTCOME, '"outcome": "done"',
          says=("outcomes among validated, quarantined, unchanged", "raw/customers/customers.csv: done → unchanged")),
]
ALTERNATIVES = [
    Patch("3.1", 'iam.attach_role_policy(RoleName=ROLE, PolicyArn="arn:aws:iam::aws:policy/service-role/'
                 'AWSLambdaBasicExecutionRole")',
          'iam.put_role_policy(RoleName=ROLE, PolicyName="logs", PolicyDocument=json.dumps({"Version": "2012-10-17", '
          '"Statement": [{"Effect": "Allow", "Action": ["logs:CreateLogGroup", "logs:CreateLogStream", '
          '"logs:PutLogEvents"], "Resource": "*"}]}))', name="3.1: logs through an inline policy"),
    Patch("3.1", '"Action": ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"],\n'
                 '            "Resource": [f"{bucket_arn}/validated/*", f"{bucket_arn}/quarantine/*"],',
          '"Action": ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"],\n'
          '            "Resource": f"{bucket_arn}/validated/*",\n        },\n'
          '        {"Effect": "Allow", "Action": "s3:*Object", "Resource": f"{bucket_arn}/quarantine/*"},\n'
          '        {"Effect": "Allow", "Action": "s3:GetObject", "Resource": f"{bucket_arn}/validated/*",',
          name="3.1: one statement per zone, wildcard actions"),
    Patch("3.2", '"Runtime": "python3.13",', '"Runtime": "python3.12",'),
    Patch("3.3", '"Events": ["s3:ObjectCreated:*"],',
          '"Events": ["s3:ObjectCreated:Put", "s3:ObjectCreated:CompleteMultipartUpload"],'),
    Patch("3.4", REQUIRED_REASON, 'return f"row {number}: required value of {column} is empty"'),
    Patch("3.6", "retentionInDays=14", "retentionInDays=30"),
]


@pytest.fixture(scope="module")
def wrong_runs(week, attached):
    path = SOLUTIONS / f"{week.lab}.ipynb"
    return [(patches, run_patched_then_check(attached, path, WEEK, patches))
            for patches in (WRONG, WRONG_DENY, WRONG_BROAD)]


def test_wrong_answers_fail_naming_what_is_wrong(wrong_runs):
    for patches, outcomes in wrong_runs:
        assert_wrong_answers_fail(WEEK, outcomes, patches)


def test_correct_alternatives_pass(solution_run):
    _, outcomes, _ = solution_run  # the solution ran with ALTERNATIVES applied: see every_week.py
    assert_alternatives_pass(WEEK, outcomes, ALTERNATIVES)
