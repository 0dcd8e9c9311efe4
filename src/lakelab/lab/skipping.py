"""Cells a target cannot run, skipped with the reason instead of failing with a traceback.

A cell whose first line is ``# needs: <capability>`` (``lambda-code``, ``iam-evaluation``) runs as
written on every target that has the capability; on one that lacks it (``Target.lacks``: LocalStack
without Docker runs no function's code), the Setup cell's input transformer replaces the cell with one
line saying it was skipped and why, and every skipped cell is remembered for the summary.
"""

from __future__ import annotations

import re
from collections.abc import Callable

NEEDS = re.compile(r"^#\s*needs:\s*([a-z0-9-]+(?:\s*,\s*[a-z0-9-]+)*)\s*$")
skipped: list[str] = []


def needs(source: str) -> list[str]:
    """The capabilities a cell's first line declares (none: the cell runs everywhere)."""
    first = source.lstrip("\n").split("\n", 1)[0].strip()
    found = NEEDS.match(first)
    return [name.strip() for name in found.group(1).split(",")] if found else []


def transformer(lacks: dict[str, str]) -> Callable[[list[str]], list[str]]:
    """An IPython input transformer: a cell needing what the target lacks becomes a print of why."""

    def skip_what_cannot_run(lines: list[str]) -> list[str]:
        missing = [name for name in needs("".join(lines)) if name in lacks]
        if not missing:
            return lines
        reason = "; ".join(lacks[name] for name in missing)
        skipped.append(reason)
        return [f"print({f'⏭ skipped on this target: {reason}.'!r})\n"]

    return skip_what_cannot_run


def install(lacks: dict[str, str]) -> bool:
    """Skip, in this notebook, the cells that need what the target lacks; False outside IPython."""
    try:
        from IPython import get_ipython
    except ImportError:
        return False
    shell = get_ipython()
    if shell is None or not lacks:
        return False
    shell.input_transformers_post[:] = [t for t in shell.input_transformers_post
                                        if getattr(t, "__name__", "") != "skip_what_cannot_run"]
    shell.input_transformers_post.append(transformer(lacks))
    return True
