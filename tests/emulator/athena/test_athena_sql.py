"""Athena's SQL answers: queries over a catalog table agree with pandas on the same data."""

import pandas as pd
import pytest

from test_athena_helpers import athena, orders_frame, register_orders_parquet  # noqa: F401 (fixture)


@pytest.fixture
def orders(athena):
    frame = orders_frame()
    register_orders_parquet(athena, frame)
    return frame


def test_filters_and_aggregates_match_pandas(athena, orders):
    rows = athena.rows("SELECT region, count(*) AS n, sum(quantity) AS units, round(avg(amount), 4) AS mean "
                       "FROM orders WHERE amount > 20 GROUP BY region ORDER BY region")
    kept = orders[orders.amount > 20].groupby("region")
    expected = [[r, str(len(g)), str(g.quantity.sum()), str(round(g.amount.mean(), 4))] for r, g in kept]
    assert [[r[0], r[1], r[2], str(float(r[3]))] for r in rows] == expected


def test_joins_match_pandas(athena, orders):
    athena.ok("CREATE VIEW targets AS SELECT * FROM (VALUES ('north', 100), ('south', 50)) AS t(region, target)")
    rows = athena.rows("SELECT o.region, t.target, count(*) FROM orders o JOIN targets t ON o.region = t.region "
                       "GROUP BY 1, 2 ORDER BY 1")
    counts = orders[orders.region.isin(["north", "south"])].groupby("region").size()
    assert rows == [["north", "100", str(counts["north"])], ["south", "50", str(counts["south"])]]


def test_window_functions_match_pandas(athena, orders):
    rows = athena.rows("SELECT order_id, rank() OVER (PARTITION BY customer ORDER BY amount DESC, order_id) AS r, "
                       "sum(quantity) OVER (PARTITION BY customer ORDER BY order_id) AS running "
                       "FROM orders ORDER BY order_id")
    ordered = orders.sort_values(["customer", "amount", "order_id"], ascending=[True, False, True])
    rank = ordered.groupby("customer").cumcount() + 1
    running = orders.sort_values("order_id").groupby("customer").quantity.cumsum()
    expected = [[str(i), str(rank[k]), str(running[k])] for k, i in orders.order_id.items()]
    assert rows == expected


def test_integer_division_truncates_as_in_athena(athena, orders):
    assert athena.rows("SELECT 7/2, -7/2, 7.0/2, 7/2.0, CAST(7 AS double)/2") == [["3", "-3", "3.5", "3.5", "3.5"]]
    rows = athena.rows("SELECT quantity / 3, quantity % 3 FROM orders ORDER BY order_id LIMIT 5")
    assert rows == [[str(q // 3), str(q % 3)] for q in orders.quantity[:5]]
    assert athena.value("SELECT sum(quantity) / count(*) FROM orders") == str(orders.quantity.sum() // len(orders))


def test_division_by_zero_fails_as_in_athena(athena):
    assert athena.failure("SELECT 1/0").startswith("DIVISION_BY_ZERO")


def test_date_diff_counts_whole_units(athena):
    rows = athena.rows(
        "SELECT date_diff('day', TIMESTAMP '2024-01-01 23:00:00', TIMESTAMP '2024-01-02 01:00:00'), "
        "date_diff('day', DATE '2024-01-01', DATE '2024-03-01'), "
        "date_diff('month', DATE '2024-01-31', DATE '2024-02-15'), "
        "date_diff('second', TIMESTAMP '2024-01-01 00:00:00.900', TIMESTAMP '2024-01-01 00:00:01.100'), "
        "date_diff('hour', TIMESTAMP '2024-01-02 00:00:00', TIMESTAMP '2024-01-01 00:30:00')"
    )
    assert rows == [["0", "60", "0", "0", "-23"]]


def test_date_functions(athena):
    rows = athena.rows(
        "SELECT date_trunc('month', TIMESTAMP '2024-03-05 14:07:09'), "
        "date_parse('2024-03-05 14:07', '%Y-%m-%d %H:%i'), "
        "from_iso8601_timestamp('2024-03-05T14:07:09Z'), "
        "format_datetime(TIMESTAMP '2024-03-05 14:07:09.123', 'yyyy-MM-dd HH:mm:ss.SSS EEE MMM'), "
        "parse_datetime('05/03/2024', 'dd/MM/yyyy'), "
        "date_format(TIMESTAMP '2024-03-05 14:07:09', '%Y/%m/%d'), "
        "date_add('day', 3, DATE '2024-03-05'), DATE '2024-03-05' + INTERVAL '1' DAY, "
        "day_of_week(DATE '2024-03-05'), year(DATE '2024-03-05')"
    )
    assert rows == [["2024-03-01 00:00:00.000", "2024-03-05 14:07:00.000", "2024-03-05 14:07:09.000 UTC",
                     "2024-03-05 14:07:09.123 Tue Mar", "2024-03-05 00:00:00.000", "2024/03/05",
                     "2024-03-08", "2024-03-06", "2", "2024"]]


def test_unsupported_joda_patterns_fail_clearly(athena):
    reason = athena.failure("SELECT format_datetime(TIMESTAMP '2024-03-05 14:07:09', 'G yyyy')")
    assert reason.startswith("NOT_SUPPORTED") and "'G'" in reason


def test_decimal_literals_keep_their_precision(athena):
    assert athena.rows("SELECT DECIMAL '1.20', 0.1 + 0.2, CAST('3.456' AS DECIMAL(5, 2))") == [["1.20", "0.3", "3.46"]]


def test_decimal_division_and_average_stay_decimal(athena):
    rows = athena.rows("SELECT DECIMAL '10.00' / 3, 1.0 / 3, avg(x), sum(x) / count(*) "
                       "FROM (VALUES DECIMAL '1.00', DECIMAL '2.00', DECIMAL '2.02') AS t(x)")
    assert rows == [["3.33", "0.3", "1.67", "1.67"]]


def test_doubles_print_as_athena_prints_them(athena):
    assert athena.rows("SELECT 1e7, 0.0001e0, 100e0, 1.5e-7, CAST(1 AS double)") == [
        ["1.0E7", "1.0E-4", "100.0", "1.5E-7", "1.0"]
    ]


def test_unnest_and_json(athena):
    rows = athena.rows(
        "SELECT id, tag, json_extract_scalar(doc, '$.user.name'), json_extract_scalar(doc, '$.user') "
        "FROM (VALUES (1, ARRAY['a', 'b'], '{\"user\": {\"name\": \"ana\"}}')) AS t(id, tags, doc) "
        "CROSS JOIN UNNEST(tags) AS u(tag) ORDER BY tag"
    )
    assert rows == [["1", "a", "ana", None], ["1", "b", "ana", None]]


def test_approx_distinct_and_friends(athena, orders):
    rows = athena.rows("SELECT approx_distinct(customer), count(DISTINCT region), max_by(order_id, amount), "
                       "arbitrary(region) IS NOT NULL, count_if(amount > 50) FROM orders")
    top = orders.loc[orders.amount.idxmax(), "order_id"]
    assert rows == [["5", "3", str(top), "true", str((orders.amount > 50).sum())]]


def test_result_columns_are_named_as_in_athena(athena):
    execution_id = athena.ok("SELECT 1, 2 AS Two, upper('x')")["QueryExecutionId"]
    page = athena.athena.get_query_results(QueryExecutionId=execution_id)
    assert [c["Name"] for c in page["ResultSet"]["ResultSetMetadata"]["ColumnInfo"]] == ["_col0", "two", "_col2"]


def test_a_function_athena_lacks_fails_with_its_name(athena):
    assert athena.failure("SELECT no_such_function(1)").startswith("FUNCTION_NOT_FOUND")


def test_information_schema_lists_catalog_columns(athena, orders):
    rows = athena.rows("SELECT column_name, data_type FROM information_schema.columns "
                       "WHERE table_schema = 'lab' AND table_name = 'orders' ORDER BY ordinal_position")
    assert rows[:3] == [["order_id", "bigint"], ["customer", "varchar"], ["region", "varchar"]]


def test_pandas_and_athena_agree_on_a_grouped_date_query(athena, orders):
    rows = athena.rows("SELECT date_trunc('month', order_day) AS month, count(*) FROM orders GROUP BY 1 ORDER BY 1")
    months = orders.order_day.dt.to_period("M").value_counts().sort_index()
    assert rows == [[str(p.start_time.date()), str(n)] for p, n in months.items()]
    assert isinstance(orders, pd.DataFrame)
