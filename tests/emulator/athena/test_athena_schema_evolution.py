"""A column added to the data and to the table: Parquet is read by name, CSV by position
(Athena user guide, "Handle schema updates")."""

import pandas as pd

from test_athena_helpers import LAKE, athena  # noqa: F401 (fixture)


def test_parquet_reads_by_name_and_old_files_read_null_for_a_new_column(athena):
    athena.put_parquet("export/old.parquet", pd.DataFrame({"id": [1, 2], "amount": [2.5, 3.5]}))
    # the new file has the new column first and the old ones in another order
    athena.put_parquet("export/new.parquet", pd.DataFrame({"coupon": ["WEB10", None], "amount": [1.5, 4.0], "id": [3, 4]}))
    athena.ok(f"CREATE EXTERNAL TABLE export (id bigint, amount double) STORED AS PARQUET LOCATION 's3://{LAKE}/export/'")
    assert athena.rows("SELECT id, amount FROM export ORDER BY id") == [["1", "2.5"], ["2", "3.5"], ["3", "1.5"], ["4", "4.0"]]

    athena.ok("ALTER TABLE export ADD COLUMNS (coupon string)")
    assert athena.rows("SELECT id, amount, coupon FROM export ORDER BY id") == [
        ["1", "2.5", None], ["2", "3.5", None], ["3", "1.5", "WEB10"], ["4", "4.0", None],
    ]


def test_csv_reads_by_position_so_a_new_column_is_safe_only_at_the_end(athena):
    athena.put("csv_export/old.csv", "1,2.5\n2,3.5\n")
    athena.put("csv_export/new.csv", "3,1.5,WEB10\n")
    athena.ok(f"CREATE EXTERNAL TABLE csv_export (id int, amount double) "
              f"ROW FORMAT DELIMITED FIELDS TERMINATED BY ',' LOCATION 's3://{LAKE}/csv_export/'")
    athena.ok("ALTER TABLE csv_export ADD COLUMNS (coupon string)")
    assert athena.rows("SELECT id, amount, coupon FROM csv_export ORDER BY id") == [
        ["1", "2.5", None], ["2", "3.5", None], ["3", "1.5", "WEB10"],
    ]
    # a column inserted in the middle of the files shifts every later value: CSV has no names
    athena.put("csv_export/newer.csv", "4,WEB10,4.0\n")
    assert athena.rows("SELECT amount, coupon FROM csv_export WHERE id = 4") == [[None, "4.0"]]


def test_adding_a_column_the_table_already_has_fails_and_changes_nothing(athena):
    """Hive DDL refuses a duplicate name, a partition key's included, rather than making two columns of one name."""
    athena.ok(f"CREATE EXTERNAL TABLE dup (id bigint, amount double) PARTITIONED BY (dt string) "
              f"STORED AS PARQUET LOCATION 's3://{LAKE}/dup/'")
    for columns, name in (("(amount double)", "amount"), ("(coupon string, Coupon string)", "coupon"),
                          ("(DT string)", "dt")):
        error = athena.failure(f"ALTER TABLE dup ADD COLUMNS {columns}")
        assert error == f"FAILED: SemanticException [Error 10036]: Duplicate column name: {name}", error
    table = athena.glue.get_table(DatabaseName="lab", Name="dup")["Table"]
    assert [c["Name"] for c in table["StorageDescriptor"]["Columns"]] == ["id", "amount"]
