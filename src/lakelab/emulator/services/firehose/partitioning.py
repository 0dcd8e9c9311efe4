"""Dynamic partitioning keys: the JQ subset AWS documents for ``MetadataExtractionQuery``.

No JQ engine is installed, so this reads the form AWS's documentation uses:
``{customer_id: .customer_id, device: .type.device, year: .event_timestamp|strftime("%Y")}``
-- an object of keys, each a path of field names (``.a.b``, ``."odd name"``), optionally piped
to ``strftime("...")`` (epoch seconds) or ``tostring``, and a string slice after the path
(``.event_ts[0:10]``: the date of an ISO timestamp, as jq slices strings). Anything else is refused at create with
a clear error rather than evaluated differently from jq.

A record whose query fails (not JSON, a missing or null field, an object where a value was
expected) goes to the error output prefix, as on AWS.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any

_KEY = r'[A-Za-z_][A-Za-z0-9_]*'
_STEP = r'\.(?:[A-Za-z_][A-Za-z0-9_]*|"[^"]+")'
_FILTER = r'(?:\s*\|\s*(?:strftime\("[^"]*"\)|tostring))?'
_SLICE = r'\[\s*(-?\d*)\s*:\s*(-?\d*)\s*\]'
_ENTRY = re.compile(rf'\s*({_KEY}|"[^"]+")\s*:\s*((?:{_STEP})+(?:{_SLICE})?){_FILTER}\s*')
_KEYS_IN_PREFIX = re.compile(r"!\{partitionKeyFromQuery:([^}]+)\}")


class ExtractionFailed(ValueError):
    """A record's partition keys could not be read."""


def keys_in(prefix: str) -> list[str]:
    return _KEYS_IN_PREFIX.findall(prefix)


def parse(query: str) -> dict[str, list[str]]:
    """``{key: .a.b}`` -> ``{"key": [".a.b"]}`` (path, then an optional filter); refused beyond the subset."""
    text = query.strip()
    if not (text.startswith("{") and text.endswith("}")):
        raise _refused(query, "the query must be an object of keys, {key: .path, ...}")
    parsed: dict[str, list[str]] = {}
    for entry in _split_entries(text[1:-1]):
        match = _ENTRY.fullmatch(entry)
        if not match:
            raise _refused(query, f"{entry.strip()!r} is not key: .path (optionally | strftime(\"...\") or | tostring)")
        key = match.group(1).strip('"')
        parsed[key] = [match.group(2), entry[match.end(2):].strip().lstrip("|").strip()]
        if "[" in match.group(2) and parsed[key][1]:
            raise _refused(query, f"{entry.strip()!r}: a slice is supported only at the end of the expression")
    if not parsed:
        raise _refused(query, "the query defines no keys")
    return parsed


def _split_entries(body: str) -> list[str]:
    entries, current, quoted = [], "", False
    for character in body:
        if character == '"':
            quoted = not quoted
        if character == "," and not quoted:
            entries.append(current)
            current = ""
        else:
            current += character
    return entries + ([current] if current.strip() else [])


def _refused(query: str, why: str) -> Exception:
    from lakelab.emulator.services.firehose.settings import refuse

    return refuse(f"MetadataExtractionQuery {query!r} is outside the JQ subset the emulator runs "
                  f"(no jq engine is installed): {why}")


def extract(query: dict[str, list[str]], data: bytes) -> dict[str, str]:
    """The partition keys of one record, or ExtractionFailed saying why."""
    try:
        document = json.loads(data)
    except (ValueError, UnicodeDecodeError) as error:
        raise ExtractionFailed(f"Non JSON record provided: {error}") from None
    return {key: _evaluate(document, path, flt, key) for key, (path, flt) in query.items()}


def _evaluate(document: Any, path: str, flt: str, key: str) -> str:
    value = document
    steps, _, _ = path.partition("[")
    for step in re.findall(_STEP, steps):
        name = step[1:].strip('"')
        value = value.get(name) if isinstance(value, dict) else None
        if value is None:
            raise ExtractionFailed(f"partition key {key!r}: {path} is null or missing in the record")
    sliced = re.search(_SLICE + "$", path)
    if sliced:
        if not isinstance(value, str):
            raise ExtractionFailed(f"partition key {key!r}: {steps} is {value!r}, not a string to slice")
        start, end = (int(bound) if bound else None for bound in sliced.groups())
        value = value[start:end]
    if flt.startswith("strftime"):
        if not isinstance(value, (int, float)):
            raise ExtractionFailed(f"partition key {key!r}: strftime needs epoch seconds, found {value!r}")
        pattern = flt[len('strftime("'):-2]
        return dt.datetime.fromtimestamp(value, dt.timezone.utc).strftime(pattern)
    if isinstance(value, (dict, list)):
        raise ExtractionFailed(f"partition key {key!r}: {path} is an object or array, not a value")
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
