"""JSON as Step Functions reads and writes it: JSONPath's definite and indefinite paths, compact text.

Step Functions follows Jayway JsonPath: ``$.ResultSet.Rows[1].Data[0].VarCharValue`` names one
value and gives it; a path with a wildcard, a filter, a slice, a union or a deep scan
(``$.items[*].id``, ``$..id``, ``$.rows[?(@.ok)]``) gives the list of what it matched, even of one
item. moto's interpreter wrapped any value reached through an array index in a list.

Step Functions writes JSON text without spaces (``{"n":1}``) in the history's inputs, outputs and
parameters; moto's interpreter wrote Python's default (``{"n": 1}``).
"""

from __future__ import annotations

import re
from typing import Any

from lakelab.emulator import seam

_INDEFINITE = re.compile(r"\*|\.\.|\[\s*\?|\[[^\]]*[:,][^\]]*\]")


def is_definite(path: str) -> bool:
    return not _INDEFINITE.search(path)


def extract_json(path: str, data: Any) -> Any:
    """``json_path.extract_json``: the value ``path`` selects in ``data``."""
    from jsonpath_ng.ext import parse

    matches = parse(path).find(data)
    if is_definite(path):
        if not matches:
            raise seam.sfn_no_such_json_path(json_path=path, data=data)
        return matches[0].value
    return [match.value for match in matches]


def compact(encoder: type) -> type:
    """The interpreter's JSON encoder, writing ``{"n":1}`` unless told otherwise."""

    class CompactEncoder(encoder):  # type: ignore[misc, valid-type]
        def __init__(self, *args: Any, separators: tuple[str, str] | None = None, **kwargs: Any) -> None:
            super().__init__(*args, separators=separators or (",", ":"), **kwargs)

    return CompactEncoder
