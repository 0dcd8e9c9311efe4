"""Firehose's CloudWatch metrics, in namespace ``AWS/Firehose`` by ``DeliveryStreamName``.

``IncomingRecords`` and ``IncomingBytes`` at most once a second and before each flush; ``DeliveryToS3.Records``,
``DeliveryToS3.Success`` (1 or 0), ``DeliveryToS3.DataFreshness`` (seconds: the age of the
oldest record delivered) at each flush. They are stored in moto's CloudWatch backend, so
``GetMetricStatistics`` and alarms read them.
"""

from __future__ import annotations

import threading
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


class Incoming:
    """Counts of a hose's puts, put as one datum a second at most (AWS aggregates per minute anyway)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.records = self.size = 0
        self.last_put = 0.0

    def add(self, hose: Any, records: int, size: int, force: bool = False) -> None:
        with self.lock:
            self.records, self.size = self.records + records, self.size + size
            if not self.records or (not force and time.time() - self.last_put < 1.0):
                return
            figures = [("IncomingRecords", self.records, "Count"), ("IncomingBytes", self.size, "Bytes")]
            self.records = self.size = 0
            self.last_put = time.time()
        _put(hose, figures)


def delivered(hose: Any, report: Any) -> None:
    figures = [("DeliveryToS3.Records", report.delivered, "Count"),
               ("DeliveryToS3.Success", 0 if report.retry else 1, "None")]
    if report.oldest_delivered is not None:
        figures.append(("DeliveryToS3.DataFreshness", max(0.0, time.time() - report.oldest_delivered), "Seconds"))
    _put(hose, figures)
