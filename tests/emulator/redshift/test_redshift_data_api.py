"""The Redshift Data API as a learner calls it: statements, batches, typed results, paging, metadata."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from redshift_helpers import CLUSTER, Redshift, redshift, warehouse_role  # noqa: F401 (fixtures)


def _error(call, **kwargs) -> tuple[str, str]:
    with pytest.raises(ClientError) as raised:
        call(**kwargs)
    return raised.value.response["Error"]["Code"], raised.value.response["Error"]["Message"]


def test_a_query_answers_typed_fields_and_redshift_column_metadata(redshift: Redshift) -> None:
    redshift.ok("CREATE TABLE sales (id INT, region VARCHAR(20), day DATE, amount DECIMAL(10,2), "
                "ratio DOUBLE PRECISION, paid BOOLEAN, at TIMESTAMP)")
    inserted = redshift.ok("INSERT INTO sales VALUES (1, 'eu', '2024-01-01', 12.50, 0.5, true, "
                           "'2024-01-01 10:00:00'), (2, NULL, '2024-01-02', 3, NULL, false, NULL)")
    assert inserted["ResultRows"] == 2 and inserted["HasResultSet"] is False
    statement = redshift.ok("SELECT * FROM sales ORDER BY id")
    assert statement["HasResultSet"] is True and statement["ResultRows"] == 2
    result = redshift.data.get_statement_result(Id=statement["Id"])
    assert [(c["name"], c["typeName"]) for c in result["ColumnMetadata"]] == [
        ("id", "int4"), ("region", "varchar"), ("day", "date"), ("amount", "numeric"), ("ratio", "float8"),
        ("paid", "bool"), ("at", "timestamp")]
    assert result["ColumnMetadata"][3]["precision"] == 10 and result["ColumnMetadata"][3]["scale"] == 2
    assert result["Records"][0] == [{"longValue": 1}, {"stringValue": "eu"}, {"stringValue": "2024-01-01"},
                                    {"stringValue": "12.50"}, {"doubleValue": 0.5}, {"booleanValue": True},
                                    {"stringValue": "2024-01-01 10:00:00"}]
    assert result["Records"][1][1] == {"isNull": True} and result["TotalNumRows"] == 2


def test_result_columns_are_named_as_redshift_names_them(redshift: Redshift) -> None:
    redshift.ok("CREATE TABLE t (a INT)")
    redshift.ok("INSERT INTO t VALUES (1), (2)")
    statement = redshift.ok("SELECT COUNT(*), SUM(a), MAX(a) AS Biggest, 1 + 1, 2 + 2, A FROM t GROUP BY a ORDER BY a")
    result = redshift.data.get_statement_result(Id=statement["Id"])
    assert [c["name"] for c in result["ColumnMetadata"]] == ["count", "sum", "biggest", "?column?", "?column?", "a"]
    assert [value["longValue"] for value in result["Records"][0]] == [1, 1, 1, 2, 4, 1]


def test_results_page_with_next_token(redshift: Redshift) -> None:
    redshift.ok("CREATE TABLE numbers AS SELECT * FROM generate_series(1, 25000) AS g(n)")
    statement = redshift.ok("SELECT n FROM numbers ORDER BY n")
    first = redshift.data.get_statement_result(Id=statement["Id"])
    assert first["TotalNumRows"] == 25000 and "NextToken" in first and len(first["Records"]) < 25000
    assert len(redshift.rows("SELECT n FROM numbers")) == 25000


def test_parameters_bind_by_name(redshift: Redshift) -> None:
    redshift.ok("CREATE TABLE p (id INT, name VARCHAR(10))")
    redshift.ok("INSERT INTO p VALUES (1, 'a'), (2, 'b''s')")
    rows = redshift.rows("SELECT id FROM p WHERE name = :name AND id >= :low",
                         Parameters=[{"name": "name", "value": "b's"}, {"name": "low", "value": "1"}])
    assert rows == [[2]]
    assert redshift.value("SELECT '2024-01-01'::date + 1 AS d") == "2024-01-02"


def test_a_batch_runs_in_order_and_describes_its_sub_statements(redshift: Redshift) -> None:
    batch = redshift.data.batch_execute_statement(
        ClusterIdentifier=CLUSTER, Database="dev", DbUser="awsuser", StatementName="load-step",
        Sqls=["CREATE TABLE b (a INT)", "INSERT INTO b VALUES (1), (2)", "SELECT SUM(a) FROM b"])["Id"]
    described = redshift.wait(batch)
    assert described["Status"] == "FINISHED"
    assert [s["Status"] for s in described["SubStatements"]] == ["FINISHED"] * 3
    assert [s["Id"] for s in described["SubStatements"]] == [f"{batch}:1", f"{batch}:2", f"{batch}:3"]
    assert described["SubStatements"][1]["ResultRows"] == 2 and described["SubStatements"][2]["HasResultSet"]
    assert redshift.data.get_statement_result(Id=f"{batch}:3")["Records"] == [[{"longValue": 3}]]
    listed = redshift.data.list_statements(StatementName="load")["Statements"]
    assert listed[0]["Id"] == batch and listed[0]["IsBatchStatement"] is True and len(listed[0]["QueryStrings"]) == 3


def test_a_failing_batch_rolls_back_and_aborts_the_rest(redshift: Redshift) -> None:
    redshift.ok("CREATE TABLE kept (a INT)")
    batch = redshift.data.batch_execute_statement(
        ClusterIdentifier=CLUSTER, Database="dev", DbUser="awsuser",
        Sqls=["INSERT INTO kept VALUES (1)", "INSERT INTO missing VALUES (1)", "INSERT INTO kept VALUES (2)"])["Id"]
    described = redshift.wait(batch)
    assert described["Status"] == "FAILED" and 'relation "missing" does not exist' in described["Error"]
    assert [s["Status"] for s in described["SubStatements"]] == ["FINISHED", "FAILED", "ABORTED"]
    assert redshift.value("SELECT COUNT(*) FROM kept") == 0


def test_sql_that_does_not_parse_fails_with_redshifts_error(redshift: Redshift) -> None:
    assert redshift.failure("SELEC 1") == 'ERROR: syntax error at or near "SELEC"'
    assert redshift.failure("SELECT * FRM t").startswith("ERROR: syntax error at or near")
    assert redshift.failure("SELECT * FROM nowhere") == 'ERROR: relation "nowhere" does not exist'
    assert redshift.value("SELECT 1") == 1  # the server keeps answering


def test_results_of_failed_or_resultless_statements_are_refused(redshift: Redshift) -> None:
    created = redshift.ok("CREATE TABLE r (a INT)")
    assert _error(redshift.data.get_statement_result, Id=created["Id"]) == (
        "ResourceNotFoundException", "Query does not have result. Please check query status with DescribeStatement.")
    assert _error(redshift.data.describe_statement, Id="no-such-id")[0] == "ResourceNotFoundException"
    assert _error(redshift.data.cancel_statement, Id=created["Id"]) == (
        "ValidationException", "Could not cancel a query that is already in FINISHED state.")


def test_csv_results_come_from_get_statement_result_v2(redshift: Redshift) -> None:
    statement = redshift.ok("SELECT 1 AS a, 'x,y' AS b UNION ALL SELECT 2, NULL", ResultFormat="CSV")
    result = redshift.data.get_statement_result_v2(Id=statement["Id"])
    assert result["ResultFormat"] == "CSV" and result["TotalNumRows"] == 2
    assert result["Records"] == [{"CSVRecords": 'a,b\n1,"x,y"\n2,\n'}]
    assert _error(redshift.data.get_statement_result, Id=statement["Id"])[0] == "ValidationException"


def test_cancel_a_running_statement(redshift: Redshift) -> None:
    statement = redshift.start("SELECT COUNT(*) FROM generate_series(1, 3000000000) a")
    assert redshift.data.cancel_statement(Id=statement)["Status"] is True
    assert redshift.wait(statement)["Status"] == "ABORTED"


def test_metadata_lists_databases_schemas_tables_and_columns(redshift: Redshift) -> None:
    redshift.ok("CREATE SCHEMA mart")
    redshift.ok("CREATE TABLE mart.daily (day DATE NOT NULL, total BIGINT)")
    redshift.ok("CREATE VIEW mart.recent AS SELECT * FROM mart.daily")
    target = {"ClusterIdentifier": CLUSTER, "DbUser": "awsuser", "Database": "dev"}
    assert redshift.data.list_databases(**target)["Databases"] == ["dev"]
    assert "mart" in redshift.data.list_schemas(**target)["Schemas"]
    assert redshift.data.list_schemas(**target, SchemaPattern="ma%")["Schemas"] == ["mart"]
    tables = redshift.data.list_tables(**target, SchemaPattern="mart")["Tables"]
    assert tables == [{"name": "daily", "schema": "mart", "type": "TABLE"},
                      {"name": "recent", "schema": "mart", "type": "VIEW"}]
    described = redshift.data.describe_table(**target, Schema="mart", Table="daily")
    assert described["TableName"] == "daily"
    assert [(c["name"], c["typeName"], c["nullable"]) for c in described["ColumnList"]] == [
        ("day", "date", 0), ("total", "int8", 1)]


def test_a_database_that_does_not_exist_fails_the_statement(redshift: Redshift) -> None:
    found = redshift.wait(redshift.data.execute_statement(ClusterIdentifier=CLUSTER, Database="nope", DbUser="awsuser",
                                                          Sql="SELECT 1")["Id"])
    assert found["Status"] == "FAILED" and found["Error"] == 'FATAL: database "nope" does not exist'
    redshift.ok("CREATE DATABASE analytics")
    assert "analytics" in redshift.data.list_databases(ClusterIdentifier=CLUSTER, Database="dev",
                                                        DbUser="awsuser")["Databases"]


def test_an_unknown_cluster_is_refused(redshift: Redshift) -> None:
    code, _ = _error(redshift.data.execute_statement, ClusterIdentifier="nope", Database="dev", DbUser="u",
                     Sql="SELECT 1")
    assert code == "ValidationException"


def test_databases_of_two_clusters_are_apart(redshift: Redshift, client) -> None:
    client("redshift").create_cluster(ClusterIdentifier="other", NodeType="ra3.large", MasterUsername="awsuser",
                                      MasterUserPassword="Lakelab-Passw0rd")
    redshift.ok("CREATE TABLE only_here (a INT)")
    other = Redshift(client, ClusterIdentifier="other", DbUser="awsuser")
    assert other.failure("SELECT * FROM only_here") == 'ERROR: relation "only_here" does not exist'


def test_with_event_puts_a_status_change_on_eventbridge(redshift: Redshift, client) -> None:
    import json

    sqs, events = client("sqs"), client("events")
    queue = sqs.create_queue(QueueName="statement-events")["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    events.put_rule(Name="statements", EventPattern=json.dumps({"source": ["aws.redshift-data"]}))
    events.put_targets(Rule="statements", Targets=[{"Id": "queue", "Arn": arn}])
    statement = redshift.ok("SELECT 1", WithEvent=True, StatementName="nightly.check")
    messages = sqs.receive_message(QueueUrl=queue, WaitTimeSeconds=5)["Messages"]
    event = json.loads(messages[0]["Body"])
    assert event["detail-type"] == "Redshift Data Statement Status Change"
    assert event["resources"] == ["arn:aws:redshift:us-east-1:123456789012:cluster:lab-cluster"]
    assert {k: event["detail"][k] for k in ("statementName", "statementId", "state", "rows")} == {
        "statementName": "nightly.check", "statementId": statement["Id"], "state": "FINISHED", "rows": 1}


def test_iam_decides_how_a_caller_may_connect(redshift: Redshift, client) -> None:
    import json

    import boto3

    iam = client("iam")
    trust = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": "*"},
                                                     "Action": "sts:AssumeRole"}]}
    arn = iam.create_role(RoleName="analyst", AssumeRolePolicyDocument=json.dumps(trust))["Role"]["Arn"]
    policy = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "redshift-data:*", "Resource": "*"}]}
    iam.put_role_policy(RoleName="analyst", PolicyName="data-api", PolicyDocument=json.dumps(policy))
    keys = client("sts").assume_role(RoleArn=arn, RoleSessionName="bi")["Credentials"]
    data = boto3.client("redshift-data", region_name="us-east-1", endpoint_url=redshift.data.meta.endpoint_url,
                        aws_access_key_id=keys["AccessKeyId"], aws_secret_access_key=keys["SecretAccessKey"],
                        aws_session_token=keys["SessionToken"])
    with pytest.raises(ClientError) as refused:
        data.execute_statement(ClusterIdentifier=CLUSTER, Database="dev", DbUser="analyst", Sql="SELECT 1")
    assert "redshift:GetClusterCredentials" in refused.value.response["Error"]["Message"]
    policy["Statement"].append({"Effect": "Allow", "Action": "redshift:GetClusterCredentials",
                                "Resource": f"arn:aws:redshift:us-east-1:123456789012:dbuser:{CLUSTER}/analyst"})
    iam.put_role_policy(RoleName="analyst", PolicyName="data-api", PolicyDocument=json.dumps(policy))
    statement = data.execute_statement(ClusterIdentifier=CLUSTER, Database="dev", DbUser="analyst", Sql="SELECT 1")
    assert redshift.wait(statement["Id"])["DbUser"] == "analyst"
    assert [s["Id"] for s in data.list_statements()["Statements"]] == [statement["Id"]]  # its role's only
    with pytest.raises(ClientError) as refused:
        data.execute_statement(ClusterIdentifier=CLUSTER, Database="dev", Sql="SELECT 1")  # as its IAM identity
    assert "redshift:GetClusterCredentialsWithIAM" in refused.value.response["Error"]["Message"]


def test_a_secret_names_the_database_user(redshift: Redshift, client) -> None:
    import json

    secret = client("secretsmanager").create_secret(
        Name="warehouse/admin", SecretString=json.dumps({"username": "etl_user", "password": "x"}))["ARN"]
    statement = redshift.data.execute_statement(ClusterIdentifier=CLUSTER, Database="dev", SecretArn=secret,
                                                Sql="SELECT 1")
    described = redshift.wait(statement["Id"])
    assert described["DbUser"] == "etl_user" and described["SecretArn"] == secret
    listed = redshift.data.list_statements(Status="FINISHED")["Statements"]
    assert listed[0]["Id"] == statement["Id"] and listed[0]["SecretArn"] == secret


def test_a_client_token_makes_execute_statement_idempotent(redshift: Redshift) -> None:
    first = redshift.start("CREATE TABLE once (a INT)", ClientToken="create-once-1")
    again = redshift.start("CREATE TABLE once (a INT)", ClientToken="create-once-1")
    assert first == again and redshift.wait(first)["Status"] == "FINISHED"
