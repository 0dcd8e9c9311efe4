"""Tables read through the Glue catalog: SerDes, partitions, malformed values, bytes scanned."""

import gzip
import json

import pandas as pd

from test_athena_helpers import (LAKE, athena, orders_frame, register_orders_csv,  # noqa: F401 (fixture)
                                 register_orders_parquet)


def test_csv_values_that_do_not_convert_become_null(athena):
    athena.put("people/a.csv", "1,ana,31,true,2024-01-02\n2,ben,n/a,maybe,someday\n3.5,cai,,FALSE,2024-02-30\n4,dee\n")
    athena.ok(f"CREATE EXTERNAL TABLE people (id int, name string, age int, member boolean, joined date) "
              f"ROW FORMAT DELIMITED FIELDS TERMINATED BY ',' LOCATION 's3://{LAKE}/people/'")
    assert athena.rows("SELECT * FROM people ORDER BY name") == [
        ["1", "ana", "31", "true", "2024-01-02"],
        ["2", "ben", None, None, None],
        [None, "cai", None, "false", None],
        ["4", "dee", None, None, None],
    ]


def test_open_csv_serde_with_header_and_quotes(athena):
    athena.put("quoted/a.csv", 'id,city,note\n1,"Paris, FR","said ""hi"""\n2,Oslo,\n')
    athena.ok(f"""CREATE EXTERNAL TABLE quoted (id int, city string, note string)
        ROW FORMAT SERDE 'org.apache.hadoop.hive.serde2.OpenCSVSerde'
        WITH SERDEPROPERTIES ('separatorChar' = ',', 'quoteChar' = '"', 'escapeChar' = '\\\\')
        LOCATION 's3://{LAKE}/quoted/' TBLPROPERTIES ('skip.header.line.count' = '1')""")
    assert athena.rows("SELECT id, city, note FROM quoted ORDER BY id") == [["1", "Paris, FR", 'said "hi"'], ["2", "Oslo", ""]]


def test_json_lines_with_nested_values_and_gzip(athena):
    lines = [{"id": 1, "user": {"name": "ana", "tags": ["a", "b"]}, "score": "7"}, {"id": 2, "score": 2.5}]
    athena.put("events/a.json.gz", gzip.compress("\n".join(json.dumps(x) for x in lines).encode()))
    athena.ok(f"""CREATE EXTERNAL TABLE events (id int, user struct<name:string,tags:array<string>>, score double)
        ROW FORMAT SERDE 'org.openx.data.jsonserde.JsonSerDe' LOCATION 's3://{LAKE}/events/'""")
    assert athena.rows("SELECT id, user.name, cardinality(user.tags), score FROM events ORDER BY id") == [
        ["1", "ana", "2", "7.0"], ["2", None, None, "2.5"],
    ]


def test_a_table_whose_files_are_missing_is_empty(athena):
    athena.ok(f"CREATE EXTERNAL TABLE ghosts (id int) STORED AS PARQUET LOCATION 's3://{LAKE}/nothing-here/'")
    assert athena.rows("SELECT count(*) FROM ghosts") == [["0"]]
    assert athena.rows("SELECT * FROM ghosts") == []
    athena.ok("CREATE EXTERNAL TABLE typo (id int) STORED AS PARQUET LOCATION 's3://no-such-bucket/x/'")
    assert "bucket does not exist" in athena.failure("SELECT * FROM typo")


def test_parquet_scans_fewer_bytes_than_csv_and_fewer_with_fewer_columns(athena):
    frame = orders_frame(400)
    register_orders_csv(athena, frame)
    register_orders_parquet(athena, frame)
    csv_scan = athena.ok("SELECT sum(amount) FROM orders_csv")["Statistics"]["DataScannedInBytes"]
    parquet_all = athena.ok("SELECT * FROM orders")["Statistics"]["DataScannedInBytes"]
    parquet_one = athena.ok("SELECT sum(amount) FROM orders")["Statistics"]["DataScannedInBytes"]
    csv_size = athena.s3.head_object(Bucket=LAKE, Key="orders_csv/part-0.csv")["ContentLength"]
    assert csv_scan == csv_size
    assert parquet_one < parquet_all < csv_scan
    assert athena.value("SELECT round(sum(amount), 2) FROM orders") == athena.value(
        "SELECT round(sum(amount), 2) FROM orders_csv")


def test_partitions_registered_in_glue_are_read_and_pruned(athena):
    frame = orders_frame(90)
    for region, part in frame.groupby("region"):
        athena.put_parquet(f"by_region/region={region}/part.parquet", part.drop(columns="region"))
    athena.put_parquet("elsewhere/south.parquet", frame[frame.region == "south"].drop(columns="region").head(3))
    athena.ok(f"""CREATE EXTERNAL TABLE by_region (order_id bigint, amount double) PARTITIONED BY (region string)
        STORED AS PARQUET LOCATION 's3://{LAKE}/by_region/'""")
    athena.ok("ALTER TABLE by_region ADD PARTITION (region='north') PARTITION (region='east')")
    athena.ok(f"ALTER TABLE by_region ADD PARTITION (region='south') LOCATION 's3://{LAKE}/elsewhere/'")
    counts = athena.rows("SELECT region, count(*) FROM by_region GROUP BY region ORDER BY region")
    expected = frame.region.value_counts()
    assert counts == [["east", str(expected["east"])], ["north", str(expected["north"])], ["south", "3"]]
    everything = athena.ok("SELECT sum(amount) FROM by_region")["Statistics"]["DataScannedInBytes"]
    one = athena.ok("SELECT sum(amount) FROM by_region WHERE region = 'north'")["Statistics"]["DataScannedInBytes"]
    assert 0 < one < everything / 2


def test_msck_repair_table_registers_hive_style_folders(athena):
    for day in ("2024-01-01", "2024-01-02"):
        athena.put(f"logs/dt={day}/hour=1/a.csv", f"{day},x\n")
    athena.put("logs/not-a-partition/a.csv", "ignored,y\n")
    athena.ok(f"""CREATE EXTERNAL TABLE logs (day string, msg string) PARTITIONED BY (dt string, hour int)
        ROW FORMAT DELIMITED FIELDS TERMINATED BY ',' LOCATION 's3://{LAKE}/logs/'""")
    assert athena.rows("SELECT count(*) FROM logs") == [["0"]]
    report = athena.rows("MSCK REPAIR TABLE logs")
    assert report[1:] == [["Repair: Added partition to metastore logs:dt=2024-01-01/hour=1"],
                          ["Repair: Added partition to metastore logs:dt=2024-01-02/hour=1"]]
    partitions = athena.glue.get_partitions(DatabaseName="lab", TableName="logs")["Partitions"]
    assert sorted(p["Values"] for p in partitions) == [["2024-01-01", "1"], ["2024-01-02", "1"]]
    assert athena.rows("SELECT dt, hour + 1, msg FROM logs ORDER BY dt") == [["2024-01-01", "2", "x"], ["2024-01-02", "2", "x"]]
    assert athena.rows("MSCK REPAIR TABLE logs") == []


def test_tables_created_with_the_glue_api_are_queryable(athena):
    athena.put_parquet("api/part.parquet", pd.DataFrame({"Name": ["ana", "ben"], "score": [1.5, 2.5]}))
    athena.glue.create_table(DatabaseName="lab", TableInput={
        "Name": "scores", "PartitionKeys": [],
        "StorageDescriptor": {
            "Columns": [{"Name": "name", "Type": "string"}, {"Name": "score", "Type": "double"},
                        {"Name": "added_later", "Type": "int"}],
            "Location": f"s3://{LAKE}/api/",
            "InputFormat": "org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat",
            "SerdeInfo": {"SerializationLibrary": "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe"},
        },
    })
    assert athena.rows("SELECT name, score, added_later FROM scores ORDER BY name") == [
        ["ana", "1.5", None], ["ben", "2.5", None]]


def test_unsupported_storage_fails_clearly(athena):
    athena.ok(f"CREATE EXTERNAL TABLE orc_table (id int) STORED AS ORC LOCATION 's3://{LAKE}/orc/'")
    assert athena.failure("SELECT * FROM orc_table").startswith("NOT_SUPPORTED: Reading 'orc' tables")
