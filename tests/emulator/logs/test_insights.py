"""Logs Insights queries: StartQuery / GetQueryResults over the log groups, in AWS's result shape."""

import json
import time

import pytest
from botocore.exceptions import ClientError

GROUP = "/aws/lambda/lakelab-ingest"
EVENTS = [("INFO", 120, "alice"), ("ERROR", 900, "bob"), ("INFO", 80, "alice"), ("ERROR", 400, "carol"),
          ("WARN", 250, "alice")]


@pytest.fixture
def logs(client):
    logs = client("logs")
    logs.create_log_group(logGroupName=GROUP)
    logs.create_log_stream(logGroupName=GROUP, logStreamName="2026/12/06/[$LATEST]abc")
    start = (int(time.time()) // 300) * 300 * 1000  # inside one 5-minute bin
    logs.put_log_events(logGroupName=GROUP, logStreamName="2026/12/06/[$LATEST]abc", logEvents=[
        {"timestamp": start + i * 1000, "message": json.dumps({"level": level, "latency": latency, "user": user})}
        for i, (level, latency, user) in enumerate(EVENTS)] + [
        {"timestamp": start + 9000, "message": "REPORT RequestId: 42 Duration: 12.50 ms Billed Duration: 13 ms "
                                              "Memory Size: 128 MB Max Memory Used: 60 MB"}])
    return logs


def query(logs, text, **kwargs):
    now = int(time.time())
    query_id = logs.start_query(logGroupName=GROUP, startTime=now - 3600, endTime=now + 3600, queryString=text,
                                **kwargs)["queryId"]
    answer = logs.get_query_results(queryId=query_id)
    assert answer["status"] == "Complete"
    return answer


def rows(answer):
    return [{cell["field"]: cell["value"] for cell in row if cell["field"] != "@ptr"} for row in answer["results"]]


def test_fields_filter_sort_limit(logs):
    answer = query(logs, 'fields @timestamp, user, latency | filter level = "ERROR" | sort latency desc | limit 1')
    assert rows(answer) == [{"@timestamp": rows(answer)[0]["@timestamp"], "user": "bob", "latency": "900"}]
    assert answer["results"][0][-1]["field"] == "@ptr"
    assert answer["statistics"]["recordsMatched"] == 2.0 and answer["statistics"]["recordsScanned"] == 6.0


def test_stats_by_field_with_percentiles(logs):
    answer = query(logs, "stats count(*) as events, avg(latency), max(latency), pct(latency, 50) by level "
                         "| sort level")
    assert rows(answer) == [
        {"level": "ERROR", "events": "2", "avg(latency)": "650", "max(latency)": "900", "pct(latency, 50)": "400"},
        {"level": "INFO", "events": "2", "avg(latency)": "100", "max(latency)": "120", "pct(latency, 50)": "80"},
        {"level": "WARN", "events": "1", "avg(latency)": "250", "max(latency)": "250", "pct(latency, 50)": "250"}]


def test_stats_by_bin(logs):
    answer = query(logs, "filter ispresent(level) | stats count(*) by bin(5m)")
    [row] = rows(answer)
    assert row["count(*)"] == "5" and row["bin(5m)"].endswith(":00.000") and int(row["bin(5m)"][14:16]) % 5 == 0


@pytest.mark.parametrize(("text", "users"), [
    ('filter user in ["alice", "carol"] and latency > 100 | display user', ["alice", "carol", "alice"]),
    ("filter user like /^c/ or latency >= 900 | display user", ["bob", "carol"]),
    ('filter user like "li" | display user', ["alice", "alice", "alice"]),
    ("filter user =~ /o/ and not level = 'INFO' | display user", ["bob", "carol"]),
    ('filter user != "alice" | display user', ["bob", "carol"]),
    ('filter user not in ["alice"] | display user', ["bob", "carol"]),
])
def test_filter_operators(logs, text, users):
    assert [r["user"] for r in rows(query(logs, text))] == users


def test_parse_with_a_glob_and_a_regex(logs):
    glob = query(logs, 'parse @message \'"user": "*"\' as who | filter ispresent(who) | stats count(*) by who')
    assert rows(glob) == [{"who": "alice", "count(*)": "3"}, {"who": "bob", "count(*)": "1"},
                          {"who": "carol", "count(*)": "1"}]
    regex = query(logs, r'parse @message /"latency": (?<ms>\d+)/ | filter ms > 300 | fields ms')
    assert [r["ms"] for r in rows(regex)] == ["900", "400"]


def test_discovered_lambda_report_fields(logs):
    answer = query(logs, "filter @type = 'REPORT' | fields @requestId, @duration, @maxMemoryUsed / 1000000 as mb")
    assert rows(answer) == [{"@requestId": "42", "@duration": "12.5", "mb": "60"}]


def test_default_fields_and_log_names(logs):
    [row] = rows(query(logs, "filter latency = 80"))
    assert row["@log"] == f"123456789012:{GROUP}" and row["@logStream"] == "2026/12/06/[$LATEST]abc"
    assert json.loads(row["@message"])["latency"] == 80


@pytest.mark.parametrize(("text", "where"), [
    ("dedup user", "unexpected symbol found dedup at line 1 and position 1"),
    ("fields user | stats sortsi(latency)", "unexpected symbol found sortsi"),
    ("filter level = ", "unexpected end of query"),
    ("fields count(*)", "allowed only in stats"),
    ("stats latency by user", "stats needs an aggregation function"),
])
def test_what_is_not_supported_is_refused(logs, text, where):
    with pytest.raises(ClientError) as raised:
        query(logs, text)
    assert raised.value.response["Error"]["Code"] == "MalformedQueryException"
    assert where in raised.value.response["Error"]["Message"]


def test_unknown_groups_and_queries(logs):
    with pytest.raises(ClientError, match="ResourceNotFoundException"):
        logs.start_query(logGroupName="/nowhere", startTime=0, endTime=10, queryString="fields @message")
    with pytest.raises(ClientError, match="ResourceNotFoundException"):
        logs.get_query_results(queryId="00000000-0000-0000-0000-000000000000")
    query_id = logs.start_query(logGroupName=GROUP, startTime=0, endTime=10, queryString="fields @message")["queryId"]
    assert logs.stop_query(queryId=query_id)["success"] is False  # it has finished already
    assert [q["queryId"] for q in logs.describe_queries(logGroupName=GROUP)["queries"]] == [query_id]
