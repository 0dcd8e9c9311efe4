"""Spectrum over the Glue catalog, Redshift Serverless workgroups, and awswrangler's Data API client."""

from __future__ import annotations

import pyarrow as pa
import pytest
from botocore.exceptions import ClientError

from redshift_helpers import BUCKET, CLUSTER, Redshift, redshift, warehouse_role  # noqa: F401 (fixtures)


def _curated(redshift: Redshift, client) -> None:
    glue = client("glue")
    glue.create_database(DatabaseInput={"Name": "curated"})
    glue.create_table(DatabaseName="curated", TableInput={
        "Name": "daily_sales", "TableType": "EXTERNAL_TABLE", "Parameters": {"classification": "parquet"},
        "PartitionKeys": [{"Name": "region", "Type": "string"}],
        "StorageDescriptor": {
            "Columns": [{"Name": "day", "Type": "date"}, {"Name": "total", "Type": "bigint"}],
            "Location": f"s3://{BUCKET}/curated/daily_sales/",
            "InputFormat": "org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat",
            "SerdeInfo": {"SerializationLibrary": "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe"}}})
    for region, totals in (("eu", [10, 7]), ("us", [5, 1])):
        table = pa.table({"day": pa.array([19723, 19724], pa.date32()), "total": pa.array(totals, pa.int64())})
        redshift.put_parquet(f"curated/daily_sales/region={region}/part-0.parquet", table)
        glue.create_partition(DatabaseName="curated", TableName="daily_sales", PartitionInput={
            "Values": [region],
            "StorageDescriptor": {"Location": f"s3://{BUCKET}/curated/daily_sales/region={region}/"}})


def test_spectrum_reads_glue_tables_as_the_schemas_role(redshift: Redshift, client, warehouse_role: str) -> None:
    _curated(redshift, client)
    redshift.ok(f"CREATE EXTERNAL SCHEMA lake FROM DATA CATALOG DATABASE 'curated' IAM_ROLE '{warehouse_role}'")
    assert redshift.rows("SELECT region, SUM(total) FROM lake.daily_sales GROUP BY region ORDER BY region") == [
        ["eu", 17], ["us", 6]]
    redshift.ok("CREATE TABLE regions (code VARCHAR(4), name VARCHAR(20))")
    redshift.ok("INSERT INTO regions VALUES ('eu', 'Europe'), ('us', 'America')")
    assert redshift.rows("SELECT r.name, MAX(s.total) FROM lake.daily_sales s JOIN regions r ON r.code = s.region "
                         "GROUP BY r.name ORDER BY 1") == [["America", 5], ["Europe", 10]]
    redshift.ok("CREATE TABLE local_copy AS SELECT * FROM lake.daily_sales")
    assert redshift.value("SELECT COUNT(*) FROM local_copy") == 4
    tables = redshift.data.list_tables(ClusterIdentifier=CLUSTER, DbUser="awsuser", Database="dev",
                                       SchemaPattern="lake")["Tables"]
    assert tables == [{"name": "daily_sales", "schema": "lake", "type": "EXTERNAL TABLE"}]
    assert redshift.failure("SELECT * FROM lake.missing") == 'ERROR: relation "lake.missing" does not exist'


def test_spectrum_is_refused_what_its_role_may_not_read(redshift: Redshift, client, service_role) -> None:
    _curated(redshift, client)
    blind = service_role("redshift", "glue-only", ("glue:*",))
    client("redshift").modify_cluster_iam_roles(ClusterIdentifier=CLUSTER, AddIamRoles=[blind])
    redshift.ok(f"CREATE EXTERNAL SCHEMA blind FROM DATA CATALOG DATABASE 'curated' IAM_ROLE '{blind}'")
    error = redshift.failure("SELECT COUNT(*) FROM blind.daily_sales")
    assert error.startswith("ERROR: Spectrum Scan Error: Permission denied on S3 path")


def test_serverless_workgroup_runs_statements(emulator, client, warehouse_role: str) -> None:
    serverless = client("redshift-serverless")
    namespace = serverless.create_namespace(namespaceName="lab", adminUsername="admin", adminUserPassword="Passw0rd1",
                                            dbName="analytics", iamRoles=[warehouse_role])["namespace"]
    assert namespace["dbName"] == "analytics" and namespace["status"] == "AVAILABLE"
    workgroup = serverless.create_workgroup(workgroupName="lab-wg", namespaceName="lab", baseCapacity=8)["workgroup"]
    assert workgroup["status"] == "AVAILABLE" and workgroup["endpoint"]["port"] > 0
    assert [w["workgroupName"] for w in serverless.list_workgroups()["workgroups"]] == ["lab-wg"]
    with pytest.raises(ClientError) as refused:
        serverless.create_workgroup(workgroupName="bad", namespaceName="lab", baseCapacity=12)
    assert refused.value.response["Error"]["Code"] == "ValidationException"
    session = Redshift(client, WorkgroupName="lab-wg")
    statement = session.data.execute_statement(WorkgroupName="lab-wg", Database="analytics", Sql="SELECT 40 + 2")
    assert session.wait(statement["Id"])["Status"] == "FINISHED"
    assert session.data.get_statement_result(Id=statement["Id"])["Records"] == [[{"longValue": 42}]]
    assert "WorkgroupName" in statement and "ClusterIdentifier" not in statement
    with pytest.raises(ClientError) as refused:
        session.data.execute_statement(WorkgroupName="lab-wg", Database="analytics", DbUser="x", Sql="SELECT 1")
    assert refused.value.response["Error"]["Code"] == "ValidationException"
    with pytest.raises(ClientError):
        session.data.execute_statement(WorkgroupName="missing", Database="analytics", Sql="SELECT 1")
    credentials = serverless.get_credentials(workgroupName="lab-wg", dbName="analytics")
    assert credentials["dbUser"] and credentials["dbPassword"]


def test_awswrangler_data_api_reads_and_writes(redshift: Redshift, emulator) -> None:
    import awswrangler as wr

    with wr.data_api.redshift.connect(cluster_id=CLUSTER, database="dev", db_user="awsuser") as connection:
        wr.data_api.redshift.read_sql_query("CREATE TABLE w (id INT, name VARCHAR(10), price DECIMAL(6,2), at DATE)",
                                            con=connection)
        wr.data_api.redshift.read_sql_query("INSERT INTO w VALUES (1, 'a', 1.50, '2024-01-01'), (2, NULL, 2, NULL)",
                                            con=connection)
        frame = wr.data_api.redshift.read_sql_query("SELECT * FROM w ORDER BY id", con=connection)
    assert list(frame.columns) == ["id", "name", "price", "at"]
    frame = frame.astype(object).where(frame.notna(), None)
    assert frame.to_dict("records") == [{"id": 1, "name": "a", "price": "1.50", "at": "2024-01-01"},
                                        {"id": 2, "name": None, "price": "2.00", "at": None}]


def test_a_namespace_keeps_its_tables_across_workgroups(emulator, client) -> None:
    serverless = client("redshift-serverless")
    serverless.create_namespace(namespaceName="keep", adminUsername="admin", adminUserPassword="Passw0rd1")
    serverless.create_workgroup(workgroupName="first", namespaceName="keep")
    first = Redshift(client, WorkgroupName="first")
    first.ok("CREATE TABLE kept AS SELECT 1 AS a")
    serverless.delete_workgroup(workgroupName="first")
    serverless.create_workgroup(workgroupName="second", namespaceName="keep")
    assert Redshift(client, WorkgroupName="second").value("SELECT a FROM kept") == 1
    serverless.delete_workgroup(workgroupName="second")
    serverless.delete_namespace(namespaceName="keep")
    serverless.create_namespace(namespaceName="keep", adminUsername="admin", adminUserPassword="Passw0rd1")
    serverless.create_workgroup(workgroupName="third", namespaceName="keep")
    assert Redshift(client, WorkgroupName="third").failure("SELECT a FROM kept").startswith("ERROR: relation")
