"""Joda-Time patterns (Athena's ``format_datetime``/``parse_datetime``) as strftime patterns."""

from __future__ import annotations

import re

from lakelab.emulator.engine.errors import QueryFailed

_TOKEN = re.compile(r"'(?:[^']|'')*'|([A-Za-z])\1*|[^A-Za-z']+")

# (letter, count) -> strftime; count None matches any count not listed.
_FORMAT = {
    ("y", 2): "%y", ("y", None): "%Y", ("Y", 2): "%y", ("Y", None): "%Y", ("x", None): "%G",
    ("M", 1): "%-m", ("M", 2): "%m", ("M", 3): "%b", ("M", None): "%B",
    ("d", 1): "%-d", ("d", None): "%d", ("D", 3): "%j", ("D", None): "%-j",
    ("H", 1): "%-H", ("H", None): "%H", ("h", 1): "%-I", ("h", None): "%I",
    ("m", 1): "%-M", ("m", None): "%M", ("s", 1): "%-S", ("s", None): "%S",
    ("S", 3): "%g", ("S", 6): "%f", ("S", 9): "%n", ("a", None): "%p",
    ("E", 4): "%A", ("E", None): "%a", ("e", None): "%u", ("w", None): "%V",
    ("Z", None): "%z", ("z", None): "%Z",
}
# Parsing accepts one or two digits with the padded forms.
_PARSE = {"%-m": "%m", "%-d": "%d", "%-j": "%j", "%-H": "%H", "%-I": "%I", "%-M": "%M", "%-S": "%S"}


def to_strftime(pattern: str, parsing: bool = False) -> str:
    out = []
    for match in _TOKEN.finditer(pattern):
        text = match.group(0)
        if text.startswith("'"):
            literal = text[1:-1].replace("''", "'") if text != "''" else "'"
            out.append(literal.replace("%", "%%"))
        elif match.group(1):
            out.append(_letter(text[0], len(text), pattern, parsing))
        else:
            out.append(text.replace("%", "%%"))
    return "".join(out)


def _letter(letter: str, count: int, pattern: str, parsing: bool) -> str:
    found = _FORMAT.get((letter, count)) or _FORMAT.get((letter, None))
    if letter == "S" and (letter, count) not in _FORMAT:
        found = None
    if found is None:
        raise QueryFailed(
            f"NOT_SUPPORTED: Joda pattern letter '{letter * count}' in '{pattern}' is not supported "
            "by the Lake Labs emulator"
        )
    return _PARSE.get(found, found) if parsing else found
