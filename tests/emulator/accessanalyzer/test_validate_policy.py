"""IAM Access Analyzer's ValidatePolicy, called as a learner calls it: findings, issue codes, locations."""

from __future__ import annotations

import json

import pytest
from botocore.exceptions import ClientError

LINK = "https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-reference-policy-checks.html"


def _findings(client, policy, policy_type: str = "IDENTITY_POLICY") -> list[dict]:
    document = policy if isinstance(policy, str) else json.dumps(policy, indent=4)
    pages = client("accessanalyzer").get_paginator("validate_policy").paginate(
        policyDocument=document, policyType=policy_type)
    return [f for page in pages for f in page["findings"]]


def _codes(findings: list[dict]) -> list[tuple[str, str]]:
    return [(f["findingType"], f["issueCode"]) for f in findings]


def _statement(**elements) -> dict:
    return {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", **elements}]}


def test_a_least_privilege_policy_has_no_findings(client):
    policy = _statement(Action=["s3:GetObject", "s3:ListBucket"],
                        Resource=["arn:aws:s3:::lakelab-lake", "arn:aws:s3:::lakelab-lake/curated/*"])
    assert _findings(client, policy) == []


def test_the_empty_sid_example_of_the_aws_cli_reference_is_located_as_aws_locates_it(client):
    document = ('{\n    "Version": "2012-10-17",\n    "Statement": [\n        {\n            "Sid": "",\n'
                '            "Effect": "Allow",\n            "Action": "s3:GetObject",\n            "Resource": "*"\n'
                '        }\n    ]\n}')
    [found] = _findings(client, document)
    assert found == {
        "findingDetails": "Add a value to the empty string in the Sid element.", "findingType": "SUGGESTION",
        "issueCode": "EMPTY_SID_VALUE",
        "learnMoreLink": f"{LINK}#access-analyzer-reference-policy-checks-suggestion-empty-sid-value",
        "locations": [{"path": [{"value": "Statement"}, {"index": 0}, {"value": "Sid"}],
                       "span": {"start": {"line": 5, "column": 19, "offset": 79},
                                "end": {"line": 5, "column": 21, "offset": 81}}}]}


def test_pass_role_with_a_wildcard_resource_is_a_security_warning(client):
    found = _findings(client, _statement(Action="iam:PassRole", Resource="*"))
    assert _codes(found) == [("SECURITY_WARNING", "PASS_ROLE_WITH_STAR_IN_RESOURCE")]
    assert found[0]["locations"][0]["path"] == [{"value": "Statement"}, {"index": 0}, {"value": "Resource"}]
    scoped = _statement(Action="iam:PassRole", Resource="*",
                        Condition={"StringEquals": {"iam:PassedToService": "glue.amazonaws.com"}})
    assert _findings(client, scoped) == []
    assert _codes(_findings(client, _statement(Action="iam:*", Resource="arn:aws:iam::123456789012:role/*"))) == [
        ("SECURITY_WARNING", "PASS_ROLE_WITH_STAR_IN_ACTION_AND_RESOURCE")]
    assert _codes(_findings(client, _statement(NotAction="s3:*", Resource="*"))) == [
        ("SECURITY_WARNING", "PASS_ROLE_WITH_STAR_IN_RESOURCE_AND_NOT_ACTION")]
    not_resource = _statement(Action="iam:PassRole", NotResource="arn:aws:iam::123456789012:role/x")
    assert _codes(_findings(client, not_resource)) == [
        ("SECURITY_WARNING", "PASS_ROLE_WITH_NOT_RESOURCE")]
    assert _findings(client, _statement(Action="iam:PassRole", Resource="arn:aws:iam::123456789012:role/etl")) == []


def test_unknown_actions_and_services_are_errors_with_a_suggestion(client):
    found = _findings(client, _statement(Action=["s3:GetObjet", "athenna:StartQueryExecution", "glue:Get*"],
                                         Resource="*"))
    assert _codes(found) == [("ERROR", "INVALID_ACTION"), ("ERROR", "INVALID_SERVICE_IN_ACTION")]
    assert found[0]["findingDetails"] == "The action s3:GetObjet does not exist. Did you mean s3:GetObject?"
    assert found[1]["findingDetails"] == ("The service athenna specified in the action does not exist. "
                                          "Did you mean athena?")
    assert found[0]["locations"][0]["path"][-2:] == [{"value": "Action"}, {"index": 0}]


def test_missing_version_redundant_action_and_statement(client):
    statement = {"Effect": "Allow", "Action": ["s3:*", "s3:GetObject"], "Resource": "arn:aws:s3:::lakelab-lake/*"}
    found = _findings(client, {"Statement": [statement, dict(statement, Sid="Again")]})
    assert _codes(found) == [("WARNING", "MISSING_VERSION"), ("SUGGESTION", "REDUNDANT_ACTION"),
                             ("SUGGESTION", "REDUNDANT_ACTION"), ("SUGGESTION", "REDUNDANT_STATEMENT")]
    assert found[1]["findingDetails"] == ("The 1 action(s) are redundant because they provide similar permissions. "
                                          "Update the policy to remove the redundant action such as: s3:GetObject.")


def test_arns_are_checked_against_the_services_formats(client):
    found = _findings(client, _statement(Action="s3:GetObject", Resource=[
        "s3:::lakelab-lake/*", "arn:aws:s3::123456789012:lakelab-lake/*", "arn:aws:s3:us-east-1::lakelab-lake/*",
        "arn:aws:iam::12345:role/etl", "arn:aws:S3:::lakelab-lake", "arn:aws:kms::123456789012:key/1"]))
    assert [f["issueCode"] for f in found] == ["INVALID_ARN_PREFIX", "ARN_ACCOUNT_NOT_ALLOWED",
                                               "ARN_REGION_NOT_ALLOWED", "INVALID_ARN_ACCOUNT",
                                               "INVALID_ARN_SERVICE_CASE", "MISSING_ARN_REGION"]


def test_grammar_errors_and_empty_arrays(client):
    found = _findings(client, {"Version": "2012-10-17", "Statement": [
        {"Effect": "Permit", "Action": [], "Resource": [], "Principal": "*", "Condtion": {}},
        {"Effect": "Allow", "Action": "s3:GetObject", "NotAction": "s3:PutObject"}]})
    assert _codes(found) == [
        ("ERROR", "INVALID_POLICY_ELEMENT"), ("ERROR", "INVALID_EFFECT"), ("ERROR", "UNSUPPORTED_PRINCIPAL"),
        ("SUGGESTION", "EMPTY_ARRAY_ACTION"), ("SUGGESTION", "EMPTY_ARRAY_RESOURCE"),
        ("ERROR", "UNSUPPORTED_ELEMENT_COMBINATION"), ("ERROR", "MISSING_RESOURCE")]


def test_conditions(client):
    found = _findings(client, _statement(Action="s3:GetObject", Resource="*", Condition={
        "StringEquals": {"aws:PrincipalTag/team": "data*"}, "StringEqualz": {"aws:username": "ana"},
        "StringLike": {"s3:prefix": []}}))
    assert [f["issueCode"] for f in found] == ["WILDCARD_WITHOUT_LIKE_OPERATOR", "INVALID_CONDITION_OPERATOR",
                                               "EMPTY_ARRAY_CONDITION"]


def test_a_resource_policy_needs_a_principal_and_allow_with_not_principal_is_a_warning(client):
    policy = {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::lakelab-lake/*"},
        {"Effect": "Allow", "NotPrincipal": {"AWS": "arn:aws:iam::123456789012:root"}, "Action": "s3:GetObject",
         "Resource": "arn:aws:s3:::lakelab-lake/*"}]}
    assert _codes(_findings(client, policy, "RESOURCE_POLICY")) == [
        ("ERROR", "MISSING_PRINCIPAL"), ("SECURITY_WARNING", "ALLOW_WITH_NOT_PRINCIPAL")]


def test_json_syntax_error(client):
    [found] = _findings(client, '{"Version": "2012-10-17", "Statement": [}')
    assert found["issueCode"] == "JSON_SYNTAX_ERROR"
    assert found["findingDetails"] == "Fix the JSON syntax error at index 40 line 1 column 40."


def test_pages_and_what_is_not_implemented_is_refused_by_name(client):
    analyzer = client("accessanalyzer")
    policy = json.dumps({"Statement": [{"Effect": "Allow", "Action": ["s3:*", "s3:GetObject"], "Resource": "*"}]})
    first = analyzer.validate_policy(policyDocument=policy, policyType="IDENTITY_POLICY", maxResults=1)
    assert len(first["findings"]) == 1 and first["nextToken"]
    with pytest.raises(ClientError) as refused:
        analyzer.validate_policy(policyDocument=policy, policyType="SERVICE_CONTROL_POLICY")
    assert "not implemented" in refused.value.response["Error"]["Message"]
    with pytest.raises(ClientError) as refused:
        analyzer.list_analyzers()
    assert refused.value.response["Error"]["Code"] == "UnsupportedOperation"


def test_validate_policy_is_an_iam_action_of_its_own(client):
    iam = client("iam")
    trust = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {
        "AWS": "arn:aws:iam::123456789012:root"}, "Action": "sts:AssumeRole"}]}
    role = iam.create_role(RoleName="author", AssumeRolePolicyDocument=json.dumps(trust))["Role"]["Arn"]
    credentials = client("sts").assume_role(RoleArn=role, RoleSessionName="ana")["Credentials"]
    analyzer = client("accessanalyzer", aws_access_key_id=credentials["AccessKeyId"],
                      aws_secret_access_key=credentials["SecretAccessKey"],
                      aws_session_token=credentials["SessionToken"])
    with pytest.raises(ClientError) as refused:
        analyzer.validate_policy(policyDocument="{}", policyType="IDENTITY_POLICY")
    assert "access-analyzer:ValidatePolicy" in refused.value.response["Error"]["Message"]
    iam.put_role_policy(RoleName="author", PolicyName="lint", PolicyDocument=json.dumps(
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "access-analyzer:ValidatePolicy",
                                                 "Resource": "*"}]}))
    assert analyzer.validate_policy(policyDocument="{}", policyType="IDENTITY_POLICY")["findings"]


def test_statement_grammar_version_and_sids(client):
    found = _findings(client, {"Version": "2012-10-18", "Statement": [
        {"Sid": "read lake", "Action": "s3:GetObject", "Resource": "*"},
        {"Effect": "Allow", "Resource": "*"}]})
    assert _codes(found) == [("ERROR", "INVALID_VERSION"), ("ERROR", "UNSUPPORTED_SID"), ("ERROR", "MISSING_EFFECT"),
                             ("ERROR", "MISSING_ACTION")]
    assert found[0]["findingDetails"] == ("The version 2012-10-18 is not valid. Use one of the following versions: "
                                          "2012-10-17, 2008-10-17")
    assert _codes(_findings(client, {"Version": "2012-10-17"})) == [("ERROR", "MISSING_STATEMENT")]
    assert _codes(_findings(client, _statement(Action="s3:GetObject", Resource=["*", 7]))) == [
        ("ERROR", "DATA_TYPE_MISMATCH")]


def test_wildcard_actions_must_match_an_action_and_service_names_take_no_wildcard(client):
    found = _findings(client, _statement(Action=["s3:Get*", "s3:Fetch*", "s*:GetObject"], Resource="*"))
    assert _codes(found) == [("ERROR", "INVALID_ACTION"), ("SUGGESTION", "WILDCARD_IN_SERVICE_NAME")]
    assert found[0]["findingDetails"] == "The action s3:Fetch* does not exist."
