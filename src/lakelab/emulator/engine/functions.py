"""Athena functions the engine lacks or answers differently, defined once as engine macros.

``translate.py`` renames calls to these (``to_iso8601`` becomes ``athena_to_iso8601``).
"""

from __future__ import annotations

from typing import Any

_INTEGER_TYPES = "('TINYINT', 'SMALLINT', 'INTEGER', 'BIGINT', 'HUGEINT')"

MACROS = {
    # Division whose operand types were not known before running: integers truncate, as in Athena.
    "athena_divide(a, b)": f"CASE WHEN typeof(a) IN {_INTEGER_TYPES} AND typeof(b) IN {_INTEGER_TYPES} "
                           "THEN a // b ELSE a / b END",
    # NULL for objects and arrays: json_extract_scalar only returns scalars.
    "athena_json_extract_scalar(j, p)": "CASE WHEN json_type(j, p) IN ('OBJECT', 'ARRAY') THEN NULL "
                                        "ELSE json_extract_string(j, p) END",
    "athena_json_size(j, p)": "CASE json_type(j, p) WHEN 'ARRAY' THEN json_array_length(j, p) "
                              "WHEN 'OBJECT' THEN len(json_keys(j, p)) ELSE 0 END",
    "athena_to_iso8601(t)": "CASE WHEN typeof(t) = 'DATE' THEN strftime(t, '%Y-%m-%d') "
                            "WHEN typeof(t) = 'TIMESTAMP WITH TIME ZONE' THEN strftime(t, '%Y-%m-%dT%H:%M:%S.%gZ') "
                            "ELSE strftime(t, '%Y-%m-%dT%H:%M:%S.%g') END",
    "athena_url_extract_host(u)": "regexp_extract(u, '^[a-zA-Z][a-zA-Z0-9+.-]*://([^/:?#]+)', 1)",
    "athena_url_extract_path(u)": "regexp_extract(u, '^[a-zA-Z][a-zA-Z0-9+.-]*://[^/?#]*([^?#]*)', 1)",
    "athena_millisecond(t)": "millisecond(t) % 1000",
    "athena_array_distinct(a)": "list_filter(a, lambda x, i: i = list_position(a, x))",
    "athena_nan()": "CAST('NaN' AS DOUBLE)",
    "athena_infinity()": "CAST('Infinity' AS DOUBLE)",
}


def install(database: Any) -> None:
    for signature, body in MACROS.items():
        database.execute(f"CREATE OR REPLACE MACRO {signature} AS {body}")
