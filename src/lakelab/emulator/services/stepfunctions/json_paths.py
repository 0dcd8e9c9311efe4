"""JSONPath as Step Functions evaluates it: a definite path selects one value, an indefinite one a list.

Step Functions follows Jayway JsonPath: ``$.ResultSet.Rows[1].Data[0].VarCharValue`` names one
value and gives it; a path with a wildcard, a filter, a slice, a union or a deep scan
(``$.items[*].id``, ``$..id``, ``$.rows[?(@.ok)]``) gives the list of what it matched, even of one
item. moto's interpreter wrapped any value reached through an array index in a list.
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
