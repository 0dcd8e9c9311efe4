"""Week 2 · Glue Data Catalog and Athena: one check per exercise.

Query checks read the workgroup's query history and the result files Athena wrote, and compare
them with answers computed here from the course datasets with pandas.
"""

from __future__ import annotations


import time

import boto3
import pandas as pd

from lakelab.checks import athena_history
from lakelab.checks.framework import exercise, expect
from lakelab.course import datasets, naming

WEEK = 2
CRAWLED_TABLES = {"orders": "csv", "customers": "csv", "clickstream": "json"}


def _names() -> naming.Names:
    return naming.for_week(WEEK)


def _table(name: str) -> dict:
    return boto3.client("glue").get_table(DatabaseName=_names().database("lake"), Name=name)["Table"]


def _columns(table: dict) -> dict[str, str]:
    return {c["Name"]: c["Type"] for c in table["StorageDescriptor"]["Columns"]}


def succeeded_queries(containing: str = "") -> list[dict]:
    """The workgroup's SUCCEEDED queries whose SQL mentions ``containing``, newest first."""
    return [q for q in athena_history.succeeded(_names().resource("analytics")) if containing.lower() in q["Query"].lower()]


@exercise(WEEK, "2.1", "the lake database exists in the Glue Data Catalog",
          hint="glue.create_database(DatabaseInput={'Name': DATABASE}, Tags=names.tags)")
def database_exists() -> None:
    names = _names()
    glue = boto3.client("glue")
    glue.get_database(Name=names.database("lake"))
    arn = names.arn("glue", f"database/{names.database('lake')}")
    tags = glue.get_tags(ResourceArn=arn).get("Tags", {})
    expect(naming.is_course_resource(tags, WEEK), expected=f"tags {names.tags}", found=f"tags {tags}")


@exercise(WEEK, "2.2", "the crawler cataloged orders, customers and clickstream",
          hint="create the role and the crawler over raw/orders/, raw/customers/ and raw/clickstream/, "
               "start it and wait until its state is READY")
def crawler_cataloged_raw_zone() -> None:
    crawler = boto3.client("glue").get_crawler(Name=_names().resource("raw-crawler"))["Crawler"]
    last = crawler.get("LastCrawl", {}).get("Status", "never ran")
    expect(last == "SUCCEEDED", expected="last crawl SUCCEEDED", found=f"last crawl {last}, state {crawler['State']}")
    for table_name, classification in CRAWLED_TABLES.items():
        table = _table(table_name)
        found = table.get("Parameters", {}).get("classification")
        expect(found == classification, expected=f"table {table_name} classified {classification}", found=found)
    columns = _columns(_table("orders"))
    expect(columns.get("amount") == "double" and columns.get("quantity") == "bigint",
           expected="orders.amount double and orders.quantity bigint", found={k: columns.get(k) for k in ("amount", "quantity")})


@exercise(WEEK, "2.3", "the analytics workgroup keeps results in the lake and caps each query",
          hint="create_work_group with ResultConfiguration.OutputLocation under s3://BUCKET/athena-results/, "
               "EnforceWorkGroupConfiguration True and a BytesScannedCutoffPerQuery")
def workgroup_configured() -> None:
    names = _names()
    configuration = boto3.client("athena").get_work_group(WorkGroup=names.resource("analytics"))["WorkGroup"]["Configuration"]
    location = configuration.get("ResultConfiguration", {}).get("OutputLocation", "")
    expect(location.startswith(f"s3://{names.bucket('lake')}/athena-results/"),
           expected=f"results under s3://{names.bucket('lake')}/athena-results/", found=location or "no location")
    expect(configuration.get("EnforceWorkGroupConfiguration") is True, expected="the configuration enforced",
           found=configuration.get("EnforceWorkGroupConfiguration"))
    expect(configuration.get("BytesScannedCutoffPerQuery"), expected="a per-query scan limit",
           found=configuration.get("BytesScannedCutoffPerQuery"))


def revenue_by_country() -> dict[str, float]:
    orders = pd.read_csv(datasets.path("orders"))
    delivered = orders[orders["status"] == "delivered"]
    return {country: round(total, 2) for country, total in delivered.groupby("country")["amount"].sum().items()}


@exercise(WEEK, "2.4", "a query answered revenue by country for delivered orders",
          hint="in the workgroup, run SELECT country, SUM(amount) AS revenue FROM orders "
               "WHERE status = 'delivered' GROUP BY country")
def revenue_query_answered() -> None:
    expected = revenue_by_country()
    candidates = succeeded_queries("delivered")
    expect(candidates, expected="a SUCCEEDED query over delivered orders", found="none in the workgroup")
    for query in candidates:
        rows = athena_history.result_rows(query)
        if rows and set(rows[0]) == {"country", "revenue"}:
            answer = {row["country"]: round(float(row["revenue"] or 0), 2) for row in rows}
            close = answer.keys() == expected.keys() and all(abs(answer[k] - v) < 0.01 for k, v in expected.items())
            expect(close, expected=f"{len(expected)} countries, e.g. {sorted(expected.items())[:2]}",
                   found=f"{len(answer)} rows, e.g. {sorted(answer.items())[:2]}")
            return
    expect(False, expected="result columns country and revenue", found=f"{len(candidates)} query(ies), none with those columns")


@exercise(WEEK, "2.5", "orders are curated as Parquet partitioned by month",
          hint="CTAS: CREATE TABLE orders_parquet WITH (format='PARQUET', external_location="
               "'s3://BUCKET/curated/orders/', partitioned_by=ARRAY['order_month']) AS SELECT ..., order_month FROM orders")
def orders_curated_as_parquet() -> None:
    names = _names()
    table = _table("orders_parquet")
    serde = table["StorageDescriptor"]["SerdeInfo"].get("SerializationLibrary", "")
    expect("parquet" in serde.lower(), expected="a Parquet SerDe", found=serde)
    keys = [k["Name"] for k in table.get("PartitionKeys", [])]
    expect(keys == ["order_month"], expected="partition key order_month", found=keys)
    location = table["StorageDescriptor"]["Location"].rstrip("/")
    expect(location == f"s3://{names.bucket('lake')}/curated/orders", expected="location curated/orders/", found=location)
    partitions = boto3.client("glue").get_partitions(DatabaseName=names.database("lake"), TableName="orders_parquet")["Partitions"]
    expect(len(partitions) == 6, expected="6 monthly partitions (2024-01 to 2024-06)", found=f"{len(partitions)}")


@exercise(WEEK, "2.6", "a partition-pruned Parquet query scanned far less than the CSV query",
          hint="run the same monthly query on orders and on orders_parquet WHERE order_month = '2024-03'")
def parquet_scans_less() -> None:
    csv_scans = [q["Statistics"]["DataScannedInBytes"] for q in succeeded_queries("from orders ")]
    pruned = [q["Statistics"]["DataScannedInBytes"] for q in succeeded_queries("orders_parquet")
              if "order_month" in q["Query"].lower().split("where", 1)[-1]]
    expect(csv_scans and pruned, expected="queries on orders and on orders_parquet filtered by order_month",
           found=f"{len(csv_scans)} CSV and {len(pruned)} partition-filtered Parquet queries")
    expect(min(pruned) * 10 < min(csv_scans), expected="the pruned Parquet query scanning under a tenth of the CSV one",
           found=f"{min(pruned):,} bytes against {min(csv_scans):,}")


@exercise(WEEK, "2.7", "the DMS change files are queryable as dms_orders",
          hint="CREATE EXTERNAL TABLE dms_orders (op string, cdc_ts string, order_id string, ...) ROW FORMAT "
               "DELIMITED FIELDS TERMINATED BY ',' LOCATION 's3://BUCKET/raw/dms/sales/orders/'; then query it")
def dms_table_defined() -> None:
    names = _names()
    table = _table("dms_orders")
    columns = list(_columns(table))
    expect(columns[:3] == ["op", "cdc_ts", "order_id"], expected="columns op, cdc_ts, order_id first", found=columns[:3])
    location = table["StorageDescriptor"]["Location"].rstrip("/")
    expect(location == f"s3://{names.bucket('lake')}/raw/dms/sales/orders", expected="location raw/dms/sales/orders/",
           found=location)
    expect(succeeded_queries("dms_orders"), expected="a SUCCEEDED query on dms_orders", found="none")


def current_order_count() -> int:
    """Orders alive after applying the DMS full load and every change, newest change per order."""
    changes = pd.concat(
        pd.read_csv(path, header=None, names=list(datasets.DMS_COLUMNS), dtype=str)
        for path in [datasets.path("dms_full_load"), *datasets.cdc_files()]
    )
    latest = changes.sort_values("cdc_ts").groupby("order_id").tail(1)
    return int((latest["Op"] != "D").sum())


def _run_in_workgroup(sql: str) -> dict:
    athena, names = boto3.client("athena"), _names()
    query_id = athena.start_query_execution(QueryString=sql, WorkGroup=names.resource("analytics"),
                                            QueryExecutionContext={"Database": names.database("lake")})["QueryExecutionId"]
    for _ in range(600):  # up to five minutes: a real account takes seconds per query
        execution = athena.get_query_execution(QueryExecutionId=query_id)["QueryExecution"]
        if execution["Status"]["State"] in ("SUCCEEDED", "FAILED", "CANCELLED"):
            return execution
        time.sleep(0.5)
    return execution


@exercise(WEEK, "S.1", "current_orders applies every change: one row per live order", stretch=True,
          hint="CREATE VIEW current_orders: the newest row per order_id (row_number() over cdc_ts descending) "
               "from dms_orders, without deletes")
def current_orders_view() -> None:
    table = _table("current_orders")
    expect(table.get("TableType") == "VIRTUAL_VIEW", expected="a view", found=table.get("TableType"))
    execution = _run_in_workgroup("SELECT count(*) AS orders, count(DISTINCT order_id) AS ids FROM current_orders")
    expect(execution["Status"]["State"] == "SUCCEEDED", expected="the view to answer",
           found=execution["Status"].get("StateChangeReason"))
    row = athena_history.result_rows(execution)[0]
    expected = current_order_count()
    expect(row == {"orders": str(expected), "ids": str(expected)},
           expected=f"{expected} rows, one per order", found=f"{row['orders']} rows for {row['ids']} orders")
