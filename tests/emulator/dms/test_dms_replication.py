"""DMS on the emulator: a full load and CDC from RDS for PostgreSQL into S3, in DMS's layout."""

from __future__ import annotations

import csv
import io
import re

from tests.emulator.dms.conftest import (BUCKET, ORDERS, create_task, keys, s3_endpoint, source_endpoint, task,
                                         text, wait_for_keys, wait_for_status)
from tests.emulator.rds.conftest import connect

CDC_NAME = re.compile(r"^dms/sales/orders/\d{8}-\d{9}\.csv$")
DMS_TIME = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{6}$")


def rows(data: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data)))


def test_full_load_then_changes_land_as_dms_writes_them(shop):
    arn = create_task(shop, source_endpoint(shop), s3_endpoint(shop))
    assert task(shop, arn)["Status"] == "ready"
    shop["dms"].start_replication_task(ReplicationTaskArn=arn, StartReplicationTaskType="start-replication")
    (load,) = wait_for_keys(shop, 1)
    assert load == "dms/sales/orders/LOAD00000001.csv"
    loaded = rows(text(shop, load))
    assert [row[0] for row in loaded] == ["I", "I"] and all(DMS_TIME.match(row[1]) for row in loaded)
    assert [row[2:] for row in loaded] == [[str(value) for value in order] for order in ORDERS]
    assert 'Poster ""Lake at Dawn"", A2' in text(shop, load)  # RFC 4180 quoting, as datasets/dms has it
    assert wait_for_status(shop, arn, ("running",))["Status"] == "running"

    with connect(shop["instance"]) as connection:
        connection.execute("INSERT INTO sales.orders VALUES ('o-000003', 'c-00001', '2024-07-02 12:38:32', 'placed', "
                           "'SKU-1009', 'Field Notebook', 1, 8.90, 8.90, 'EUR', 'DE', 'app')")
        connection.execute("UPDATE sales.orders SET status = 'returned' WHERE order_id = 'o-000001'")
        connection.execute("DELETE FROM sales.orders WHERE order_id = 'o-000002'")
    found = wait_for_keys(shop, 2)
    changes = [key for key in found if key != load]
    assert all(CDC_NAME.match(key) for key in changes)
    applied = [row for key in changes for row in rows(text(shop, key))]
    assert [(row[0], row[2]) for row in applied] == [("I", "o-000003"), ("U", "o-000001"), ("D", "o-000002")]
    assert applied[1][5] == "returned" and applied[0][9] == "8.90" and all(DMS_TIME.match(row[1]) for row in applied)
    assert applied[2][3:] == [""] * 11  # a delete carries the key (the table's replica identity is its key)

    statistics = shop["dms"].describe_table_statistics(ReplicationTaskArn=arn)["TableStatistics"]
    assert [(s["SchemaName"], s["TableName"], s["FullLoadRows"], s["Inserts"], s["Updates"], s["Deletes"])
            for s in statistics] == [("sales", "orders", 2, 1, 1, 1)]
    shop["dms"].stop_replication_task(ReplicationTaskArn=arn)
    stopped = wait_for_status(shop, arn, ("stopped",))
    assert stopped["ReplicationTaskStats"]["FullLoadProgressPercent"] == 100


def test_stopping_and_resuming_loses_no_change(shop):
    arn = create_task(shop, source_endpoint(shop), s3_endpoint(shop), migration="cdc")
    shop["dms"].start_replication_task(ReplicationTaskArn=arn, StartReplicationTaskType="start-replication")
    wait_for_status(shop, arn, ("running",))
    shop["dms"].stop_replication_task(ReplicationTaskArn=arn)
    wait_for_status(shop, arn, ("stopped",))
    with connect(shop["instance"]) as connection:  # committed while the task is stopped
        connection.execute("UPDATE sales.orders SET status = 'shipped' WHERE order_id = 'o-000001'")
    assert keys(shop) == []
    shop["dms"].start_replication_task(ReplicationTaskArn=arn, StartReplicationTaskType="resume-processing")
    (changed,) = wait_for_keys(shop, 1)
    assert [(row[0], row[2], row[5]) for row in rows(text(shop, changed))] == [("U", "o-000001", "shipped")]


def test_full_load_only_stops_when_done_without_op_by_default(shop):
    target = s3_endpoint(shop, IncludeOpForFullLoad=False, TimestampColumnName="", BucketFolder="")
    arn = create_task(shop, source_endpoint(shop), target, migration="full-load")
    shop["dms"].start_replication_task(ReplicationTaskArn=arn, StartReplicationTaskType="start-replication")
    done = wait_for_status(shop, arn, ("stopped",))
    assert done["StopReason"] == "Stop Reason FULL_LOAD_ONLY_FINISHED"
    assert [row[0] for row in rows(text(shop, "sales/orders/LOAD00000001.csv"))] == ["o-000001", "o-000002"]


def test_transformation_rules_rename_and_drop(shop):
    mappings = {"rules": [
        {"rule-type": "selection", "rule-id": "1", "rule-name": "1",
         "object-locator": {"schema-name": "sales", "table-name": "orders"}, "rule-action": "include"},
        {"rule-type": "transformation", "rule-id": "2", "rule-name": "2", "rule-target": "schema",
         "object-locator": {"schema-name": "sales"}, "rule-action": "rename", "value": "shop"},
        {"rule-type": "transformation", "rule-id": "3", "rule-name": "3", "rule-target": "column",
         "object-locator": {"schema-name": "sales", "table-name": "orders", "column-name": "product"},
         "rule-action": "remove-column"}]}
    import json

    target = s3_endpoint(shop, DataFormat="csv", AddColumnName=True)
    arn = create_task(shop, source_endpoint(shop), target, migration="full-load", mappings=json.dumps(mappings))
    shop["dms"].start_replication_task(ReplicationTaskArn=arn, StartReplicationTaskType="start-replication")
    wait_for_status(shop, arn, ("stopped",))
    header, *_ = rows(text(shop, "dms/shop/orders/LOAD00000001.csv"))
    assert header[:4] == ["Op", "cdc_ts", "order_id", "customer_id"] and "product" not in header


def test_parquet_and_date_partitions(shop):
    import pyarrow.parquet as pq

    target = s3_endpoint(shop, DataFormat="parquet", DatePartitionEnabled=True)
    arn = create_task(shop, source_endpoint(shop), target)
    shop["dms"].start_replication_task(ReplicationTaskArn=arn, StartReplicationTaskType="start-replication")
    (load,) = wait_for_keys(shop, 1)
    assert load == "dms/sales/orders/LOAD00000001.parquet"
    table = pq.read_table(io.BytesIO(shop["s3"].get_object(Bucket=BUCKET, Key=load)["Body"].read()))
    assert table.column("quantity").to_pylist() == [1, 2] and str(table.schema.field("amount").type) == "decimal128(10, 2)"
    with connect(shop["instance"]) as connection:
        connection.execute("UPDATE sales.orders SET quantity = 3 WHERE order_id = 'o-000001'")
    changed = [key for key in wait_for_keys(shop, 2) if key != load]
    assert re.match(r"^dms/sales/orders/\d{4}/\d\d/\d\d/\d{8}-\d{9}\.parquet$", changed[0])
    shop["dms"].stop_replication_task(ReplicationTaskArn=arn)
