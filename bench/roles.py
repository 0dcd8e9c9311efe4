"""The role a benchmark's crawler or job runs as: IAM is enforced, so it must be allowed its work."""

from __future__ import annotations

import json


def work_role(iam, name: str, service: str) -> str:
    """Create (or find) role ``name`` that ``service`` may assume, allowed S3, Glue and Logs; its ARN."""
    trust = {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"Service": f"{service}.amazonaws.com"}, "Action": "sts:AssumeRole"}]}
    try:
        arn = iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(trust))["Role"]["Arn"]
    except iam.exceptions.EntityAlreadyExistsException:
        arn = iam.get_role(RoleName=name)["Role"]["Arn"]
    work = {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": ["s3:*", "glue:*", "logs:*"], "Resource": "*"}]}
    iam.put_role_policy(RoleName=name, PolicyName="bench-work", PolicyDocument=json.dumps(work))
    return arn
