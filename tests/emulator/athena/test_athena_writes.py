"""CREATE TABLE AS SELECT, INSERT INTO and UNLOAD write files and register them as Athena does."""

import io

import pyarrow.parquet as pq

from test_athena_helpers import LAKE, RESULTS, athena, orders_frame, register_orders_parquet  # noqa: F401

CTAS = f"""CREATE TABLE lab.region_totals
WITH (format = 'PARQUET', external_location = 's3://{LAKE}/curated/region_totals/',
      partitioned_by = ARRAY['region'], write_compression = 'SNAPPY')
AS SELECT customer, sum(amount) AS total, count(*) AS orders, region FROM orders GROUP BY customer, region"""


def test_ctas_writes_partitioned_parquet_and_registers_it(athena):
    frame = orders_frame()
    register_orders_parquet(athena, frame)
    execution = athena.ok(CTAS)
    assert (execution["StatementType"], execution["SubstatementType"]) == ("DDL", "CREATE_TABLE_AS_SELECT")
    keys = athena.keys("curated/region_totals/")
    assert {k.split("/")[2] for k in keys} == {"region=east", "region=north", "region=south"}
    table = athena.glue.get_table(DatabaseName="lab", Name="region_totals")["Table"]
    assert [c["Name"] for c in table["StorageDescriptor"]["Columns"]] == ["customer", "total", "orders"]
    assert table["PartitionKeys"] == [{"Name": "region", "Type": "string"}]
    partitions = athena.glue.get_partitions(DatabaseName="lab", TableName="region_totals")["Partitions"]
    assert sorted(p["Values"][0] for p in partitions) == ["east", "north", "south"]
    first = pq.read_table(io.BytesIO(athena.s3.get_object(Bucket=LAKE, Key=keys[0])["Body"].read()))
    assert first.column_names == ["customer", "total", "orders"]
    expected = frame.groupby("region").size().sort_index()
    rows = athena.rows("SELECT region, sum(orders) FROM region_totals GROUP BY region ORDER BY region")
    assert rows == [[r, str(n)] for r, n in expected.items()]


def test_ctas_leaves_a_manifest_of_the_files_it_wrote(athena):
    register_orders_parquet(athena, orders_frame())
    execution = athena.ok(CTAS)
    manifest = execution["Statistics"]["DataManifestLocation"]
    assert manifest == f"s3://{RESULTS}/athena/tables/{execution['QueryExecutionId']}-manifest.csv"
    listed = athena.text(RESULTS, manifest.split(f"{RESULTS}/", 1)[1]).split()
    assert sorted(listed) == [f"s3://{LAKE}/{k}" for k in athena.keys("curated/region_totals/")]
    page = athena.athena.get_query_results(QueryExecutionId=execution["QueryExecutionId"])
    assert page["UpdateCount"] == 15


def test_ctas_refuses_a_location_that_is_not_empty_and_misplaced_partition_columns(athena):
    register_orders_parquet(athena, orders_frame())
    athena.put("curated/region_totals/old.parquet", b"x")
    assert athena.failure(CTAS).startswith("HIVE_PATH_ALREADY_EXISTS")
    misplaced = ("CREATE TABLE lab.bad WITH (partitioned_by = ARRAY['region']) "
                 "AS SELECT region, count(*) AS n FROM orders GROUP BY region")
    assert athena.failure(misplaced).startswith("HIVE_COLUMN_ORDER_MISMATCH")
    assert "Column name not specified" in athena.failure("CREATE TABLE lab.unnamed AS SELECT 1")
    assert "already exists" in athena.failure("CREATE TABLE lab.orders AS SELECT 1 AS x")


def test_ctas_to_delimited_text(athena):
    athena.ok(f"CREATE TABLE lab.pairs WITH (format = 'TEXTFILE', field_delimiter = ',', "
              f"external_location = 's3://{LAKE}/pairs/') AS SELECT x, x * x AS square FROM UNNEST(sequence(1, 3)) AS t(x)")
    (key,) = athena.keys("pairs/")
    assert sorted(athena.text(LAKE, key).split()) == ["1,1", "2,4", "3,9"]
    assert athena.rows("SELECT sum(square) FROM pairs") == [["14"]]


def test_ctas_without_location_writes_under_the_result_location(athena):
    execution = athena.ok("CREATE TABLE lab.nums AS SELECT 1 AS n")
    location = athena.glue.get_table(DatabaseName="lab", Name="nums")["Table"]["StorageDescriptor"]["Location"]
    assert location == f"s3://{RESULTS}/athena/tables/{execution['QueryExecutionId']}/"
    assert athena.rows("SELECT n FROM nums") == [["1"]]


def test_insert_into_adds_files_and_new_partitions(athena):
    register_orders_parquet(athena, orders_frame())
    athena.ok(CTAS)
    before = athena.keys("curated/region_totals/")
    execution = athena.ok("INSERT INTO region_totals SELECT 'zed', 1.5, 1, 'west' UNION ALL SELECT 'ana', 2.0, 2, 'north'")
    assert execution["StatementType"] == "DML"
    added = sorted(set(athena.keys("curated/region_totals/")) - set(before))
    assert [k.split("/")[2] for k in added] == ["region=north", "region=west"]
    partitions = athena.glue.get_partitions(DatabaseName="lab", TableName="region_totals")["Partitions"]
    assert sorted(p["Values"][0] for p in partitions) == ["east", "north", "south", "west"]
    assert athena.rows("SELECT customer, total FROM region_totals WHERE region = 'west'") == [["zed", "1.5"]]
    assert athena.athena.get_query_results(QueryExecutionId=execution["QueryExecutionId"])["UpdateCount"] == 2


def test_insert_into_a_text_table_with_named_columns(athena):
    athena.ok(f"CREATE EXTERNAL TABLE notes (id int, note string, score double) "
              f"ROW FORMAT DELIMITED FIELDS TERMINATED BY '|' LOCATION 's3://{LAKE}/notes/'")
    athena.ok("INSERT INTO notes (note, id) VALUES ('hello', 1), ('bye', 2)")
    assert athena.rows("SELECT id, note, score FROM notes ORDER BY id") == [["1", "hello", None], ["2", "bye", None]]
    assert "mismatched column types" in athena.failure("INSERT INTO notes SELECT 1")


def test_unload_writes_files_and_a_manifest(athena):
    execution = athena.ok(f"UNLOAD (SELECT x FROM UNNEST(sequence(1, 4)) AS t(x)) TO 's3://{LAKE}/unloaded/' "
                          "WITH (format = 'PARQUET')")
    (key,) = athena.keys("unloaded/")
    assert pq.read_table(io.BytesIO(athena.s3.get_object(Bucket=LAKE, Key=key)["Body"].read())).num_rows == 4
    assert "DataManifestLocation" in execution["Statistics"]
