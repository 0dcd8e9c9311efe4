"""COPY and UNLOAD through the Data API: formats, options, bad rows, and the IAM role that reads S3."""

from __future__ import annotations

import gzip
import io
import json

import pyarrow as pa
import pyarrow.parquet as pq

from redshift_helpers import BUCKET, Redshift, redshift, warehouse_role  # noqa: F401 (fixtures)

SALES = "CREATE TABLE sales (id INT, region VARCHAR(10), day DATE, amount DECIMAL(10,2))"


def test_copy_parquet_by_position(redshift: Redshift, warehouse_role: str) -> None:
    redshift.ok(SALES)
    table = pa.table({"sale_id": pa.array([1, 2, 3], pa.int32()), "where": ["eu", "us", "eu"],
                      "when": pa.array([19723, 19724, 19725], pa.date32()),
                      "value": pa.array([1.5, 2.25, 3.0], pa.float64())})
    redshift.put_parquet("curated/sales/part-0.parquet", table)
    redshift.put_parquet("curated/sales/part-1.parquet", table.slice(0, 1))
    copied = redshift.ok(f"COPY sales FROM 's3://{BUCKET}/curated/sales/' IAM_ROLE '{warehouse_role}' "
                         "FORMAT AS PARQUET")
    assert copied["ResultRows"] == 4
    assert redshift.rows("SELECT region, SUM(amount) FROM sales GROUP BY region ORDER BY region") == [
        ["eu", "6.00"], ["us", "2.25"]]


def test_copy_parquet_refuses_what_columnar_copy_does_not_support(redshift: Redshift, warehouse_role: str) -> None:
    """AWS: "ACCEPTANYDATE and MAXERROR aren't supported for columnar data types"; REGION fails too."""
    redshift.ok(SALES)
    redshift.put_parquet("curated/sales/part-0.parquet", pa.table({"id": pa.array([1], pa.int32()), "region": ["eu"],
                                                                   "day": pa.array([19723], pa.date32()),
                                                                   "amount": [1.5]}))
    copy = f"COPY sales FROM 's3://{BUCKET}/curated/sales/' IAM_ROLE '{warehouse_role}' FORMAT AS PARQUET"
    for extra, name in ((" MAXERROR 5", "MAXERROR"), (" ACCEPTANYDATE", "ACCEPTANYDATE"),
                        (" REGION 'us-east-1'", "REGION")):
        assert redshift.failure(copy + extra) == f"ERROR: {name} argument is not supported for PARQUET based COPY"
    assert redshift.value("SELECT COUNT(*) FROM sales") == 0, "a refused COPY loads nothing"
    assert redshift.ok(copy)["ResultRows"] == 1


def test_copy_csv_with_options_and_the_default_role(redshift: Redshift) -> None:
    redshift.ok(SALES)
    redshift.put("raw/sales.csv.gz", gzip.compress(b'id;region;day;amount\n1;"e;u";2024-01-01;1.5\n2;;2024-01-02;\n'))
    redshift.ok(f"COPY sales FROM 's3://{BUCKET}/raw/sales' IAM_ROLE default CSV DELIMITER ';' IGNOREHEADER 1 "
                "GZIP EMPTYASNULL")
    assert redshift.rows("SELECT id, region, day, amount FROM sales ORDER BY id") == [
        [1, "e;u", "2024-01-01", "1.50"], [2, None, "2024-01-02", None]]


def test_copy_json_auto_matches_keys_to_columns(redshift: Redshift, warehouse_role: str) -> None:
    redshift.ok(SALES)
    lines = [{"id": 1, "region": "eu", "day": "2024-01-01", "amount": 2.5, "extra": True}, {"id": 2, "amount": 1}]
    redshift.put("raw/sales.json", "\n".join(json.dumps(line) for line in lines))
    redshift.ok(f"COPY sales FROM 's3://{BUCKET}/raw/sales.json' IAM_ROLE '{warehouse_role}' FORMAT JSON 'auto'")
    assert redshift.rows("SELECT * FROM sales ORDER BY id") == [[1, "eu", "2024-01-01", "2.50"],
                                                                [2, None, None, "1.00"]]


def test_bad_rows_fail_the_copy_and_are_recorded_in_stl_load_errors(redshift: Redshift, warehouse_role: str) -> None:
    redshift.ok(SALES)
    redshift.put("raw/bad.csv", "1,eu,2024-01-01,1\nx2,us,2024-01-02,2\n3,eu,not-a-day,3\n4,eu\n5,eu,2024-01-05,5\n")
    copy = f"COPY sales FROM 's3://{BUCKET}/raw/bad.csv' IAM_ROLE '{warehouse_role}' CSV"
    assert redshift.failure(copy) == ("ERROR: Load into table 'sales' failed.  Check 'stl_load_errors' system table "
                                      "for details.")
    assert redshift.value("SELECT COUNT(*) FROM sales") == 0
    errors = redshift.rows("SELECT line_number, colname, err_code, TRIM(err_reason), raw_field_value "
                           "FROM stl_load_errors ORDER BY line_number")
    assert errors == [[2, "id", 1207, "Invalid digit, Value 'x', Pos 0, Type: Integer", "x2"],
                      [3, "day", 1205, "Invalid Date Format - length must be 10 or more", "not-a-day"],
                      [4, "day", 1214, "Delimiter not found", ""]]
    loaded = redshift.ok(copy + " MAXERROR 3")
    assert loaded["ResultRows"] == 2
    assert redshift.rows("SELECT id FROM sales ORDER BY id") == [[1], [5]]
    assert redshift.failure(copy + " MAXERROR 2").startswith("ERROR: Load into table 'sales' failed.")


def test_copy_checks_the_role_is_the_clusters_and_may_read_the_objects(redshift: Redshift, client,
                                                                      service_role) -> None:
    redshift.ok(SALES)
    redshift.put("raw/one.csv", "1,eu,2024-01-01,1\n")
    stranger = service_role("redshift", "not-associated", ("s3:*",))
    error = redshift.failure(f"COPY sales FROM 's3://{BUCKET}/raw/' IAM_ROLE '{stranger}' CSV")
    assert error == (f"ERROR: User arn:aws:redshift:us-east-1:123456789012:dbuser:lab-cluster/awsuser is not "
                     f"authorized to assume IAM Role {stranger}")
    reader = service_role("redshift", "no-s3", ("glue:*",))
    client("redshift").modify_cluster_iam_roles(ClusterIdentifier="lab-cluster", AddIamRoles=[reader])
    error = redshift.failure(f"COPY sales FROM 's3://{BUCKET}/raw/' IAM_ROLE '{reader}' CSV")
    assert error.startswith("ERROR: S3ServiceException:Access Denied,Status 403")
    assert redshift.failure(f"COPY sales FROM 's3://{BUCKET}/nothing/' IAM_ROLE default CSV") == (
        "ERROR: The specified S3 prefix 'nothing/' does not exist")


def test_unload_parquet_partitioned_with_a_manifest(redshift: Redshift, warehouse_role: str) -> None:
    redshift.ok(SALES)
    redshift.ok("INSERT INTO sales VALUES (1, 'eu', '2024-01-01', 1), (2, 'us', '2024-01-01', 2), "
                "(3, 'eu', '2024-01-02', 3)")
    unloaded = redshift.ok(f"UNLOAD ('SELECT id, region, amount FROM sales WHERE id > 0') TO 's3://{BUCKET}/out/' "
                           f"IAM_ROLE '{warehouse_role}' FORMAT AS PARQUET PARTITION BY (region) MANIFEST")
    assert unloaded["ResultRows"] == 3
    assert redshift.keys("out/") == ["out/manifest", "out/region=eu/0000_part_00.parquet",
                                     "out/region=us/0000_part_00.parquet"]
    body = redshift.s3.get_object(Bucket=BUCKET, Key="out/region=eu/0000_part_00.parquet")["Body"].read()
    eu = pq.read_table(io.BytesIO(body))
    assert eu.column_names == ["id", "amount"] and sorted(eu.column("id").to_pylist()) == [1, 3]
    manifest = json.loads(redshift.s3.get_object(Bucket=BUCKET, Key="out/manifest")["Body"].read())
    assert [e["url"] for e in manifest["entries"]] == [f"s3://{BUCKET}/out/region=eu/0000_part_00.parquet",
                                                       f"s3://{BUCKET}/out/region=us/0000_part_00.parquet"]
    again = f"UNLOAD ('SELECT 1') TO 's3://{BUCKET}/out/' IAM_ROLE '{warehouse_role}'"
    assert "Specified unload destination on S3 is not empty" in redshift.failure(again)


def test_unload_csv_with_header_then_copy_it_back(redshift: Redshift, warehouse_role: str) -> None:
    redshift.ok(SALES)
    redshift.ok("INSERT INTO sales VALUES (1, 'e,u', '2024-01-01', 1.5), (2, NULL, '2024-01-02', 2)")
    redshift.ok(f"UNLOAD ('SELECT * FROM sales ORDER BY id') TO 's3://{BUCKET}/csv/sales_' IAM_ROLE default "
                "CSV HEADER PARALLEL OFF")
    assert redshift.keys("csv/") == ["csv/sales_000"]
    body = redshift.s3.get_object(Bucket=BUCKET, Key="csv/sales_000")["Body"].read().decode()
    assert body == 'id,region,day,amount\n1,"e,u",2024-01-01,1.50\n2,,2024-01-02,2.00\n'
    redshift.ok("CREATE TABLE back (LIKE sales)")
    redshift.ok(f"COPY back FROM 's3://{BUCKET}/csv/' IAM_ROLE default CSV IGNOREHEADER 1 EMPTYASNULL")
    assert redshift.rows("SELECT * FROM back ORDER BY id") == redshift.rows("SELECT * FROM sales ORDER BY id")


def test_unload_text_is_pipe_delimited_and_refuses_an_unreadable_role(redshift: Redshift, service_role,
                                                                      client) -> None:
    redshift.ok("CREATE TABLE t (a INT, b VARCHAR(5))")
    redshift.ok("INSERT INTO t VALUES (1, 'x'), (2, NULL)")
    redshift.ok(f"UNLOAD ('SELECT * FROM t ORDER BY a') TO 's3://{BUCKET}/txt/t_' IAM_ROLE default")
    body = redshift.s3.get_object(Bucket=BUCKET, Key="txt/t_0000_part_00")["Body"].read().decode()
    assert body == "1|x\n2|\n"
    reader = service_role("redshift", "read-only", ("s3:GetObject", "s3:ListBucket"))
    client("redshift").modify_cluster_iam_roles(ClusterIdentifier="lab-cluster", AddIamRoles=[reader])
    error = redshift.failure(f"UNLOAD ('SELECT 1') TO 's3://{BUCKET}/denied/' IAM_ROLE '{reader}'")
    assert error.startswith("ERROR: S3ServiceException:Access Denied,Status 403")


def test_varchar_lengths_are_bytes_checked_on_insert_and_copy(redshift: Redshift) -> None:
    redshift.ok("CREATE TABLE names (code VARCHAR(4), name VARCHAR(MAX))")
    assert redshift.failure("INSERT INTO names VALUES ('toolong', 'x')") == (
        "ERROR: value too long for type character varying(4)")
    assert redshift.failure("INSERT INTO names VALUES ('éé€', 'x')").startswith("ERROR: value too long")  # 7 bytes
    redshift.put("raw/names.csv", "ok,a\ntoolong,b\n")
    copy = f"COPY names FROM 's3://{BUCKET}/raw/names.csv' IAM_ROLE default CSV"
    assert redshift.failure(copy).startswith("ERROR: Load into table 'names' failed.")
    assert redshift.rows("SELECT colname, err_code, TRIM(err_reason) FROM stl_load_errors") == [
        ["code", 1204, "String length exceeds DDL length"]]
    redshift.ok(copy + " TRUNCATECOLUMNS")
    assert redshift.rows("SELECT code FROM names ORDER BY 1") == [["ok"], ["tool"]]
    assert redshift.rows("SELECT type FROM pg_table_def WHERE tablename = 'names'") == [
        ["character varying(4)"], ["character varying(65535)"]]


def test_copy_tab_delimited_text_with_epoch_times_and_null_markers(redshift: Redshift) -> None:
    redshift.ok("CREATE TABLE clicks (user_id BIGINT, page VARCHAR(20), at TIMESTAMP, ok BOOLEAN)")
    redshift.put("raw/clicks.tsv", "1\t/home\t1704067200\tt\n2\t\\N\t1704070800\tno\n")
    redshift.ok(f"COPY clicks FROM 's3://{BUCKET}/raw/clicks.tsv' IAM_ROLE default DELIMITER '\\t' "
                "TIMEFORMAT 'epochsecs'")
    assert redshift.rows("SELECT * FROM clicks ORDER BY user_id") == [
        [1, "/home", "2024-01-01 00:00:00", True], [2, None, "2024-01-01 01:00:00", False]]
