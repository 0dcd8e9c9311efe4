"""Reading a learner's Athena SQL as Athena reads it: which tables it names, what its WHERE tests.

Checks match queries from a workgroup's history by what they mean, not by their text, so
``FROM orders``, ``FROM "orders"``, ``FROM lake.orders`` and ``FROM awsdatacatalog.lake.orders``
are one table, whatever the case, quoting or line breaks.
"""

from __future__ import annotations

import sqlglot
from sqlglot import exp


def _tree(sql: str) -> exp.Expression | None:
    try:
        return sqlglot.parse_one(sql, read="athena")
    except (sqlglot.errors.ParseError, sqlglot.errors.TokenError, ValueError):
        return None


def tables_read(sql: str) -> set[str]:
    """Names (lower case, without catalog or database) of the tables a statement reads."""
    tree = _tree(sql)
    if tree is None:
        return set()
    common = {cte.alias_or_name.lower() for cte in tree.find_all(exp.CTE)}
    written = tree.this if isinstance(tree, (exp.Create, exp.Insert)) else None
    names = set()
    for table in tree.find_all(exp.Table):
        if table is written or (written is not None and table in written.find_all(exp.Table)):
            continue
        if table.name and table.name.lower() not in common:
            names.add(table.name.lower())
    return names


def filters_on(sql: str, column: str) -> bool:
    """Whether a WHERE clause of the statement tests ``column``."""
    tree = _tree(sql)
    if tree is None:
        return False
    return any(c.name.lower() == column.lower() for where in tree.find_all(exp.Where) for c in where.find_all(exp.Column))
