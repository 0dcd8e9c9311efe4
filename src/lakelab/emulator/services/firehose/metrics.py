"""Firehose's CloudWatch metrics, in namespace ``AWS/Firehose`` by ``DeliveryStreamName``.

``IncomingRecords`` and ``IncomingBytes`` at each put; ``DeliveryToS3.Records``,
``DeliveryToS3.Success`` (1 or 0), ``DeliveryToS3.DataFreshness`` (seconds: the age of the
oldest record delivered) at each flush. They are stored in moto's CloudWatch backend, so
``GetMetricStatistics`` and alarms read them.
"""

from __future__ import annotations

import time
from typing import Any

from lakelab.emulator import seam

NAMESPACE = "AWS/Firehose"


def _put(hose: Any, figures: list[tuple[str, float, str]]) -> None:
    now = seam.utcnow()  # naive UTC, as moto's CloudWatch compares timestamps
    dimensions = [{"Name": "DeliveryStreamName", "Value": hose.name}]
    data = [{"MetricName": name, "Value": float(value), "Unit": unit, "Dimensions": dimensions, "Timestamp": now}
            for name, value, unit in figures]
    seam.backend("cloudwatch", hose.account_id, hose.region).put_metric_data(NAMESPACE, data)


def incoming(hose: Any, records: int, size: int) -> None:
    _put(hose, [("IncomingRecords", records, "Count"), ("IncomingBytes", size, "Bytes")])


def delivered(hose: Any, report: Any) -> None:
    figures = [("DeliveryToS3.Records", report.delivered, "Count"),
               ("DeliveryToS3.Success", 0 if report.retry else 1, "None")]
    if report.oldest_delivered is not None:
        figures.append(("DeliveryToS3.DataFreshness", max(0.0, time.time() - report.oldest_delivered), "Seconds"))
    _put(hose, figures)
