"""A BI client connects: the Endpoint answers PostgreSQL's protocol, backed by the same engine."""

from __future__ import annotations

import pytest
import redshift_connector

from redshift_helpers import CLUSTER, Redshift, redshift, warehouse_role  # noqa: F401 (fixtures)


def _endpoint(client) -> dict:
    return client("redshift").describe_clusters(ClusterIdentifier=CLUSTER)["Clusters"][0]["Endpoint"]


def _connect(endpoint: dict, user: str = "awsuser", password: str = "Lakelab-Passw0rd", database: str = "dev"):
    return redshift_connector.connect(host=endpoint["Address"], port=endpoint["Port"], database=database, user=user,
                                      password=password, ssl=False)


def test_redshift_connector_queries_what_the_data_api_wrote(redshift: Redshift, client) -> None:
    redshift.ok("CREATE TABLE daily (day DATE, region VARCHAR(8), total DECIMAL(12,2)) SORTKEY(day)")
    redshift.ok("INSERT INTO daily VALUES ('2024-01-01', 'eu', 10.5), ('2024-01-01', 'us', 4), "
                "('2024-01-02', 'eu', 1)")
    connection = _connect(_endpoint(client))
    cursor = connection.cursor()
    cursor.execute("SELECT region, SUM(total), COUNT(*) FROM daily WHERE day >= %s GROUP BY region ORDER BY 1",
                   ("2024-01-01",))
    assert [d[0] for d in cursor.description] == ["region", "sum", "count"]
    assert [list(row) for row in cursor.fetchall()] == [["eu", pytest.approx(11.5), 2], ["us", pytest.approx(4), 1]]
    cursor.execute("INSERT INTO daily VALUES ('2024-01-03', 'us', 2)")
    connection.commit()
    frame = cursor.execute("SELECT * FROM daily ORDER BY day, region").fetch_dataframe()
    assert len(frame) == 4 and list(frame.columns) == ["day", "region", "total"]
    connection.close()
    assert redshift.value("SELECT COUNT(*) FROM daily") == 4  # one engine behind both


def test_a_wrong_password_is_refused_and_bad_sql_fails_in_postgres_terms(redshift: Redshift, client) -> None:
    endpoint = _endpoint(client)
    assert endpoint["Address"] == "127.0.0.1" and endpoint["Port"] > 0
    with pytest.raises(redshift_connector.ProgrammingError) as refused:
        _connect(endpoint, password="wrong")
    assert refused.value.args[0]["C"] == "28P01"
    connection = _connect(endpoint)
    cursor = connection.cursor()
    with pytest.raises(redshift_connector.ProgrammingError) as failed:
        cursor.execute("SELEC 1")
    assert failed.value.args[0]["M"] == 'syntax error at or near "SELEC"' and failed.value.args[0]["C"] == "42601"
    connection.rollback()
    cursor.execute("SELECT 1 + 1")
    assert cursor.fetchone()[0] == 2
    connection.close()
    with pytest.raises(redshift_connector.ProgrammingError):
        _connect(endpoint, database="nope")


def test_temporary_credentials_log_in(redshift: Redshift, client) -> None:
    credentials = client("redshift").get_cluster_credentials(ClusterIdentifier=CLUSTER, DbUser="analyst",
                                                             DurationSeconds=900)
    connection = _connect(_endpoint(client), credentials["DbUser"], credentials["DbPassword"])
    cursor = connection.cursor()
    cursor.execute("SELECT CURRENT_DATE IS NOT NULL")
    assert cursor.fetchone()[0] is True
    connection.close()


def test_a_serverless_workgroup_endpoint_answers(emulator, client) -> None:
    serverless = client("redshift-serverless")
    serverless.create_namespace(namespaceName="bi-team", adminUsername="admin", adminUserPassword="Admin-Passw0rd",
                                dbName="dev")
    endpoint = serverless.create_workgroup(workgroupName="bi-team", namespaceName="bi-team")["workgroup"]["endpoint"]
    connection = redshift_connector.connect(host=endpoint["address"], port=endpoint["port"], database="dev",
                                            user="admin", password="Admin-Passw0rd", ssl=False)
    cursor = connection.cursor()
    cursor.execute("SELECT 6 * 7")
    assert cursor.fetchone()[0] == 42
    connection.close()


def test_the_extended_protocol_prepares_one_statement(redshift: Redshift, client) -> None:
    connection = _connect(_endpoint(client))
    cursor = connection.cursor()
    with pytest.raises(redshift_connector.ProgrammingError) as refused:
        cursor.execute("CREATE TABLE a (x INT); CREATE TABLE b (x INT)")
    assert refused.value.args[0]["M"] == "cannot insert multiple commands into a prepared statement"
    connection.close()


def test_a_deleted_cluster_stops_answering_and_forgets_its_tables(redshift: Redshift, client) -> None:
    endpoint = _endpoint(client)
    redshift.ok("CREATE TABLE gone (a INT)")
    client("redshift").delete_cluster(ClusterIdentifier=CLUSTER, SkipFinalClusterSnapshot=True)
    with pytest.raises(redshift_connector.InterfaceError):
        _connect(endpoint)
    client("redshift").create_cluster(ClusterIdentifier=CLUSTER, NodeType="ra3.large", MasterUsername="awsuser",
                                      MasterUserPassword="Lakelab-Passw0rd")
    assert redshift.failure("SELECT * FROM gone") == 'ERROR: relation "gone" does not exist'


def test_endpoint_statements_are_in_sys_query_history(redshift: Redshift, client) -> None:
    connection = _connect(_endpoint(client))
    cursor = connection.cursor()
    cursor.execute("SELECT 41 + 1")
    connection.close()
    assert redshift.rows("SELECT user_name, query_type, status, returned_rows, query_text FROM sys_query_history "
                         "ORDER BY query_id LIMIT 1") == [["awsuser", "SELECT", "success", 1, "SELECT 41 + 1"]]
