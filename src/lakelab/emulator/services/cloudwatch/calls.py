"""CloudWatch for other services: the metrics AWS services publish about themselves, put in-process.

``put("AWS/Lambda", [("Invocations", 1, "Count")], {"FunctionName": "f"}, account, region)`` stores
the datums in moto's CloudWatch backend (timestamped now), where alarms, ``GetMetricData`` and
``ListMetrics`` read them. A service that publishes several dimension sets calls ``put`` once per set.
"""

from __future__ import annotations

from collections.abc import Iterable

from lakelab.emulator import seam

Figure = tuple[str, float, str]  # metric name, value, unit


def put(namespace: str, figures: Iterable[Figure], dimensions: dict[str, str], account_id: str, region: str) -> None:
    now = seam.utcnow()  # naive UTC, as moto stores timestamps
    listed = [{"Name": name, "Value": value} for name, value in dimensions.items()]
    data = [{"MetricName": name, "Value": float(value), "Unit": unit, "Dimensions": listed, "Timestamp": now}
            for name, value, unit in figures]
    if data:
        seam.backend("cloudwatch", account_id, region).put_metric_data(namespace, data)
