"""Firehose's CloudWatch metrics, in namespace ``AWS/Firehose`` by ``DeliveryStreamName``.

``IncomingRecords`` and ``IncomingBytes`` at most once a second and before each flush. At each round
of delivery that wrote (or failed to write) to S3: ``DeliveryToS3.Records`` (records delivered),
``DeliveryToS3.Success`` ("the sum of successful Amazon S3 put commands over the sum of all Amazon S3
put commands": 0 while every write is refused) and ``DeliveryToS3.DataFreshness``, "the age (from
getting into Firehose to now) of the oldest record in Firehose. Any record older than this age has
been delivered to the S3 bucket" ("Data delivery CloudWatch metrics", Amazon Data Firehose developer
guide, https://docs.aws.amazon.com/firehose/latest/dev/monitoring-with-cloudwatch-metrics.html). So a
round that wrote everything puts the age of the oldest record it delivered, and a round whose writes
failed (the role lost ``s3:PutObject``, the bucket is gone) puts the age of the oldest record it held
back: retry after retry it grows, and an alarm on ``Maximum`` of it fires while delivery is broken.
They are stored in moto's CloudWatch backend, so ``GetMetricStatistics`` and alarms read them.

Fidelity note: AWS publishes a stream's metrics once a minute; here each round puts its own
datapoints (a round is a buffer's flush or a retry, see ``hoses``).
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
    writes = report.objects + report.failed_writes
    success = report.objects / writes if writes else (0.0 if report.errors else 1.0)
    figures = [("DeliveryToS3.Records", report.delivered, "Count"), ("DeliveryToS3.Success", success, "None")]
    arrivals = [when for when in (report.oldest_delivered, report.oldest_held_back()) if when is not None]
    if arrivals:  # the oldest record that was in Firehose this round: delivered now, or still waiting
        figures.append(("DeliveryToS3.DataFreshness", max(0.0, time.time() - min(arrivals)), "Seconds"))
    _put(hose, figures)
