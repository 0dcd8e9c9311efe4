"""Draw a CloudWatch dashboard in the notebook, as the console would show it.

``lakelab.dashboards.draw("pipeline-health")`` reads the dashboard (``GetDashboard``), lays its
widgets out on the console's 24-column grid (``x``, ``y``, ``width``, ``height``), fetches every
metric widget's series with one ``GetMetricData`` call each, and returns a matplotlib ``Figure``.

What the body may say, from "Dashboard Body Structure and Syntax"
(https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/CloudWatch-Dashboard-Body-Structure.html):
metric arrays ``[namespace, name, dimension name, value, ..., {options}]`` with ``"."`` repeating the
previous row's entry, expressions ``[{"expression": "...", "label": ..., "id": ...}]``, options
``stat``, ``period``, ``label``, ``id``, ``visible``, ``color``, ``yAxis``; widget ``view``
(``timeSeries``, ``singleValue``, ``bar``), ``stacked``, ``title``, ``stat``, ``period``, ``start`` and
``end`` (ISO 8601 durations such as ``-PT3H``, or times), ``annotations.horizontal`` and
``annotations.alarms`` (each alarm's threshold, coloured by its state); dashboard-level
``start``/``end``. Alarm status widgets show each alarm's state; text widgets their markdown as
plain text; other widget types are drawn as a labelled empty box saying they are not drawn.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from typing import Any

DEFAULT_RANGE = timedelta(hours=3)  # the console's default
_DURATION = re.compile(r"^-?P(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$")


def draw(name: str, client: Any = None, now: datetime | None = None) -> Any:
    """The dashboard ``name`` as a matplotlib figure (one panel per widget, on the console's grid)."""
    import matplotlib.pyplot as plt
    from matplotlib.gridspec import GridSpec

    if client is None:
        import boto3

        client = boto3.client("cloudwatch")
    body = json.loads(client.get_dashboard(DashboardName=name)["DashboardBody"])
    widgets = _placed(body.get("widgets", []))
    rows = max((w["y"] + w["height"] for w in widgets), default=6)
    figure = plt.figure(figsize=(16, max(3.0, rows * 0.7)), layout="constrained")
    grid = GridSpec(rows, 24, figure=figure)
    moment = now or datetime.now(UTC)
    for widget in widgets:
        axes = figure.add_subplot(grid[widget["y"]:widget["y"] + widget["height"],
                                       widget["x"]:widget["x"] + widget["width"]])
        _draw_widget(axes, widget, body, client, moment)
    figure.suptitle(name)
    return figure


def _placed(widgets: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Widgets with a position; unplaced ones flow left to right, as the console places them."""
    placed, x, y, row_height = [], 0, 0, 0
    for widget in widgets:
        width, height = int(widget.get("width", 6)), int(widget.get("height", 6))
        if "x" in widget and "y" in widget:
            placed.append({**widget, "x": int(widget["x"]), "y": int(widget["y"]), "width": width, "height": height})
            continue
        if x + width > 24:
            x, y, row_height = 0, y + row_height, 0
        placed.append({**widget, "x": x, "y": y, "width": width, "height": height})
        x, row_height = x + width, max(row_height, height)
    return placed


def _draw_widget(axes: Any, widget: dict[str, Any], body: dict[str, Any], client: Any, now: datetime) -> None:
    properties = widget.get("properties", {})
    kind = widget.get("type")
    if kind == "text":
        axes.axis("off")
        axes.text(0, 1, re.sub(r"[#*_`]", "", properties.get("markdown", "")), va="top", wrap=True)
        return
    if kind == "alarm":
        _alarm_states(axes, properties, client)
        return
    if kind != "metric":
        axes.set_xticks([]), axes.set_yticks([])
        axes.set_title(f"{kind} widget (not drawn by the kit)")
        return
    start, end = _range(properties, body, now)
    queries = metric_queries(properties)
    results = client.get_metric_data(MetricDataQueries=queries, StartTime=start, EndTime=end,
                                     ScanBy="TimestampAscending")["MetricDataResults"] if queries else []
    axes.set_title(properties.get("title", ""))
    view = properties.get("view", "timeSeries")
    if view == "singleValue":
        _single_values(axes, results)
    elif view == "bar":
        axes.bar([r["Label"] for r in results], [r["Values"][-1] if r["Values"] else 0 for r in results])
    else:
        _time_series(axes, results, properties, (start, end), client)


def _time_series(axes: Any, results: list[dict[str, Any]], properties: dict[str, Any],
                 window: tuple[datetime, datetime], client: Any) -> None:
    if properties.get("stacked") and results:
        axes.stackplot(results[0]["Timestamps"], *[r["Values"] for r in results if len(r["Values"]) ==
                                                    len(results[0]["Values"])], labels=[r["Label"] for r in results])
    else:
        for result in results:
            axes.plot(result["Timestamps"], result["Values"], marker=".", label=result["Label"])
    for line in properties.get("annotations", {}).get("horizontal", []):
        axes.axhline(line["value"], color=line.get("color", "tab:red"), linestyle="--", label=line.get("label"))
    for alarm in _alarms(client, properties.get("annotations", {}).get("alarms", [])):
        if "Threshold" in alarm:
            axes.axhline(alarm["Threshold"], color="tab:red" if alarm["StateValue"] == "ALARM" else "tab:gray",
                         linestyle=":", label=f"{alarm['AlarmName']} ({alarm['StateValue']})")
    axes.set_xlim(*window)
    axes.tick_params(axis="x", labelrotation=30, labelsize=7)
    if results or properties.get("annotations"):
        axes.legend(fontsize=7, loc="upper left")


def _alarms(client: Any, arns: list[str]) -> list[dict[str, Any]]:
    names = [arn.split(":alarm:", 1)[-1] for arn in arns]
    if not names:
        return []
    found = client.describe_alarms(AlarmNames=names, AlarmTypes=["MetricAlarm", "CompositeAlarm"])
    return found["MetricAlarms"] + found["CompositeAlarms"]


def _alarm_states(axes: Any, properties: dict[str, Any], client: Any) -> None:
    """An alarm status widget: each alarm's name on its state's colour, as the console shows them."""
    axes.axis("off")
    axes.set_title(properties.get("title", "Alarms"))
    colours = {"ALARM": "tab:red", "OK": "tab:green", "INSUFFICIENT_DATA": "tab:gray"}
    found = {a["AlarmName"]: a["StateValue"] for a in _alarms(client, properties.get("alarms", []))}
    for number, name in enumerate(sorted(found)):
        axes.text(0.02, 0.9 - number * 0.15, f"{name}: {found[name]}", color="white", va="top",
                  bbox={"facecolor": colours.get(found[name], "tab:gray"), "edgecolor": "none"})


def _single_values(axes: Any, results: list[dict[str, Any]]) -> None:
    axes.axis("off")
    for number, result in enumerate(results):
        value = f"{result['Values'][-1]:.4g}" if result["Values"] else "--"
        axes.text((number + 0.5) / max(1, len(results)), 0.5, f"{value}\n{result['Label']}", ha="center",
                  va="center", fontsize=14)


def metric_queries(properties: dict[str, Any]) -> list[dict[str, Any]]:
    """A metric widget's ``metrics`` as GetMetricData's ``MetricDataQueries``."""
    stat, period = properties.get("stat", "Average"), int(properties.get("period", 300))
    queries, previous = [], []
    for number, row in enumerate(properties.get("metrics", []), 1):
        options = row[-1] if row and isinstance(row[-1], dict) else {}
        entries = [e for e in row if not isinstance(e, dict)]
        if not entries and "expression" in options:
            query = {"Id": options.get("id", f"e{number}"), "Expression": options["expression"]}
        else:
            entries = [previous[i] if e == "." and i < len(previous) else e for i, e in enumerate(entries)]
            previous = entries
            dimensions = [{"Name": entries[i], "Value": entries[i + 1]} for i in range(2, len(entries) - 1, 2)]
            query = {"Id": options.get("id", f"m{number}"), "MetricStat": {
                "Metric": {"Namespace": entries[0], "MetricName": entries[1], "Dimensions": dimensions},
                "Period": int(options.get("period", period)), "Stat": options.get("stat", stat)}}
        if options.get("label"):
            query["Label"] = options["label"]
        query["ReturnData"] = options.get("visible", True)
        queries.append(query)
    return queries


def _range(properties: dict[str, Any], body: dict[str, Any], now: datetime) -> tuple[datetime, datetime]:
    start = properties.get("start", body.get("start"))
    end = properties.get("end", body.get("end"))
    end_time = _moment(end, now) if end else now
    start_time = _moment(start, now) if start else end_time - DEFAULT_RANGE
    return start_time, end_time


def _moment(text: str, now: datetime) -> datetime:
    match = _DURATION.match(text)
    if match:
        weeks, days, hours, minutes, seconds = (int(g or 0) for g in match.groups())
        return now - timedelta(weeks=weeks, days=days, hours=hours, minutes=minutes, seconds=seconds)
    return datetime.fromisoformat(text.replace("Z", "+00:00"))
