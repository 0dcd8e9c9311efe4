"""lakelab bootstrap --target aws, its account checks and guardrails, pointed at the local emulator."""

from __future__ import annotations

import json

import boto3
import pytest

from lakelab.plan import policy, planner
from lakelab.targets.bootstrap_command import bootstrap_command

ACCOUNT = "123456789012"


@pytest.fixture
def clients(emulator, monkeypatch):
    monkeypatch.setenv("LAKELAB_AWS_ACCOUNT", ACCOUNT)
    monkeypatch.setenv("LAKELAB_LEARNER", "ana")

    def client(service: str):
        return boto3.client(service, endpoint_url=emulator.endpoint, region_name="us-east-1",
                            aws_access_key_id="testing", aws_secret_access_key="testing")

    return client


def bootstrap(clients, yes=True, answer="", removing=False, email="ana@example.com"):
    return bootstrap_command("aws", yes, email, 20.0, removing, clients=clients, ask=lambda prompt: answer,
                             interactive=True)


def nothing_was_created(clients) -> bool:
    budgets = clients("budgets").describe_budgets(AccountId=ACCOUNT).get("Budgets", [])
    roles = [r["RoleName"] for r in clients("iam").list_roles()["Roles"] if r["RoleName"].lower().startswith("lakelab")]
    policies = [p["PolicyName"] for p in clients("iam").list_policies(Scope="Local")["Policies"]]
    return budgets == [] and roles == [] and policies == []


def test_an_account_whose_alias_says_prod_is_refused_and_nothing_is_created(clients, capsys):
    clients("iam").create_account_alias(AccountAlias="acme-prod-data")
    assert bootstrap(clients) == 1
    assert "'acme-prod-data', which looks like production" in capsys.readouterr().err
    assert nothing_was_created(clients)


def test_an_account_tagged_production_in_organizations_is_refused(clients, capsys):
    organizations = clients("organizations")
    organizations.create_organization(FeatureSet="ALL")
    organizations.tag_resource(ResourceId=ACCOUNT, Tags=[{"Key": "Environment", "Value": "Production"}])
    assert bootstrap(clients) == 1
    assert "tagged Environment=Production in AWS Organizations" in capsys.readouterr().err
    assert nothing_was_created(clients)


def test_credentials_of_another_account_are_refused(clients, monkeypatch, capsys):
    monkeypatch.setenv("LAKELAB_AWS_ACCOUNT", "210987654321")
    assert bootstrap(clients) == 1
    assert "not LAKELAB_AWS_ACCOUNT=210987654321" in capsys.readouterr().err
    assert nothing_was_created(clients)


def test_without_a_yes_nothing_is_created(clients, capsys):
    assert bootstrap(clients, yes=False, answer="no") == 1
    assert bootstrap(clients, yes=False, answer="") == 1
    assert "Nothing was changed" in capsys.readouterr().out
    assert nothing_was_created(clients)


def test_a_sandbox_gets_a_budget_with_alerts_and_the_labs_role_which_teardown_keeps(clients, capsys):
    assert bootstrap(clients, yes=False, answer="yes") == 0
    out = capsys.readouterr().out
    assert "checked: the account belongs to no organization" in out and "role LakeLabs-ana:" in out
    budgets = clients("budgets")
    budget = budgets.describe_budget(AccountId=ACCOUNT, BudgetName="LakeLabs-ana-monthly")["Budget"]
    assert (budget["BudgetLimit"], budget["TimeUnit"], budget["BudgetType"]) == (
        {"Amount": "20.00", "Unit": "USD"}, "MONTHLY", "COST")
    alerts = budgets.describe_notifications_for_budget(AccountId=ACCOUNT, BudgetName="LakeLabs-ana-monthly")
    assert sorted((n["NotificationType"], n["Threshold"]) for n in alerts["Notifications"]) == [
        ("ACTUAL", 80.0), ("FORECASTED", 100.0)]
    # (the e-mail subscriber: moto has no DescribeSubscribersForNotification to read it back)

    iam = clients("iam")
    assert {"Key": "course", "Value": "lakelab-guardrails"} in iam.list_role_tags(RoleName="LakeLabs-ana")["Tags"]
    allowed = set()
    for attached in iam.list_attached_role_policies(RoleName="LakeLabs-ana")["AttachedPolicies"]:
        found = iam.get_policy(PolicyArn=attached["PolicyArn"])["Policy"]
        document = iam.get_policy_version(PolicyArn=attached["PolicyArn"], VersionId=found["DefaultVersionId"])
        text = json.dumps(document["PolicyVersion"]["Document"])
        assert "lakelab-ana-*" in text and "{learner}" not in text and len(text.replace(" ", "")) <= 6144
        allowed |= set(policy.actions_of(document["PolicyVersion"]["Document"]))
    assert set(policy.actions_of(planner.kept(1)["policy"])) <= allowed  # every lab's actions: week 1's among them

    admins = clients("lakeformation").get_data_lake_settings()["DataLakeSettings"]["DataLakeAdmins"]
    assert admins == [{"DataLakePrincipalIdentifier": f"arn:aws:iam::{ACCOUNT}:role/LakeLabs-ana"}]
    from lakelab.lab import teardown

    assert teardown.find() == []  # the guardrails are not the labs' resources: teardown keeps them
    assert bootstrap(clients) == 0  # again: updated in place
    assert bootstrap(clients, removing=True) == 0
    assert nothing_was_created(clients)
    assert clients("lakeformation").get_data_lake_settings()["DataLakeSettings"]["DataLakeAdmins"] == []
