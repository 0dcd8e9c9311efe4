"""awswrangler works unchanged against the emulator's Athena."""

import awswrangler as wr
import pandas as pd
import pytest

from test_athena_helpers import LAKE, OUTPUT, athena, orders_frame  # noqa: F401 (fixture)


@pytest.fixture
def dataset(athena):
    frame = orders_frame(60).assign(order_day=lambda f: f.order_day.dt.date.astype(str))
    wr.s3.to_parquet(frame, path=f"s3://{LAKE}/wr/orders/", dataset=True, database="lab", table="wr_orders",
                     partition_cols=["region"])
    return frame


def _expected(frame):
    grouped = frame.groupby("customer").agg(n=("order_id", "size"), units=("quantity", "sum")).reset_index()
    return grouped.sort_values("customer").reset_index(drop=True)


SQL = "SELECT customer, count(*) AS n, sum(quantity) AS units FROM wr_orders GROUP BY customer ORDER BY customer"


def test_read_sql_query_without_ctas(dataset):
    found = wr.athena.read_sql_query(SQL, database="lab", ctas_approach=False, s3_output=OUTPUT)
    pd.testing.assert_frame_equal(found, _expected(dataset), check_dtype=False)
    assert str(found["n"].dtype) == "Int64"


def test_read_sql_query_with_ctas_cleans_up_its_temporary_table(dataset, athena):
    found = wr.athena.read_sql_query(SQL, database="lab", ctas_approach=True, s3_output=OUTPUT)
    pd.testing.assert_frame_equal(found.sort_values("customer").reset_index(drop=True), _expected(dataset),
                                  check_dtype=False)
    assert [t["Name"] for t in athena.glue.get_tables(DatabaseName="lab")["TableList"]] == ["wr_orders"]


def test_partition_filters_and_catalog_functions(dataset):
    assert sorted(wr.catalog.get_partitions(database="lab", table="wr_orders")) == [
        f"s3://{LAKE}/wr/orders/region={r}/" for r in ("east", "north", "south")]
    types = wr.catalog.get_table_types(database="lab", table="wr_orders")
    assert types["amount"] == "double" and types["region"] == "string"
    found = wr.athena.read_sql_query("SELECT count(*) AS n FROM wr_orders WHERE region = 'east'", database="lab",
                                     ctas_approach=False, s3_output=OUTPUT)
    assert found["n"][0] == (dataset.region == "east").sum()


def test_start_query_execution_and_wait(dataset):
    execution_id = wr.athena.start_query_execution("SELECT max(amount) AS top FROM wr_orders", database="lab",
                                                   s3_output=OUTPUT)
    response = wr.athena.wait_query(execution_id)
    assert response["Status"]["State"] == "SUCCEEDED"
    frame = wr.athena.get_query_results(execution_id)
    assert frame["top"][0] == pytest.approx(dataset.amount.max())


def test_describe_and_show_create_table(dataset):
    described = wr.athena.describe_table(table="wr_orders", database="lab", s3_output=OUTPUT)
    assert described[described["Column Name"] == "region"]["Partition"].item() is True
    statement = wr.athena.show_create_table(table="wr_orders", database="lab", s3_output=OUTPUT)
    assert statement.startswith("CREATE EXTERNAL TABLE `lab.wr_orders`(")


def test_a_failing_query_raises_query_failed(dataset):
    with pytest.raises(wr.exceptions.QueryFailed, match="COLUMN_NOT_FOUND"):
        wr.athena.read_sql_query("SELECT nope FROM wr_orders", database="lab", ctas_approach=False, s3_output=OUTPUT)


def test_csv_datasets_with_escaped_delimiters_and_parameters(athena):
    frame = pd.DataFrame({"id": [1, 2, 3], "name": ["a", "b,c", None], "day": ["d1", "d2", "d2"]})
    wr.s3.to_csv(frame, path=f"s3://{LAKE}/wr/csv/", dataset=True, database="lab", table="names", index=False,
                 partition_cols=["day"])
    found = wr.athena.read_sql_query("SELECT id, name, day FROM names WHERE id > ? ORDER BY id", database="lab",
                                     params=["1"], paramstyle="qmark", ctas_approach=False, s3_output=OUTPUT)
    assert found["name"].tolist()[0] == "b,c" and found["name"].isna().tolist() == [False, True]
    assert found["day"].tolist() == ["d2", "d2"]


def test_unload_approach_and_millisecond_timestamps(athena):
    frame = pd.DataFrame({"id": [1, 2], "at": pd.to_datetime(["2024-01-01 10:00:00.123456", "2024-01-02 00:00:00.5"])})
    wr.s3.to_parquet(frame, path=f"s3://{LAKE}/wr/times/", dataset=True, database="lab", table="times")
    found = wr.athena.read_sql_query("SELECT id, at FROM times ORDER BY id", database="lab", ctas_approach=False,
                                     unload_approach=True, s3_output=f"s3://{LAKE}/unload/")
    assert found["at"].tolist() == [pd.Timestamp("2024-01-01 10:00:00.123"), pd.Timestamp("2024-01-02 00:00:00.500")]
    assert athena.rows("SELECT at FROM times ORDER BY id") == [["2024-01-01 10:00:00.123"], ["2024-01-02 00:00:00.500"]]
