"""``lakelab bootstrap --target aws``: guardrails on a sandbox account, after checking it is not production.

Checks first, reading only: the credentials belong to ``LAKELAB_AWS_ACCOUNT``; no account alias contains
"prod" (``targets.aws``); and, where AWS Organizations' tags of the account can be read, none says it is
production (a tag ``environment``, ``env`` or ``stage`` valued ``prod`` or ``production``). AWS lets only
the organization's management account or a delegated administrator call ListTagsForResource
(https://docs.aws.amazon.com/organizations/latest/APIReference/API_ListTagsForResource.html): elsewhere the
tags cannot be read, and bootstrap says so. Then, only after a typed ``yes`` (or ``--yes``), it creates:

- a monthly cost budget ``LakeLabs-<learner>-monthly`` with e-mail alerts at 80% of actual spend and 100% of
  forecast spend (Budgets CreateBudget with NotificationsWithSubscribers:
  https://docs.aws.amazon.com/aws-cost-management/latest/APIReference/API_budgets_CreateBudget.html);
  a budget with notifications costs nothing (AWS Price List, AWSBudgets: $0.00 a budget-day);
- the learner's role ``LakeLabs-<learner>``, which the account's principals may assume, holding the union
  of the labs' generated least-privilege policies (``lakelab plan``, kept in ``weeks/plans/``) as managed
  policies ``LakeLabs-<learner>-<n>`` (at most 6,144 characters each; a role takes 10 by default:
  https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html), made a Lake Formation data
  lake administrator in the Region (week 7's reading: whoever runs the lab must be one, and root cannot be;
  GetDataLakeSettings first, since PutDataLakeSettings replaces every setting).

Both are tagged ``course=lakelab-guardrails``, ``learner``, ``lab=bootstrap``: not the labs' ``course=lakelab``,
so ``lakelab teardown`` deliberately keeps them. The budget is free and its alert is what notices a charge
teardown could not see (something untagged, another Region) hours later, when billing data arrives; the role
is what the learner runs teardown as. ``lakelab bootstrap --remove --yes`` removes exactly these.

Fidelity note: the local emulator keeps a budget's notifications but not its tags (moto has no Budgets
TagResource and ignores CreateBudget's ResourceTags), and cannot show its subscribers (no
DescribeSubscribersForNotification); on AWS all are kept.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from lakelab.targets.choice import TargetError

PRODUCTION_TAG_KEYS = ("environment", "env", "stage")
PRODUCTION_TAG_VALUES = ("prod", "production")
ROLE_POLICY_QUOTA = 10  # managed policies attached to a role, by default
Clients = Callable[[str], Any]  # service name -> a boto3 client of the account


@dataclass(frozen=True)
class Guardrails:
    account: str
    region: str
    learner: str
    email: str
    monthly_usd: float

    @property
    def budget(self) -> str:
        return f"{self.role}-monthly"

    @property
    def role(self) -> str:
        from lakelab.plan.run import GUARDRAIL_PREFIX

        return f"{GUARDRAIL_PREFIX}-{self.learner}"  # outside the labs' names, which labs sweep and inventory

    @property
    def tags(self) -> list[dict[str, str]]:
        return [{"Key": "course", "Value": "lakelab-guardrails"}, {"Key": "learner", "Value": self.learner},
                {"Key": "lab", "Value": "bootstrap"}]


def check_account(clients: Clients, expected: str) -> list[str]:
    """Refuse (TargetError) anything but the named, non-production sandbox; the lines of what was checked."""
    from lakelab.targets import aws

    account = clients("sts").get_caller_identity()["Account"]
    aws.refuse_other_account(account, expected)
    aws.refuse_production(account, clients("iam"))
    return [f"account {account} is LAKELAB_AWS_ACCOUNT", "no account alias contains \"prod\"",
            _refuse_production_tags(clients("organizations"), account)]


def _refuse_production_tags(organizations: Any, account: str) -> str:
    from botocore.exceptions import ClientError

    try:
        organizations.describe_organization()
        tags = organizations.list_tags_for_resource(ResourceId=account).get("Tags", [])
    except ClientError as error:
        code = error.response.get("Error", {}).get("Code", "")
        if code == "AWSOrganizationsNotInUseException":
            return "the account belongs to no organization (no Organizations tags to read)"
        return f"Organizations tags not readable here ({code}): only the management account or a delegated " \
               f"administrator can read them"
    for tag in tags:
        if tag["Key"].lower() in PRODUCTION_TAG_KEYS and tag["Value"].lower() in PRODUCTION_TAG_VALUES:
            raise TargetError(f"account {account} is tagged {tag['Key']}={tag['Value']} in AWS Organizations, which "
                              f"says production: Lake Labs refuses it; use a sandbox account; nothing was created")
    return f"no Organizations tag of the account says production ({len(tags)} tag(s) read)"


def union_policy() -> dict:
    """Every ready lab's generated policy, merged (placeholders unfilled); refuses a missing or stale plan."""
    from lakelab import course
    from lakelab.plan import planner, policy

    templates, missing = [], []
    for entry in course.ready():
        found = planner.kept(entry.key)
        (templates.append(found["policy"]) if found and found["proof"]["passed"] else missing.append(entry.label))
    if missing:
        raise TargetError(f"no proven plan for {', '.join(missing)} matches its solution: run `make plans` (or "
                          f"`lakelab plan --week N` for each) first; nothing was created")
    return policy.for_aws(policy.union(templates))


def create(clients: Clients, guardrails: Guardrails, report: Callable[[str], None] = print) -> None:
    """The budget and the role (create or update: bootstrap can run again)."""
    _budget(clients("budgets"), guardrails, report)
    _role(clients("iam"), guardrails, report)
    from lakelab.plan.run import make_data_lake_admin

    role_arn = f"arn:aws:iam::{guardrails.account}:role/{guardrails.role}"
    added = make_data_lake_admin(clients("lakeformation"), role_arn)
    report(f"role {guardrails.role} {'made' if added else 'already'} a Lake Formation data lake administrator in "
           f"{guardrails.region} (week 7 and the capstone need one; the root user cannot be)")


def _budget(budgets: Any, guardrails: Guardrails, report: Callable[[str], None]) -> None:
    budget = {"BudgetName": guardrails.budget, "BudgetType": "COST", "TimeUnit": "MONTHLY",
              "BudgetLimit": {"Amount": f"{guardrails.monthly_usd:.2f}", "Unit": "USD"}}
    subscribers = [{"SubscriptionType": "EMAIL", "Address": guardrails.email}]
    alerts = [{"Notification": {"NotificationType": kind, "ComparisonOperator": "GREATER_THAN",
                                "Threshold": threshold, "ThresholdType": "PERCENTAGE"}, "Subscribers": subscribers}
              for kind, threshold in (("ACTUAL", 80.0), ("FORECASTED", 100.0))]
    existing = budgets.describe_budgets(AccountId=guardrails.account).get("Budgets", [])
    if any(found["BudgetName"] == guardrails.budget for found in existing):
        report(f"budget {guardrails.budget}: kept as it is (it exists; --remove, then bootstrap again, to change it)")
        return
    budgets.create_budget(AccountId=guardrails.account, Budget=budget, NotificationsWithSubscribers=alerts,
                          ResourceTags=guardrails.tags)
    report(f"budget {guardrails.budget}: ${guardrails.monthly_usd:.2f} a month, e-mail to {guardrails.email} at 80% "
           f"of actual and 100% of forecast spend (AWS asks the address to confirm nothing; alerts lag by hours)")


def _role(iam: Any, guardrails: Guardrails, report: Callable[[str], None]) -> None:
    from lakelab.plan import policy

    documents = policy.split(policy.render(union_policy(), guardrails.account, guardrails.region, guardrails.learner))
    if len(documents) > ROLE_POLICY_QUOTA:
        raise TargetError(f"the labs' policy needs {len(documents)} managed policies, more than the "
                          f"{ROLE_POLICY_QUOTA} a role takes by default")
    trust = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                                                     "Principal": {"AWS": f"arn:aws:iam::{guardrails.account}:root"}}]}
    try:
        iam.create_role(RoleName=guardrails.role, AssumeRolePolicyDocument=json.dumps(trust), MaxSessionDuration=43200,
                        Description="Lake Labs: run the labs with only what they need", Tags=guardrails.tags)
    except iam.exceptions.EntityAlreadyExistsException:
        iam.update_assume_role_policy(RoleName=guardrails.role, PolicyDocument=json.dumps(trust))
    for number, document in enumerate(documents, 1):
        _managed_policy(iam, guardrails, f"{guardrails.role}-{number}", document)
    actions = len(policy.actions_of(policy.union(documents)))
    report(f"role {guardrails.role}: {actions} actions in {len(documents)} managed policies (the union of every lab's "
           f"proven plan); assume it with a profile: role_arn = arn:aws:iam::{guardrails.account}:role/{guardrails.role}")


def _managed_policy(iam: Any, guardrails: Guardrails, name: str, document: dict) -> None:
    arn = f"arn:aws:iam::{guardrails.account}:policy/{name}"
    try:
        iam.create_policy(PolicyName=name, PolicyDocument=json.dumps(document), Tags=guardrails.tags)
    except iam.exceptions.EntityAlreadyExistsException:
        versions = iam.list_policy_versions(PolicyArn=arn)["Versions"]
        for old in sorted((v for v in versions if not v["IsDefaultVersion"]), key=lambda v: v["CreateDate"])[:-3]:
            iam.delete_policy_version(PolicyArn=arn, VersionId=old["VersionId"])  # a policy keeps at most 5
        iam.create_policy_version(PolicyArn=arn, PolicyDocument=json.dumps(document), SetAsDefault=True)
    iam.attach_role_policy(RoleName=guardrails.role, PolicyArn=arn)


def remove(clients: Clients, guardrails: Guardrails, report: Callable[[str], None] = print) -> None:
    """Remove the budget, the role and its policies (only those named and tagged as bootstrap's)."""
    budgets, iam = clients("budgets"), clients("iam")
    if any(b["BudgetName"] == guardrails.budget for b in budgets.describe_budgets(AccountId=guardrails.account)
           .get("Budgets", [])):
        budgets.delete_budget(AccountId=guardrails.account, BudgetName=guardrails.budget)
        report(f"removed budget {guardrails.budget}")
    _no_longer_data_lake_admin(clients("lakeformation"), f"arn:aws:iam::{guardrails.account}:role/{guardrails.role}")
    try:
        tags = iam.list_role_tags(RoleName=guardrails.role)["Tags"]
    except iam.exceptions.NoSuchEntityException:
        return
    if {"Key": "course", "Value": "lakelab-guardrails"} not in tags:
        report(f"kept role {guardrails.role}: it is not tagged course=lakelab-guardrails")
        return
    for attached in iam.list_attached_role_policies(RoleName=guardrails.role)["AttachedPolicies"]:
        iam.detach_role_policy(RoleName=guardrails.role, PolicyArn=attached["PolicyArn"])
        if attached["PolicyName"].startswith(f"{guardrails.role}-"):
            for version in iam.list_policy_versions(PolicyArn=attached["PolicyArn"])["Versions"]:
                if not version["IsDefaultVersion"]:
                    iam.delete_policy_version(PolicyArn=attached["PolicyArn"], VersionId=version["VersionId"])
            iam.delete_policy(PolicyArn=attached["PolicyArn"])
    iam.delete_role(RoleName=guardrails.role)
    report(f"removed role {guardrails.role} and its policies")


def _no_longer_data_lake_admin(lakeformation: Any, role_arn: str) -> None:
    settings = lakeformation.get_data_lake_settings()["DataLakeSettings"]
    kept = [a for a in settings.get("DataLakeAdmins", []) if a.get("DataLakePrincipalIdentifier") != role_arn]
    if len(kept) != len(settings.get("DataLakeAdmins", [])):
        lakeformation.put_data_lake_settings(DataLakeSettings={**settings, "DataLakeAdmins": kept})
