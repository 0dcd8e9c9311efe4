"""DMS's failures: endpoints it cannot reach, users without replication rights, mappings that select nothing."""

from __future__ import annotations

import json

import pytest
from botocore.exceptions import ClientError

from tests.emulator.dms.conftest import BUCKET, create_task, s3_endpoint, source_endpoint, wait_for_status
from tests.emulator.rds.conftest import connect


def connection_status(shop, endpoint):
    shop["dms"].test_connection(ReplicationInstanceArn=shop["replication_instance"], EndpointArn=endpoint)
    found = shop["dms"].describe_connections(Filters=[{"Name": "endpoint-arn", "Values": [endpoint]}])
    return found["Connections"][0]


def test_test_connection_succeeds_and_fails_for_real(shop):
    instance = shop["dms"].describe_replication_instances()["ReplicationInstances"][0]
    assert instance["ReplicationInstanceStatus"] == "available"
    answered = shop["dms"].test_connection(ReplicationInstanceArn=shop["replication_instance"],
                                           EndpointArn=source_endpoint(shop, "lakelab-first"))["Connection"]
    assert answered["Status"] == "testing"
    shop["dms"].get_waiter("test_connection_succeeds").wait(
        Filters=[{"Name": "endpoint-arn", "Values": [answered["EndpointArn"]]}])
    assert connection_status(shop, source_endpoint(shop))["Status"] == "successful"
    assert connection_status(shop, s3_endpoint(shop))["Status"] == "successful"
    wrong = connection_status(shop, source_endpoint(shop, "lakelab-wrong", Password="not-the-password"))
    assert wrong["Status"] == "failed" and "password authentication failed" in wrong["LastFailureMessage"]


def test_an_unreachable_source_fails_the_task(shop):
    from lakelab.emulator.services.rds import postgres

    unreachable = source_endpoint(shop, "lakelab-nowhere", Port=postgres.free_port())
    failed = connection_status(shop, unreachable)
    assert failed["Status"] == "failed" and "Cannot connect to ODBC provider" in failed["LastFailureMessage"]
    arn = create_task(shop, unreachable, s3_endpoint(shop))
    shop["dms"].start_replication_task(ReplicationTaskArn=arn, StartReplicationTaskType="start-replication")
    found = wait_for_status(shop, arn, ("failed",))
    assert "Cannot connect to ODBC provider" in found["LastFailureMessage"]
    assert found["StopReason"] == "Stop Reason FATAL_ERROR Error Level FATAL"


def test_a_user_without_replication_rights_fails_cdc(shop):
    with connect(shop["instance"]) as connection:
        connection.execute("CREATE USER reader PASSWORD 'reader-secret-1'")
        connection.execute("GRANT USAGE ON SCHEMA sales TO reader")
        connection.execute("GRANT SELECT ON ALL TABLES IN SCHEMA sales TO reader")
    source = source_endpoint(shop, "lakelab-reader", Username="reader", Password="reader-secret-1")
    arn = create_task(shop, source, s3_endpoint(shop))
    shop["dms"].start_replication_task(ReplicationTaskArn=arn, StartReplicationTaskType="start-replication")
    assert "lacks replication rights" in wait_for_status(shop, arn, ("failed",))["LastFailureMessage"]
    with connect(shop["instance"]) as connection:  # as the RDS docs say: grant rds_replication
        connection.execute("GRANT rds_replication TO reader")
    shop["dms"].start_replication_task(ReplicationTaskArn=arn, StartReplicationTaskType="reload-target")
    assert wait_for_status(shop, arn, ("running",))["Status"] == "running"
    shop["dms"].stop_replication_task(ReplicationTaskArn=arn)


def test_a_mapping_that_selects_nothing_fails_at_start(shop):
    nothing = json.dumps({"rules": [{"rule-type": "selection", "rule-id": "1", "rule-name": "1",
                                     "object-locator": {"schema-name": "archive", "table-name": "%"},
                                     "rule-action": "include"}]})
    arn = create_task(shop, source_endpoint(shop), s3_endpoint(shop), mappings=nothing)
    shop["dms"].start_replication_task(ReplicationTaskArn=arn, StartReplicationTaskType="start-replication")
    assert "No tables were found at task initialization" in wait_for_status(shop, arn, ("failed",))["LastFailureMessage"]


def test_bad_settings_are_refused_at_create(shop):
    with pytest.raises(ClientError, match="DataFormat"):
        s3_endpoint(shop, DataFormat="json")
    with pytest.raises(ClientError, match="selection rule is required"):
        create_task(shop, source_endpoint(shop), s3_endpoint(shop), mappings=json.dumps({"rules": [
            {"rule-type": "transformation", "rule-id": "1", "rule-name": "1", "rule-target": "schema",
             "object-locator": {"schema-name": "sales"}, "rule-action": "rename", "value": "x"}]}))


def test_writes_are_made_as_the_endpoint_role(shop, service_role):
    denied_role = service_role("dms", "lakelab-dms-readonly", actions=("s3:GetObject",))
    target = s3_endpoint(shop, "lakelab-readonly", ServiceAccessRoleArn=denied_role)
    arn = create_task(shop, source_endpoint(shop), target, migration="full-load")
    shop["dms"].start_replication_task(ReplicationTaskArn=arn, StartReplicationTaskType="start-replication")
    assert "Access Denied" in wait_for_status(shop, arn, ("failed",))["LastFailureMessage"]


def test_start_types_follow_the_api_reference(shop):
    arn = create_task(shop, source_endpoint(shop), s3_endpoint(shop), migration="full-load")
    with pytest.raises(ClientError, match="valid only for tasks that have run before"):
        shop["dms"].start_replication_task(ReplicationTaskArn=arn, StartReplicationTaskType="resume-processing")
    shop["dms"].start_replication_task(ReplicationTaskArn=arn, StartReplicationTaskType="start-replication")
    wait_for_status(shop, arn, ("stopped",))
    with pytest.raises(ClientError, match="START_REPLICATION, valid only for tasks running for the first time"):
        shop["dms"].start_replication_task(ReplicationTaskArn=arn, StartReplicationTaskType="start-replication")
    shop["dms"].start_replication_task(ReplicationTaskArn=arn, StartReplicationTaskType="reload-target")
    assert wait_for_status(shop, arn, ("stopped",))["StopReason"] == "Stop Reason FULL_LOAD_ONLY_FINISHED"


def test_modify_endpoint_merges_settings_unless_exact_and_tags_come_and_go(shop):
    dms = shop["dms"]
    arn = s3_endpoint(shop)
    changed = dms.modify_endpoint(EndpointArn=arn, S3Settings={"CdcMaxBatchInterval": 30})["Endpoint"]["S3Settings"]
    assert changed["CdcMaxBatchInterval"] == 30 and changed["TimestampColumnName"] == "cdc_ts"  # merged
    exact = dms.modify_endpoint(EndpointArn=arn, ExactSettings=True, S3Settings={
        "BucketName": BUCKET, "ServiceAccessRoleArn": shop["role"]})["Endpoint"]["S3Settings"]
    assert "TimestampColumnName" not in exact
    source = source_endpoint(shop)
    assert dms.modify_endpoint(EndpointArn=source, Port=5433)["Endpoint"]["Port"] == 5433
    with pytest.raises(ClientError) as taken:
        dms.modify_endpoint(EndpointArn=source, EndpointIdentifier="lakelab-target")
    assert taken.value.response["Error"]["Code"] == "ResourceAlreadyExistsFault"
    with pytest.raises(ClientError) as missing:
        dms.modify_endpoint(EndpointArn=arn.replace("endpoint:", "endpoint:X"), Port=1)
    assert missing.value.response["Error"]["Code"] == "ResourceNotFoundFault"
    dms.add_tags_to_resource(ResourceArn=arn, Tags=[{"Key": "course", "Value": "lakelab"}])
    assert [(t["Key"], t["Value"]) for t in dms.list_tags_for_resource(ResourceArn=arn)["TagList"]] == [
        ("course", "lakelab")]
    dms.remove_tags_from_resource(ResourceArn=arn, TagKeys=["course"])
    assert dms.list_tags_for_resource(ResourceArn=arn)["TagList"] == []
