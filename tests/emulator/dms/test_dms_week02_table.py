"""The files a DMS task writes are the ones week 2's Athena table and view read (datasets/dms/ shapes)."""

from __future__ import annotations

from tests.emulator.dms.conftest import BUCKET, create_task, s3_endpoint, source_endpoint, wait_for_keys
from tests.emulator.rds.conftest import connect

ORDER_COLUMNS = ["order_id", "customer_id", "order_ts", "status", "sku", "product_name", "quantity", "unit_price",
                 "amount", "currency", "country", "channel"]


def test_week_two_table_and_view_read_what_dms_wrote(shop, emulator):
    import awswrangler as wr

    target = s3_endpoint(shop, BucketFolder="raw/dms")
    arn = create_task(shop, source_endpoint(shop), target)
    shop["dms"].start_replication_task(ReplicationTaskArn=arn, StartReplicationTaskType="start-replication")
    wait_for_keys(shop, 1, prefix="raw/dms/")
    with connect(shop["instance"]) as connection:
        connection.execute("UPDATE sales.orders SET status = 'returned' WHERE order_id = 'o-000001'")
        connection.execute("DELETE FROM sales.orders WHERE order_id = 'o-000002'")
        connection.execute("INSERT INTO sales.orders VALUES ('o-000003', 'c-00001', '2024-07-02 12:38:32', 'placed', "
                           "'SKU-1009', 'Field Notebook', 1, 8.90, 8.90, 'EUR', 'DE', 'app')")
    wait_for_keys(shop, 2, prefix="raw/dms/")
    shop["dms"].stop_replication_task(ReplicationTaskArn=arn)

    wr.catalog.create_database("shop_raw")
    columns = ",\n  ".join(f"{name} string" for name in ["op", "cdc_ts", *ORDER_COLUMNS])
    output = f"s3://{BUCKET}/athena-results/"
    for statement in (f"""CREATE EXTERNAL TABLE dms_orders ({columns})
        ROW FORMAT SERDE 'org.apache.hadoop.hive.serde2.OpenCSVSerde'
        WITH SERDEPROPERTIES ('separatorChar' = ',', 'quoteChar' = '"')
        LOCATION 's3://{BUCKET}/raw/dms/sales/orders/'""",
                      """CREATE OR REPLACE VIEW current_orders AS
        SELECT op, cdc_ts, order_id, status, CAST(amount AS double) AS amount FROM (
          SELECT *, row_number() OVER (PARTITION BY order_id ORDER BY cdc_ts DESC) AS version FROM dms_orders)
        WHERE version = 1 AND op <> 'D'"""):
        wr.athena.start_query_execution(statement, database="shop_raw", s3_output=output, wait=True)
    changes = wr.athena.read_sql_query("SELECT op, COUNT(*) AS n FROM dms_orders GROUP BY op ORDER BY op",
                                       database="shop_raw", ctas_approach=False, s3_output=output)
    assert changes.values.tolist() == [["D", 1], ["I", 3], ["U", 1]]
    current = wr.athena.read_sql_query("SELECT order_id, status, amount FROM current_orders ORDER BY order_id",
                                       database="shop_raw", ctas_approach=False, s3_output=output)
    assert current.values.tolist() == [["o-000001", "returned", 7.65], ["o-000003", "placed", 8.9]]
