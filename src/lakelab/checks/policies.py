"""Reading IAM roles as checks need them: trust, tags, attached policies, what inline policies allow."""

from __future__ import annotations

import fnmatch

import boto3

from lakelab.checks.framework import expect
from lakelab.course import naming, weeks


def listed(values: object) -> list:
    """A policy field as a list: IAM accepts one value or a list of them."""
    return values if isinstance(values, list) else [values]


def allows(statements: list[dict], action: str, resource: str) -> bool:
    """Whether an Allow statement covers ``action`` on ``resource`` (wildcards as IAM reads them)."""
    return any(
        statement.get("Effect") == "Allow"
        and any(fnmatch.fnmatchcase(action.lower(), pattern.lower()) for pattern in listed(statement.get("Action", [])))
        and any(fnmatch.fnmatchcase(resource, pattern) for pattern in listed(statement.get("Resource", [])))
        for statement in statements
    )


def inline_statements(role: str) -> list[dict]:
    """Every statement of the role's inline policies."""
    iam = boto3.client("iam")
    documents = [iam.get_role_policy(RoleName=role, PolicyName=name)["PolicyDocument"]
                 for name in iam.list_role_policies(RoleName=role)["PolicyNames"]]
    return [statement for document in documents for statement in listed(document.get("Statement", []))]


def s3_resources_outside(statements: list[dict], bucket_arn: str) -> list[str]:
    """Resources of S3 statements that are not the bucket or its objects ('*' among them)."""
    s3_statements = [s for s in statements
                     if any(action.lower().startswith("s3:") or action == "*" for action in listed(s.get("Action", [])))]
    resources = {resource for s in s3_statements for resource in listed(s.get("Resource", []))}
    return sorted(r for r in resources if r != bucket_arn and not r.startswith(f"{bucket_arn}/"))


def trusted_services(role: dict) -> list[str]:
    """The AWS services the role's trust policy lets assume it."""
    trust = listed(role["AssumeRolePolicyDocument"].get("Statement", []))
    principals = [s.get("Principal", {}) for s in trust if s.get("Effect") == "Allow"]
    return [service for p in principals if isinstance(p, dict) for service in listed(p.get("Service", []))]


def role_tags(role: str) -> dict[str, str]:
    return {t["Key"]: t["Value"] for t in boto3.client("iam").list_role_tags(RoleName=role)["Tags"]}


def attached_policies(role: str) -> list[str]:
    return [p["PolicyArn"] for p in boto3.client("iam").list_attached_role_policies(RoleName=role)["AttachedPolicies"]]


def missing_permissions(statements: list[dict], needed: list[tuple[str, str]]) -> list[str]:
    """The ``(action, resource ARN)`` pairs no statement allows, as ``"action on resource"``."""
    return [f"{action} on {resource}" for action, resource in needed if not allows(statements, action, resource)]


def expect_role(name: str, service: str, needed: list[tuple[str, str]], bucket_arn: str, week: int | str) -> None:
    """Inside a check: the role is the course's, trusts ``service``, allows ``needed`` and no other bucket."""
    role = boto3.client("iam").get_role(RoleName=name)["Role"]
    tags = role_tags(name)
    expect(naming.is_course_resource(tags, week), expected=f"role tags course, week {weeks.week(week).tag}, learner",
           found=f"tags {tags}")
    services = trusted_services(role)
    expect(service in services, expected=f"a trust policy for {service}", found=services or "no service trusted")
    statements = inline_statements(name)
    missing = missing_permissions(statements, needed)
    expect(not missing, expected="an inline policy allowing what the job reads and writes",
           found=f"not allowed: {', '.join(missing)}")
    outside = s3_resources_outside(statements, bucket_arn)
    expect(not outside, expected=f"S3 access limited to {bucket_arn}", found=f"also {outside}",
           hint="least privilege: name the lake bucket's ARN (and its prefixes) as Resource, never '*'")
