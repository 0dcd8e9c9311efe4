"""UpdateJob and UpdateTrigger (moto has neither): a job's definition replaced, its runs and tags kept; a
trigger's schedule, actions and predicate updated, its state kept."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

ROLE = "arn:aws:iam::123456789012:role/lakelab-test"
COMMAND = {"Name": "glueetl", "ScriptLocation": "s3://lakelab-test/scripts/job.py", "PythonVersion": "3"}


def test_update_job_replaces_the_definition_and_keeps_tags(client):
    glue = client("glue")
    glue.create_job(Name="orders", Role=ROLE, Command=COMMAND, Timeout=30, MaxRetries=1, GlueVersion="5.0",
                    DefaultArguments={"--source": "s3://a/"}, Tags={"course": "lakelab"})
    created = glue.get_job(JobName="orders")["Job"]
    update = {"Role": ROLE, "Command": COMMAND, "Timeout": 45, "GlueVersion": "5.0",
              "DefaultArguments": {"--source": "s3://b/"}}
    answer = glue.update_job(JobName="orders", JobUpdate=update)
    assert answer["JobName"] == "orders"
    job = glue.get_job(JobName="orders")["Job"]
    assert (job["Timeout"], job["DefaultArguments"]) == (45, {"--source": "s3://b/"})
    assert "MaxRetries" not in job or job["MaxRetries"] in (None, 0)  # left out: back to its default
    assert job["CreatedOn"] == created["CreatedOn"] and job["LastModifiedOn"] >= created["LastModifiedOn"]
    arn = "arn:aws:glue:us-east-1:123456789012:job/orders"
    assert glue.get_tags(ResourceArn=arn)["Tags"] == {"course": "lakelab"}


def test_update_job_of_an_unknown_job_is_entity_not_found(client):
    with pytest.raises(ClientError) as raised:
        client("glue").update_job(JobName="nope", JobUpdate={"Role": ROLE, "Command": COMMAND})
    assert raised.value.response["Error"]["Code"] == "EntityNotFoundException"


def test_update_trigger_changes_what_it_is_given_and_keeps_its_state(client):
    glue = client("glue")
    glue.create_job(Name="orders", Role=ROLE, Command=COMMAND)
    glue.create_trigger(Name="nightly", Type="SCHEDULED", Schedule="cron(0 3 * * ? *)",
                        Actions=[{"JobName": "orders"}], StartOnCreation=True, Description="old")
    answer = glue.update_trigger(Name="nightly", TriggerUpdate={"Schedule": "cron(0 4 * * ? *)",
                                                               "Actions": [{"JobName": "orders", "Timeout": 10}]})
    assert answer["Trigger"]["Schedule"] == "cron(0 4 * * ? *)"
    trigger = glue.get_trigger(Name="nightly")["Trigger"]
    kept = (trigger["State"], trigger["Description"], trigger["Actions"][0]["JobName"])
    assert kept == ("ACTIVATED", "old", "orders")
    glue.create_trigger(Name="after", Type="CONDITIONAL", Actions=[{"CrawlerName": "c"}], Predicate={"Logical": "AND",
        "Conditions": [{"LogicalOperator": "EQUALS", "JobName": "orders", "State": "SUCCEEDED"}]})
    glue.update_trigger(Name="after", TriggerUpdate={"Predicate": {"Logical": "AND", "Conditions": [
        {"LogicalOperator": "EQUALS", "JobName": "orders", "State": "FAILED"}]}})
    assert glue.get_trigger(Name="after")["Trigger"]["Predicate"]["Conditions"][0]["State"] == "FAILED"
    with pytest.raises(ClientError) as raised:
        glue.update_trigger(Name="nope", TriggerUpdate={"Schedule": "cron(0 4 * * ? *)"})
    assert raised.value.response["Error"]["Code"] == "EntityNotFoundException"
