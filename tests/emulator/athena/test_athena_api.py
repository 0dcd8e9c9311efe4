"""Athena's query-execution API: lifecycle, results, pagination, workgroups, errors."""

import time

import pytest
from botocore.exceptions import ClientError

from test_athena_helpers import LAKE, OUTPUT, RESULTS, athena  # noqa: F401 (fixture)

SLOW = ("SELECT count(*) FROM UNNEST(sequence(1, 10000)) AS a(x) CROSS JOIN UNNEST(sequence(1, 10000)) AS b(y) "
        "CROSS JOIN UNNEST(sequence(1, 10000)) AS c(z)")


def test_a_query_without_output_location_is_rejected_as_aws_rejects_it(athena):
    with pytest.raises(ClientError) as raised:
        athena.athena.start_query_execution(QueryString="SELECT 1")
    assert raised.value.response["Error"]["Code"] == "InvalidRequestException"
    assert "No output location provided" in raised.value.response["Error"]["Message"]


def test_the_workgroup_output_location_is_used_when_the_request_has_none(athena):
    athena.athena.create_work_group(
        Name="lab-wg", Configuration={"ResultConfiguration": {"OutputLocation": f"s3://{RESULTS}/wg/"}}
    )
    execution_id = athena.athena.start_query_execution(QueryString="SELECT 42 AS answer", WorkGroup="lab-wg")[
        "QueryExecutionId"
    ]
    execution = athena.wait(execution_id)
    assert execution["WorkGroup"] == "lab-wg"
    assert execution["ResultConfiguration"]["OutputLocation"] == f"s3://{RESULTS}/wg/{execution_id}.csv"
    assert athena.text(RESULTS, f"wg/{execution_id}.csv") == '"answer"\n"42"\n'


def test_a_successful_query_reports_what_athena_reports(athena):
    started = time.time()
    execution = athena.ok("SELECT 1 AS one")
    assert execution["StatementType"] == "DML"
    assert execution["QueryExecutionContext"] == {"Database": "lab"}
    assert execution["WorkGroup"] == "primary"
    status = execution["Status"]
    assert started - 1 <= status["SubmissionDateTime"].timestamp() <= status["CompletionDateTime"].timestamp()
    statistics = execution["Statistics"]
    assert statistics["TotalExecutionTimeInMillis"] >= statistics["EngineExecutionTimeInMillis"] >= 0
    assert statistics["DataScannedInBytes"] == 0


def test_results_are_written_as_athena_writes_them(athena):
    execution = athena.ok("SELECT 'a' AS letter, CAST(NULL AS varchar) AS missing, '' AS blank, 'say \"hi\"' AS quote")
    execution_id = execution["QueryExecutionId"]
    assert execution["ResultConfiguration"]["OutputLocation"] == f"{OUTPUT}{execution_id}.csv"
    text = athena.text(RESULTS, f"athena/{execution_id}.csv")
    assert text == '"letter","missing","blank","quote"\n"a",,"","say ""hi"""\n'
    assert f"athena/{execution_id}.csv.metadata" in athena.keys("athena/", bucket=RESULTS)


def test_get_query_results_pages_start_with_a_header_row(athena):
    execution_id = athena.ok("SELECT x FROM UNNEST(sequence(1, 25)) AS t(x) ORDER BY x")["QueryExecutionId"]
    first = athena.athena.get_query_results(QueryExecutionId=execution_id, MaxResults=10)
    values = [[d.get("VarCharValue") for d in r["Data"]] for r in first["ResultSet"]["Rows"]]
    assert values[0] == ["x"] and values[1:] == [[str(i)] for i in range(1, 10)]
    second = athena.athena.get_query_results(QueryExecutionId=execution_id, MaxResults=10, NextToken=first["NextToken"])
    assert [r["Data"][0]["VarCharValue"] for r in second["ResultSet"]["Rows"]] == [str(i) for i in range(10, 20)]
    third = athena.athena.get_query_results(QueryExecutionId=execution_id, NextToken=second["NextToken"])
    assert [r["Data"][0]["VarCharValue"] for r in third["ResultSet"]["Rows"]] == [str(i) for i in range(20, 26)]
    assert "NextToken" not in third


def test_column_info_carries_athena_type_names(athena):
    execution_id = athena.ok(
        "SELECT 1 AS i, 10000000000 AS b, 1.5e0 AS d, true AS t, DATE '2024-01-02' AS day, "
        "TIMESTAMP '2024-01-02 03:04:05' AS ts, DECIMAL '12.50' AS money, 'x' AS s, ARRAY[1, 2] AS a, "
        "MAP(ARRAY['k'], ARRAY[1]) AS m, CAST(ROW(1, 'a') AS ROW(n integer, l varchar)) AS r"
    )["QueryExecutionId"]
    page = athena.athena.get_query_results(QueryExecutionId=execution_id)
    info = page["ResultSet"]["ResultSetMetadata"]["ColumnInfo"]
    assert [c["Type"] for c in info] == ["integer", "bigint", "double", "boolean", "date", "timestamp", "decimal",
                                         "varchar", "array", "map", "row"]
    assert (info[6]["Precision"], info[6]["Scale"]) == (4, 2)
    values = [d.get("VarCharValue") for d in page["ResultSet"]["Rows"][1]["Data"]]
    assert values == ["1", "10000000000", "1.5", "true", "2024-01-02", "2024-01-02 03:04:05.000", "12.50", "x",
                      "[1, 2]", "{k=1}", "{n=1, l=a}"]


def test_start_returns_at_once_and_stop_cancels_a_running_query(athena):
    from lakelab.emulator.services.athena import executions

    started = time.perf_counter()
    execution_id = athena.start(SLOW)
    assert time.perf_counter() - started < 5.0  # the query itself would run for hours
    state = athena.athena.get_query_execution(QueryExecutionId=execution_id)["QueryExecution"]["Status"]["State"]
    assert state == "RUNNING"
    assert athena.value("SELECT 'the server still answers'") == "the server still answers"
    athena.athena.stop_query_execution(QueryExecutionId=execution_id)
    execution = athena.wait(execution_id)
    assert execution["Status"]["State"] == "CANCELLED"
    deadline = time.time() + 10
    while execution_id in executions._active and time.time() < deadline:
        time.sleep(0.05)
    assert execution_id not in executions._active, "the engine kept running after StopQueryExecution"
    with pytest.raises(ClientError, match="CANCELLED"):
        athena.athena.get_query_results(QueryExecutionId=execution_id)


def test_list_and_batch_get_agree_newest_first(athena):
    ids = [athena.ok(f"SELECT {i}")["QueryExecutionId"] for i in range(3)]
    listed = athena.athena.list_query_executions()["QueryExecutionIds"]
    assert listed[:3] == ids[::-1]
    batch = athena.athena.batch_get_query_execution(QueryExecutionIds=ids + ["no-such-id"])
    assert [e["QueryExecutionId"] for e in batch["QueryExecutions"]] == ids
    assert [e["Query"] for e in batch["QueryExecutions"]] == ["SELECT 0", "SELECT 1", "SELECT 2"]
    assert batch["UnprocessedQueryExecutionIds"][0]["QueryExecutionId"] == "no-such-id"


def test_a_syntax_error_fails_with_its_position(athena):
    reason = athena.failure("SELECT order_id FROM lab.orders WHERE")
    assert reason.startswith("line 1:33: mismatched input 'WHERE'")
    assert athena.failure("SELEC 1").startswith("line 1:1: mismatched input 'SELEC'")


def test_an_unknown_table_or_column_fails_as_in_athena(athena):
    assert athena.failure("SELECT * FROM lab.missing") == (
        "TABLE_NOT_FOUND: line 1:15: Table 'awsdatacatalog.lab.missing' does not exist"
    )
    assert athena.failure("SELECT * FROM nowhere.t").startswith("SCHEMA_NOT_FOUND: line 1:15: Schema 'nowhere'")
    assert athena.failure("SELECT nope FROM (VALUES 1) AS t(x)").startswith("COLUMN_NOT_FOUND: line 1:8: Column 'nope'")


def test_runtime_statistics_count_rows(athena):
    execution_id = athena.ok("SELECT x FROM UNNEST(sequence(1, 5)) AS t(x)")["QueryExecutionId"]
    statistics = athena.athena.get_query_runtime_statistics(QueryExecutionId=execution_id)["QueryRuntimeStatistics"]
    assert statistics["Rows"]["OutputRows"] == 5
    assert statistics["Timeline"]["TotalExecutionTimeInMillis"] >= 0


def test_results_of_an_unknown_execution_are_an_error(athena):
    with pytest.raises(ClientError, match="was not found"):
        athena.athena.get_query_results(QueryExecutionId="nope")


def test_a_query_over_the_workgroup_scan_limit_is_cancelled(athena):
    """Cancelled at the file whose read passes the limit: what was read until then is reported (and billed)."""
    first = "n\n" + "\n".join(str(i) for i in range(1_000_000)) + "\n"  # ~6.9 MB each
    for part in ("a", "b", "c"):
        athena.put(f"limits/{part}.csv", first)
    athena.ok(f"CREATE EXTERNAL TABLE limited (n int) ROW FORMAT DELIMITED FIELDS TERMINATED BY ',' "
              f"LOCATION 's3://{LAKE}/limits/' TBLPROPERTIES ('skip.header.line.count'='1')")
    configuration = {"ResultConfiguration": {"OutputLocation": f"s3://{RESULTS}/capped/"},
                     "BytesScannedCutoffPerQuery": 10_000_000}  # AWS's smallest limit
    athena.athena.create_work_group(Name="capped", Configuration=configuration)
    query_id = athena.athena.start_query_execution(QueryString="SELECT sum(n) FROM limited", WorkGroup="capped",
                                                   QueryExecutionContext={"Database": "lab"})["QueryExecutionId"]
    execution = athena.wait(query_id)
    assert execution["Status"]["State"] == "CANCELLED"
    assert execution["Status"]["StateChangeReason"] == "Query cancelled! : Bytes scanned limit was exceeded"
    assert execution["Statistics"]["DataScannedInBytes"] == 2 * len(first)  # the second file passed the limit
    assert athena.ok("SELECT sum(n) FROM limited")["Status"]["State"] == "SUCCEEDED"  # no limit in primary


def test_an_unknown_workgroup_is_refused_as_aws_refuses_it(athena):
    for call in (lambda: athena.athena.get_work_group(WorkGroup="missing-wg"),
                 lambda: athena.athena.list_query_executions(WorkGroup="missing-wg")):
        with pytest.raises(ClientError) as raised:
            call()
        assert raised.value.response["Error"]["Code"] == "InvalidRequestException"
        assert raised.value.response["Error"]["Message"] == "WorkGroup missing-wg is not found."
    assert athena.athena.get_work_group(WorkGroup="primary")["WorkGroup"]["Name"] == "primary"
