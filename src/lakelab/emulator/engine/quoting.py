"""Quoting names and strings for the engine's SQL."""

from __future__ import annotations

from collections.abc import Iterable


def ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def string_list(items: Iterable[str]) -> str:
    return "[" + ", ".join(literal(i) for i in items) + "]"
