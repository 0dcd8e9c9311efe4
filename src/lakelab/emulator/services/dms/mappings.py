"""Table mappings: selection rules choose the source tables, transformation rules rename what lands.

The JSON is DMS's (https://docs.aws.amazon.com/dms/latest/userguide/CHAP_Tasks.CustomizingTasks.TableMapping.html):
``{"rules": [{"rule-type": "selection", "rule-id": "1", "rule-name": "1", "object-locator":
{"schema-name": "sales", "table-name": "%"}, "rule-action": "include"}]}``. Names match with ``%``
(any characters) and ``_`` as literal text (DMS reads ``_`` literally unless escaped; unverified).
Supported transformations: ``rename``, ``remove-column``, ``convert-lowercase``,
``convert-uppercase``, ``add-prefix``, ``add-suffix``, ``remove-prefix``, ``remove-suffix`` on
schemas, tables and columns; others (``add-column`` with expressions, data type changes) and
selection ``filters`` are refused at create by name.
"""

from __future__ import annotations

import fnmatch
import json
from dataclasses import dataclass, field
from typing import Any

ACTIONS = ("rename", "remove-column", "convert-lowercase", "convert-uppercase", "add-prefix", "add-suffix",
           "remove-prefix", "remove-suffix")


class MappingError(ValueError):
    """A table mapping DMS would refuse (the message is the reason)."""


@dataclass
class Mapping:
    selections: list[dict[str, Any]] = field(default_factory=list)
    transformations: list[dict[str, Any]] = field(default_factory=list)

    def selects(self, schema: str, table: str) -> bool:
        """Whether the (schema, table) is included and not excluded."""
        included = False
        for rule in self.selections:
            locator = rule["object-locator"]
            if _matches(locator.get("schema-name", "%"), schema) and _matches(locator.get("table-name", "%"), table):
                if rule.get("rule-action") == "exclude":
                    return False
                included = True
        return included

    def target_schema(self, schema: str, table: str) -> str:
        return self._apply("schema", schema, {"schema-name": schema, "table-name": table})

    def target_table(self, schema: str, table: str) -> str:
        return self._apply("table", table, {"schema-name": schema, "table-name": table})

    def target_column(self, schema: str, table: str, column: str) -> str | None:
        """The column's name in the files, or None when a rule removes it."""
        return self._apply("column", column, {"schema-name": schema, "table-name": table, "column-name": column})

    def _apply(self, target: str, name: str | None, names: dict[str, str]) -> Any:
        for rule in self.transformations:
            if rule.get("rule-target") != target or not _locates(rule["object-locator"], names):
                continue
            action, value = rule["rule-action"], rule.get("value") or ""
            if action == "remove-column":
                return None
            name = _transform(action, name, value, rule.get("old-value"))
        return name


def _transform(action: str, name: str, value: str, old: str | None) -> str:
    if action == "rename":
        return value
    if action == "convert-lowercase":
        return name.lower()
    if action == "convert-uppercase":
        return name.upper()
    if action == "add-prefix":
        return value + name
    if action == "add-suffix":
        return name + value
    if action == "remove-prefix":
        return name[len(value):] if name.startswith(value) else name
    if action == "remove-suffix":
        return name[: -len(value)] if value and name.endswith(value) else name
    return name


def _locates(locator: dict[str, str], names: dict[str, str]) -> bool:
    return all(_matches(locator.get(key, "%"), names[key]) for key in names if key in locator) and all(
        key in names for key in locator)


def _matches(pattern: str, name: str) -> bool:
    translated = pattern.replace("[", "[[]").replace("%", "*").replace("?", "[?]")
    return fnmatch.fnmatchcase(name, translated)


def parse(document: str) -> Mapping:
    """A task's ``TableMappings``, checked as DMS checks them at create."""
    try:
        rules = json.loads(document or "").get("rules")
    except (ValueError, AttributeError):
        raise MappingError("Invalid table mappings: the document is not valid JSON with a \"rules\" list") from None
    if not isinstance(rules, list) or not rules:
        raise MappingError("Invalid table mappings: no rules")
    mapping = Mapping()
    for rule in rules:
        kind = rule.get("rule-type")
        if kind == "selection":
            _check_selection(rule)
            mapping.selections.append(rule)
        elif kind == "transformation":
            _check_transformation(rule)
            mapping.transformations.append(rule)
        else:
            raise MappingError(f"Invalid table mappings: rule-type {kind!r} is not supported by the local emulator "
                               "(selection and transformation are)")
    if not mapping.selections:
        raise MappingError("Invalid table mappings: at least one selection rule is required")
    return mapping


def _check_selection(rule: dict[str, Any]) -> None:
    if rule.get("rule-action") not in ("include", "exclude", "explicit"):
        raise MappingError(f"Invalid table mappings: selection rule-action {rule.get('rule-action')!r}")
    if "object-locator" not in rule:
        raise MappingError("Invalid table mappings: a selection rule needs an object-locator")
    if rule.get("filters"):
        raise MappingError("Selection rule filters are not supported by the local emulator: select whole tables")
    if rule.get("rule-action") == "explicit":
        rule["rule-action"] = "include"  # explicit names one table: no wildcards to match


def _check_transformation(rule: dict[str, Any]) -> None:
    if rule.get("rule-action") not in ACTIONS:
        raise MappingError(f"Transformation rule-action {rule.get('rule-action')!r} is not supported by the local "
                           f"emulator (supported: {', '.join(ACTIONS)})")
    if rule.get("rule-target") not in ("schema", "table", "column"):
        raise MappingError(f"Transformation rule-target {rule.get('rule-target')!r} is not supported by the local "
                           "emulator (schema, table and column are)")
    if "object-locator" not in rule:
        raise MappingError("Invalid table mappings: a transformation rule needs an object-locator")
