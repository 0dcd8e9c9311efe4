"""Logs Insights queries run over moto's stored events: StartQuery, GetQueryResults, StopQuery, DescribeQueries.

Each event is a record of ``@timestamp``, ``@message``, ``@logStream``, ``@log`` (``account:group``),
``@ingestionTime``, the fields of a JSON message (nested ones as ``a.b``), and for Lambda's ``REPORT``
lines ``@type``, ``@requestId``, ``@duration``, ``@billedDuration``, ``@memorySize``,
``@maxMemoryUsed`` -- the fields Logs Insights discovers ("Supported logs and discovered fields":
https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/CWL_AnalyzeLogData-discoverable-fields.html).
The commands run in order over the records (``insights_language`` parses them, ``insights_values``
evaluates expressions). Results are
AWS's shape: a list of rows, each a list of ``{"field", "value"}`` with string values, and
``statistics`` (``recordsMatched``, ``recordsScanned``, ``bytesScanned``); rows of events carry
``@ptr``. ``sort`` orders as the sort page describes (non-numbers before numbers, natural order).

Fidelity notes: queries run at once (``Complete`` on the first GetQueryResults; AWS goes through
``Scheduled`` and ``Running``); without ``sort``, events come in time order (AWS promises no order);
without ``fields``/``display``/``stats``, rows show ``@timestamp``, ``@message``, ``@logStream``
and ``@log`` (unverified which fields AWS shows then).
"""

from __future__ import annotations

import base64
import json
import math
import re
import statistics
import threading
from datetime import UTC, datetime
from typing import Any

from lakelab.emulator import seam
from lakelab.emulator.services.logs import insights_language as language
from lakelab.emulator.services.logs.insights_values import Time, number, show, sort_key, truthy, value

DEFAULT_LIMIT = 10_000
DEFAULT_FIELDS = ["@timestamp", "@message", "@logStream", "@log"]
_REPORT = re.compile(r"^REPORT RequestId: (\S+)\s+Duration: ([\d.]+) ms\s+Billed Duration: (\d+) ms\s+"
                     r"Memory Size: (\d+) MB\s+Max Memory Used: (\d+) MB")
_lock = threading.Lock()


def malformed(error: language.QueryError) -> Exception:
    """``MalformedQueryException`` with its ``queryCompileError``, as the API reference shapes it."""
    raised = seam.JsonRESTError("MalformedQueryException", str(error))
    raised.code = 400
    raised.description = json.dumps({"__type": "MalformedQueryException", "message": str(error),
                                      "queryCompileError": {"location": {"start": error.start, "end": error.end},
                                                            "message": str(error)}})
    return raised


# --- the API --------------------------------------------------------------------------------------------


def _queries(backend: Any) -> dict[str, dict[str, Any]]:
    with _lock:
        return backend.__dict__.setdefault("_lakelab_queries", {})


def start_query(response: Any) -> str:
    get, backend = response._get_param, response.logs_backend
    names = get("logGroupNames") or ([get("logGroupName")] if get("logGroupName") else [])
    names += [i.split(":log-group:")[-1].removesuffix(":*") for i in get("logGroupIdentifiers") or []]
    if sum(bool(get(p)) for p in ("logGroupName", "logGroupNames", "logGroupIdentifiers")) != 1:
        raise seam.LogsInvalidParameterException(
            "Exactly one of logGroupName, logGroupNames and logGroupIdentifiers must be specified.")  # unverified
    for name in names:
        if name not in backend.groups:
            raise seam.LogsResourceNotFound(f"Log group '{name}' does not exist for account ID "
                                            f"'{backend.account_id}'")  # unverified wording
    text = get("queryString") or ""
    try:
        commands = language.parse(text)
    except language.QueryError as error:
        raise malformed(error) from None
    start, end = int(get("startTime")), int(get("endTime"))
    if end < start:
        raise seam.LogsInvalidParameterException("End time cannot be less than start time.")  # unverified
    query_id = str(seam.mock_random.uuid4())
    try:
        rows, figures = run(commands, records(backend, names, start, end), int(get("limit") or DEFAULT_LIMIT))
    except language.QueryError as error:
        raise malformed(error) from None
    _queries(backend)[query_id] = {"queryId": query_id, "queryString": text, "status": "Complete",
                                   "createTime": int(datetime.now(UTC).timestamp() * 1000),
                                   "logGroupName": names[0] if names else None, "results": rows, "statistics": figures}
    return json.dumps({"queryId": query_id})


def get_query_results(response: Any) -> str:
    query = _queries(response.logs_backend).get(response._get_param("queryId"))
    if query is None:
        raise seam.LogsResourceNotFound("Query does not exist.")  # unverified wording
    return json.dumps({"results": query["results"], "statistics": query["statistics"], "status": query["status"]})


def stop_query(response: Any) -> str:
    query = _queries(response.logs_backend).get(response._get_param("queryId"))
    if query is None:
        raise seam.LogsResourceNotFound("Query does not exist.")  # unverified wording
    stopped = query["status"] in ("Scheduled", "Running")
    return json.dumps({"success": stopped})  # a finished query cannot be stopped


def describe_queries(response: Any) -> str:
    get = response._get_param
    chosen = [q for q in _queries(response.logs_backend).values()
              if (not get("logGroupName") or q["logGroupName"] == get("logGroupName"))
              and (not get("status") or q["status"] == get("status"))]
    keys = ("queryId", "queryString", "status", "createTime", "logGroupName")
    return json.dumps({"queries": [{k: q[k] for k in keys} for q in chosen]})


# --- records --------------------------------------------------------------------------------------------


def records(backend: Any, group_names: list[str], start: int, end: int) -> list[dict[str, Any]]:
    """The events of ``group_names`` with ``start <= second <= end``, as records, in time order."""
    found = []
    for group_name in group_names:
        group = backend.groups[group_name]
        for stream_name, stream in list(group.streams.items()):
            for position, event in enumerate(list(stream.events)):
                if start <= event.timestamp // 1000 <= end:
                    found.append(_record(backend.account_id, group_name, stream_name, position, event))
    found.sort(key=lambda r: r["@timestamp"])
    return found


def _record(account: str, group: str, stream: str, position: int, event: Any) -> dict[str, Any]:
    record: dict[str, Any] = {"@timestamp": Time(event.timestamp), "@message": event.message, "@logStream": stream,
                              "@log": f"{account}:{group}", "@ingestionTime": Time(event.ingestion_time),
                              "@ptr": base64.b64encode(f"{group}/{stream}/{position}".encode()).decode()}
    message = event.message.strip()
    if message.startswith("{"):
        try:
            _flatten(json.loads(message), "", record)
        except ValueError:
            pass
    report = _REPORT.match(message)
    if report:
        record.update({"@type": "REPORT", "@requestId": report.group(1), "@duration": float(report.group(2)),
                       "@billedDuration": float(report.group(3)), "@memorySize": float(report.group(4)) * 1e6,
                       "@maxMemoryUsed": float(report.group(5)) * 1e6})
    return record


def _flatten(value: Any, prefix: str, into: dict[str, Any]) -> None:
    if isinstance(value, dict):
        for key, inner in value.items():
            _flatten(inner, f"{prefix}.{key}" if prefix else str(key), into)
    elif isinstance(value, list):
        for index, inner in enumerate(value):
            _flatten(inner, f"{prefix}.{index}", into)
    elif prefix:
        into.setdefault(prefix, value)


# --- running --------------------------------------------------------------------------------------------


def run(commands: list[language.Command], found: list[dict[str, Any]],
        limit: int = DEFAULT_LIMIT) -> tuple[list[list[dict[str, str]]], dict[str, float]]:
    scanned = float(len(found))
    scanned_bytes = float(sum(len(r["@message"].encode()) for r in found))
    shown: list[str] | None = None
    aggregated = False
    matched_before_stats = 0
    for command in commands:
        if command.name == "filter":
            found = [r for r in found if truthy(value(command.items[0], r))]
        elif command.name == "parse":
            found = [_parsed(command, r) for r in found]
        elif command.name in ("fields", "display"):
            for record in found:
                for expression, alias in command.items:
                    record[alias] = value(expression, record)
            names = [alias for _, alias in command.items]
            shown = names if command.name == "display" or shown is None else shown + names
        elif command.name == "stats":
            matched_before_stats = len(found) if not aggregated else matched_before_stats
            found, shown, aggregated = _stats(command, found), _stats_fields(command), True
        elif command.name == "sort":
            for expression, descending in reversed(command.items):
                found.sort(key=lambda r, e=expression: sort_key(value(e, r)), reverse=descending)
        elif command.name == "limit":
            limit = min(limit, command.items[0])
    matched_count = matched_before_stats if aggregated else len(found)
    rows = [_row(r, shown or DEFAULT_FIELDS, not aggregated) for r in found[:limit]]
    return rows, {"recordsMatched": float(matched_count), "recordsScanned": scanned, "bytesScanned": scanned_bytes}


def _row(record: dict[str, Any], shown: list[str], with_pointer: bool) -> list[dict[str, str]]:
    row = [{"field": name, "value": show(record.get(name))} for name in dict.fromkeys(shown)
           if record.get(name) is not None]
    if with_pointer and "@ptr" in record:
        row.append({"field": "@ptr", "value": record["@ptr"]})
    return row


def _parsed(command: language.Command, record: dict[str, Any]) -> dict[str, Any]:
    source = value(command.items[0], record)
    match = command.extra["regex"].search(str(source)) if source is not None else None
    for position, name in enumerate(command.extra["names"], 1):
        record[name] = (match.group(name) if "glob" not in command.extra else match.group(position)) if match else None
    return record


def _stats_fields(command: language.Command) -> list[str]:
    return [alias for _, alias in command.extra["by"]] + [alias for _, alias in command.items]


def _stats(command: language.Command, found: list[dict[str, Any]]) -> list[dict[str, Any]]:
    groups: dict[tuple, list[dict[str, Any]]] = {}
    for record in found:
        key = tuple(value(expression, record) for expression, _ in command.extra["by"])
        if any(part is None for part in key):
            continue  # a record without a grouping field is not counted in any group
        groups.setdefault(key, []).append(record)
    if not command.extra["by"] and not groups:
        groups[()] = []
    rows = []
    for key in sorted(groups, key=lambda k: tuple(sort_key(part) for part in k)):
        row = {alias: part for (_, alias), part in zip(command.extra["by"], key)}
        for expression, alias in command.items:
            row[alias] = aggregate(expression, groups[key])
        rows.append(row)
    return rows


def aggregate(expression: tuple, members: list[dict[str, Any]]) -> Any:
    _, name, arguments = expression
    if name == "count":
        if not arguments or arguments[0] == ("star",):
            return float(len(members))
        return float(sum(1 for r in members if value(arguments[0], r) is not None))
    found = [value(arguments[0], r) for r in members] if arguments else []
    if name == "count_distinct":
        return float(len({show(v) for v in found if v is not None}))
    if name in ("earliest", "latest"):
        present = [(r["@timestamp"], v) for r, v in zip(members, found) if v is not None]
        return (min(present) if name == "earliest" else max(present))[1] if present else None
    numbers = [n for n in (number(v) for v in found) if n is not None]
    if not numbers:
        return None
    if name == "pct":
        if len(arguments) != 2:
            raise language.QueryError("pct takes a field and a percentile")
        rank = max(1, math.ceil(float(number(value(arguments[1], {})) or 0) / 100 * len(numbers)))
        return sorted(numbers)[min(rank, len(numbers)) - 1]
    return {"sum": sum, "avg": statistics.fmean, "min": min, "max": max,
            "stddev": lambda v: statistics.stdev(v) if len(v) > 1 else 0.0}[name](numbers)

