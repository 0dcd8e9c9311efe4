"""``GetMetricData``: MetricStat queries and metric math over the indexed datapoints.

As the API reference says (https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/
API_GetMetricData.html): periods start at ``StartTime``, results are newest first unless
``ScanBy`` is ``TimestampAscending``, a query with ``ReturnData`` false is computed but not
returned, each result's label defaults to the metric's name (an expression's to its id), and
any statistic of the statistics page is accepted (percentiles included). Metric Insights
(``SELECT ...``) queries are refused by name.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from lakelab.emulator import seam
from lakelab.emulator.services.cloudwatch import expressions, series


def check(queries: list[dict[str, Any]]) -> None:
    """Refuse, in the API's terms, what would otherwise be answered wrongly."""
    ids = {q.get("Id") for q in queries}
    for number, query in enumerate(queries, 1):
        expression, stat = query.get("Expression"), query.get("MetricStat")
        if bool(expression) == bool(stat):
            raise seam.CloudWatchValidationError(
                f"The parameter MetricDataQueries.member.{number} must have exactly one of MetricStat or Expression.")
        if stat and not series.supported(stat.get("Stat", "")):
            raise seam.CloudWatchInvalidParameterValue(
                f"The value {stat.get('Stat')} for parameter MetricDataQueries.member.{number}.MetricStat.Stat is "
                "not supported by the Lake Labs emulator.")
        if expression:
            if expression.lstrip().upper().startswith("SELECT"):
                raise seam.CloudWatchValidationError(
                    "Metrics Insights queries (SELECT ...) are not supported by the Lake Labs emulator.")
            try:
                unknown = expressions.references(expressions.parse(expression)) - ids
            except expressions.ExpressionError as error:
                raise seam.CloudWatchValidationError(f"Error in expression {query.get('Id')}: {error}") from None
            if unknown:
                raise seam.CloudWatchValidationError(
                    f"Error in expression {query.get('Id')}: Unrecognized metric id {sorted(unknown)[0]}")


def run(backend: Any, queries: list[dict[str, Any]], start: float, end: float, now: float,
        align: int | None = None) -> dict[str, Any]:
    """Each query's value (a series, a band, or a number), keyed by id."""
    from lakelab.emulator.services.cloudwatch import evaluation

    values: dict[str, Any] = {}
    stamps: set[float] = set()
    for query in queries:
        stat = query.get("MetricStat")
        if stat:
            period = int(stat.get("Period") or query.get("Period") or 60)
            metric = series.key(stat["Metric"]["Namespace"], stat["Metric"]["MetricName"],
                                stat["Metric"].get("Dimensions"))
            values[query["Id"]] = series.periods(backend, metric, stat["Stat"], period, start, end, stat.get("Unit"))
            stamps |= {start + i * period for i in range(int((end - start) // period))}
    by_id = {q["Id"]: q for q in queries}

    def history(query_id: str) -> dict[float, float]:
        query = by_id.get(query_id, {})
        return evaluation.history_series(backend, query, now) if "MetricStat" in query else values.get(query_id, {})

    pending = [q for q in queries if q.get("Expression")]
    for _ in range(len(pending) + 1):  # expressions may read each other, in any order
        for query in [q for q in pending if q["Id"] not in values]:
            tree = expressions.parse(query["Expression"])
            if expressions.references(tree) <= set(values):
                result = expressions.evaluate(tree, values, history)
                values[query["Id"]] = expressions.fill_missing(result, sorted(stamps))
    return values


def get_metric_data(backend: Any, queries: list[dict[str, Any]], start_time: datetime, end_time: datetime,
                    scan_by: str = "TimestampDescending") -> list[dict[str, Any]]:
    """The ``MetricDataResults`` of one GetMetricData call."""
    start, end = series.epoch(start_time), series.epoch(end_time)
    if start >= end:
        raise seam.CloudWatchValidationError("The parameter StartTime must be less than the parameter EndTime.")
    check(queries)
    try:
        values = run(backend, queries, start, end, series.epoch(seam.utcnow()))
    except expressions.ExpressionError as error:
        raise seam.CloudWatchValidationError(str(error)) from None
    return [_result(query, values.get(query["Id"]), scan_by) for query in queries
            if query.get("ReturnData", True) not in (False, "false")]


def _result(query: dict[str, Any], value: Any, scan_by: str) -> dict[str, Any]:
    stat = query.get("MetricStat")
    label = query.get("Label") or (stat["Metric"]["MetricName"] if stat else query["Id"])
    if isinstance(value, expressions.Band):
        value = value.upper
    points = sorted(value.items()) if isinstance(value, dict) else []
    if scan_by != "TimestampAscending":
        points.reverse()
    return {"Id": query["Id"], "Label": label, "Timestamps": [series.moment(t) for t, _ in points],
            "Values": [v for _, v in points], "StatusCode": "Complete"}
