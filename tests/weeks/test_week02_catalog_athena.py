"""Week 2 · Glue Data Catalog and Athena: every check passes on the solution and on correct alternatives, and fails
with its hint on the untouched lab and on plausible wrong answers; teardown after the solution leaves nothing of the week (earlier weeks' resources, which Setup
rebuilds, go with the teardown of all weeks)."""

from __future__ import annotations

import pytest
from lab_runs import (Patch, assert_alternatives_pass, assert_wrong_answers_fail, run_patched_then_check)

from lakelab.notebooks.labs import SOLUTIONS

WEEK = 2

from every_week import *  # noqa: E402,F401,F403  (the five tests every week passes)







# --- plausible wrong answers fail with a message naming what is wrong; correct alternatives pass ---------

WRONG = [
    Patch("2.3", '"BytesScannedCutoffPerQuery": 1_000_000_000,', '"BytesScannedCutoffPerQuery": 10**15,', says=("1 GB",)),
    Patch("2.4", "FROM orders WHERE status = 'delivered' GROUP BY country ORDER BY country", "FROM orders GROUP BY country",
          says=("every order", "delivered")),
    Patch("2.6", "table=\"orders_parquet\", condition=\"order_month = '2024-03'\"",
          "table=\"orders_parquet\", condition=\"order_month = '2024-04'\"", says=("March", "order_month")),
    Patch("2.7", "ROW FORMAT SERDE 'org.apache.hadoop.hive.serde2.OpenCSVSerde'\nWITH SERDEPROPERTIES ('separatorChar' = ',', 'quoteChar' = '\"')",
          "ROW FORMAT DELIMITED FIELDS TERMINATED BY ','", says=("OpenCSVSerde", "amount")),
    Patch("2.8", '/curated/orders/order_month={month}/"}}', '/curated/orders/{month}/"}}', says=("location", "order_month=")),
    Patch("2.9", "'projection.order_month.range' = '2024-01,NOW'", "'projection.order_month.range' = '2024-02,NOW'",
          says=("2024-01", "range")),
    Patch("2.10", "'s3://{BUCKET}/curated/orders_dashboard/', partitioned_by = ARRAY['order_month'])",
          "'s3://{BUCKET}/curated/orders_dashboard/')", says=("skip the other months", "partition by order_month")),
    Patch("2.11", "WHERE order_ts >= '2024-04'\")", "WHERE order_ts >= '2024-03-25'\")", says=("each once", "no day twice")),
    Patch("2.12", "ADD COLUMNS (coupon_code string)", "ADD COLUMNS (coupon_code int)", says=("coupon_code", "string")),
]
# order_ts left as text breaks exercise 2.6's month(order_ts) as well: it runs on its own (with 2.12's second wrong answer).
WRONG_ALONE = [
    Patch("2.5", "CAST(from_iso8601_timestamp(order_ts) AS timestamp) AS order_ts,", "order_ts,", says=("timestamp",)),
    # crawling again under UpdateBehavior LOG: the crawler only logs the new column
    Patch("2.12", 'run_query("ALTER TABLE shop_export ADD COLUMNS (coupon_code string)")', "crawl(export_crawler)",
          says=("coupon_code", "LOG")),
]
ALTERNATIVES = [
    Patch("2.4", "\"SELECT country, ROUND(SUM(amount), 2) AS revenue FROM orders WHERE status = 'delivered' GROUP BY country ORDER BY country\"",
          "f'SELECT \"country\", round(sum(\"amount\"), 2) AS \"revenue\"\\nFROM \"awsdatacatalog\".\"{DATABASE}\".\"orders\"\\n"
          "WHERE \"status\" = \\'delivered\\' GROUP BY 1'"),
    Patch("2.6", 'run_query(march.format(table="orders", condition=', 'run_query(march.format(table=f"{DATABASE}.orders", condition='),
    Patch("2.6", "table=\"orders_parquet\", condition=\"order_month = '2024-03'\"",
          "table='\"orders_parquet\"', condition=\"'2024-03' = \\\"order_month\\\" AND amount >= 0\""),
    Patch("2.7", "CREATE EXTERNAL TABLE dms_orders (", "CREATE EXTERNAL TABLE {DATABASE}.dms_orders ("),
    Patch("2.8", '/curated/orders/order_month={month}/"}}', '/curated/orders/order_month={month}"}}'),
    Patch("2.9", "'projection.order_month.type' = 'date',\n  'projection.order_month.format' = 'yyyy-MM',\n"
          "  'projection.order_month.range' = '2024-01,NOW',\n  'projection.order_month.interval' = '1',\n"
          "  'projection.order_month.interval.unit' = 'MONTHS'",
          "'projection.order_month.type' = 'enum',\n  'projection.order_month.values' = '2024-01,2024-02,2024-03,2024-04,2024-05,2024-06'"),
    Patch("2.10", "format = 'PARQUET', write_compression = 'SNAPPY',\n      external_location = 's3://{BUCKET}/curated/orders_dashboard/'",
          "format = 'PARQUET', write_compression = 'ZSTD',\n      external_location = 's3://{BUCKET}/curated/orders_dashboard'"),
    Patch("2.11", "AS {by_day} WHERE order_ts < '2024-04'", "AS {by_day} WHERE order_ts < '2024-03'"),
    Patch("2.11", "run_query(f\"INSERT INTO orders_by_day {by_day} WHERE order_ts >= '2024-04'\")",
          "for start, end in (('2024-03', '2024-06'), ('2024-06', '2024-07')):\n"
          "    run_query(f\"INSERT INTO orders_by_day {by_day} WHERE order_ts >= '{start}' AND order_ts < '{end}'\")"),
    Patch("2.12", 'run_query("ALTER TABLE shop_export ADD COLUMNS (coupon_code string)")',
          'glue.update_crawler(Name=export_crawler, SchemaChangePolicy={"UpdateBehavior": "UPDATE_IN_DATABASE", '
          '"DeleteBehavior": "LOG"})\ncrawl(export_crawler)'),
]


@pytest.fixture(scope="module")
def wrong_runs(week, attached):
    path = SOLUTIONS / f"{week.lab}.ipynb"
    return {**run_patched_then_check(attached, path, WEEK, WRONG), "alone": run_patched_then_check(attached, path, WEEK, WRONG_ALONE)}


def test_plausible_wrong_answers_fail_with_what_is_wrong(wrong_runs):
    alone = wrong_runs.pop("alone")
    assert_wrong_answers_fail(WEEK, wrong_runs, WRONG)
    assert_wrong_answers_fail(WEEK, alone, WRONG_ALONE)


def test_correct_alternatives_pass(solution_run):
    _, outcomes, _ = solution_run  # the solution ran with ALTERNATIVES applied: see every_week.py
    assert_alternatives_pass(WEEK, outcomes, ALTERNATIVES)
