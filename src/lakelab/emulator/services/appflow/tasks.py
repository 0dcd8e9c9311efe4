"""A flow's tasks: which records pass (Filter) and which fields go where (Map, Map_all).

Supported: ``Filter`` with ``PROJECTION`` (the source fields the flow reads, which the console always
adds) or a comparison (``EQUAL_TO``, ``NOT_EQUAL_TO``, ``GREATER_THAN``, ``GREATER_THAN_OR_EQUAL_TO``,
``LESS_THAN``, ``LESS_THAN_OR_EQUAL_TO``, ``BETWEEN``, ``CONTAINS``) on one field with
``taskProperties`` ``VALUE``, ``LOWER_BOUND``/``UPPER_BOUND``; ``Map`` (one source field to
``destinationField``, ``NO_OP``) and ``Map_all``. Every other task type (Arithmetic, Mask, Merge,
Truncate, Validate, Passthrough, Partition) is refused by name, so a flow never silently does less
than it says.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from lakelab.emulator.services.appflow.errors import validation

SUPPORTED = ("Filter", "Map", "Map_all")
COMPARISONS = ("EQUAL_TO", "NOT_EQUAL_TO", "GREATER_THAN", "GREATER_THAN_OR_EQUAL_TO", "LESS_THAN",
               "LESS_THAN_OR_EQUAL_TO", "BETWEEN", "CONTAINS")


def operator(task: dict[str, Any]) -> str:
    found = task.get("connectorOperator") or {}
    return next(iter(found.values()), "NO_OP") if isinstance(found, dict) else "NO_OP"


def check(tasks: list[dict[str, Any]], known_fields: tuple[str, ...] | None) -> None:
    """Refuse what this emulator cannot do faithfully, and fields the source object lacks."""
    if not tasks:
        raise validation("tasks must contain at least one task.")
    if not any(t.get("taskType") in ("Map", "Map_all") for t in tasks):
        raise validation("The flow maps no field: add a Map task per field (or one Map_all task).")
    for task in tasks:
        kind = task.get("taskType")
        if kind not in SUPPORTED:
            raise validation(f"Task type {kind} is not supported by this emulator (supported: "
                             f"{', '.join(SUPPORTED)}).")
        verb = operator(task)
        if kind == "Filter" and verb != "PROJECTION" and verb not in COMPARISONS:
            raise validation(f"Filter operator {verb} is not supported by this emulator (supported: PROJECTION, "
                             f"{', '.join(COMPARISONS)}).")
        if kind == "Map" and len(task.get("sourceFields") or []) != 1:
            raise validation("A Map task maps exactly one source field.")
        unknown = [f for f in task.get("sourceFields") or [] if known_fields is not None and f and f not in known_fields]
        if unknown:
            raise validation(f"Field {unknown[0]} does not exist in the source object (fields: "
                             f"{', '.join(known_fields or ())}).")  # wording unverified


def apply(tasks: list[dict[str, Any]], records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The records that pass every comparison Filter, each with the fields the Map tasks name."""
    filters = [t for t in tasks if t.get("taskType") == "Filter" and operator(t) in COMPARISONS]
    kept = [r for r in records if all(_passes(t, r) for t in filters)]
    if any(t.get("taskType") == "Map_all" for t in tasks):
        return kept
    maps = [t for t in tasks if t.get("taskType") == "Map"]
    return [{t.get("destinationField") or t["sourceFields"][0]: r.get(t["sourceFields"][0]) for t in maps}
            for r in kept]


def _passes(task: dict[str, Any], record: dict[str, Any]) -> bool:
    field = (task.get("sourceFields") or [""])[0]
    props = task.get("taskProperties") or {}
    value, verb = record.get(field), operator(task)
    if value in (None, ""):
        return False
    if verb == "CONTAINS":
        return str(props.get("VALUE", "")) in str(value)
    if verb == "BETWEEN":
        return _key(props.get("LOWER_BOUND")) <= _key(value) <= _key(props.get("UPPER_BOUND"))
    left, right = _key(value), _key(props.get("VALUE"))
    return {"EQUAL_TO": left == right, "NOT_EQUAL_TO": left != right, "GREATER_THAN": left > right,
            "GREATER_THAN_OR_EQUAL_TO": left >= right, "LESS_THAN": left < right,
            "LESS_THAN_OR_EQUAL_TO": left <= right}[verb]


def _key(value: Any) -> tuple[int, Any]:
    """Numbers compare as numbers, datetimes as instants (AppFlow's VALUE for a datetime is epoch ms), text as text."""
    text = "" if value is None else str(value)
    try:
        return (0, float(text))
    except ValueError:
        pass
    try:
        moment = dt.datetime.fromisoformat(text.replace("+0000", "+00:00").replace("Z", "+00:00"))
        return (0, moment.timestamp() * 1000 if moment.tzinfo else moment.replace(tzinfo=dt.timezone.utc).timestamp() * 1000)
    except ValueError:
        return (1, text)
