"""Week 2 · Glue Data Catalog and Athena: one check per exercise.

Query checks read the workgroup's query history and the result files Athena wrote, or run their own
query in the workgroup (a few, each billed Athena's 10 MB minimum on an account), and compare the
answers with the answer key computed here from the course datasets with pandas.
"""

from __future__ import annotations

import time

import boto3
from lakelab.checks import athena_history
from lakelab.checks.athena_sql import filters_on, tables_read
from lakelab.checks.week02_answer_key import (current_order_count, dms_changes_by_op, orders, orders_by_month,
                                              revenue_by_country)
from lakelab.checks.framework import exercise, expect
from lakelab.course import naming

WEEK = 2
CRAWLED_TABLES = {"orders": "csv", "customers": "csv", "clickstream": "json"}
DASHBOARD_SHARE = 0.03  # exercise 2.10: a month's query scans at most 3% of the same question on orders_daily
DASHBOARD_FILES = 4


def _names() -> naming.Names:
    return naming.for_week(WEEK)


def _table(name: str) -> dict:
    return boto3.client("glue").get_table(DatabaseName=_names().database("lake"), Name=name)["Table"]


def _columns(table: dict) -> dict[str, str]:
    return {c["Name"]: c["Type"] for c in table.get("StorageDescriptor", {}).get("Columns", [])}


def _partitions(table_name: str) -> list[dict]:
    pages = boto3.client("glue").get_paginator("get_partitions").paginate(
        DatabaseName=_names().database("lake"), TableName=table_name)
    return [partition for page in pages for partition in page["Partitions"]]


def succeeded_queries(containing: str = "") -> list[dict]:
    """The workgroup's SUCCEEDED queries whose SQL mentions ``containing``, newest first."""
    return [q for q in athena_history.succeeded(_names().resource("analytics")) if containing.lower() in q["Query"].lower()]


def _queries_reading(table: str) -> list[dict]:
    """The workgroup's SUCCEEDED SELECTs that read ``table``, however they name it."""
    return [q for q in athena_history.succeeded_dml(_names().resource("analytics")) if table in tables_read(q["Query"])]


def _as_revenue(query: dict) -> dict[str, float] | None:
    """The query's answer as {country: revenue}, or None when it has no country and revenue columns."""
    rows = athena_history.result_rows(query)
    if not rows or {"country", "revenue"} - set(rows[0]):
        return None
    try:
        return {row["country"]: round(float(row["revenue"] or 0), 2) for row in rows}
    except ValueError:
        return None


def _same(answer: dict[str, float] | None, expected: dict[str, float]) -> bool:
    return answer is not None and answer.keys() == expected.keys() and all(
        abs(answer[k] - v) < 0.01 for k, v in expected.items())


def _sample(answer: dict) -> str:
    return f"{len(answer)} rows, e.g. {sorted(answer.items())[:2]}"


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


def _answered(sql: str, what: str) -> tuple[dict, list[dict[str, str]]]:
    """Run ``sql`` in the workgroup; it must succeed. (execution, result rows)."""
    execution = _run_in_workgroup(sql)
    status = execution["Status"]
    expect(status["State"] == "SUCCEEDED", expected=f"{what} to answer",
           found=f"{status['State']}: {status.get('StateChangeReason', '')}")
    return execution, athena_history.result_rows(execution)


def _monthly_counts(table: str) -> dict[str, int]:
    _, rows = _answered(f"SELECT order_month, count(*) AS orders FROM {table} GROUP BY order_month", f"{table}")
    return {row["order_month"]: int(row["orders"]) for row in rows}


def _expect_every_month(table: str, hint: str) -> None:
    expected, found = orders_by_month(), _monthly_counts(table)
    expect(found == expected, expected=f"{table}: orders per month {expected}", found=f"{found or 'no rows'}", hint=hint)


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
    limit = configuration.get("BytesScannedCutoffPerQuery")
    expect(limit, expected="a per-query scan limit", found=limit)
    expect(limit <= 1_000_000_000, expected="a per-query scan limit of at most 1 GB", found=f"{limit:,} bytes",
           hint="the exercise asks for 1 GB: BytesScannedCutoffPerQuery=1_000_000_000")


@exercise(WEEK, "2.4", "a query answered revenue by country for delivered orders",
          hint="in the workgroup, run SELECT country, ROUND(SUM(amount), 2) AS revenue FROM orders "
               "WHERE status = 'delivered' GROUP BY country")
def revenue_query_answered() -> None:
    expected, every_status = revenue_by_country(), revenue_by_country(status=None)
    answers = [a for a in (_as_revenue(q) for q in _queries_reading("orders")) if a is not None]
    expect(answers, expected="a SUCCEEDED query on orders answering columns country and revenue",
           found="none in the workgroup")
    if any(_same(answer, expected) for answer in answers):
        return
    expect(not any(_same(answer, every_status) for answer in answers),
           expected=f"revenue of delivered orders only: {_sample(expected)}", found=f"revenue of every order: "
           f"{_sample(every_status)}", hint="keep only delivered orders: WHERE status = 'delivered'")
    expect(False, expected=f"{len(expected)} countries, e.g. {sorted(expected.items())[:2]}",
           found=_sample(answers[0]), hint="sum amount (not unit_price or quantity) of delivered orders per country")


@exercise(WEEK, "2.5", "orders are curated as Parquet partitioned by month",
          hint="CTAS: CREATE TABLE orders_parquet WITH (format='PARQUET', external_location="
               "'s3://BUCKET/curated/orders/', partitioned_by=ARRAY['order_month']) AS SELECT ..., order_month FROM orders")
def orders_curated_as_parquet() -> None:
    names = _names()
    table = _table("orders_parquet")
    serde = table["StorageDescriptor"].get("SerdeInfo", {}).get("SerializationLibrary", "")
    expect("parquet" in serde.lower(), expected="a Parquet SerDe", found=serde)
    keys = [k["Name"] for k in table.get("PartitionKeys", [])]
    expect(keys == ["order_month"], expected="partition key order_month", found=keys)
    location = table["StorageDescriptor"].get("Location", "").rstrip("/")
    expect(location == f"s3://{names.bucket('lake')}/curated/orders", expected="location curated/orders/", found=location)
    order_ts = _columns(table).get("order_ts")
    expect(order_ts == "timestamp", expected="order_ts a timestamp", found=order_ts,
           hint="CAST(from_iso8601_timestamp(order_ts) AS timestamp) AS order_ts")
    partitions = _partitions("orders_parquet")
    expect(len(partitions) == 6, expected="6 monthly partitions (2024-01 to 2024-06)", found=f"{len(partitions)}")
    _expect_every_month("orders_parquet", hint="order_month is substr(order_ts, 1, 7) of every order, e.g. '2024-03'")


@exercise(WEEK, "2.6", "a partition-pruned Parquet query scanned far less than the CSV query",
          hint="run the same March query on orders and on orders_parquet WHERE order_month = '2024-03'")
def parquet_scans_less() -> None:
    march = revenue_by_country(status=None, month="2024-03")
    csv_scans = [q["Statistics"]["DataScannedInBytes"] for q in _queries_reading("orders") if _same(_as_revenue(q), march)]
    parquet = [q for q in _queries_reading("orders_parquet") if filters_on(q["Query"], "order_month")]
    pruned = [q["Statistics"]["DataScannedInBytes"] for q in parquet if _same(_as_revenue(q), march)]
    expect(csv_scans and pruned, expected="March revenue by country (country, revenue) from orders and from "
           "orders_parquet filtered on order_month", found=f"{len(csv_scans)} such CSV and {len(pruned)} such pruned "
           f"Parquet queries ({len(parquet)} on orders_parquet filter order_month)",
           hint=f"the answer key: {_sample(march)}; filter order_month = '2024-03', all statuses")
    expect(min(pruned) * 10 < min(csv_scans), expected="the pruned Parquet query scanning under a tenth of the CSV one",
           found=f"{min(pruned):,} bytes against {min(csv_scans):,}")


@exercise(WEEK, "2.7", "the DMS change files are queryable as dms_orders",
          hint="CREATE EXTERNAL TABLE dms_orders (op string, cdc_ts string, order_id string, ...) ROW FORMAT SERDE "
               "'org.apache.hadoop.hive.serde2.OpenCSVSerde' LOCATION 's3://BUCKET/raw/dms/sales/orders/'; then query it")
def dms_table_defined() -> None:
    names = _names()
    table = _table("dms_orders")
    columns = list(_columns(table))
    expect(columns[:3] == ["op", "cdc_ts", "order_id"], expected="columns op, cdc_ts, order_id first", found=columns[:3])
    expect(len(columns) == 14, expected="14 columns: op, cdc_ts and the 12 order columns", found=f"{len(columns)}")
    location = table["StorageDescriptor"].get("Location", "").rstrip("/")
    expect(location == f"s3://{names.bucket('lake')}/raw/dms/sales/orders", expected="location raw/dms/sales/orders/",
           found=location)
    expect(_queries_reading("dms_orders"), expected="a SUCCEEDED query on dms_orders", found="none")
    _, rows = _answered("SELECT op, count(*) AS changes, round(sum(try_cast(amount AS double)), 2) AS amount "
                        "FROM dms_orders GROUP BY op", "dms_orders")
    found = {row["op"]: (int(row["changes"]), round(float(row["amount"] or 0), 2)) for row in rows}
    expect(found == dms_changes_by_op(), expected=f"(changes, sum of amount) per op: {dms_changes_by_op()}", found=found,
           hint="text fields are quoted and some contain commas: ROW FORMAT SERDE "
                "'org.apache.hadoop.hive.serde2.OpenCSVSerde' with quoteChar '\"'")


@exercise(WEEK, "2.8", "orders_registered has its six partitions, registered without a crawler",
          hint="glue.create_table orders_registered (storage and partition keys of orders_parquet), then one "
               "glue.batch_create_partition with Values [month] and Location .../curated/orders/order_month=<month>/")
def partitions_registered() -> None:
    bucket = _names().bucket("lake")
    partitions = {tuple(p.get("Values", [])): p.get("StorageDescriptor", {}).get("Location", "").rstrip("/")
                  for p in _partitions("orders_registered")}
    months = sorted(orders_by_month())
    expect(sorted(v[0] for v in partitions if v) == months, expected=f"partitions {months}",
           found=sorted(partitions) or "no partitions")
    wrong = {v[0]: where for v, where in partitions.items()
             if where != f"s3://{bucket}/curated/orders/order_month={v[0]}"}
    expect(not wrong, expected="each partition's location s3://BUCKET/curated/orders/order_month=<month>/",
           found=f"location {sorted(wrong.items())[0][1]} for {sorted(wrong)[0]}" if wrong else "")
    _expect_every_month("orders_registered", hint="the table needs the columns and Parquet storage of orders_parquet")


@exercise(WEEK, "2.9", "orders_projected reads every month through partition projection, pruned",
          hint="TBLPROPERTIES ('projection.enabled'='true', 'projection.order_month.type'='date', "
               "'projection.order_month.format'='yyyy-MM', 'projection.order_month.range'='2024-01,NOW', "
               "'projection.order_month.interval'='1', 'projection.order_month.interval.unit'='MONTHS')")
def partitions_projected() -> None:
    parameters = _table("orders_projected").get("Parameters", {})
    enabled = parameters.get("projection.enabled", "").strip().lower()
    expect(enabled == "true", expected="projection.enabled 'true'", found=f"projection.enabled {enabled or 'unset'}")
    _expect_every_month("orders_projected", hint="the projection must produce 2024-01 to 2024-06 in the folders' "
                        "format: check projection.order_month.range and .format ('yyyy-MM')")
    question = "SELECT country, SUM(amount) AS revenue FROM {} WHERE order_month = '2024-03' GROUP BY country"
    projected, _ = _answered(question.format("orders_projected"), "orders_projected")
    pruned, _ = _answered(question.format("orders_parquet"), "orders_parquet")
    scanned = [e["Statistics"]["DataScannedInBytes"] for e in (projected, pruned)]
    expect(scanned[0] == scanned[1], expected=f"March on orders_projected to scan the {scanned[1]:,} bytes of one "
           "pruned partition", found=f"{scanned[0]:,} bytes")


def _dashboard_files(table: dict, month: str) -> list[str]:
    """The data files a query for ``month`` must read: its partition's, or every file when not partitioned."""
    location = table.get("StorageDescriptor", {}).get("Location", "")
    bucket, _, prefix = location[len("s3://"):].partition("/")
    prefix = prefix.rstrip("/") + "/"
    keys = [k["Name"] for k in table.get("PartitionKeys", [])]
    if "order_month" in keys:
        prefix += f"order_month={month}/"
    pages = boto3.client("s3").get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix)
    return [o["Key"] for page in pages for o in page.get("Contents", [])
            if not o["Key"].endswith("/") and not o["Key"].rsplit("/", 1)[-1].startswith(("_", "."))]


@exercise(WEEK, "2.10", "orders_dashboard answers a month correctly, from few files, for a small scan",
          hint="e.g. CTAS orders_dashboard from orders_daily as Parquet partitioned by order_month "
               "(substr(order_ts, 1, 7)) under s3://BUCKET/curated/orders_dashboard/")
def dashboard_table_is_cheap() -> None:
    bucket = _names().bucket("lake")
    table = _table("orders_dashboard")
    location = table.get("StorageDescriptor", {}).get("Location", "").rstrip("/")
    expect(location == f"s3://{bucket}/curated/orders_dashboard", expected="location curated/orders_dashboard/",
           found=location)
    question = "SELECT country, SUM(amount) AS revenue FROM {} WHERE {} GROUP BY country"
    dashboard, _ = _answered(question.format("orders_dashboard", "order_month = '2024-05'"), "the dashboard query")
    daily, _ = _answered(question.format("orders_daily", "substr(order_ts, 1, 7) = '2024-05'"), "orders_daily")
    expected, found = revenue_by_country(status=None, month="2024-05"), _as_revenue(dashboard) or {}
    expect(_same(found, expected), expected=f"May revenue by country: {_sample(expected)}", found=_sample(found),
           hint="order_month is substr(order_ts, 1, 7); keep every order of orders_daily, once")
    every_month, _ = _answered(question.format("orders_dashboard", "order_month IS NOT NULL"), "every month's query")
    scanned, limit, whole = (e["Statistics"]["DataScannedInBytes"] for e in (dashboard, daily, every_month))
    expect(scanned <= DASHBOARD_SHARE * limit, expected=f"a month's query scanning at most {DASHBOARD_SHARE:.0%} of "
           f"the {limit:,} bytes orders_daily scans ({int(DASHBOARD_SHARE * limit):,})", found=f"{scanned:,} bytes",
           hint="a columnar format reads only the columns the query uses")
    expect(scanned * 3 <= whole, expected=f"the month filter to skip the other months: at most a third of the "
           f"{whole:,} bytes every month's query scans", found=f"{scanned:,} bytes",
           hint="partition by order_month, so that the filter skips the other months' files")
    files = _dashboard_files(table, "2024-05")
    expect(len(files) <= DASHBOARD_FILES, expected=f"a month's query reading at most {DASHBOARD_FILES} files",
           found=f"{len(files)} files", hint="compact: write each month as one file (CTAS writes one per partition "
           "here), not one per day")


@exercise(WEEK, "2.11", "orders_by_day holds every order once, in 182 daily partitions",
          hint="CTAS orders_by_day for at most 100 days (WHERE order_ts < '2024-04'), then INSERT INTO orders_by_day "
               "the other days, at most 100 per statement")
def daily_partitions_past_the_limit() -> None:
    table = _table("orders_by_day")
    keys = [k["Name"] for k in table.get("PartitionKeys", [])]
    expect(keys == ["order_date"], expected="partition key order_date", found=keys)
    days = orders()["order_ts"].str[:10].nunique()
    partitions = _partitions("orders_by_day")
    expect(len(partitions) == days, expected=f"{days} daily partitions", found=len(partitions))
    _, rows = _answered("SELECT count(*) AS orders, count(DISTINCT order_id) AS ids, count(DISTINCT order_date) AS days "
                        "FROM orders_by_day", "orders_by_day")
    found, count = {k: int(v) for k, v in rows[0].items()}, len(orders())
    expect(found == {"orders": count, "ids": count, "days": days},
           expected=f"{count:,} orders, each once, over {days} days", found=f"{found['orders']:,} rows for "
           f"{found['ids']:,} orders over {found['days']} days",
           hint="the CTAS and the INSERT INTO must cover every day, and no day twice")


@exercise(WEEK, "S.1", "current_orders applies every change: one row per live order", stretch=True,
          hint="CREATE VIEW current_orders: the newest row per order_id (row_number() over cdc_ts descending) "
               "from dms_orders, without deletes")
def current_orders_view() -> None:
    table = _table("current_orders")
    expect(table.get("TableType") == "VIRTUAL_VIEW", expected="a view", found=table.get("TableType"))
    _, rows = _answered("SELECT count(*) AS orders, count(DISTINCT order_id) AS ids FROM current_orders", "the view")
    expected = current_order_count()
    expect(rows[0] == {"orders": str(expected), "ids": str(expected)},
           expected=f"{expected} rows, one per order", found=f"{rows[0]['orders']} rows for {rows[0]['ids']} orders")


# Exercise 2.12 lives in its own module (it uses the helpers above); importing it registers its check here.
from lakelab.checks.week02_schema import new_column_absorbed  # noqa: E402,F401
