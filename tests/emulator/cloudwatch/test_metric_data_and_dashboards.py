"""GetMetricData with percentiles and metric math, ListMetrics, dashboards checked and drawn."""

import json
from datetime import UTC, datetime

import pytest
from botocore.exceptions import ClientError

import lakelab
from conftest import NAMESPACE, last_boundary, put_periods

METRIC = {"Namespace": NAMESPACE, "MetricName": "Lag", "Dimensions": [{"Name": "Pipeline", "Value": "clicks"}]}


def _window(end):
    return {"StartTime": datetime.fromtimestamp(end - 60, UTC), "EndTime": datetime.fromtimestamp(end, UTC)}


def test_get_metric_data_answers_percentiles_and_math(cloudwatch):
    end = last_boundary()
    put_periods(cloudwatch, {1: [float(v) for v in range(1, 101)], 2: [5.0]}, end)
    answer = cloudwatch.get_metric_data(ScanBy="TimestampAscending", MetricDataQueries=[
        {"Id": "p99", "MetricStat": {"Metric": METRIC, "Period": 10, "Stat": "p99"}},
        {"Id": "total", "MetricStat": {"Metric": METRIC, "Period": 10, "Stat": "Sum"}, "ReturnData": False},
        {"Id": "half", "Expression": "total / 2", "Label": "Half the sum"}], **_window(end))
    results = {r["Id"]: r for r in answer["MetricDataResults"]}
    assert set(results) == {"p99", "half"}
    assert results["p99"]["Values"] == [5.0, 99.0] and results["p99"]["Label"] == "Lag"
    assert results["half"]["Values"] == [2.5, 2525.0] and results["half"]["Label"] == "Half the sum"
    assert results["p99"]["Timestamps"][1].timestamp() == end - 10


def test_get_metric_data_is_newest_first_by_default(cloudwatch):
    end = last_boundary()
    put_periods(cloudwatch, {1: 1.0, 2: 2.0}, end)
    answer = cloudwatch.get_metric_data(MetricDataQueries=[
        {"Id": "m", "MetricStat": {"Metric": METRIC, "Period": 10, "Stat": "Maximum"}}], **_window(end))
    assert answer["MetricDataResults"][0]["Values"] == [1.0, 2.0]


def test_metrics_insights_and_unknown_statistics_are_refused(cloudwatch):
    end = last_boundary()
    with pytest.raises(ClientError, match="Metrics Insights"):
        cloudwatch.get_metric_data(MetricDataQueries=[{"Id": "q", "Expression": "SELECT AVG(Lag) FROM x",
                                                       "Period": 60}], **_window(end))
    with pytest.raises(ClientError, match="InvalidParameterValue"):
        cloudwatch.get_metric_data(MetricDataQueries=[
            {"Id": "m", "MetricStat": {"Metric": METRIC, "Period": 10, "Stat": "wm90"}}], **_window(end))


def test_list_metrics_names_each_metric_once(cloudwatch):
    end = last_boundary()
    put_periods(cloudwatch, {1: 1.0, 2: 2.0, 3: 3.0}, end, dimensions=[])
    put_periods(cloudwatch, {1: 1.0, 2: 2.0}, end)
    metrics = cloudwatch.list_metrics(Namespace=NAMESPACE)["Metrics"]
    assert sorted(len(m["Dimensions"]) for m in metrics) == [0, 1]
    assert len(cloudwatch.list_metrics(Namespace=NAMESPACE, Dimensions=[{"Name": "Pipeline"}])["Metrics"]) == 1


BODY = {"start": "-PT5M", "widgets": [
    {"type": "metric", "x": 0, "y": 0, "width": 12, "height": 6, "properties": {
        "title": "Ingestion lag", "region": "us-east-1", "stat": "Maximum", "period": 10,
        "metrics": [[NAMESPACE, "Lag", "Pipeline", "clicks"], [".", ".", ".", ".", {"stat": "p50", "label": "median"}]],
        "annotations": {"horizontal": [{"value": 100, "label": "alarm threshold"}]}}},
    {"type": "metric", "x": 12, "y": 0, "width": 6, "height": 6, "properties": {
        "title": "Now", "region": "us-east-1", "view": "singleValue",
        "metrics": [[NAMESPACE, "Lag", "Pipeline", "clicks", {"stat": "Maximum", "period": 10}]]}},
    {"type": "text", "x": 18, "y": 0, "width": 6, "height": 6, "properties": {"markdown": "# Pipeline health"}}]}


def test_dashboards_are_put_read_listed_and_deleted(cloudwatch):
    answer = cloudwatch.put_dashboard(DashboardName="pipeline-health", DashboardBody=json.dumps(BODY))
    assert answer["DashboardValidationMessages"] == []
    assert json.loads(cloudwatch.get_dashboard(DashboardName="pipeline-health")["DashboardBody"]) == BODY
    assert [d["DashboardName"] for d in cloudwatch.list_dashboards()["DashboardEntries"]] == ["pipeline-health"]
    cloudwatch.delete_dashboards(DashboardNames=["pipeline-health"])
    assert cloudwatch.list_dashboards()["DashboardEntries"] == []


@pytest.mark.parametrize(("body", "message"), [
    ("{not json", "Invalid JSON"),
    ("[]", "Should be object"),
    ('{"widgets": [{"type": "metric", "properties": {"metrics": []}}]}', "Should have required property 'region'"),
    ('{"widgets": [{"type": "chart", "properties": {}}]}', "allowed values"),
])
def test_a_bad_dashboard_body_is_refused(cloudwatch, body, message):
    with pytest.raises(ClientError) as raised:
        cloudwatch.put_dashboard(DashboardName="broken", DashboardBody=body)
    error = raised.value.response
    assert error["Error"]["Code"] == "InvalidParameterInput"
    assert error["Error"]["Message"].startswith("The dashboard body is invalid, there are 1 validation errors")
    assert message in error["dashboardValidationMessages"][0]["Message"]


def test_the_kit_draws_a_dashboard(cloudwatch):
    import matplotlib

    matplotlib.use("Agg")
    end = last_boundary()
    put_periods(cloudwatch, {1: 120.0, 2: 80.0, 3: 40.0}, end)
    cloudwatch.put_dashboard(DashboardName="pipeline-health", DashboardBody=json.dumps(BODY))
    figure = lakelab.dashboards.draw("pipeline-health", client=cloudwatch)
    lag, single, text = figure.axes
    assert lag.get_title() == "Ingestion lag"
    lines = {line.get_label(): list(line.get_ydata()) for line in lag.get_lines()}
    assert lines["Lag"] == [40.0, 80.0, 120.0] and lines["median"] == [40.0, 80.0, 120.0]
    assert list(lines["alarm threshold"]) == [100, 100]
    assert "120\nLag" in [t.get_text() for t in single.texts]
    assert text.texts[0].get_text() == " Pipeline health"


@pytest.mark.parametrize(("expression", "expected"), [
    ("FILL(gaps, 0)", [0.0, 2.0, 0.0, 4.0]),
    ("IF(gaps > 3, 1, 0)", [0.0, 1.0]),
    ("SUM([gaps, full])", [10.0, 13.0, 12.0, 17.0]),  # per period, of the series that have it
    ("full - AVG(full)", [-1.5, -0.5, 0.5, 1.5]),
    ("ABS(full - 12)", [2.0, 1.0, 0.0, 1.0]),
    ("DIFF(full)", [1.0, 1.0, 1.0]),
])
def test_metric_math_functions(cloudwatch, expression, expected):
    end = last_boundary()
    put_periods(cloudwatch, {3: 2.0, 1: 4.0}, end, name="Gaps")  # periods 4 and 2 back are missing
    put_periods(cloudwatch, {4: 10.0, 3: 11.0, 2: 12.0, 1: 13.0}, end, name="Full")
    queries = [{"Id": "gaps", "MetricStat": {"Metric": {**METRIC, "MetricName": "Gaps"}, "Period": 10, "Stat": "Sum"},
                "ReturnData": False},
               {"Id": "full", "MetricStat": {"Metric": {**METRIC, "MetricName": "Full"}, "Period": 10, "Stat": "Sum"},
                "ReturnData": False},
               {"Id": "result", "Expression": expression}]
    answer = cloudwatch.get_metric_data(MetricDataQueries=queries, ScanBy="TimestampAscending",
                                        StartTime=datetime.fromtimestamp(end - 40, UTC),
                                        EndTime=datetime.fromtimestamp(end, UTC))
    assert answer["MetricDataResults"][0]["Values"] == expected


def test_the_kit_draws_alarm_annotations_and_alarm_widgets(cloudwatch):
    import matplotlib

    matplotlib.use("Agg")
    cloudwatch.put_metric_alarm(AlarmName="lag-high", Namespace=NAMESPACE, MetricName="Lag", Statistic="Maximum",
                                Period=10, EvaluationPeriods=1, Threshold=100.0, Dimensions=METRIC["Dimensions"],
                                ComparisonOperator="GreaterThanThreshold", TreatMissingData="ignore")
    cloudwatch.set_alarm_state(AlarmName="lag-high", StateValue="ALARM", StateReason="testing")  # kept: no data
    arn = "arn:aws:cloudwatch:us-east-1:123456789012:alarm:lag-high"
    body = {"widgets": [
        {"type": "metric", "width": 12, "height": 6, "properties": {
            "region": "us-east-1", "metrics": [[NAMESPACE, "Lag", "Pipeline", "clicks"]],
            "annotations": {"alarms": [arn]}}},
        {"type": "alarm", "width": 6, "height": 6, "properties": {"title": "Alarms", "alarms": [arn]}}]}
    cloudwatch.put_dashboard(DashboardName="alarms", DashboardBody=json.dumps(body))
    chart, states = lakelab.dashboards.draw("alarms", client=cloudwatch).axes
    assert [line.get_label() for line in chart.get_lines()] == ["Lag", "lag-high (ALARM)"]
    assert [t.get_text() for t in states.texts] == ["lag-high: ALARM"]
