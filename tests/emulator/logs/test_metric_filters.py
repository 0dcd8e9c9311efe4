"""Filter patterns, TestMetricFilter, and metric filters that publish as events are put."""

import json
import time
from datetime import UTC, datetime, timedelta

import pytest
from botocore.exceptions import ClientError

GROUP = "/lakelab/app"


@pytest.fixture
def logs(client):
    logs = client("logs")
    logs.create_log_group(logGroupName=GROUP)
    logs.create_log_stream(logGroupName=GROUP, logStreamName="web-1")
    return logs


def matches(logs, pattern, messages):
    found = logs.test_metric_filter(filterPattern=pattern, logEventMessages=messages)["matches"]
    return [m["eventNumber"] for m in found]


@pytest.mark.parametrize(("pattern", "expected"), [
    ("", [1, 2, 3, 4]),
    ("ERROR", [1, 2]),
    ("ERROR timeout", [2]),
    ('"disk full"', [1]),
    ("?WARN ?timeout", [2, 3]),
    ("ERROR -timeout", [1]),
    ("%ERR[O]R%", [1, 2]),
    ("error", []),  # terms are case-sensitive
])
def test_unstructured_terms(logs, pattern, expected):
    lines = ["ERROR disk full on /data", "ERROR upstream timeout", "WARN slow consumer", "INFO all good"]
    assert matches(logs, pattern, lines) == expected


JSON_LINES = [json.dumps(e) for e in (
    {"level": "ERROR", "latency": 150, "user": {"id": "a1"}, "tags": ["x", "y"]},
    {"level": "ERROR", "latency": 50, "user": {"id": "b2"}},
    {"level": "INFO", "latency": 500, "flag": True, "note": None},
)] + ["not json at all"]


@pytest.mark.parametrize(("pattern", "expected"), [
    ('{ $.level = "ERROR" }', [1, 2]),
    ("{ $.level = ERROR }", [1, 2]),
    ('{ $.level != "ERROR" }', [3]),
    ("{ $.latency > 100 }", [1, 3]),
    ("{ $.latency >= 50 && $.latency <= 150 }", [1, 2]),
    ('{ $.level = "ERROR" && ($.latency > 100 || $.user.id = "b*") }', [1, 2]),
    ('{ $.tags[1] = "y" }', [1]),
    ("{ $.flag IS TRUE }", [3]),
    ("{ $.note IS NULL }", [3]),
    ("{ $.flag NOT EXISTS }", [1, 2]),
    ("{ $.level = %ERR% }", [1, 2]),
])
def test_json_patterns(logs, pattern, expected):
    assert matches(logs, pattern, JSON_LINES) == expected


ACCESS_LINES = ['127.0.0.1 - frank [10/Oct/2000:13:25:15 -0700] "GET /index.html HTTP/1.0" 404 1534',
                '127.0.0.1 - frank [10/Oct/2000:13:35:22 -0700] "GET /apache_pb.gif HTTP/1.0" 200 2326',
                '10.0.0.9 - alice [10/Oct/2000:13:50:35 -0700] "POST /api HTTP/1.0" 503 12']


@pytest.mark.parametrize(("pattern", "expected"), [
    ("[ip, identity, user, timestamp, request, status_code, bytes]", [1, 2, 3]),
    ("[ip, identity, user, timestamp, request, status_code = 4*, bytes]", [1]),
    ("[ip, identity, user, timestamp, request = *html*, status_code, bytes]", [1]),
    ("[..., status_code >= 400 && status_code < 600, bytes]", [1, 3]),
    ("[ip = 10.*, ...]", [3]),
    ("[ip, user]", []),  # a different number of fields
])
def test_space_delimited_patterns(logs, pattern, expected):
    assert matches(logs, pattern, ACCESS_LINES) == expected


def test_extracted_values(logs):
    found = logs.test_metric_filter(filterPattern="[ip, identity, user, timestamp, request, status_code, bytes]",
                                    logEventMessages=ACCESS_LINES[:1])["matches"][0]
    assert found["extractedValues"] == {
        "$ip": "127.0.0.1", "$identity": "-", "$user": "frank", "$timestamp": "10/Oct/2000:13:25:15 -0700",
        "$request": "GET /index.html HTTP/1.0", "$status_code": "404", "$bytes": "1534"}


@pytest.mark.parametrize("pattern", ["{ $.level = }", "[ip, , user]", "{ level = 1 }", "{ $.a = 1 ", "ERROR,x"])
def test_a_pattern_that_does_not_parse_is_refused(logs, pattern):
    with pytest.raises(ClientError, match="InvalidParameterException"):
        logs.test_metric_filter(filterPattern=pattern, logEventMessages=["x"])
    with pytest.raises(ClientError, match="InvalidParameterException"):
        logs.put_metric_filter(logGroupName=GROUP, filterName="bad", filterPattern=pattern, metricTransformations=[
            {"metricName": "M", "metricNamespace": "N", "metricValue": "1"}])


def _sums(cloudwatch, name, dimensions=()):
    now = datetime.now(UTC)
    answer = cloudwatch.get_metric_statistics(Namespace="LakeLabs/App", MetricName=name, Dimensions=list(dimensions),
                                              StartTime=now - timedelta(minutes=5), EndTime=now + timedelta(minutes=1),
                                              Period=600, Statistics=["Sum", "Maximum", "SampleCount"])
    return answer["Datapoints"]


def test_metric_filters_publish_as_events_are_put(client, logs):
    logs.put_metric_filter(logGroupName=GROUP, filterName="errors", filterPattern='{ $.level = "ERROR" }',
                           metricTransformations=[{"metricName": "Errors", "metricNamespace": "LakeLabs/App",
                                                   "metricValue": "1", "unit": "Count"}])
    logs.put_metric_filter(logGroupName=GROUP, filterName="latency", filterPattern="{ $.latency > 0 }",
                           metricTransformations=[{"metricName": "Latency", "metricNamespace": "LakeLabs/App",
                                                   "metricValue": "$.latency", "unit": "Milliseconds",
                                                   "dimensions": {"Level": "$.level"}}])
    stamp = int(time.time() * 1000)
    logs.put_log_events(logGroupName=GROUP, logStreamName="web-1", logEvents=[
        {"timestamp": stamp + i, "message": line} for i, line in enumerate(JSON_LINES)])
    cloudwatch = client("cloudwatch")
    [errors] = _sums(cloudwatch, "Errors")
    assert (errors["Sum"], errors["Unit"]) == (2.0, "Count")
    [latency] = _sums(cloudwatch, "Latency", [{"Name": "Level", "Value": "ERROR"}])
    assert (latency["Sum"], latency["Maximum"], latency["SampleCount"]) == (200.0, 150.0, 2.0)
    described = logs.describe_metric_filters(logGroupName=GROUP)["metricFilters"]
    assert sorted(f["filterName"] for f in described) == ["errors", "latency"]


def test_a_put_replaces_the_filter_of_that_name_and_defaults_are_published(client, logs):
    for value in ("1", "5"):
        logs.put_metric_filter(logGroupName=GROUP, filterName="errors", filterPattern="ERROR", metricTransformations=[
            {"metricName": "Errors", "metricNamespace": "LakeLabs/App", "metricValue": value, "defaultValue": 0}])
    assert len(logs.describe_metric_filters(logGroupName=GROUP)["metricFilters"]) == 1
    stamp = int(time.time() * 1000)
    logs.put_log_events(logGroupName=GROUP, logStreamName="web-1", logEvents=[{"timestamp": stamp, "message": "ok"}])
    logs.put_log_events(logGroupName=GROUP, logStreamName="web-1", logEvents=[{"timestamp": stamp, "message": "ERROR"}])
    [errors] = _sums(client("cloudwatch"), "Errors")
    assert (errors["Sum"], errors["SampleCount"]) == (5.0, 2.0)


def test_transformations_are_checked(logs):
    with pytest.raises(ClientError, match="dimensions and defaultValue"):
        logs.put_metric_filter(logGroupName=GROUP, filterName="f", filterPattern="", metricTransformations=[
            {"metricName": "M", "metricNamespace": "N", "metricValue": "1", "defaultValue": 0,
             "dimensions": {"Level": "$.level"}}])
    with pytest.raises(ClientError, match="ResourceNotFoundException"):
        logs.put_metric_filter(logGroupName="/nowhere", filterName="f", filterPattern="", metricTransformations=[
            {"metricName": "M", "metricNamespace": "N", "metricValue": "1"}])


@pytest.mark.parametrize(("pattern", "expected"), [
    ('{ $.level = "ERROR" }', [JSON_LINES[0], JSON_LINES[1]]),
    ("{ $.latency > 100 }", [JSON_LINES[0], JSON_LINES[2]]),
    ("?json ?INFO", [JSON_LINES[2], "not json at all"]),
])
def test_filter_log_events_reads_the_same_patterns(logs, pattern, expected):
    stamp = int(time.time() * 1000)
    logs.put_log_events(logGroupName=GROUP, logStreamName="web-1", logEvents=[
        {"timestamp": stamp + i, "message": line} for i, line in enumerate(JSON_LINES)])
    found = logs.filter_log_events(logGroupName=GROUP, filterPattern=pattern)["events"]
    assert [e["message"] for e in found] == expected


def test_filter_log_events_refuses_a_pattern_that_does_not_parse(logs):
    with pytest.raises(ClientError, match="InvalidParameterException"):
        logs.filter_log_events(logGroupName=GROUP, filterPattern="{ $.level = ")
