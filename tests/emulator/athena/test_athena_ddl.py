"""DDL and utility statements change and read the Glue catalog as Athena does."""

import base64
import json

from test_athena_helpers import LAKE, athena  # noqa: F401 (fixture)

CREATE = f"""CREATE EXTERNAL TABLE IF NOT EXISTS lab.trips (
  trip_id bigint COMMENT 'the trip',
  tags array<string>,
  extras map<string,int>,
  rider struct<name:string,age:int>,
  fare decimal(10,2))
PARTITIONED BY (dt string)
ROW FORMAT DELIMITED FIELDS TERMINATED BY '\\t' COLLECTION ITEMS TERMINATED BY '|' MAP KEYS TERMINATED BY ':'
STORED AS TEXTFILE
LOCATION 's3://{LAKE}/trips/'
TBLPROPERTIES ('skip.header.line.count'='1', 'classification'='csv')"""


def test_create_external_table_registers_it_in_glue(athena):
    execution = athena.ok(CREATE)
    assert (execution["StatementType"], execution["SubstatementType"]) == ("DDL", "CREATE_TABLE")
    assert execution["Statistics"]["DataScannedInBytes"] == 0
    table = athena.glue.get_table(DatabaseName="lab", Name="trips")["Table"]
    descriptor = table["StorageDescriptor"]
    assert [(c["Name"], c["Type"]) for c in descriptor["Columns"]] == [
        ("trip_id", "bigint"), ("tags", "array<string>"), ("extras", "map<string,int>"),
        ("rider", "struct<name:string,age:int>"), ("fare", "decimal(10,2)")]
    assert descriptor["Columns"][0]["Comment"] == "the trip"
    assert table["PartitionKeys"] == [{"Name": "dt", "Type": "string"}]
    assert descriptor["Location"] == f"s3://{LAKE}/trips/"
    assert descriptor["SerdeInfo"]["Parameters"]["field.delim"] == "\t"
    assert table["Parameters"]["skip.header.line.count"] == "1" and table["TableType"] == "EXTERNAL_TABLE"


def test_text_with_nested_columns_reads_through_the_declared_delimiters(athena):
    athena.ok(CREATE)
    athena.put("trips/dt=2024-05-01/a.tsv", "header line\n7\ta|b\tx:1|y:2\tana|31\t12.5\n")
    athena.ok("MSCK REPAIR TABLE trips")
    assert athena.rows("SELECT trip_id, tags, extras['y'], rider.name, rider.age, fare, dt FROM trips") == [
        ["7", "[a, b]", "2", "ana", "31", "12.50", "2024-05-01"]]


def test_show_and_describe(athena):
    athena.ok(CREATE)
    athena.ok("ALTER TABLE trips ADD PARTITION (dt='2024-01-01') PARTITION (dt='2024-01-02')")
    assert athena.rows("SHOW TABLES IN lab") == [["trips"]]
    assert athena.rows("SHOW TABLES IN lab 'tr*'") == [["trips"]]
    assert ["lab"] in athena.rows("SHOW DATABASES")
    assert athena.rows("SHOW PARTITIONS lab.trips") == [["dt=2024-01-01"], ["dt=2024-01-02"]]
    described = [[v.strip() for v in row] for row in athena.rows("DESCRIBE trips")]
    assert described[:2] == [["trip_id", "bigint", "the trip"], ["tags", "array<string>", ""]]
    assert ["# Partition Information", "", ""] in described
    assert athena.ok("DESCRIBE trips")["StatementType"] == "UTILITY"


def test_show_create_table_can_be_run_again(athena):
    athena.ok(CREATE)
    statement = "\n".join(row[0] for row in athena.rows("SHOW CREATE TABLE lab.trips"))
    assert statement.startswith("CREATE EXTERNAL TABLE `lab.trips`(")
    original = athena.glue.get_table(DatabaseName="lab", Name="trips")["Table"]
    athena.ok("DROP TABLE trips")
    athena.ok(statement)
    again = athena.glue.get_table(DatabaseName="lab", Name="trips")["Table"]
    for part in ("StorageDescriptor", "PartitionKeys", "Parameters"):
        first, second = original[part], again[part]
        if part == "StorageDescriptor":
            first, second = (({k: v for k, v in d.items() if k in ("Columns", "Location", "SerdeInfo")}) for d in (first, second))
        assert first == second


def test_a_ddl_typo_fails_with_its_position(athena):
    reason = athena.failure("CREATE EXTERNAL TABLE t (id int)\nROW FORMAT DELIMITED FIELDS TERMINATD BY ','")
    assert reason.startswith("line 2:29: mismatched input 'TERMINATD'")
    assert athena.failure("CREATE EXTERNA TABLE t (id int)").startswith("line 1:8: mismatched input 'EXTERNA'")
    assert athena.failure(f"CREATE EXTERNAL TABLE t (id integr) LOCATION 's3://{LAKE}/t/'").startswith("line 1:29:")


def test_databases_are_created_and_dropped(athena):
    athena.ok("CREATE DATABASE IF NOT EXISTS staging COMMENT 'raw landing'")
    athena.ok("CREATE SCHEMA IF NOT EXISTS staging")
    assert athena.glue.get_database(Name="staging")["Database"]["Description"] == "raw landing"
    assert "already exists" in athena.failure("CREATE DATABASE staging")
    athena.ok(f"CREATE EXTERNAL TABLE staging.t (id int) LOCATION 's3://{LAKE}/t/'")
    assert "is not empty" in athena.failure("DROP DATABASE staging")
    athena.ok("DROP DATABASE staging CASCADE")
    assert "staging" not in [d["Name"] for d in athena.glue.get_databases()["DatabaseList"]]
    athena.ok("DROP DATABASE IF EXISTS staging")


def test_drop_table_keeps_the_data(athena):
    athena.put("keep/a.csv", "1\n")
    athena.ok(f"CREATE EXTERNAL TABLE keep (id int) LOCATION 's3://{LAKE}/keep/'")
    athena.ok("DROP TABLE keep")
    assert athena.keys("keep/") == ["keep/a.csv"]
    assert "Table not found" in athena.failure("DROP TABLE keep")
    athena.ok("DROP TABLE IF EXISTS keep")


def test_partitions_are_added_once_and_dropped(athena):
    athena.ok(CREATE)
    athena.ok(f"ALTER TABLE trips ADD PARTITION (dt='2024-01-01') LOCATION 's3://{LAKE}/custom/'")
    assert "already exists" in athena.failure("ALTER TABLE trips ADD PARTITION (dt='2024-01-01')")
    athena.ok("ALTER TABLE trips ADD IF NOT EXISTS PARTITION (dt='2024-01-01')")
    partition = athena.glue.get_partition(DatabaseName="lab", TableName="trips", PartitionValues=["2024-01-01"])
    descriptor = partition["Partition"]["StorageDescriptor"]
    assert descriptor["Location"] == f"s3://{LAKE}/custom/"
    assert descriptor["SerdeInfo"]["Parameters"]["field.delim"] == "\t"
    assert "Non-Partition column" in athena.failure("ALTER TABLE trips ADD PARTITION (day='x')")
    athena.ok("ALTER TABLE trips DROP PARTITION (dt='2024-01-01')")
    assert athena.glue.get_partitions(DatabaseName="lab", TableName="trips")["Partitions"] == []


def test_views_are_stored_in_glue_as_presto_views(athena):
    athena.ok("CREATE VIEW small AS SELECT x, x * 2 AS doubled FROM UNNEST(sequence(1, 3)) AS t(x)")
    table = athena.glue.get_table(DatabaseName="lab", Name="small")["Table"]
    assert table["TableType"] == "VIRTUAL_VIEW"
    encoded = table["ViewOriginalText"].removeprefix("/* Presto View: ").removesuffix(" */")
    document = json.loads(base64.b64decode(encoded))
    assert document["originalSql"].startswith("SELECT x, x * 2")
    assert [c["name"] for c in document["columns"]] == ["x", "doubled"]
    assert athena.rows("SELECT sum(doubled) FROM small") == [["12"]]
    athena.ok("CREATE OR REPLACE VIEW small AS SELECT 1 AS x")
    assert athena.rows("SELECT * FROM lab.small") == [["1"]]
    athena.ok("DROP VIEW small")
    assert athena.failure("SELECT * FROM small").startswith("TABLE_NOT_FOUND")


def test_athena_catalog_api_reads_glue(athena):
    athena.ok(CREATE)
    athena.glue.create_database(DatabaseInput={"Name": "from_glue", "Description": "made with Glue"})
    databases = athena.athena.list_databases(CatalogName="AwsDataCatalog")["DatabaseList"]
    assert {"lab", "from_glue"} <= {d["Name"] for d in databases}
    table = athena.athena.get_table_metadata(CatalogName="AwsDataCatalog", DatabaseName="lab", TableName="trips")
    metadata = table["TableMetadata"]
    assert [c["Name"] for c in metadata["PartitionKeys"]] == ["dt"]
    assert metadata["Parameters"]["location"] == f"s3://{LAKE}/trips/"
    listed = athena.athena.list_table_metadata(CatalogName="AwsDataCatalog", DatabaseName="lab")["TableMetadataList"]
    assert [t["Name"] for t in listed] == ["trips"]


def test_the_default_database_exists_as_in_every_account(athena):
    athena.put("plain/a.csv", "1\n")
    athena.ok(f"CREATE EXTERNAL TABLE plain (id int) LOCATION 's3://{LAKE}/plain/'", database=None)
    assert athena.rows("SELECT id FROM default.plain", database=None) == [["1"]]
    assert ["default"] in athena.rows("SHOW DATABASES")
