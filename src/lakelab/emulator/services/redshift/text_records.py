"""The rows of a text COPY: CSV (with QUOTE and DELIMITER), delimited text, and JSON 'auto'.

Each record keeps its file, line number and raw text, which ``STL_LOAD_ERRORS`` reports for a
rejected row. ``IGNOREHEADER n`` skips a file's first lines; JSON records may span lines and sit
one after another, as COPY's 'auto' reads them (https://docs.aws.amazon.com/redshift/latest/dg/copy-usage_notes-copy-from-json.html).
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass

from lakelab.emulator.services.redshift import dialect, options


@dataclass
class Record:
    file: str
    line: int
    raw: str
    fields: list[str | None]


def read(name: str, data: bytes, found: options.Options, width: int) -> list[Record]:
    text = data.decode("utf-8", errors="replace")
    skip = int(found.get("IGNOREHEADER", "0") or 0)
    if found.has("JSON"):
        return _json_records(name, text, found)
    lines = text.splitlines()
    if found.has("CSV"):
        quote = found.get("QUOTE", '"') or '"'
        delimiter = found.get("DELIMITER", ",") or ","
        reader = csv.reader(io.StringIO(text), delimiter=delimiter, quotechar=quote)
        records = []
        for row in reader:
            if reader.line_num <= skip or not row:
                continue
            records.append(Record(name, reader.line_num, lines[reader.line_num - 1] if reader.line_num <= len(lines)
                                  else "", [v for v in row]))
        return records
    delimiter = found.get("DELIMITER", "|") or "|"
    return [Record(name, number, line, list(line.split(delimiter)))
            for number, line in enumerate(lines, start=1) if number > skip and line.strip()]


def _json_records(name: str, text: str, found: options.Options) -> list[Record]:
    argument = found.get("JSON", "auto").lower()
    if argument not in ("auto", "auto ignorecase", ""):
        raise dialect.not_supported("COPY JSON with a JSONPaths file")
    decoder, position, line, records = json.JSONDecoder(), 0, 1, []
    while True:
        while position < len(text) and text[position].isspace():
            line += text[position] == "\n"
            position += 1
        if position >= len(text):
            return records
        try:
            value, end = decoder.raw_decode(text, position)
        except ValueError:
            end = text.find("\n", position)
            end = len(text) if end < 0 else end
            records.append(Record(name, line, text[position:end], ["\x00json"]))
            position = end
            continue
        raw = text[position:end]
        records.append(Record(name, line, raw, [json.dumps(value)]))
        line += raw.count("\n")
        position = end


def json_fields(record: Record, names: list[str], ignore_case: bool) -> list[str | None] | None:
    value = json.loads(record.fields[0])
    if not isinstance(value, dict):
        return None
    keys = {(k.lower() if ignore_case else k): v for k, v in value.items()}
    fields: list[str | None] = []
    for name in names:
        found = keys.get(name)
        if found is None:
            fields.append(None)
        elif isinstance(found, bool):
            fields.append("true" if found else "false")
        elif isinstance(found, (dict, list)):
            fields.append(json.dumps(found))
        else:
            fields.append(str(found))
    return fields
