"""What a Redshift Serverless lab does: a namespace with a default IAM role, a workgroup, tables designed for
a dashboard, COPY from Parquet and CSV (rejected rows in SYS_LOAD_ERROR_DETAIL), UNLOAD partitioned by a
column, and a BI client with GetCredentials' temporary user (its query in SYS_QUERY_HISTORY)."""

from __future__ import annotations

import datetime as dt

import pyarrow as pa
import pytest
import redshift_connector

from redshift_helpers import BUCKET, Redshift, redshift, warehouse_role  # noqa: F401 (fixtures)

WORKGROUP = "lab-wg"

ORDERS = ("CREATE TABLE orders (order_id BIGINT, customer_id INT, country VARCHAR(2), order_ts TIMESTAMP, "
          "amount DECIMAL(10,2)) DISTKEY(customer_id) SORTKEY(order_ts)")
CUSTOMERS = "CREATE TABLE customers (customer_id INT, name VARCHAR(40), country VARCHAR(2)) DISTSTYLE ALL"


@pytest.fixture
def workgroup(emulator, client, warehouse_role: str) -> Redshift:
    """A namespace whose default IAM role is the warehouse role, its workgroup, and a bucket."""
    serverless = client("redshift-serverless")
    serverless.create_namespace(namespaceName="lab-ns", adminUsername="admin", adminUserPassword="Admin-Passw0rd",
                                dbName="dev", iamRoles=[warehouse_role], defaultIamRoleArn=warehouse_role)
    serverless.create_workgroup(workgroupName=WORKGROUP, namespaceName="lab-ns", baseCapacity=8)
    client("s3").create_bucket(Bucket=BUCKET)
    return Redshift(client, WorkgroupName=WORKGROUP)


def _orders(count: int) -> pa.Table:
    start = dt.datetime(2024, 1, 1)
    return pa.table({"order_id": pa.array(range(1, count + 1), pa.int64()),
                     "customer_id": pa.array([i % 7 for i in range(count)], pa.int32()),
                     "country": [("DE", "FR", "US")[i % 3] for i in range(count)],
                     "order_ts": pa.array([start + dt.timedelta(hours=i) for i in range(count)], pa.timestamp("us")),
                     "amount": pa.array([float(i % 50) + 0.5 for i in range(count)], pa.float64())})


def test_svv_table_info_shows_the_dashboard_tables_design(workgroup: Redshift) -> None:
    workgroup.ok(ORDERS)
    workgroup.ok(CUSTOMERS)
    workgroup.ok("INSERT INTO orders VALUES (1, 1, 'DE', '2024-01-01 10:00:00', 5)")
    workgroup.ok("INSERT INTO customers VALUES (1, 'Ada', 'DE')")
    rows = workgroup.rows('SELECT "table", diststyle, sortkey1, sortkey_num, tbl_rows FROM svv_table_info '
                          'ORDER BY "table"')
    assert rows == [["customers", "ALL", None, 0, 1.0], ["orders", "KEY(customer_id)", "order_ts", 1, 1.0]]


def test_copy_parquet_with_the_default_role_is_rerunnable(workgroup: Redshift) -> None:
    workgroup.ok(ORDERS)
    workgroup.put_parquet("curated/sales/orders/part-0.parquet", _orders(120))
    workgroup.put_parquet("curated/sales/orders/part-1.parquet", _orders(80))
    copy = f"COPY orders FROM 's3://{BUCKET}/curated/sales/orders/' IAM_ROLE default FORMAT AS PARQUET"
    assert workgroup.ok(copy)["ResultRows"] == 200
    workgroup.ok("TRUNCATE orders")
    assert workgroup.ok(copy)["ResultRows"] == 200
    assert workgroup.value("SELECT COUNT(*) FROM orders") == 200
    history = workgroup.rows("SELECT status, TRIM(table_name), data_source, file_format, loaded_rows, "
                             "source_file_count, error_count FROM sys_load_history ORDER BY query_id")
    assert history == [["completed", "orders", f"s3://{BUCKET}/curated/sales/orders/", "parquet", 200, 2, 0]] * 2


PARTNER_CSV = ("order_id,customer_id,country,order_ts,amount\n"
               "1,3,DE,2024-01-01 10:00:00,12.50\n"
               "2,4,FR,2024-01-01 11:00:00,twelve\n"
               "3,5,US,2024-13-45 09:00:00,3.00\n"
               "4,6,DE,2024-01-02 08:00:00\n"
               "5,7,FR,2024-01-02 09:30:00,7.25\n")


def test_rejected_rows_are_in_sys_load_error_detail(workgroup: Redshift) -> None:
    workgroup.ok(ORDERS)
    workgroup.put("partner/orders.csv", PARTNER_CSV)
    copy = f"COPY orders FROM 's3://{BUCKET}/partner/orders.csv' IAM_ROLE default CSV IGNOREHEADER 1"
    assert workgroup.failure(copy + " MAXERROR 0") == (
        "ERROR: Load into table 'orders' failed. Check 'sys_load_error_detail' system table for details.")
    assert workgroup.value("SELECT COUNT(*) FROM orders") == 0
    loaded = workgroup.ok(copy + " MAXERROR 5")
    assert loaded["ResultRows"] == 2
    assert workgroup.rows("SELECT order_id FROM orders ORDER BY 1") == [[1], [5]]
    errors = workgroup.rows(
        "SELECT query_id, TRIM(file_name), line_number, TRIM(column_name), TRIM(column_type), TRIM(column_length), "
        "error_code, TRIM(error_message) FROM sys_load_error_detail ORDER BY query_id, line_number")
    assert len(errors) == 6  # the failed COPY's three and the loading one's
    first, second = errors[:3], errors[3:]
    assert len({e[0] for e in first}) == 1 and len({e[0] for e in second}) == 1 and first[0][0] < second[0][0]
    source = f"s3://{BUCKET}/partner/orders.csv"
    assert [e[1:] for e in second] == [
        [source, 3, "amount", "numeric", "10,2", 1207, "Invalid digit, Value 't', Pos 0, Type: Decimal"],
        [source, 4, "order_ts", "timestamp", "", 1206, "Invalid timestamp format or value [YYYY-MM-DD HH24:MI:SS]"],
        [source, 5, "amount", "", "", 1214, "Delimiter not found"]]
    # start_time is the COPY's, so ORDER BY start_time DESC, line_number lists the last COPY's lines in order.
    assert workgroup.rows("SELECT COUNT(DISTINCT start_time) FROM sys_load_error_detail GROUP BY query_id") == [
        [1], [1]]
    # PG_LAST_COPY_ID() is the session's: -1 in a new Data API statement, the COPY's id later in a batch.
    assert workgroup.value("SELECT pg_last_copy_id()") == -1
    batch = workgroup.data.batch_execute_statement(WorkgroupName=WORKGROUP, Database="dev", Sqls=[
        copy + " MAXERROR 5", "SELECT COUNT(*) FROM sys_load_error_detail WHERE query_id = pg_last_copy_id()"])
    assert workgroup.wait(batch["Id"])["Status"] == "FINISHED"
    assert workgroup.data.get_statement_result(Id=f"{batch['Id']}:2")["Records"] == [[{"longValue": 3}]]
    columns = workgroup.data.execute_statement(WorkgroupName=WORKGROUP, Database="dev",
                                               Sql="SELECT * FROM sys_load_error_detail")
    workgroup.wait(columns["Id"])
    names = [c["name"] for c in workgroup.data.get_statement_result(Id=columns["Id"])["ColumnMetadata"]]
    assert names == ["user_id", "query_id", "transaction_id", "session_id", "database_name", "table_id",
                     "start_time", "file_name", "line_number", "column_name", "column_type", "column_length",
                     "position", "error_code", "error_message"]
    history = workgroup.rows("SELECT status, loaded_rows, error_count FROM sys_load_history ORDER BY query_id")
    assert history == [["aborted", 0, 3], ["completed", 2, 3], ["completed", 2, 3]]


def test_serverless_has_no_stl_views(workgroup: Redshift) -> None:
    assert workgroup.failure("SELECT * FROM stl_load_errors") == (
        "ERROR: permission denied for relation stl_load_errors")


def test_a_provisioned_cluster_has_both_views(redshift: Redshift) -> None:
    redshift.ok(ORDERS)
    redshift.put("partner/orders.csv", PARTNER_CSV)
    copy = f"COPY orders FROM 's3://{BUCKET}/partner/orders.csv' IAM_ROLE default CSV IGNOREHEADER 1"
    assert redshift.failure(copy) == ("ERROR: Load into table 'orders' failed.  Check 'stl_load_errors' system table "
                                      "for details.")
    assert redshift.rows("SELECT line_number, err_code FROM stl_load_errors ORDER BY 1") == redshift.rows(
        "SELECT line_number, error_code FROM sys_load_error_detail ORDER BY 1") == [[3, 1207], [4, 1206], [5, 1214]]


def test_unload_partitioned_parquet_and_rerunning_it(workgroup: Redshift) -> None:
    workgroup.ok(ORDERS)
    workgroup.put_parquet("curated/sales/orders/part-0.parquet", _orders(30))
    workgroup.ok(f"COPY orders FROM 's3://{BUCKET}/curated/sales/orders/' IAM_ROLE default FORMAT AS PARQUET")
    unload = ("UNLOAD ('SELECT country, DATE_TRUNC(''month'', order_ts) AS month, SUM(amount) AS revenue "
              "FROM orders GROUP BY 1, 2') "
              f"TO 's3://{BUCKET}/exports/revenue/' IAM_ROLE default FORMAT PARQUET PARTITION BY (country)")
    assert workgroup.ok(unload)["ResultRows"] == 3
    assert workgroup.keys("exports/") == [f"exports/revenue/country={c}/0000_part_00.parquet"
                                          for c in ("DE", "FR", "US")]
    assert "Specified unload destination on S3 is not empty" in workgroup.failure(unload)
    assert workgroup.ok(unload + " ALLOWOVERWRITE")["ResultRows"] == 3
    assert "CLEANPATH" in workgroup.failure(unload + " ALLOWOVERWRITE CLEANPATH")
    # CLEANPATH with PARTITION BY empties only the partition folders this UNLOAD writes to.
    workgroup.put("exports/revenue/country=XX/0000_part_00.parquet", b"old")
    workgroup.put("exports/revenue/country=DE/stale.parquet", b"old")
    assert workgroup.ok(unload + " CLEANPATH")["ResultRows"] == 3
    assert workgroup.keys("exports/") == [f"exports/revenue/country={c}/0000_part_00.parquet"
                                          for c in ("DE", "FR", "US", "XX")]
    limited = (f"UNLOAD ('SELECT * FROM orders LIMIT 10') TO 's3://{BUCKET}/exports/limited/' IAM_ROLE default "
               "FORMAT PARQUET")
    assert "LIMIT" in workgroup.failure(limited).upper()


def test_a_bi_client_with_temporary_credentials_shows_in_sys_query_history(workgroup: Redshift, client) -> None:
    workgroup.ok(ORDERS)
    workgroup.put_parquet("curated/sales/orders/part-0.parquet", _orders(50))
    workgroup.ok(f"COPY orders FROM 's3://{BUCKET}/curated/sales/orders/' IAM_ROLE default FORMAT AS PARQUET")
    serverless = client("redshift-serverless")
    endpoint = serverless.get_workgroup(workgroupName=WORKGROUP)["workgroup"]["endpoint"]
    credentials = serverless.get_credentials(workgroupName=WORKGROUP, dbName="dev", durationSeconds=900)
    assert credentials["dbUser"] and credentials["dbPassword"]
    connection = redshift_connector.connect(host=endpoint["address"], port=endpoint["port"], database="dev",
                                            user=credentials["dbUser"], password=credentials["dbPassword"],
                                            ssl=False)
    dashboard = ("SELECT DATE_TRUNC('month', order_ts) AS month, country, SUM(amount) AS revenue FROM orders "
                 "GROUP BY 1, 2 ORDER BY 1, 2")
    cursor = connection.cursor()
    cursor.execute(dashboard)
    rows = cursor.fetchall()
    assert [d[0] for d in cursor.description] == ["month", "country", "revenue"]
    assert len(rows) == 3 and {r[1] for r in rows} == {"DE", "FR", "US"}
    connection.close()
    found = workgroup.rows("SELECT TRIM(user_name), query_type, status, returned_rows FROM sys_query_history "
                           f"WHERE query_text = '{dashboard.replace(chr(39), chr(39) * 2)}'")
    assert found == [[credentials["dbUser"], "SELECT", "success", 3]]
    # AWS's sample query names these columns (SYS_QUERY_HISTORY, sample queries)
    sample = workgroup.rows("SELECT user_id, query_id, transaction_id, session_id, status, TRIM(database_name), "
                            "start_time, end_time, result_cache_hit, elapsed_time, queue_time, execution_time "
                            "FROM sys_query_history WHERE user_id > 1 ORDER BY start_time DESC LIMIT 10")
    assert 4 <= len(sample) <= 10 and all(row[5] == "dev" for row in sample)
    with pytest.raises(redshift_connector.ProgrammingError):
        redshift_connector.connect(host=endpoint["address"], port=endpoint["port"], database="dev",
                                   user=credentials["dbUser"], password="not-it", ssl=False)


def test_the_lab_through_redshift_connector(workgroup: Redshift, client) -> None:
    """The same steps on the workgroup's Endpoint, as a notebook using redshift_connector runs them."""
    workgroup.put_parquet("curated/sales/orders/part-0.parquet", _orders(40))
    workgroup.put("partner/orders.csv", PARTNER_CSV)
    endpoint = client("redshift-serverless").get_workgroup(workgroupName=WORKGROUP)["workgroup"]["endpoint"]
    connection = redshift_connector.connect(host=endpoint["address"], port=endpoint["port"], database="dev",
                                            user="admin", password="Admin-Passw0rd", ssl=False)
    connection.autocommit = True
    cursor = connection.cursor()
    cursor.execute(ORDERS)
    cursor.execute(CUSTOMERS)
    copy = f"COPY orders FROM 's3://{BUCKET}/curated/sales/orders/' IAM_ROLE default FORMAT AS PARQUET"
    for _ in range(2):
        cursor.execute("TRUNCATE orders")
        cursor.execute(copy)
    cursor.execute("INSERT INTO customers VALUES (1, 'Ada', 'DE')")
    cursor.execute("SELECT COUNT(*) FROM orders")
    assert cursor.fetchone()[0] == 40
    cursor.execute('SELECT "table", diststyle, sortkey1 FROM svv_table_info ORDER BY 1')
    assert [list(r) for r in cursor.fetchall()] == [["customers", "ALL", None],
                                                    ["orders", "KEY(customer_id)", "order_ts"]]
    partner = f"COPY orders FROM 's3://{BUCKET}/partner/orders.csv' IAM_ROLE default CSV IGNOREHEADER 1"
    with pytest.raises(redshift_connector.ProgrammingError) as failed:
        cursor.execute(partner)
    assert failed.value.args[0]["M"] == ("Load into table 'orders' failed. Check 'sys_load_error_detail' system "
                                         "table for details.")
    cursor.execute(partner + " MAXERROR 5")
    cursor.execute("SELECT line_number, TRIM(column_name), error_code FROM sys_load_error_detail "
                   "WHERE query_id = pg_last_copy_id() ORDER BY line_number")
    assert [list(r) for r in cursor.fetchall()] == [[3, "amount", 1207], [4, "order_ts", 1206], [5, "amount", 1214]]
    cursor.execute("SELECT COUNT(*) FROM orders")
    assert cursor.fetchone()[0] == 42
    cursor.execute(f"UNLOAD ('SELECT country, SUM(amount) AS revenue FROM orders GROUP BY 1') "
                   f"TO 's3://{BUCKET}/exports/by_country/' IAM_ROLE default FORMAT PARQUET PARTITION BY (country)")
    connection.close()
    assert workgroup.keys("exports/by_country/") == [f"exports/by_country/country={c}/0000_part_00.parquet"
                                                     for c in ("DE", "FR", "US")]


def test_copy_into_a_table_created_in_the_same_open_transaction(workgroup: Redshift, client) -> None:
    """redshift_connector leaves autocommit off: CREATE TABLE and COPY share a transaction until commit."""
    workgroup.put_parquet("curated/sales/orders/part-0.parquet", _orders(40))
    workgroup.put("partner/orders.csv", PARTNER_CSV)
    endpoint = client("redshift-serverless").get_workgroup(workgroupName=WORKGROUP)["workgroup"]["endpoint"]
    connection = redshift_connector.connect(host=endpoint["address"], port=endpoint["port"], database="dev",
                                            user="admin", password="Admin-Passw0rd", ssl=False)
    cursor = connection.cursor()
    cursor.execute(ORDERS)
    cursor.execute(f"COPY orders FROM 's3://{BUCKET}/curated/sales/orders/' IAM_ROLE default FORMAT AS PARQUET")
    connection.commit()
    assert workgroup.value("SELECT COUNT(*) FROM orders") == 40
    with pytest.raises(redshift_connector.ProgrammingError):
        cursor.execute(f"COPY orders FROM 's3://{BUCKET}/partner/orders.csv' IAM_ROLE default CSV IGNOREHEADER 1")
    connection.rollback()
    cursor.execute("SELECT status, error_count FROM sys_load_history ORDER BY query_id")
    assert [list(r) for r in cursor.fetchall()] == [["completed", 0], ["aborted", 3]]
    connection.close()


def test_a_namespace_made_again_while_an_old_connection_is_still_open(workgroup: Redshift, client) -> None:
    """A learner's unclosed connection must not keep the next namespace of the same name from working."""
    serverless = client("redshift-serverless")
    endpoint = serverless.get_workgroup(workgroupName=WORKGROUP)["workgroup"]["endpoint"]
    connection = redshift_connector.connect(host=endpoint["address"], port=endpoint["port"], database="dev",
                                            user="admin", password="Admin-Passw0rd", ssl=False)
    cursor = connection.cursor()
    cursor.execute("CREATE TABLE kept AS SELECT 1 AS a")
    connection.commit()
    cursor.execute("SELECT a FROM kept")  # a transaction left open
    serverless.delete_workgroup(workgroupName=WORKGROUP)
    serverless.delete_namespace(namespaceName="lab-ns")
    serverless.create_namespace(namespaceName="lab-ns", adminUsername="admin", adminUserPassword="Admin-Passw0rd")
    serverless.create_workgroup(workgroupName=WORKGROUP, namespaceName="lab-ns")
    assert workgroup.failure("SELECT a FROM kept").startswith("ERROR: relation")
    workgroup.ok("CREATE TABLE fresh AS SELECT 2 AS b")
    assert workgroup.value("SELECT b FROM fresh") == 2
    try:
        connection.close()
    except redshift_connector.InterfaceError:  # its server has stopped
        pass
