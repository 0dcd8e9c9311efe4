"""Partition projection: partitions computed from a table's ``projection.*`` properties, as Athena does.

With ``projection.enabled`` true, Athena ignores the partitions registered in Glue: it computes every
possible partition of each key from its type (``integer``, ``date``, ``enum``, ``injected``), keeps
those the query's WHERE clause allows, and reads each from ``storage.location.template`` (or the
Hive-style ``key=value/`` folder under the table). No crawler, no ``ADD PARTITION``.
"""

from __future__ import annotations

import datetime as dt
import itertools
import re

import sqlglot
from dateutil.relativedelta import relativedelta
from sqlglot import exp

from lakelab.emulator.engine import errors
from lakelab.emulator.engine.catalog import Partition, Table
from lakelab.emulator.services.athena import joda

MAX_PROJECTED = 1_000_000  # beyond this, Athena asks for a narrower range or filter
_UNITS = {"YEARS": "years", "MONTHS": "months", "WEEKS": "weeks", "DAYS": "days", "HOURS": "hours",
          "MINUTES": "minutes", "SECONDS": "seconds"}
_NOW = re.compile(r"^\s*NOW\s*(?:([+-])\s*(\d+)\s*([A-Z]+?)S?)?\s*$", re.IGNORECASE)


def enabled(table: Table) -> bool:
    return table.parameters.get("projection.enabled", "").strip().lower() == "true"


def partitions(table: Table, predicates: list[str]) -> list[Partition]:
    """Every partition the projection allows (the caller prunes them with ``predicates``)."""
    per_key = [_values(table, key.name, predicates) for key in table.partition_keys]
    count = 1
    for values in per_key:
        count *= len(values)
    if count > MAX_PROJECTED:
        raise errors.QueryFailed(f"HIVE_EXCEEDED_PARTITION_LIMIT: Partition projection of '{table.qualified}' "
                                 f"yields {count:,} partitions; narrow its ranges or filter on its keys")
    return [Partition(list(values), _location(table, values)) for values in itertools.product(*per_key)]


def _property(table: Table, key: str, name: str, required: bool = True) -> str | None:
    found = table.parameters.get(f"projection.{key}.{name}")
    if found is None and required:
        raise errors.QueryFailed(f"HIVE_METASTORE_ERROR: Table '{table.qualified}': partition projection property "
                                 f"'projection.{key}.{name}' is missing")
    return found.strip() if found is not None else None


def _values(table: Table, key: str, predicates: list[str]) -> list[str]:
    kind = (_property(table, key, "type") or "").lower()
    if kind == "enum":
        return (table.parameters.get(f"projection.{key}.values") or "").split(",")
    if kind == "integer":
        return _integers(table, key)
    if kind == "date":
        return _dates(table, key)
    if kind == "injected":
        return _injected(table, key, predicates)
    raise errors.QueryFailed(f"HIVE_METASTORE_ERROR: Table '{table.qualified}': unknown projection type "
                             f"'{kind}' for column {key} (integer, date, enum or injected)")


def _integers(table: Table, key: str) -> list[str]:
    low, high = (int(v) for v in (_property(table, key, "range") or "").split(","))
    interval = int(_property(table, key, "interval", required=False) or 1)
    digits = int(_property(table, key, "digits", required=False) or 0)
    return [str(n).zfill(digits) if n >= 0 else str(n) for n in range(low, high + 1, interval)]


def _dates(table: Table, key: str) -> list[str]:
    pattern = _property(table, key, "format") or ""
    strftime = joda.to_strftime(pattern, parsing=True)
    low, high = (_date(text, strftime) for text in (_property(table, key, "range") or "").split(","))
    interval = int(_property(table, key, "interval", required=False) or 1)
    unit = (_property(table, key, "interval.unit", required=False) or _default_unit(pattern)).upper()
    if unit not in _UNITS:
        raise errors.QueryFailed(f"HIVE_METASTORE_ERROR: Table '{table.qualified}': projection.{key}.interval.unit "
                                 f"'{unit}' is not one of {', '.join(_UNITS)}")
    step = relativedelta(**{_UNITS[unit]: interval})
    found, moment = [], low
    while moment <= high and len(found) <= MAX_PROJECTED:
        found.append(moment.strftime(joda.to_strftime(pattern)))
        moment += step
    return found


def _date(text: str, strftime: str) -> dt.datetime:
    relative = _NOW.match(text)
    if relative:
        now = dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)
        sign, amount, unit = relative.groups()
        if not sign:
            return now
        delta = relativedelta(**{_UNITS.get(unit.upper() + "S", "days"): int(amount)})
        return now + delta if sign == "+" else now - delta
    return dt.datetime.strptime(text.strip(), strftime)


def _default_unit(pattern: str) -> str:
    """Athena's default step: a day when the format has days, a month when it has months."""
    letters = set(re.sub(r"'[^']*'", "", pattern))
    return "DAYS" if "d" in letters else "MONTHS" if "M" in letters else "YEARS"


def _injected(table: Table, key: str, predicates: list[str]) -> list[str]:
    """Injected values come only from the query: ``key = 'v'`` or ``key IN ('v', ...)``."""
    values: list[str] = []
    for predicate in predicates:
        tree = sqlglot.parse_one(predicate, read="duckdb")
        if isinstance(tree, exp.EQ) and isinstance(tree.left, exp.Column) and tree.left.name.lower() == key:
            values.append(_literal(tree.right))
        elif isinstance(tree, exp.In) and isinstance(tree.this, exp.Column) and tree.this.name.lower() == key:
            values.extend(_literal(v) for v in tree.expressions)
    if not values or None in values:
        raise errors.QueryFailed(f"CONSTRAINT_VIOLATION: For the injected projected partition column {key}, the "
                                 "WHERE clause must contain only static equality conditions, and at least one such "
                                 "condition must be present.")
    return sorted(set(values))


def _literal(node: exp.Expression) -> str | None:
    while isinstance(node, exp.Cast):
        node = node.this
    return node.this if isinstance(node, exp.Literal) else None


def _location(table: Table, values: tuple[str, ...]) -> str:
    template = table.parameters.get("storage.location.template")
    if not template:
        return table.default_partition_location(list(values))
    for key, value in zip(table.partition_keys, values):
        template = template.replace("${" + key.name + "}", value)
    return template if template.endswith("/") else template + "/"
