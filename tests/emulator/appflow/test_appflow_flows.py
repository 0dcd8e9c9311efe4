"""AppFlow on the emulator through boto3: profiles, flows from the CRM and from S3, schedules, bad input."""

import io
import json

import pyarrow.parquet as pq
import pytest
from botocore.exceptions import ClientError

from lakelab.emulator.services.appflow import schedules
from lakelab.lab import crm
from tests.emulator.appflow.appflow_helpers import (bucket_for_appflow, map_tasks, objects, s3_destination,
                                                     salesforce_profile, salesforce_source, wait_for_runs)

ON_DEMAND = {"triggerType": "OnDemand"}
ACCOUNT_FIELDS = ["Id", "Name", "AnnualRevenue", "Customer_Id__c", "LastModifiedDate"]


def error_of(call, **kwargs):
    with pytest.raises(ClientError) as refused:
        call(**kwargs)
    return refused.value.response["Error"]["Code"], refused.value.response["Error"]["Message"]


@pytest.fixture
def appflow(client):
    return client("appflow")


@pytest.fixture
def s3(client):
    return client("s3")


def test_a_salesforce_profile_keeps_its_tokens_to_itself(appflow):
    arn = salesforce_profile(appflow)
    assert arn == "arn:aws:appflow:us-east-1:123456789012:connectorprofile/lakelab-crm"
    [profile] = appflow.describe_connector_profiles(connectorProfileNames=["lakelab-crm"])["connectorProfileDetails"]
    assert profile["connectorType"] == "Salesforce" and profile["credentialsArn"].startswith("arn:aws:secretsmanager:")
    assert profile["connectorProfileProperties"]["Salesforce"]["instanceUrl"] == "https://example.my.salesforce.com"
    assert "secret-access-token" not in json.dumps(profile, default=str)
    assert error_of(appflow.create_connector_profile, connectorProfileName="lakelab-crm", connectorType="Salesforce",
                    connectionMode="Public", connectorProfileConfig={
                        "connectorProfileProperties": {"Salesforce": {}},
                        "connectorProfileCredentials": {"Salesforce": {"accessToken": "t"}}})[0] == "ConflictException"
    appflow.delete_connector_profile(connectorProfileName="lakelab-crm")
    assert appflow.describe_connector_profiles()["connectorProfileDetails"] == []


def test_an_on_demand_flow_copies_crm_accounts_to_s3_as_json(appflow, s3):
    salesforce_profile(appflow)
    bucket_for_appflow(s3, "lakelab-raw")
    created = appflow.create_flow(flowName="crm-accounts", triggerConfig=ON_DEMAND,
                                  sourceFlowConfig=salesforce_source(), tasks=map_tasks(ACCOUNT_FIELDS),
                                  destinationFlowConfigList=s3_destination("lakelab-raw"),
                                  tags={"course": "lakelab"})
    assert created["flowStatus"] == "Active"
    execution_id = appflow.start_flow(flowName="crm-accounts")["executionId"]
    [run] = wait_for_runs(appflow, "crm-accounts")
    assert run["executionId"] == execution_id and run["executionStatus"] == "Successful"
    assert run["executionResult"]["recordsProcessed"] == 50
    [key] = objects(s3, "lakelab-raw")
    assert key.startswith(f"crm/crm-accounts/{execution_id}/") and key.endswith(".jsonl")
    lines = s3.get_object(Bucket="lakelab-raw", Key=key)["Body"].read().decode().splitlines()
    first = json.loads(lines[0])
    assert len(lines) == 50 and list(first) == ACCOUNT_FIELDS
    assert isinstance(first["AnnualRevenue"], float), "JSON keeps Salesforce's numbers as numbers"
    assert run["executionResult"]["bytesWritten"] == s3.head_object(Bucket="lakelab-raw", Key=key)["ContentLength"]
    described = appflow.describe_flow(flowName="crm-accounts")
    assert described["lastRunExecutionDetails"]["mostRecentExecutionStatus"] == "Successful"
    assert described["tags"] == {"course": "lakelab"}


def test_an_incremental_scheduled_flow_picks_up_only_the_edited_record(appflow, s3, monkeypatch):
    monkeypatch.setattr(schedules, "MINUTE_SECONDS", 0.5)  # rate(1 minute) every half second
    salesforce_profile(appflow)
    bucket_for_appflow(s3, "lakelab-raw")
    trigger = {"triggerType": "Scheduled", "triggerProperties": {"Scheduled": {
        "scheduleExpression": "rate(1minutes)", "dataPullMode": "Incremental"}}}
    created = appflow.create_flow(flowName="crm-incremental", triggerConfig=trigger,
                                  sourceFlowConfig=salesforce_source(incremental=True),
                                  tasks=map_tasks(ACCOUNT_FIELDS), destinationFlowConfigList=s3_destination("lakelab-raw"))
    assert created["flowStatus"] == "Draft"
    assert appflow.start_flow(flowName="crm-incremental")["flowStatus"] == "Active"
    first = wait_for_runs(appflow, "crm-incremental", 1)[-1]
    assert first["executionResult"]["recordsProcessed"] == 50, "the first run pulls every record"
    edited = crm.edit_record("Account", "0015g0000000000002", {"AnnualRevenue": 999000})
    runs = wait_for_runs(appflow, "crm-incremental", 4)
    appflow.stop_flow(flowName="crm-incremental")
    later = [r for r in reversed(runs) if r["startedAt"] > first["startedAt"] and r["executionStatus"] == "Successful"]
    assert sum(r["executionResult"]["recordsProcessed"] for r in later) == 1, "only the edited record moves"
    moved = next(r for r in later if r["executionResult"]["recordsProcessed"] == 1)
    [key] = objects(s3, "lakelab-raw", f"crm/crm-incremental/{moved['executionId']}/")
    [line] = s3.get_object(Bucket="lakelab-raw", Key=key)["Body"].read().decode().splitlines()
    assert json.loads(line)["AnnualRevenue"] == 999000.0
    assert json.loads(line)["LastModifiedDate"] == edited["LastModifiedDate"]
    assert appflow.describe_flow(flowName="crm-incremental")["flowStatus"] == "Suspended"


def test_an_s3_to_s3_flow_renames_filters_and_writes_parquet(appflow, s3):
    bucket_for_appflow(s3, "lakelab-landing", actions=("source",))
    bucket_for_appflow(s3, "lakelab-curated")
    s3.put_object(Bucket="lakelab-landing", Key="partners/july.csv",
                  Body=b"order_id,amount,country\no-1,10.50,GB\no-2,99.00,US\no-3,5.25,GB\n")
    s3.put_object(Bucket="lakelab-landing", Key="other/ignored.csv", Body=b"order_id,amount,country\nx,1,GB\n")
    tasks = [{"sourceFields": ["order_id", "amount", "country"], "connectorOperator": {"S3": "PROJECTION"},
              "taskType": "Filter"},
             {"sourceFields": ["country"], "connectorOperator": {"S3": "EQUAL_TO"}, "taskType": "Filter",
              "taskProperties": {"DATA_TYPE": "string", "VALUE": "GB"}},
             {"sourceFields": ["order_id"], "connectorOperator": {"S3": "NO_OP"}, "destinationField": "id",
              "taskType": "Map"},
             {"sourceFields": ["amount"], "connectorOperator": {"S3": "NO_OP"}, "destinationField": "amount",
              "taskType": "Map"}]
    appflow.create_flow(flowName="partner-orders", triggerConfig=ON_DEMAND, tasks=tasks,
                        sourceFlowConfig={"connectorType": "S3", "sourceConnectorProperties": {"S3": {
                            "bucketName": "lakelab-landing", "bucketPrefix": "partners",
                            "s3InputFormatConfig": {"s3InputFileType": "CSV"}}}},
                        destinationFlowConfigList=s3_destination(
                            "lakelab-curated", "orders", "PARQUET",
                            prefixConfig={"prefixType": "PATH", "prefixFormat": "DAY"},
                            aggregationConfig={"aggregationType": "SingleFile"}))
    appflow.start_flow(flowName="partner-orders")
    [run] = wait_for_runs(appflow, "partner-orders")
    assert run["executionStatus"] == "Successful" and run["executionResult"]["recordsProcessed"] == 2
    [key] = objects(s3, "lakelab-curated")
    parts = key.split("/")
    assert parts[:2] == ["orders", "partner-orders"] and len(parts[2]) == 4 and len(parts[4]) == 2
    assert parts[5] == run["executionId"] and key.endswith(".parquet")
    table = pq.read_table(io.BytesIO(s3.get_object(Bucket="lakelab-curated", Key=key)["Body"].read()))
    assert table.to_pylist() == [{"id": "o-1", "amount": "10.50"}, {"id": "o-3", "amount": "5.25"}]


def test_a_destination_bucket_without_appflows_policy_is_refused(appflow, s3):
    bucket_for_appflow(s3, "lakelab-raw", policy=False)
    salesforce_profile(appflow)
    code, message = error_of(appflow.create_flow, flowName="crm-accounts", triggerConfig=ON_DEMAND,
                             sourceFlowConfig=salesforce_source(), tasks=map_tasks(ACCOUNT_FIELDS),
                             destinationFlowConfigList=s3_destination("lakelab-raw"))
    assert code == "AccessDeniedException" and "appflow.amazonaws.com" in message and "s3:PutObject" in message


def test_a_policy_scoped_to_the_flows_prefix_lets_it_write_there_only(appflow, s3):
    from tests.emulator.appflow.appflow_helpers import DESTINATION_ACTIONS

    s3.create_bucket(Bucket="lakelab-raw")
    s3.put_bucket_policy(Bucket="lakelab-raw", Policy=json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"Service": "appflow.amazonaws.com"}, "Action": DESTINATION_ACTIONS,
        "Resource": ["arn:aws:s3:::lakelab-raw", "arn:aws:s3:::lakelab-raw/raw/crm/*"]}]}))
    salesforce_profile(appflow)
    flow = dict(triggerConfig=ON_DEMAND, sourceFlowConfig=salesforce_source(), tasks=map_tasks(ACCOUNT_FIELDS))
    appflow.create_flow(flowName="crm-in-its-folder", destinationFlowConfigList=s3_destination("lakelab-raw", "raw/crm"),
                        **flow)
    appflow.start_flow(flowName="crm-in-its-folder")
    (run,) = wait_for_runs(appflow, "crm-in-its-folder")
    assert run["executionStatus"] == "Successful" and objects(s3, "lakelab-raw", "raw/crm/")
    code, message = error_of(appflow.create_flow, flowName="crm-elsewhere",
                             destinationFlowConfigList=s3_destination("lakelab-raw", "curated/crm"), **flow)
    assert code == "AccessDeniedException" and "s3:PutObject" in message


def test_a_policy_removed_after_create_fails_the_run(appflow, s3):
    bucket_for_appflow(s3, "lakelab-raw")
    salesforce_profile(appflow)
    appflow.create_flow(flowName="crm-accounts", triggerConfig=ON_DEMAND, sourceFlowConfig=salesforce_source(),
                        tasks=map_tasks(ACCOUNT_FIELDS), destinationFlowConfigList=s3_destination("lakelab-raw"))
    s3.delete_bucket_policy(Bucket="lakelab-raw")
    appflow.start_flow(flowName="crm-accounts")
    [run] = wait_for_runs(appflow, "crm-accounts")
    assert run["executionStatus"] == "Error" and "Access Denied" in run["executionResult"]["errorInfo"]["executionMessage"]
    assert objects(s3, "lakelab-raw") == []


@pytest.mark.parametrize("change, code, words", [
    ({"sourceFlowConfig": salesforce_source("Lead")}, "ValidationException", "Object Lead"),
    ({"triggerConfig": {"triggerType": "Scheduled", "triggerProperties": {"Scheduled": {
        "scheduleExpression": "every 5 minutes"}}}}, "ValidationException", "Invalid schedule expression"),
    ({"triggerConfig": {"triggerType": "Scheduled", "triggerProperties": {"Scheduled": {
        "scheduleExpression": "cron(0 12 * * * *)"}}}}, "ValidationException", "'?'"),
    ({"tasks": map_tasks(["Id"]) + [{"sourceFields": ["Name"], "taskType": "Mask",
                                     "connectorOperator": {"Salesforce": "MASK_ALL"}}]},
     "ValidationException", "Task type Mask"),
    ({"tasks": map_tasks(["Id", "Nickname"])}, "ValidationException", "Field Nickname"),
    ({"sourceFlowConfig": salesforce_source(profile="nobody")}, "ResourceNotFoundException", "nobody"),
])
def test_bad_input_is_refused_as_appflow_refuses_it(appflow, s3, change, code, words):
    salesforce_profile(appflow)
    bucket_for_appflow(s3, "lakelab-raw")
    request = {"flowName": "crm-accounts", "triggerConfig": ON_DEMAND, "sourceFlowConfig": salesforce_source(),
               "tasks": map_tasks(ACCOUNT_FIELDS), "destinationFlowConfigList": s3_destination("lakelab-raw"), **change}
    found_code, message = error_of(appflow.create_flow, **request)
    assert found_code == code and words in message


def test_flows_are_listed_tagged_stopped_and_deleted(appflow, s3):
    salesforce_profile(appflow)
    bucket_for_appflow(s3, "lakelab-raw")
    arn = appflow.create_flow(flowName="crm-accounts", triggerConfig=ON_DEMAND, sourceFlowConfig=salesforce_source(),
                              tasks=map_tasks(ACCOUNT_FIELDS),
                              destinationFlowConfigList=s3_destination("lakelab-raw"))["flowArn"]
    appflow.tag_resource(resourceArn=arn, tags={"week": "06", "lab": "ingestion"})
    appflow.untag_resource(resourceArn=arn, tagKeys=["lab"])
    assert appflow.list_tags_for_resource(resourceArn=arn)["tags"] == {"week": "06"}
    [listed] = appflow.list_flows()["flows"]
    assert listed["flowName"] == "crm-accounts" and listed["sourceConnectorType"] == "Salesforce"
    assert error_of(appflow.stop_flow, flowName="crm-accounts")[0] == "UnsupportedOperationException"
    assert error_of(appflow.delete_connector_profile, connectorProfileName="lakelab-crm")[0] == "ConflictException"
    appflow.delete_connector_profile(connectorProfileName="lakelab-crm", forceDelete=True)
    appflow.start_flow(flowName="crm-accounts")
    [run] = wait_for_runs(appflow, "crm-accounts")
    assert run["executionStatus"] == "Error" and "lakelab-crm" in run["executionResult"]["errorInfo"]["executionMessage"]
    appflow.delete_flow(flowName="crm-accounts")
    assert appflow.list_flows()["flows"] == []
    assert error_of(appflow.describe_flow, flowName="crm-accounts")[0] == "ResourceNotFoundException"


def test_update_flow_changes_the_mapping_and_the_schema_version(appflow, s3):
    salesforce_profile(appflow)
    bucket_for_appflow(s3, "lakelab-raw")
    request = {"flowName": "crm-accounts", "triggerConfig": ON_DEMAND, "sourceFlowConfig": salesforce_source(),
               "tasks": map_tasks(ACCOUNT_FIELDS), "destinationFlowConfigList": s3_destination("lakelab-raw", "crm",
                                                                                             "CSV")}
    appflow.create_flow(**request)
    appflow.update_flow(**{**request, "tasks": map_tasks(["Id", "Name"])})
    described = appflow.describe_flow(flowName="crm-accounts")
    assert described["schemaVersion"] == 2 and len(described["tasks"]) == 3
    appflow.start_flow(flowName="crm-accounts")
    [run] = wait_for_runs(appflow, "crm-accounts")
    [key] = objects(s3, "lakelab-raw")
    assert s3.get_object(Bucket="lakelab-raw", Key=key)["Body"].read().decode().splitlines()[0] == "Id,Name"


def test_cron_expressions_find_their_next_minute():
    import datetime as dt

    schedule = schedules.parse("cron(30 2 ? * MON-FRI *)")
    friday = dt.datetime(2024, 7, 5, 3, 0, tzinfo=dt.timezone.utc)
    assert schedule.next_after(friday) == dt.datetime(2024, 7, 8, 2, 30, tzinfo=dt.timezone.utc)
    assert schedules.parse("rate(2 hours)").every_minutes == 120


def test_iam_decides_who_may_call_appflow(client, emulator):
    import boto3

    iam = client("iam")
    iam.create_user(UserName="analyst")
    key = iam.create_access_key(UserName="analyst")["AccessKey"]
    analyst = boto3.client("appflow", region_name="us-east-1", endpoint_url=emulator.endpoint,
                           aws_access_key_id=key["AccessKeyId"], aws_secret_access_key=key["SecretAccessKey"])
    code, message = error_of(analyst.list_flows)
    assert code == "AccessDeniedException" and "appflow:ListFlows" in message
    iam.put_user_policy(UserName="analyst", PolicyName="read-flows", PolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "appflow:ListFlows", "Resource": "*"}]}))
    assert analyst.list_flows()["flows"] == []


def test_an_s3_source_must_be_a_folder_with_appflows_read_policy(appflow, s3):
    bucket_for_appflow(s3, "lakelab-landing", policy=False)
    bucket_for_appflow(s3, "lakelab-curated")
    request = {"flowName": "partner-orders", "triggerConfig": ON_DEMAND,
               "tasks": [{"sourceFields": [], "taskType": "Map_all", "connectorOperator": {"S3": "NO_OP"}}],
               "destinationFlowConfigList": s3_destination("lakelab-curated")}
    source = {"connectorType": "S3", "sourceConnectorProperties": {"S3": {"bucketName": "lakelab-landing"}}}
    assert "folder" in error_of(appflow.create_flow, sourceFlowConfig=source, **request)[1]
    source["sourceConnectorProperties"]["S3"]["bucketPrefix"] = "partners"
    code, message = error_of(appflow.create_flow, sourceFlowConfig=source, **request)
    assert code == "AccessDeniedException" and "s3:ListBucket, s3:GetObject" in message


def test_updating_a_profile_without_credentials_keeps_them(appflow):
    salesforce_profile(appflow)
    appflow.update_connector_profile(connectorProfileName="lakelab-crm", connectionMode="Public", connectorProfileConfig={
        "connectorProfileProperties": {"Salesforce": {"instanceUrl": "https://other.my.salesforce.com"}}})
    [profile] = appflow.describe_connector_profiles()["connectorProfileDetails"]
    assert profile["connectorProfileProperties"]["Salesforce"]["instanceUrl"] == "https://other.my.salesforce.com"


def test_the_kit_edits_the_crm_only_on_the_emulator(client, monkeypatch):
    record = crm.edit_record("Opportunity", "0065g0000000000001", {"StageName": "Negotiation/Review"})
    assert record["StageName"] == "Negotiation/Review" and record["LastModifiedDate"].endswith("+0000")
    with pytest.raises(ValueError, match="ResourceNotFoundException"):
        crm.edit_record("Account", "001nobody", {"Name": "x"})
    with pytest.raises(ValueError, match="ValidationException"):
        crm.edit_record("Account", "0015g0000000000001", {"LastModifiedDate": "2020-01-01T00:00:00.000+0000"})
    monkeypatch.setenv("AWS_ENDPOINT_URL", "https://appflow.us-east-1.amazonaws.com")
    with pytest.raises(RuntimeError, match="Salesforce org"):
        crm.edit_record("Account", "0015g0000000000001", {"Name": "x"})


def test_the_crm_lists_its_objects_and_describes_their_fields(appflow):
    salesforce_profile(appflow)
    listed = appflow.list_connector_entities(connectorProfileName="lakelab-crm", connectorType="Salesforce")
    assert [e["name"] for e in listed["connectorEntityMap"]["Objects"]] == ["Account", "Opportunity"]
    fields = appflow.describe_connector_entity(connectorEntityName="Opportunity", connectorProfileName="lakelab-crm",
                                               connectorType="Salesforce")["connectorEntityFields"]
    by_name = {f["identifier"]: f for f in fields}
    assert by_name["Amount"]["supportedFieldTypeDetails"]["v1"]["fieldType"] == "currency"
    assert by_name["LastModifiedDate"]["sourceProperties"]["isTimestampFieldForIncrementalQueries"] is True
    assert error_of(appflow.describe_connector_entity, connectorEntityName="Lead",
                    connectorProfileName="lakelab-crm")[0] == "ValidationException"


def test_a_scheduled_flow_failing_past_its_threshold_is_deactivated(appflow, s3, monkeypatch):
    monkeypatch.setattr(schedules, "MINUTE_SECONDS", 0.3)
    salesforce_profile(appflow)
    bucket_for_appflow(s3, "lakelab-raw")
    trigger = {"triggerType": "Scheduled", "triggerProperties": {"Scheduled": {
        "scheduleExpression": "rate(1 minute)", "flowErrorDeactivationThreshold": 2}}}
    appflow.create_flow(flowName="crm-accounts", triggerConfig=trigger, sourceFlowConfig=salesforce_source(),
                        tasks=map_tasks(ACCOUNT_FIELDS), destinationFlowConfigList=s3_destination("lakelab-raw"))
    s3.delete_bucket_policy(Bucket="lakelab-raw")
    appflow.start_flow(flowName="crm-accounts")
    runs = wait_for_runs(appflow, "crm-accounts", 2)
    assert [r["executionStatus"] for r in runs] == ["Error", "Error"]
    import time

    time.sleep(1)
    assert len(appflow.describe_flow_execution_records(flowName="crm-accounts")["flowExecutions"]) == 2
    assert appflow.describe_flow(flowName="crm-accounts")["flowStatus"] == "Suspended"
