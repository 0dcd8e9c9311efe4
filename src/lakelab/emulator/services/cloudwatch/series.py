"""Datapoints by period: moto's stored metric data, indexed per metric, and the statistics AWS computes.

moto keeps every datum of an account and Region in one list and scans it per query. Here each
backend gets an index (built from that list as it grows, whoever put the data: ``PutMetricData``
or a service's own metrics), keyed by namespace, name and the full set of dimensions -- a metric's
identity on AWS -- with each metric's points sorted by time, so an alarm reads only its metric's
last few periods.

Statistics are those of the CloudWatch statistics definitions page
(https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/Statistics-definitions.html):
``SampleCount``, ``Sum``, ``Average``, ``Minimum``, ``Maximum``, percentiles ``pNN`` / ``pNN.NN``,
trimmed means ``tmNN`` and ``IQM``. Percentiles here are exact (nearest rank over the raw values);
AWS estimates them, so a high percentile of few values may differ slightly (unverified how much).
Values put as ``StatisticValues`` have no raw values: a percentile over them has no datapoint,
as AWS documents for statistic sets.
"""

from __future__ import annotations

import bisect
import math
import re
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

Key = tuple[str, str, frozenset[tuple[str, str]]]
BASIC = ("SampleCount", "Sum", "Average", "Minimum", "Maximum")
_PERCENTILE = re.compile(r"^p(\d{1,2}(?:\.\d{1,10})?|100)$")
_TRIMMED = re.compile(r"^tm(\d{1,2}(?:\.\d{1,10})?)$")
_lock = threading.RLock()


@dataclass(order=True)
class Point:
    """One datum: a value, or a statistic set (sum, minimum, maximum, sample count)."""

    stamp: float
    value: float | None = field(compare=False, default=None)
    statistic_set: tuple[float, float, float, float] | None = field(compare=False, default=None)
    unit: str | None = field(compare=False, default=None)


@dataclass
class Index:
    cursor: int = 0
    points: dict[Key, list[Point]] = field(default_factory=dict)
    first: dict[Key, Any] = field(default_factory=dict)  # one of moto's datums per metric, for ListMetrics


def epoch(moment: Any) -> float:
    """Seconds since the epoch of a datetime (naive ones are UTC, as moto stores them)."""
    if isinstance(moment, (int, float)):
        return float(moment)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.timestamp()


def moment(stamp: float) -> datetime:
    return datetime.fromtimestamp(stamp, UTC)


def key(namespace: str, name: str, dimensions: list[dict[str, str]] | None) -> Key:
    return namespace, name, frozenset((d["Name"], d["Value"]) for d in dimensions or ())


def index(backend: Any) -> Index:
    """The backend's index, brought up to date with what was put since the last look."""
    with _lock:
        found = backend.__dict__.get("_lakelab_index")
        if found is None:
            found = backend.__dict__["_lakelab_index"] = Index()
        data = backend.metric_data
        for datum in data[found.cursor:]:
            _add(found, datum)
        found.cursor = len(data)
        return found


def _add(found: Index, datum: Any) -> None:
    dimensions = frozenset((d.name, d.value) for d in datum.dimensions)
    metric = (datum.namespace, datum.name, dimensions)
    points = found.points.setdefault(metric, [])
    found.first.setdefault(metric, datum)
    if hasattr(datum, "value"):
        point = Point(epoch(datum.timestamp), value=float(datum.value), unit=datum.unit)
    else:
        point = Point(epoch(datum.timestamp), unit=datum.unit,
                      statistic_set=(float(datum.sum), float(datum.min), float(datum.max), float(datum.sample_count)))
    if not points or points[-1].stamp <= point.stamp:
        points.append(point)
    else:
        bisect.insort(points, point)


def points_between(backend: Any, metric: Key, start: float, end: float, unit: str | None = None) -> list[Point]:
    """The metric's points with ``start <= stamp < end`` (of ``unit`` only, when given)."""
    found = index(backend)
    with _lock:
        points = found.points.get(metric, [])
        low = bisect.bisect_left(points, Point(start))
        high = bisect.bisect_left(points, Point(end))
        chosen = points[low:high]
    chosen += [p for p in _computed(backend, metric) if start <= p.stamp < end]
    return [p for p in chosen if unit is None or p.unit == unit]


def _computed(backend: Any, metric: Key) -> list[Point]:
    """Metrics moto computes when read (S3's daily BucketSizeBytes and NumberOfObjects)."""
    if metric[0] != "AWS/S3":
        return []
    computed = Index()
    for datum in backend.aws_metric_data:
        _add(computed, datum)
    return computed.points.get(metric, [])


def periods(backend: Any, metric: Key, stat: str, period: int, start: float, end: float,
            unit: str | None = None) -> dict[float, float]:
    """Period start -> the statistic over that period, for periods in ``[start, end)`` that have data."""
    answer: dict[float, float] = {}
    buckets: dict[float, list[Point]] = {}
    for point in points_between(backend, metric, start, end, unit):
        buckets.setdefault(start + math.floor((point.stamp - start) / period) * period, []).append(point)
    for bucket_start, chosen in buckets.items():
        value = statistic(chosen, stat)
        if value is not None:
            answer[bucket_start] = value
    return answer


def sample_count(points: list[Point]) -> float:
    return sum(p.statistic_set[3] if p.statistic_set else 1.0 for p in points)


def statistic(points: list[Point], stat: str) -> float | None:
    """``stat`` over ``points`` (None when it has no value: no data, or a percentile of statistic sets)."""
    if not points:
        return None
    if stat in BASIC:
        return _basic(points, stat)
    if any(p.statistic_set for p in points):
        return None
    values = sorted(p.value for p in points if p.value is not None)
    if stat == "IQM":
        return _trimmed_mean(values, 25.0, 75.0)
    percentile = _PERCENTILE.match(stat)
    if percentile:
        return _percentile(values, float(percentile.group(1)))
    trimmed = _TRIMMED.match(stat)
    if trimmed:
        return _trimmed_mean(values, 0.0, float(trimmed.group(1)))
    raise ValueError(f"unsupported statistic {stat}")


def supported(stat: str) -> bool:
    return stat in BASIC or stat == "IQM" or bool(_PERCENTILE.match(stat) or _TRIMMED.match(stat))


def _basic(points: list[Point], stat: str) -> float:
    values = [p.value for p in points if p.value is not None]
    sets = [p.statistic_set for p in points if p.statistic_set]
    total = sum(values) + sum(s[0] for s in sets)
    count = len(values) + sum(s[3] for s in sets)
    if stat == "Sum":
        return total
    if stat == "SampleCount":
        return count
    if stat == "Average":
        return total / count if count else 0.0
    if stat == "Minimum":
        return min(values + [s[1] for s in sets])
    return max(values + [s[2] for s in sets])


def _percentile(values: list[float], percent: float) -> float:
    rank = max(1, math.ceil(percent / 100.0 * len(values)))
    return values[min(rank, len(values)) - 1]


def _trimmed_mean(values: list[float], low: float, high: float) -> float | None:
    low_value, high_value = _percentile(values, low) if low else -math.inf, _percentile(values, high)
    kept = [v for v in values if (v > low_value if low else True) and v <= high_value]
    return sum(kept) / len(kept) if kept else None


def filtered_metrics(backend: Any, metric_name: str | None, namespace: str | None,
                     dimensions: list[dict[str, str]] | None) -> list[Any]:
    """``ListMetrics``: each metric once (moto lists a metric without dimensions once per datum)."""
    found = index(backend)
    wanted = [(d["Name"], d.get("Value")) for d in dimensions or []]
    with _lock:
        metrics = list(found.first.items())
    computed = Index()
    for datum in backend.aws_metric_data:
        _add(computed, datum)
    metrics += list(computed.first.items())
    return [datum for (space, name, dims), datum in metrics
            if (not namespace or space == namespace) and (not metric_name or name == metric_name)
            and all(any(n == wanted_name and wanted_value in (None, v) for n, v in dims)
                    for wanted_name, wanted_value in wanted)]
