"""Week 7 · Governance: every check passes on the solution and on a correct alternative, and fails with its hint
on the untouched lab and on a plausible wrong answer; teardown after the solution leaves nothing of the week.

A run of the solution takes about 25 s, so the wrong answers that would change what other checks see (a table
left to IAM, a revoked grant) each get a run of their own, and every check's message is tested on its own cause.
"""

from __future__ import annotations

import pytest
from lab_runs import Patch, assert_alternatives_pass, assert_wrong_answers_fail, run_patched_then_check

WEEK = 7

from every_week import *  # noqa: E402,F401,F403  (the five tests every week passes)

WRONG_ANSWERS = {
    "independent": [
        Patch("7.1", '"Resource": f"arn:aws:s3:::{BUCKET}/athena-results/governance/*"},',
              '"Resource": f"arn:aws:s3:::{BUCKET}/*"},', says=("read s3://", "raw/customers/customers.csv"),
              name="7.1: the analysts may read the whole lake bucket"),
        Patch("7.3", '"Name": "customers", "ColumnNames": PII}},',
              '"Name": "customers", "ColumnNames": [c for c in PII if c != "date_of_birth"]}},',
              says=("visible: date_of_birth",), name="7.3: date_of_birth left public"),
        Patch("7.6", '"BucketKeyEnabled": True}]})', '"BucketKeyEnabled": False}]})', says=("Bucket Key",),
              name="7.6: default encryption without a Bucket Key"),
        Patch("7.7", '        if record.get("errorCode"):\n', "        if True:\n",
              says=("not record as refused", "errorCode"), name="7.7: every GetDataAccess listed, allowed ones too"),
    ],
    "orders left to IAM": [
        Patch("7.2", 'for table_name in ("customers", "orders"):\n    try:\n        lakeformation.revoke_permissions(',
              'for table_name in ("customers",):\n    try:\n        lakeformation.revoke_permissions(',
              says=("IAM_ALLOWED_PRINCIPALS still granted on orders",), name="7.2: IAMAllowedPrincipals kept on orders"),
        Patch("7.4", '"RowFilter": {"FilterExpression": "country = \'DE\'"}',
              '"RowFilter": {"FilterExpression": "country = \'de\'"}', says=("all in DE", "case-sensitive"),
              name="7.4: the country in lower case (no rows)"),
    ],
    "grant revoked": [
        Patch("7.5", 'lakeformation.add_lf_tags_to_resource(Resource={"Table": {"DatabaseName": DATABASE, "Name": "orders"}},\n'
                     '                                      LFTags=[{"TagKey": TAG, "TagValues": ["confidential"]}])',
              'lakeformation.revoke_permissions(\n'
              '    Principal={"DataLakePrincipalIdentifier": f"arn:aws:iam::{ACCOUNT}:role/{ANALYST}"},\n'
              '    Resource={"LFTagPolicy": {"ResourceType": "TABLE", "Expression": [{"TagKey": TAG, "TagValues": ["public"]}]}},\n'
              '    Permissions=["SELECT", "DESCRIBE"])',
              says=("still reading customers", "revoking the tag policy"), name="7.5: the analyst's grant revoked"),
    ],
}

ALTERNATIVES = [
    Patch("7.1", '"glue:GetDatabase", "glue:GetDatabases", "glue:GetTable", "glue:GetTables", "glue:GetPartitions"]},',
          '"glue:Get*"]},', name="7.1: Glue's read actions as glue:Get*"),
    Patch("7.2", "lakeformation.register_resource(ResourceArn=GOVERNED, UseServiceLinkedRole=True)",
          'lakeformation.register_resource(ResourceArn=f"arn:aws:s3:::{BUCKET}/curated", UseServiceLinkedRole=True)',
          name="7.2: the whole curated zone registered"),
    Patch("7.3", '    Permissions=["SELECT", "DESCRIBE"])\n### END SOLUTION', '    Permissions=["SELECT"])\n### END SOLUTION',
          name="7.3: SELECT alone on the tag policy"),
    Patch("7.4", '"RowFilter": {"FilterExpression": "country = \'DE\'"}',
          '"RowFilter": {"FilterExpression": "country IN (\'DE\')"}', name="7.4: country IN ('DE')"),
    Patch("7.5", 'if "confidential" not in lakeformation.get_lf_tag(TagKey=TAG)["TagValues"]:\n'
                 '    lakeformation.update_lf_tag(TagKey=TAG, TagValuesToAdd=["confidential"])',
          'try:\n    lakeformation.update_lf_tag(TagKey=TAG, TagValuesToAdd=["confidential"])\n'
          'except lakeformation.exceptions.InvalidInputException:\n    pass  # the value is there already',
          name="7.5: add the value, ignoring 'already there'"),
    Patch("7.6", "kms.enable_key_rotation(KeyId=key_id, RotationPeriodInDays=365)", "kms.enable_key_rotation(KeyId=key_id)",
          name="7.6: rotation at its default period"),
    Patch("7.7", 'LookupAttributes=[{"AttributeKey": "EventName", "AttributeValue": "GetDataAccess"}])\nfor page in pages:\n'
                 '    for event in page["Events"]:\n        record = json.loads(event["CloudTrailEvent"])\n'
                 '        if record.get("errorCode"):',
          'LookupAttributes=[{"AttributeKey": "EventSource", "AttributeValue": "lakeformation.amazonaws.com"}])\n'
          'for page in pages:\n    for event in page["Events"]:\n        record = json.loads(event["CloudTrailEvent"])\n'
          '        if record.get("errorCode") and record["eventName"] == "GetDataAccess":',
          name="7.7: Lake Formation's events, then GetDataAccess"),
]


@pytest.mark.parametrize("group", list(WRONG_ANSWERS))
def test_plausible_wrong_answers_fail_naming_what_is_wrong(attached, solution_path, group):
    outcomes = run_patched_then_check(attached, solution_path, WEEK, WRONG_ANSWERS[group])
    assert_wrong_answers_fail(WEEK, outcomes, WRONG_ANSWERS[group])


def test_correct_alternatives_pass(solution_run):
    _, outcomes, _ = solution_run  # the solution ran with ALTERNATIVES applied: see every_week.py
    assert_alternatives_pass(WEEK, outcomes, ALTERNATIVES)
