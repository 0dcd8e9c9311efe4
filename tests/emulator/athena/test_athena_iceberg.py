"""Iceberg tables through Athena, as a learner runs them with boto3: DDL, DML, MERGE, time travel,
metadata tables, OPTIMIZE, VACUUM, schema evolution, and the Glue registration other readers use."""

from test_athena_helpers import LAKE, athena  # noqa: F401

CREATE = f"""CREATE TABLE customers (id bigint, name string, tier string, updated_at timestamp)
PARTITIONED BY (tier, day(updated_at))
LOCATION 's3://{LAKE}/iceberg/customers/'
TBLPROPERTIES ('table_type'='ICEBERG', 'format'='parquet', 'write_compression'='snappy')"""

SEED = """INSERT INTO customers VALUES
 (1, 'ana', 'gold', TIMESTAMP '2024-01-01 10:00:00'), (2, 'ben', 'silver', TIMESTAMP '2024-01-01 11:00:00'),
 (3, 'cai', 'gold', TIMESTAMP '2024-01-02 09:00:00')"""

CHANGES = """SELECT * FROM (VALUES
  (2, 'ben b', 'gold', TIMESTAMP '2024-01-03 08:00:00', 'U'),
  (3, 'cai', 'gold', TIMESTAMP '2024-01-03 09:00:00', 'D'),
  (4, 'dee', 'silver', TIMESTAMP '2024-01-03 10:00:00', 'I')) AS c(id, name, tier, updated_at, op)"""

MERGE = f"""MERGE INTO customers AS t USING ({CHANGES}) AS s ON t.id = s.id
WHEN MATCHED AND s.op = 'D' THEN DELETE
WHEN MATCHED AND s.updated_at > t.updated_at THEN UPDATE SET name = s.name, tier = s.tier, updated_at = s.updated_at
WHEN NOT MATCHED AND s.op <> 'D' THEN INSERT (id, name, tier, updated_at) VALUES (s.id, s.name, s.tier, s.updated_at)"""


def _table(athena) -> None:
    athena.ok(CREATE)
    athena.ok(SEED)


def _all(athena, table: str = "customers") -> list[list[str | None]]:
    return athena.rows(f"SELECT id, name, tier FROM {table} ORDER BY id")


def test_create_registers_an_iceberg_table_in_glue_as_athena_does(athena):
    athena.ok(CREATE)
    table = athena.glue.get_table(DatabaseName="lab", Name="customers")["Table"]
    assert table["TableType"] == "EXTERNAL_TABLE"
    assert table["Parameters"]["table_type"] == "ICEBERG"
    metadata = table["Parameters"]["metadata_location"]
    assert metadata.startswith(f"s3://{LAKE}/iceberg/customers/metadata/00000-") and metadata.endswith(".metadata.json")
    assert [c["Name"] for c in table["StorageDescriptor"]["Columns"]] == ["id", "name", "tier", "updated_at"]
    assert table["StorageDescriptor"]["Columns"][0]["Type"] == "bigint"
    assert athena.rows("SELECT count(*) FROM customers") == [["0"]]


def test_insert_then_select_reads_the_current_snapshot(athena):
    _table(athena)
    execution = athena.ok("INSERT INTO customers (id, name, tier) VALUES (5, 'eli', 'gold')")
    assert execution["StatementType"] == "DML"
    assert _all(athena) == [["1", "ana", "gold"], ["2", "ben", "silver"], ["3", "cai", "gold"], ["5", "eli", "gold"]]
    table = athena.glue.get_table(DatabaseName="lab", Name="customers")["Table"]
    assert table["Parameters"]["metadata_location"].split("/")[-1].startswith("00002-")
    assert table["Parameters"]["previous_metadata_location"].split("/")[-1].startswith("00001-")
    data = [k for k in athena.keys("iceberg/customers/data/")]
    assert data and all(k.endswith(".parquet") for k in data)
    assert any("tier=gold" in k and "updated_at_day=2024-01-01" in k for k in data)
    scanned = athena.ok("SELECT name FROM customers")["Statistics"]["DataScannedInBytes"]
    assert scanned > 0


def test_a_filter_on_partition_values_scans_fewer_bytes(athena):
    _table(athena)
    every = athena.ok("SELECT name FROM customers")["Statistics"]["DataScannedInBytes"]
    gold = athena.ok("SELECT name FROM customers WHERE tier = 'gold'")
    assert 0 < gold["Statistics"]["DataScannedInBytes"] < every
    day = "SELECT name FROM customers c WHERE c.updated_at >= TIMESTAMP '2024-01-02 00:00:00' AND c.id > 0"
    assert athena.ok(day)["Statistics"]["DataScannedInBytes"] < every
    assert athena.rows(day) == [["cai"]]
    joined = ("SELECT c.name, o.n FROM customers c LEFT JOIN (SELECT 1 AS id, 5 AS n) o ON c.id = o.id "
              "WHERE c.tier IN ('gold') ORDER BY c.name")
    assert athena.rows(joined) == [["ana", "5"], ["cai", None]]


def test_merge_updates_deletes_inserts_and_a_replayed_batch_changes_nothing(athena):
    _table(athena)
    execution = athena.ok(MERGE)
    assert execution["SubstatementType"] == "MERGE"
    page = athena.athena.get_query_results(QueryExecutionId=execution["QueryExecutionId"])
    assert page["UpdateCount"] == 3
    after = [["1", "ana", "gold"], ["2", "ben b", "gold"], ["4", "dee", "silver"]]
    assert _all(athena) == after
    snapshots = athena.rows('SELECT snapshot_id FROM "customers$snapshots"')
    replay = athena.ok(MERGE.replace("WHEN MATCHED AND s.op = 'D'", "WHEN MATCHED AND s.op = 'D' AND false"))
    assert athena.athena.get_query_results(QueryExecutionId=replay["QueryExecutionId"])["UpdateCount"] == 0
    assert _all(athena) == after
    assert athena.rows('SELECT snapshot_id FROM "customers$snapshots"') == snapshots


def test_merge_with_two_source_rows_for_one_target_row_fails_as_athena_does(athena):
    _table(athena)
    duplicated = """MERGE INTO customers t USING (SELECT 2 AS id, 'x' AS name UNION ALL SELECT 2, 'y') s
    ON t.id = s.id WHEN MATCHED THEN UPDATE SET name = s.name"""
    assert athena.failure(duplicated) == ("MERGE_TARGET_ROW_MULTIPLE_MATCHES: One MERGE target table row matched "
                                          "more than one source row")
    assert _all(athena)[1] == ["2", "ben", "silver"]


def test_update_and_delete_each_make_a_snapshot(athena):
    _table(athena)
    assert athena.ok("UPDATE customers SET tier = 'bronze' WHERE id = 1")["SubstatementType"] == "UPDATE"
    athena.ok("DELETE FROM customers WHERE tier = 'silver'")
    assert _all(athena) == [["1", "ana", "bronze"], ["3", "cai", "gold"]]
    athena.ok("UPDATE customers SET name = upper(name) WHERE id IN (SELECT id FROM customers WHERE tier = 'gold')")
    assert _all(athena) == [["1", "ana", "bronze"], ["3", "CAI", "gold"]]
    operations = athena.rows('SELECT operation FROM "customers$snapshots" ORDER BY committed_at')
    assert [o[0] for o in operations] == ["append", "overwrite", "delete", "overwrite"]
    history = athena.rows('SELECT snapshot_id, is_current_ancestor FROM "customers$history"')
    assert len(history) == 4 and all(h[1] == "true" for h in history)


def test_partitions_metadata_table_and_hive_partition_ddl_refused(athena):
    _table(athena)
    rows = athena.rows('SELECT partition.tier, record_count, file_count FROM "customers$partitions" '
                       "ORDER BY partition.tier, partition.updated_at_day")
    assert rows == [["gold", "1", "1"], ["gold", "1", "1"], ["silver", "1", "1"]]
    assert athena.rows('SELECT name, type FROM "customers$refs"') == [["main", "BRANCH"]]
    assert athena.rows('SELECT sum(added_data_files_count) FROM "customers$manifests"') == [["3"]]
    assert athena.failure("SHOW PARTITIONS customers").startswith("NOT_SUPPORTED: SHOW PARTITIONS")
    assert athena.failure("MSCK REPAIR TABLE customers").startswith("NOT_SUPPORTED: MSCK REPAIR TABLE")
    assert "not supported for Iceberg" in athena.failure(
        "ALTER TABLE customers ADD PARTITION (tier = 'x') LOCATION 's3://lakelab-lake/x/'")


def test_time_travel_reads_the_first_snapshot(athena):
    _table(athena)
    first, committed = athena.rows('SELECT snapshot_id, committed_at FROM "customers$snapshots"')[0]
    athena.ok("DELETE FROM customers WHERE id = 1")
    athena.ok("INSERT INTO customers (id, name, tier) VALUES (9, 'zed', 'gold')")
    assert [r[0] for r in _all(athena)] == ["2", "3", "9"]
    by_version = athena.rows(f"SELECT id FROM customers FOR VERSION AS OF {first} ORDER BY id")
    assert by_version == [["1"], ["2"], ["3"]]
    by_time = athena.rows(f"SELECT id FROM customers FOR TIMESTAMP AS OF TIMESTAMP '{committed}' ORDER BY id")
    assert by_time == [["1"], ["2"], ["3"]]
    assert "Iceberg snapshot ID does not exists" in athena.failure("SELECT * FROM customers FOR VERSION AS OF 42")
    assert "No version history" in athena.failure(
        "SELECT * FROM customers FOR TIMESTAMP AS OF TIMESTAMP '2000-01-01 00:00:00 UTC'")


def test_nested_and_decimal_columns_round_trip(athena):
    athena.ok(f"""CREATE TABLE kinds (id int, price decimal(10,2), tags array<string>, info struct<a:int,b:string>,
        d date, m map<string,int>) LOCATION 's3://{LAKE}/iceberg/kinds/' TBLPROPERTIES ('table_type'='ICEBERG')""")
    athena.ok("INSERT INTO kinds VALUES (1, 2.50, ARRAY['x','y'], CAST(ROW(1,'q') AS ROW(a int, b varchar)), "
              "DATE '2024-01-01', MAP(ARRAY['k'], ARRAY[1]))")
    athena.ok("UPDATE kinds SET price = price * 2")
    assert athena.rows("SELECT id, price, tags[2], info.b, d, m['k'] FROM kinds") == [
        ["1", "5.00", "y", "q", "2024-01-01", "1"]]


def test_optimize_reduces_the_number_of_files(athena):
    athena.ok(CREATE.replace("PARTITIONED BY (tier, day(updated_at))", ""))
    for i in range(4):
        athena.ok(f"INSERT INTO customers (id, name, tier) VALUES ({i}, 'n{i}', 'gold')")
    athena.ok("OPTIMIZE customers REWRITE DATA USING BIN_PACK")  # fewer small files than the threshold (5)
    assert athena.rows('SELECT count(*) FROM "customers$files"') == [["4"]]
    athena.ok("INSERT INTO customers (id, name, tier) VALUES (4, 'n4', 'gold')")
    athena.ok("OPTIMIZE customers REWRITE DATA USING BIN_PACK")
    assert athena.rows('SELECT count(*), sum(record_count) FROM "customers$files"') == [["1", "5"]]
    assert athena.rows("SELECT count(*) FROM customers") == [["5"]]
    last = athena.rows('SELECT operation FROM "customers$snapshots" ORDER BY committed_at DESC LIMIT 1')
    assert last == [["replace"]]


def test_optimize_where_compacts_only_the_chosen_partitions(athena):
    athena.ok(CREATE.replace("day(updated_at)", "id").replace("'write_compression'='snappy'",
                                                              "'optimize_rewrite_data_file_threshold'='2'"))
    for i in range(3):
        athena.ok(f"INSERT INTO customers (id, name, tier) VALUES (1, 'g{i}', 'gold'), (2, 's{i}', 'silver')")
    athena.ok("OPTIMIZE customers REWRITE DATA USING BIN_PACK WHERE tier = 'gold'")
    files = athena.rows('SELECT file_path, record_count FROM "customers$files" ORDER BY file_path')
    assert sorted(r[1] for r in files if "tier=gold" in r[0]) == ["3"]
    assert sorted(r[1] for r in files if "tier=silver" in r[0]) == ["1", "1", "1"]


def test_vacuum_expires_old_snapshots_and_deletes_their_files(athena):
    athena.ok(CREATE)
    athena.ok("ALTER TABLE customers SET TBLPROPERTIES ('vacuum_max_snapshot_age_seconds'='0')")
    athena.ok(SEED)
    before = set(athena.keys("iceberg/customers/data/"))
    athena.ok("DELETE FROM customers WHERE id = 2")
    athena.ok("VACUUM customers")
    assert athena.rows('SELECT count(*) FROM "customers$snapshots"') == [["1"]]
    after = set(athena.keys("iceberg/customers/data/"))
    assert before - after  # the rewritten file of the first snapshot is gone
    assert _all(athena) == [["1", "ana", "gold"], ["3", "cai", "gold"]]


def test_add_columns_evolves_the_schema(athena):
    _table(athena)
    athena.ok("ALTER TABLE customers ADD COLUMNS (email string)")
    athena.ok("INSERT INTO customers (id, name, tier, email) VALUES (7, 'gus', 'gold', 'g@x')")
    assert athena.rows("SELECT id, email FROM customers WHERE id IN (1, 7) ORDER BY id") == [["1", None], ["7", "g@x"]]
    columns = athena.glue.get_table(DatabaseName="lab", Name="customers")["Table"]["StorageDescriptor"]["Columns"]
    assert columns[-1]["Name"] == "email"


def test_ctas_to_iceberg(athena):
    _table(athena)
    athena.ok(f"""CREATE TABLE gold WITH (table_type = 'ICEBERG', is_external = false,
        location = 's3://{LAKE}/iceberg/gold/', partitioning = ARRAY['bucket(id, 4)', 'name'])
        AS SELECT id, name FROM customers WHERE tier = 'gold'""")
    assert athena.rows("SELECT id, name FROM gold ORDER BY id") == [["1", "ana"], ["3", "cai"]]
    parameters = athena.glue.get_table(DatabaseName="lab", Name="gold")["Table"]["Parameters"]
    assert parameters["table_type"] == "ICEBERG"
    assert any("id_bucket=" in k and "/name=ana/" in k for k in athena.keys("iceberg/gold/data/"))


def test_pyiceberg_glue_catalog_reads_the_table(athena, emulator):
    from pyiceberg.catalog import load_catalog

    _table(athena)
    athena.ok(MERGE)
    catalog = load_catalog("glue", **{"type": "glue", "glue.endpoint": emulator.endpoint, "glue.region": "us-east-1",
                                      "s3.endpoint": emulator.endpoint, "s3.region": "us-east-1",
                                      "client.access-key-id": "testing", "client.secret-access-key": "testing"})
    table = catalog.load_table("lab.customers")
    rows = table.scan().to_arrow().sort_by("id")
    assert rows.column("name").to_pylist() == ["ana", "ben b", "dee"]
    assert len(table.metadata.snapshots) == 2  # the INSERT and the MERGE
    import pyarrow as pa  # and what pyiceberg commits through Glue, Athena reads

    import datetime

    moment = datetime.datetime(2024, 5, 1, 12, 0, 0, 123456)
    table.append(pa.table({"id": pa.array([42], pa.int64()), "name": ["py"], "tier": ["gold"],
                           "updated_at": pa.array([moment], pa.timestamp("us"))}))
    assert athena.rows("SELECT id, name FROM customers WHERE id > 3 ORDER BY id") == [["4", "dee"], ["42", "py"]]
    athena.ok("UPDATE customers SET name = 'pyx' WHERE id = 42")  # a rewrite keeps the microseconds
    table = catalog.load_table("lab.customers")
    assert table.scan(row_filter="id = 42").to_arrow().column("updated_at").to_pylist() == [moment]


def test_drop_table_removes_the_table_and_its_files(athena):
    _table(athena)
    athena.ok("DROP TABLE customers")
    assert athena.keys("iceberg/customers/") == []
    assert "does not exist" in athena.failure("SELECT * FROM customers")


def test_external_keyword_and_show_create_table(athena):
    external = CREATE.replace("CREATE TABLE", "CREATE EXTERNAL TABLE")
    assert athena.failure(external) == "External keyword not supported for table type ICEBERG"
    athena.ok(CREATE)
    shown = [r[0] for r in athena.rows("SHOW CREATE TABLE customers")]
    assert shown[0] == "CREATE TABLE lab.customers ("
    assert "PARTITIONED BY (`tier`, day(`updated_at`))" in shown
    assert shown[-3:] == ["  'table_type'='iceberg',", "  'format'='parquet',", "  'write_compression'='snappy')"]


def test_row_changes_on_a_hive_table_fail_clearly(athena):
    athena.put("hive/x.csv", "1\n")
    athena.ok(f"CREATE EXTERNAL TABLE plain (id int) LOCATION 's3://{LAKE}/hive/'")
    assert "not an Iceberg table" in athena.failure("DELETE FROM plain WHERE id = 1")
    assert "versioned tables" in athena.failure("SELECT * FROM plain FOR VERSION AS OF 1")


def test_awswrangler_merges_a_dataframe_and_reads_it_back(athena):
    import awswrangler as wr
    import pandas as pd

    _table(athena)
    frame = pd.DataFrame({"id": [3, 10], "name": ["cai c", "ida"], "tier": ["gold", "gold"],
                          "updated_at": pd.to_datetime(["2024-02-01", "2024-02-02"])})
    wr.athena.to_iceberg(df=frame, database="lab", table="customers", temp_path=f"s3://{LAKE}/tmp/",
                         s3_output="s3://lakelab-results/wrangler/", merge_cols=["id"])
    read = wr.athena.read_sql_query("SELECT id, name FROM customers ORDER BY id", database="lab", ctas_approach=False,
                                    s3_output="s3://lakelab-results/wrangler/")
    assert read.values.tolist() == [[1, "ana"], [2, "ben"], [3, "cai c"], [10, "ida"]]


def _as_role(athena, client, name: str, actions: list[str]):
    """An Athena client acting as a role allowed ``actions`` (and Athena, Glue, the result bucket)."""
    import json

    import boto3

    iam = client("iam")
    account = client("sts").get_caller_identity()["Account"]
    trust = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": account},
                                                     "Action": "sts:AssumeRole"}]}
    arn = iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(trust))["Role"]["Arn"]
    policy = {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": ["athena:*", "glue:*"], "Resource": "*"},
        {"Effect": "Allow", "Action": "s3:*",
         "Resource": ["arn:aws:s3:::lakelab-results", "arn:aws:s3:::lakelab-results/*"]},
        {"Effect": "Allow", "Action": actions, "Resource": [f"arn:aws:s3:::{LAKE}", f"arn:aws:s3:::{LAKE}/*"]}]}
    iam.put_role_policy(RoleName=name, PolicyName="work", PolicyDocument=json.dumps(policy))
    credentials = client("sts").assume_role(RoleArn=arn, RoleSessionName=name)["Credentials"]
    return boto3.client("athena", region_name="us-east-1", endpoint_url=athena.athena.meta.endpoint_url,
                        aws_access_key_id=credentials["AccessKeyId"],
                        aws_secret_access_key=credentials["SecretAccessKey"],
                        aws_session_token=credentials["SessionToken"])


def _state(client_, sql: str) -> tuple[str, str]:
    execution = client_.start_query_execution(QueryString=sql, QueryExecutionContext={"Database": "lab"},
                                              ResultConfiguration={"OutputLocation": "s3://lakelab-results/athena/"})
    while True:
        found = client_.get_query_execution(QueryExecutionId=execution["QueryExecutionId"])["QueryExecution"]
        if found["Status"]["State"] in ("SUCCEEDED", "FAILED", "CANCELLED"):
            return found["Status"]["State"], found["Status"].get("StateChangeReason", "")


def test_reads_and_writes_are_authorized_as_the_caller(athena, client):
    _table(athena)
    reader = _as_role(athena, client, "iceberg-reader", ["s3:GetObject", "s3:ListBucket"])
    assert _state(reader, "SELECT count(*) FROM customers") == ("SUCCEEDED", "")
    state, reason = _state(reader, "INSERT INTO customers (id, name, tier) VALUES (8, 'hal', 'gold')")
    assert state == "FAILED" and reason.startswith("Permission denied on S3 path") and "s3:PutObject" in reason
    blind = _as_role(athena, client, "iceberg-blind", ["s3:ListBucket"])
    state, reason = _state(blind, "SELECT count(*) FROM customers")
    assert state == "FAILED" and reason.startswith("Permission denied on S3 path")
    assert athena.rows("SELECT count(*) FROM customers") == [["3"]]


def test_a_table_whose_column_another_engine_renamed_fails_clearly(athena, emulator):
    from pyiceberg.catalog import load_catalog

    _table(athena)
    catalog = load_catalog("glue", **{"type": "glue", "glue.endpoint": emulator.endpoint, "glue.region": "us-east-1",
                                      "s3.endpoint": emulator.endpoint, "s3.region": "us-east-1",
                                      "client.access-key-id": "testing", "client.secret-access-key": "testing"})
    with catalog.load_table("lab.customers").update_schema() as schema:
        schema.rename_column("name", "full_name")
    assert "was renamed or replaced" in athena.failure("SELECT * FROM customers")


def test_bad_iceberg_statements_fail_in_athenas_words(athena):
    _table(athena)
    assert athena.failure("INSERT INTO customers (id, nope) VALUES (1, 2)").startswith("COLUMN_NOT_FOUND")
    assert athena.failure("INSERT INTO customers VALUES (1, 'x')").startswith("TYPE_MISMATCH")
    assert athena.failure(CREATE).startswith("TABLE_ALREADY_EXISTS")
    athena.ok(CREATE.replace("CREATE TABLE", "CREATE TABLE IF NOT EXISTS"))
    assert "non-empty location" in athena.failure(CREATE.replace("customers (", "other ("))
    assert athena.failure(f"CREATE TABLE c2 WITH (table_type = 'ICEBERG', external_location = 's3://{LAKE}/c2/') "
                          "AS SELECT 1 AS x").startswith("INVALID_TABLE_PROPERTY")
    assert athena.failure(f"CREATE TABLE c3 (x int) LOCATION 's3://{LAKE}/c3/' "
                          "TBLPROPERTIES ('table_type'='ICEBERG', 'nope'='1')").startswith("INVALID_TABLE_PROPERTY")
    for transforms in ("hour(x)", "bucket(x)"):
        assert athena.failure(f"CREATE TABLE c4 (x int) PARTITIONED BY ({transforms}) LOCATION 's3://{LAKE}/c4/' "
                              "TBLPROPERTIES ('table_type'='ICEBERG')").startswith("INVALID_TABLE_PROPERTY")
    assert athena.failure(f"CREATE TABLE c4 (x int) PARTITIONED BY (y) LOCATION 's3://{LAKE}/c4/' "
                          "TBLPROPERTIES ('table_type'='ICEBERG')").startswith("COLUMN_NOT_FOUND")
    assert athena.failure("MERGE INTO customers t USING (SELECT 1 AS id) s ON t.id = s.id "
                          "WHEN MATCHED THEN UPDATE SET nope = 1").startswith("COLUMN_NOT_FOUND")
    athena.ok("DROP TABLE IF EXISTS customers")
    athena.ok("DROP TABLE IF EXISTS customers")


def test_concurrent_inserts_all_land(athena):
    _table(athena)
    started = [athena.start(f"INSERT INTO customers (id, name, tier) VALUES ({100 + i}, 'c{i}', 'gold')")
               for i in range(6)]
    assert [athena.wait(e)["Status"]["State"] for e in started] == ["SUCCEEDED"] * 6
    assert athena.rows("SELECT count(*) FROM customers") == [["9"]]
    assert athena.rows('SELECT count(*) FROM "customers$snapshots"') == [["7"]]
