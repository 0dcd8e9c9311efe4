"""Helpers: metric data in the periods that have just ended, alarms evaluated at a chosen moment."""

from __future__ import annotations

import math
import time
from datetime import UTC, datetime
from typing import Any

import pytest

from lakelab.emulator import seam
from lakelab.emulator.context import DEFAULT_ACCOUNT

PERIOD = 10
NAMESPACE = "LakeLabs/Test"
DIMENSIONS = [{"Name": "Pipeline", "Value": "clicks"}]


@pytest.fixture
def cloudwatch(client):
    return client("cloudwatch")


def backend() -> Any:
    return seam.backend("cloudwatch", DEFAULT_ACCOUNT, "us-east-1")


def last_boundary(period: int = PERIOD) -> float:
    return math.floor(time.time() / period) * period


def put_periods(cloudwatch, values: dict[int, Any], end: float, name: str = "Lag", period: int = PERIOD,
                dimensions: list[dict[str, str]] | None = None) -> None:
    """``values[k]``: the value (or list of values) put in the k-th period before ``end`` (1 = the last one)."""
    data = []
    for periods_ago, value in values.items():
        moment = datetime.fromtimestamp(end - periods_ago * period + period / 2, UTC)
        for one in value if isinstance(value, list) else [value]:
            data.append({"MetricName": name, "Value": one, "Timestamp": moment,
                         "Dimensions": DIMENSIONS if dimensions is None else dimensions})
    cloudwatch.put_metric_data(Namespace=NAMESPACE, MetricData=data)


def alarm(cloudwatch, name: str = "lag-high", **overrides: Any) -> Any:
    """Put a metric alarm on the test metric (Period 10 s) and return moto's alarm object."""
    settings = {"AlarmName": name, "Namespace": NAMESPACE, "MetricName": "Lag", "Dimensions": DIMENSIONS,
                "Statistic": "Maximum", "Period": PERIOD, "EvaluationPeriods": 1, "Threshold": 100.0,
                "ComparisonOperator": "GreaterThanThreshold", **overrides}
    cloudwatch.put_metric_alarm(**{k: v for k, v in settings.items() if v is not None})
    return backend().alarms[name]


def evaluate(found: Any, end: float) -> Any:
    from lakelab.emulator.services.cloudwatch import evaluation

    return evaluation.evaluate(backend(), found, end + 0.25)


def state(cloudwatch, name: str) -> str:
    answer = cloudwatch.describe_alarms(AlarmNames=[name], AlarmTypes=["MetricAlarm", "CompositeAlarm"])
    return (answer["MetricAlarms"] + answer["CompositeAlarms"])[0]["StateValue"]


def wait_for_state(cloudwatch, name: str, wanted: str, timeout: float = 15.0) -> float:
    """Seconds waited until the alarm is in ``wanted``."""
    started = time.time()
    while time.time() - started < timeout:
        if state(cloudwatch, name) == wanted:
            return time.time() - started
        time.sleep(0.05)
    raise AssertionError(f"{name} stayed {state(cloudwatch, name)}, not {wanted}, for {timeout} s")
