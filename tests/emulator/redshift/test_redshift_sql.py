"""Redshift SQL where it differs from the engine's: physical design, views, functions, system tables."""

from __future__ import annotations

from redshift_helpers import Redshift, redshift, warehouse_role  # noqa: F401 (fixtures)

SALES = ("CREATE TABLE sales (id BIGINT IDENTITY(1,1), region VARCHAR(10) ENCODE zstd, day DATE, "
         "amount DECIMAL(10,2) ENCODE az64) DISTSTYLE KEY DISTKEY(region) COMPOUND SORTKEY(day, region)")
ROWS = ("INSERT INTO sales (region, day, amount) VALUES ('eu', '2024-01-01', 10), ('us', '2024-01-01', 5), "
        "('eu', '2024-01-02', 7), ('apac', '2024-01-03', 1)")


def test_physical_design_is_accepted_and_reported(redshift: Redshift) -> None:
    redshift.ok(SALES)
    redshift.ok("CREATE TABLE dims (code CHAR(2) SORTKEY, name VARCHAR(20)) DISTSTYLE ALL")
    redshift.ok("CREATE TABLE events (id INT DISTKEY, at TIMESTAMP) INTERLEAVED SORTKEY (at, id)")
    assert redshift.rows("SELECT \"table\", diststyle, sortkey1, sortkey_num, encoded, tbl_rows FROM svv_table_info")\
        == []  # SVV_TABLE_INFO shows no empty table
    redshift.ok(ROWS)
    redshift.ok("INSERT INTO dims VALUES ('eu', 'Europe')")
    redshift.ok("INSERT INTO events VALUES (1, '2024-01-01 00:00:00')")
    assert redshift.rows("SELECT \"table\", diststyle, sortkey1, sortkey_num, encoded, tbl_rows FROM svv_table_info "
                         "ORDER BY 1") == [["dims", "ALL", "code", 1, "N", 1.0],
                                           ["events", "KEY(id)", "INTERLEAVED(at)", 2, "N", 1.0],
                                           ["sales", "KEY(region)", "day", 2, "Y", 4.0]]
    assert redshift.rows("SELECT \"column\", type, encoding, distkey, sortkey FROM pg_table_def "
                         "WHERE tablename = 'sales'") == [
        ["id", "bigint", "none", False, 0], ["region", "character varying(10)", "zstd", True, 2],
        ["day", "date", "none", False, 1], ["amount", "numeric(10,2)", "az64", False, 0]]
    assert redshift.rows("SELECT id FROM sales ORDER BY id") == [[1], [2], [3], [4]]  # IDENTITY(1,1)


def test_redshift_functions(redshift: Redshift) -> None:
    redshift.ok(SALES)
    redshift.ok(ROWS)
    assert redshift.rows("SELECT region, LISTAGG(amount::int, ',') WITHIN GROUP (ORDER BY day) FROM sales "
                         "GROUP BY region ORDER BY region") == [["apac", "1"], ["eu", "10,7"], ["us", "5"]]
    assert redshift.rows("SELECT DATEADD(day, 30, day), DATEDIFF(day, day, '2024-03-01'), NVL(NULL, region), "
                         "DECODE(region, 'eu', 'Europe', 'us', 'America', 'Other') FROM sales WHERE id = 1") == [
        ["2024-01-31 00:00:00", 60, "eu", "Europe"]]
    assert redshift.value("SELECT APPROXIMATE COUNT(DISTINCT region) FROM sales") == 3
    assert redshift.value("SELECT GETDATE() > '2024-01-01'::timestamp") is True
    now = redshift.value("SELECT GETDATE()")
    assert len(now) == 19  # to the second, no time zone
    assert redshift.rows("SELECT region, day FROM sales QUALIFY ROW_NUMBER() OVER (PARTITION BY region "
                         "ORDER BY amount DESC) = 1 ORDER BY region") == [
        ["apac", "2024-01-03"], ["eu", "2024-01-01"], ["us", "2024-01-01"]]
    assert redshift.rows("SELECT TOP 2 id FROM sales ORDER BY id") == [[1], [2]]


def test_merge_updates_and_inserts(redshift: Redshift) -> None:
    redshift.ok("CREATE TABLE target (id INT, total INT)")
    redshift.ok("CREATE TABLE staged (id INT, total INT)")
    redshift.ok("INSERT INTO target VALUES (1, 10), (2, 20)")
    redshift.ok("INSERT INTO staged VALUES (2, 25), (3, 30)")
    merged = redshift.ok("MERGE INTO target USING staged ON target.id = staged.id "
                         "WHEN MATCHED THEN UPDATE SET total = staged.total "
                         "WHEN NOT MATCHED THEN INSERT VALUES (staged.id, staged.total)")
    assert merged["ResultRows"] == 2
    assert redshift.rows("SELECT * FROM target ORDER BY id") == [[1, 10], [2, 25], [3, 30]]


def test_a_materialized_view_keeps_its_rows_until_refreshed(redshift: Redshift) -> None:
    redshift.ok(SALES)
    redshift.ok(ROWS)
    redshift.ok("CREATE MATERIALIZED VIEW daily AS SELECT day, SUM(amount) AS total FROM sales GROUP BY day")
    redshift.ok("INSERT INTO sales (region, day, amount) VALUES ('eu', '2024-01-01', 100)")
    assert redshift.value("SELECT total FROM daily WHERE day = '2024-01-01'") == "15.00"
    redshift.ok("REFRESH MATERIALIZED VIEW daily")
    assert redshift.value("SELECT total FROM daily WHERE day = '2024-01-01'") == "115.00"
    assert redshift.failure("REFRESH MATERIALIZED VIEW sales").startswith("ERROR:")
    redshift.ok("DROP MATERIALIZED VIEW daily")
    assert redshift.failure("SELECT * FROM daily") == 'ERROR: relation "daily" does not exist'


def test_late_binding_views_need_qualified_tables_and_outlive_them(redshift: Redshift) -> None:
    redshift.ok("CREATE TABLE base (a INT)")
    assert redshift.failure("CREATE VIEW v AS SELECT a FROM base WITH NO SCHEMA BINDING") == (
        "ERROR: All the relations in late binding view should be qualified with a schema name")
    redshift.ok("CREATE VIEW v AS SELECT a FROM public.base WITH NO SCHEMA BINDING")
    redshift.ok("DROP TABLE base")
    assert redshift.failure("SELECT * FROM v").startswith("ERROR:")
    redshift.ok("CREATE TABLE base (a INT)")
    redshift.ok("INSERT INTO base VALUES (4)")
    assert redshift.value("SELECT a FROM v") == 4


def test_sys_query_history_records_statements(redshift: Redshift) -> None:
    redshift.ok("CREATE TABLE h (a INT)")
    redshift.ok("INSERT INTO h VALUES (1), (2)")
    redshift.failure("SELECT nope FROM h")
    redshift.ok("SELECT * FROM h")
    rows = redshift.rows("SELECT query_type, status, returned_rows, query_text FROM sys_query_history "
                         "ORDER BY query_id")
    assert rows == [["DDL", "success", 0, "CREATE TABLE h (a INT)"],
                    ["INSERT", "success", 0, "INSERT INTO h VALUES (1), (2)"],
                    ["SELECT", "failed", 0, "SELECT nope FROM h"],
                    ["SELECT", "success", 2, "SELECT * FROM h"]]
    assert redshift.failure("SELECT nope FROM h") == 'ERROR: column "nope" does not exist'


def test_integer_division_truncates_and_division_by_zero_fails(redshift: Redshift) -> None:
    redshift.ok("CREATE TABLE d (a INT, b INT, x DECIMAL(6,2))")
    redshift.ok("INSERT INTO d VALUES (7, 2, 7.00), (-7, 2, 1.50)")
    assert redshift.rows("SELECT a / b, a / 2.0 FROM d ORDER BY a") == [[-3, -3.5], [3, 3.5]]
    assert redshift.failure("SELECT a / 0 FROM d") == "ERROR: division by zero"


def test_explain_answers_a_plan_and_permissions_are_refused_by_name(redshift: Redshift) -> None:
    redshift.ok("CREATE TABLE e (a INT)")
    statement = redshift.ok("EXPLAIN SELECT a, COUNT(*) FROM e GROUP BY a")
    result = redshift.data.get_statement_result(Id=statement["Id"])
    assert [c["name"] for c in result["ColumnMetadata"]] == ["QUERY PLAN"] and result["TotalNumRows"] > 0
    assert redshift.failure("GRANT SELECT ON e TO GROUP analysts") == (
        "ERROR: GRANT is not supported by the Lake Labs emulator: database users, groups and permissions are not "
        "modelled (whoever connects sees every table)")
    assert "not supported" in redshift.failure("CREATE USER bi PASSWORD 'Secret-123'")
