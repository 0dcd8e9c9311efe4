"""A least-privilege policy from the authorizations a run needed, as IAM Access Analyzer's policy generation does.

Access Analyzer reads a principal's CloudTrail events and writes a policy of the actions they used
(https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-policy-generation.html). Here the
emulator's own IAM layer names the action and resource of every call -- the same code that enforces
policies (``services/iam``: ``ListObjectsV2`` is ``s3:ListBucket``, each part of a multipart upload
``s3:PutObject``, Athena's reads of the catalog and S3 made as its caller ``glue:GetTable`` and
``s3:GetObject``) -- so the policy is built from those (action, resource) pairs, not from a second table.

Resources are generalized so the policy holds on another run and another account:

- a name with the course's prefix (``lakelab-<learner>-``, Glue's ``lakelab_<learner>_``) becomes the
  prefix and ``*``: ``arn:aws:s3:::lakelab-learner-*``;
- an id AWS makes up (a KMS key, an EMR Serverless application, a DMS endpoint) becomes ``*``;
- the account and Region become placeholders, filled in by :func:`render`;
- an action the service checks on ``*`` (no resource-level permissions) keeps ``*``.
"""

from __future__ import annotations

import fnmatch
import json
import re
from collections.abc import Iterable

ACCOUNT, REGION, LEARNER = "{account}", "{region}", "{learner}"
_UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
_MADE_UP_ID = re.compile(r"^(?=[A-Za-z0-9]*\d)[A-Za-z0-9]{16,}$")
# A managed policy holds at most 6,144 characters, white space not counted (IAM and STS quotas:
# https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html).
MANAGED_POLICY_LIMIT = 6144


def generalize(resource: str, account: str, region: str, learner: str) -> str:
    """The resource pattern a policy names for ``resource`` (see the module's rules)."""
    if resource == "*" or not resource.startswith("arn:"):
        return "*"
    found = re.search(rf"lakelab([-_]){re.escape(learner)}([-_]|(?=[/:])|$)", resource)
    if found:  # the learner's own prefix, not another learner's whose id starts the same
        prefix = f"lakelab{found.group(1)}{LEARNER}{found.group(2)}"
        return _placeholders(resource[:found.start()], account, region) + prefix + "*"
    parts = resource.split(":", 5)
    if len(parts) < 6:
        return "*"
    parts[5] = _without_ids(parts[5])
    return _placeholders(":".join(parts), account, region)


def _placeholders(text: str, account: str, region: str) -> str:
    parts = text.split(":", 5)
    if len(parts) >= 5:
        parts[3] = REGION if parts[3] == region else parts[3]
        parts[4] = ACCOUNT if parts[4] == account else parts[4]
    return ":".join(parts)


_ID_INSIDE = re.compile(r"(?<![A-Za-z0-9])(?=[A-Za-z0-9]*\d)[A-Za-z0-9]{16,}(?![A-Za-z0-9])")


def _without_ids(resource_part: str) -> str:
    """Ids AWS makes up become ``*``: whole (a key's UUID) or inside a name (a Glue run's log stream
    ``jr_<64 hex>-driver``)."""
    pieces = re.split(r"([/:])", resource_part)
    return "".join("*" if _UUID.match(piece) or _MADE_UP_ID.match(piece) else _ID_INSIDE.sub("*", piece)
                   for piece in pieces)


def needs(authorizations: Iterable[tuple[str, str]], account: str, region: str, learner: str) -> dict[str, list[str]]:
    """Action -> the resource patterns it needs, each covered once (``*`` covers everything)."""
    found: dict[str, set[str]] = {}
    for action, resource in authorizations:
        found.setdefault(action, set()).add(generalize(resource, account, region, learner))
    return {action: _covering(patterns) for action, patterns in sorted(found.items(), key=lambda item: item[0].lower())}


def _covering(patterns: set[str]) -> list[str]:
    if "*" in patterns:
        return ["*"]
    kept = [pattern for pattern in patterns
            if not any(other != pattern and fnmatch.fnmatchcase(pattern, other) for other in patterns)]
    return sorted(kept)


def passed_to_service(services: Iterable[str]) -> dict[str, dict]:
    """The condition of ``iam:PassRole``: only to the services the run handed roles to (AWS's advice, and
    Access Analyzer's PASS_ROLE_WITH_STAR_IN_RESOURCE warning otherwise)."""
    found = sorted(set(services))
    if not found or "" in found:  # a role passed to a service whose principal is not known: no condition
        return {}
    return {"iam:PassRole": {"StringEquals": {"iam:PassedToService": found}}}


def document(needed: dict[str, list[str]], conditions: dict[str, dict] | None = None) -> dict:
    """The policy document: one statement per set of resources (and condition), actions sorted (deterministic)."""
    conditions = conditions or {}
    groups: dict[tuple[tuple[str, ...], str], list[str]] = {}
    for action, resources in needed.items():
        groups.setdefault((tuple(resources), json.dumps(conditions.get(action), sort_keys=True)), []).append(action)
    statements = []
    for (resources, condition), actions in sorted(groups.items(), key=lambda item: (item[0][0] != ("*",),
                                                                                      sorted(item[1]), item[0][1])):
        statement = {"Sid": _sid(actions, resources), "Effect": "Allow", "Action": sorted(actions, key=str.lower),
                     "Resource": list(resources) if len(resources) > 1 else resources[0]}
        if json.loads(condition):
            statement["Condition"] = json.loads(condition)
        statements.append(statement)
    _unique_sids(statements)
    return {"Version": "2012-10-17", "Statement": statements}


def _sid(actions: list[str], resources: tuple[str, ...]) -> str:
    """``S3``, ``GlueAthena``...: the services of the statement (``AnyResource`` for those checked on ``*``)."""
    if resources == ("*",):
        return "AnyResource"
    services = sorted({action.split(":", 1)[0] for action in actions})
    names = [re.sub(r"[^A-Za-z0-9]", "", service.title()) for service in services]
    return "".join(names[:3]) + ("Etc" if len(names) > 3 else "")


def _unique_sids(statements: list[dict]) -> None:
    seen: dict[str, int] = {}
    for statement in statements:
        sid = statement["Sid"]
        seen[sid] = seen.get(sid, 0) + 1
        statement["Sid"] = sid if seen[sid] == 1 else f"{sid}{seen[sid]}"


def render(template: dict, account: str, region: str, learner: str) -> dict:
    """The policy for one account, Region and learner (placeholders filled in)."""
    text = json.dumps(template)
    for placeholder, value in ((ACCOUNT, account), (REGION, region), (LEARNER, learner)):
        text = text.replace(placeholder, value)
    return json.loads(text)


def actions_of(policy: dict) -> list[str]:
    statements = policy.get("Statement", [])
    return sorted({action for statement in statements for action in _as_list(statement.get("Action"))}, key=str.lower)


def _as_list(value) -> list:
    return value if isinstance(value, list) else [value] if value else []


def union(templates: Iterable[dict]) -> dict:
    """One policy allowing what each of ``templates`` allows (their needs merged and re-covered; a condition's
    values merged, and dropped where another lab needs the action without it)."""
    merged: dict[str, set[str]] = {}
    conditions: dict[str, dict | None] = {}
    for template in templates:
        for statement in template.get("Statement", []):
            for action in _as_list(statement.get("Action")):
                merged.setdefault(action, set()).update(_as_list(statement.get("Resource")))
                conditions[action] = _merged_condition(conditions.get(action, {}), statement.get("Condition"))
    return document({action: _covering(patterns) for action, patterns in
                     sorted(merged.items(), key=lambda item: item[0].lower())},
                    {action: condition for action, condition in conditions.items() if condition})


def _merged_condition(kept: dict | None, more: dict | None) -> dict | None:
    if kept is None or more is None:  # None: some lab needs the action unconditioned
        return None
    merged = {operator: {key: list(values) for key, values in keys.items()} for operator, keys in kept.items()}
    for operator, keys in more.items():
        for key, values in keys.items():
            merged.setdefault(operator, {})[key] = sorted(set(merged.get(operator, {}).get(key, [])) | set(_as_list(values)))
    return merged


def size(policy: dict) -> int:
    """Characters IAM counts against a policy's quota (white space is not counted)."""
    return len(re.sub(r"\s", "", json.dumps(policy)))


def split(policy: dict, limit: int = MANAGED_POLICY_LIMIT) -> list[dict]:
    """``policy`` as managed policies of at most ``limit`` characters each (a statement too large is cut by actions)."""
    parts: list[list[dict]] = [[]]
    for statement in _small_statements(policy["Statement"], limit):
        candidate = {"Version": "2012-10-17", "Statement": [*parts[-1], statement]}
        if parts[-1] and size(candidate) > limit:
            parts.append([])
        parts[-1].append(statement)
    return [{"Version": "2012-10-17", "Statement": statements} for statements in parts if statements]


def _small_statements(statements: list[dict], limit: int) -> list[dict]:
    found = []
    for statement in statements:
        actions = _as_list(statement["Action"])
        if size({"Version": "2012-10-17", "Statement": [statement]}) <= limit or len(actions) < 2:
            found.append(statement)
            continue
        half = len(actions) // 2
        found += _small_statements([{**statement, "Sid": statement["Sid"] + "A", "Action": actions[:half]},
                                    {**statement, "Sid": statement["Sid"] + "B", "Action": actions[half:]}], limit)
    return found


# Services that create their service-linked role the first time an account uses them, as the caller: the call then
# needs iam:CreateServiceLinkedRole for that service name. The emulator has no service-linked roles to create, so a
# run cannot observe it; a policy for AWS adds it (the service names are AWS's for each role; unverified which
# calls create them on a fresh account: RDS's and MWAA's user guides say CreateDBInstance and CreateEnvironment do).
SERVICE_LINKED_ROLES = {
    "rds:CreateDBInstance": "rds.amazonaws.com",
    "airflow:CreateEnvironment": "airflow.amazonaws.com",
    "emr-serverless:CreateApplication": "ops.emr-serverless.amazonaws.com",
    "redshift-serverless:CreateNamespace": "redshift.amazonaws.com",
    "lakeformation:RegisterResource": "lakeformation.amazonaws.com",
}


def for_aws(template: dict) -> dict:
    """``template`` with what a fresh account also needs and no local run can show: the service-linked roles
    of the services the lab starts (a statement ``ServiceLinkedRoles``, limited by ``iam:AWSServiceName``)."""
    services = sorted({SERVICE_LINKED_ROLES[action] for action in actions_of(template) if action in SERVICE_LINKED_ROLES})
    if not services:
        return template
    statement = {"Sid": "ServiceLinkedRoles", "Effect": "Allow", "Action": "iam:CreateServiceLinkedRole",
                 "Resource": f"arn:aws:iam::{ACCOUNT}:role/aws-service-role/*",
                 "Condition": {"StringEquals": {"iam:AWSServiceName": services}}}
    return {**template, "Statement": [*template["Statement"], statement]}
