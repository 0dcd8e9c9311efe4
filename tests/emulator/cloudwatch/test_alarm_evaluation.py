"""A metric alarm's state, decided as "Evaluating an alarm" describes: data put through boto3, the
evaluation run at a chosen period boundary so each case is exact."""

import pytest

from conftest import alarm, evaluate, last_boundary, put_periods, state


def test_a_new_alarm_starts_in_insufficient_data(cloudwatch):
    alarm(cloudwatch)
    found = cloudwatch.describe_alarms(AlarmNames=["lag-high"])["MetricAlarms"][0]
    assert found["StateValue"] == "INSUFFICIENT_DATA"
    assert found["StateReason"] == "Unchecked: Initial alarm creation"


@pytest.mark.parametrize(("operator", "value", "expected"), [
    ("GreaterThanThreshold", 101, "ALARM"), ("GreaterThanThreshold", 100, "OK"),
    ("GreaterThanOrEqualToThreshold", 100, "ALARM"), ("GreaterThanOrEqualToThreshold", 99, "OK"),
    ("LessThanThreshold", 99, "ALARM"), ("LessThanThreshold", 100, "OK"),
    ("LessThanOrEqualToThreshold", 100, "ALARM"), ("LessThanOrEqualToThreshold", 101, "OK"),
])
def test_every_static_comparison_operator(cloudwatch, operator, value, expected):
    end = last_boundary()
    put_periods(cloudwatch, {1: value}, end)
    outcome = evaluate(alarm(cloudwatch, ComparisonOperator=operator), end)
    assert outcome.state == expected


def test_the_reason_names_the_datapoint_and_threshold(cloudwatch):
    end = last_boundary()
    put_periods(cloudwatch, {1: 150}, end)
    outcome = evaluate(alarm(cloudwatch), end)
    assert outcome.reason.startswith("Threshold Crossed: 1 datapoint [150.0 (")
    assert outcome.reason.endswith(")] was greater than the threshold (100.0).")


@pytest.mark.parametrize(("values", "expected"), [
    ({1: 150, 2: 50, 3: 150}, "ALARM"),  # 2 of the last 3 breach
    ({1: 150, 2: 50, 3: 50}, "OK"),
    ({1: 50, 2: 150, 3: 150, 4: 150}, "ALARM"),  # the 4th period back is outside the 3 evaluated
    ({1: 50, 2: 50, 3: 150, 4: 150}, "OK"),
])
def test_m_out_of_n(cloudwatch, values, expected):
    end = last_boundary()
    put_periods(cloudwatch, values, end)
    outcome = evaluate(alarm(cloudwatch, EvaluationPeriods=3, DatapointsToAlarm=2), end)
    assert outcome.state == expected
    if expected == "ALARM":
        assert "2 out of the last 3 datapoints" in outcome.reason
        assert "(minimum 2 datapoints for OK -> ALARM transition)" in outcome.reason


@pytest.mark.parametrize(("treatment", "expected"), [
    ("missing", "INSUFFICIENT_DATA"), (None, "INSUFFICIENT_DATA"), ("ignore", None),
    ("breaching", "ALARM"), ("notBreaching", "OK"),
])
def test_a_metric_that_never_arrives(cloudwatch, treatment, expected):
    outcome = evaluate(alarm(cloudwatch, EvaluationPeriods=3, TreatMissingData=treatment), last_boundary())
    assert (outcome.state if outcome else None) == expected


@pytest.mark.parametrize(("values", "treatment", "expected"), [
    ({1: 150}, "breaching", "ALARM"),      # 1 real breaching + 2 missing treated as breaching
    ({1: 150}, "notBreaching", "OK"),
    ({1: 50}, "breaching", "OK"),          # the doc's "- - - - 0": 2 of 3, stays OK
    ({3: 50}, "missing", "OK"),            # one real non-breaching point rules ALARM out (3 of 3 needed)
    ({1: 150}, "missing", None),           # the real points do not decide it: state kept
    ({1: 150}, "ignore", None),
])
def test_partly_missing_data(cloudwatch, values, treatment, expected):
    end = last_boundary()
    put_periods(cloudwatch, values, end)
    outcome = evaluate(alarm(cloudwatch, EvaluationPeriods=3, TreatMissingData=treatment), end)
    assert (outcome.state if outcome else None) == expected


def test_enough_real_datapoints_make_missing_ones_irrelevant(cloudwatch):
    end = last_boundary()
    put_periods(cloudwatch, {1: 150, 3: 150, 5: 150}, end)  # 2 and 4 missing, 3 real in the range of 5
    outcome = evaluate(alarm(cloudwatch, EvaluationPeriods=3, TreatMissingData="notBreaching"), end)
    assert outcome.state == "ALARM"


def test_a_percentile_alarm(cloudwatch):
    end = last_boundary()
    put_periods(cloudwatch, {1: [float(v) for v in range(10, 101, 10)]}, end)
    p90 = alarm(cloudwatch, "p90", Statistic=None, ExtendedStatistic="p90", Threshold=85.0)
    average = alarm(cloudwatch, "average", Statistic="Average", Threshold=85.0)
    assert evaluate(p90, end).state == "ALARM"  # p90 of 10..100 is 90
    assert evaluate(average, end).state == "OK"  # the average is 55
    described = cloudwatch.describe_alarms(AlarmNames=["p90"])["MetricAlarms"][0]
    assert described["ExtendedStatistic"] == "p90" and "Statistic" not in described


def test_a_metric_math_alarm(cloudwatch):
    end = last_boundary()
    put_periods(cloudwatch, {1: [1.0] * 3}, end, name="Errors")
    put_periods(cloudwatch, {1: [1.0] * 20}, end, name="Invocations")

    def stat(name):
        return {"Metric": {"Namespace": "LakeLabs/Test", "MetricName": name,
                           "Dimensions": [{"Name": "Pipeline", "Value": "clicks"}]}, "Period": 10, "Stat": "Sum"}

    metrics = [{"Id": "errors", "MetricStat": stat("Errors"), "ReturnData": False},
               {"Id": "invocations", "MetricStat": stat("Invocations"), "ReturnData": False},
               {"Id": "rate", "Expression": "100 * errors / invocations", "Label": "Error rate", "ReturnData": True}]
    found = alarm(cloudwatch, "error-rate", Namespace=None, MetricName=None, Dimensions=None, Statistic=None,
                  Period=None, Metrics=metrics, Threshold=10.0)
    outcome = evaluate(found, end)
    assert outcome.state == "ALARM"  # 15 % > 10 %
    assert "[15.0 (" in outcome.reason
    assert cloudwatch.describe_alarms(AlarmNames=["error-rate"])["MetricAlarms"][0]["Metrics"][2]["Expression"] \
        == "100 * errors / invocations"


def test_an_anomaly_detection_band_alarm(cloudwatch):
    end = last_boundary()
    put_periods(cloudwatch, {k: 100.0 + (k % 3) for k in range(2, 40)}, end)
    put_periods(cloudwatch, {1: 500.0}, end)
    metric = {"Namespace": "LakeLabs/Test", "MetricName": "Lag",
              "Dimensions": [{"Name": "Pipeline", "Value": "clicks"}]}
    metrics = [{"Id": "m1", "MetricStat": {"Metric": metric, "Period": 10, "Stat": "Average"}, "ReturnData": True},
               {"Id": "band", "Expression": "ANOMALY_DETECTION_BAND(m1, 2)", "ReturnData": True}]
    found = alarm(cloudwatch, "lag-anomaly", Namespace=None, MetricName=None, Dimensions=None, Statistic=None,
                  Period=None, Threshold=None, Metrics=metrics, ThresholdMetricId="band",
                  ComparisonOperator="GreaterThanUpperThreshold")
    assert evaluate(found, end).state == "ALARM"


def test_an_update_keeps_the_state(cloudwatch):
    alarm(cloudwatch, TreatMissingData="ignore")  # no data: the state set by hand is kept
    cloudwatch.set_alarm_state(AlarmName="lag-high", StateValue="ALARM", StateReason="testing")
    alarm(cloudwatch, Threshold=200.0, TreatMissingData="ignore")
    assert state(cloudwatch, "lag-high") == "ALARM"
    assert cloudwatch.describe_alarms(AlarmNames=["lag-high"])["MetricAlarms"][0]["Threshold"] == 200.0


def test_a_percentile_over_too_few_samples_keeps_the_state_when_asked(cloudwatch):
    end = last_boundary()
    put_periods(cloudwatch, {1: [500.0] * 5}, end)  # p90 needs 10 / (1 - 0.9) = 100 samples
    ignoring = alarm(cloudwatch, "ignoring", Statistic=None, ExtendedStatistic="p90",
                     EvaluateLowSampleCountPercentile="ignore")
    evaluating = alarm(cloudwatch, "evaluating", Statistic=None, ExtendedStatistic="p90",
                       EvaluateLowSampleCountPercentile="evaluate")
    assert evaluate(ignoring, end) is None
    assert evaluate(evaluating, end).state == "ALARM"
