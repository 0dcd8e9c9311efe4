"""Self-checks: one function per exercise, inspecting AWS state (never the learner's variables).

A check prints ``✅ PASS <number> <title>`` (the words beside the symbols, for screens without emoji fonts) or raises :class:`CheckFailed` (an ``AssertionError``)
saying what was expected, what was found, and a hint. Grading calls the same functions from
its own process, so nothing a notebook redefines can change a result. Each week's checks are a
module named like the week's lab (``week01_s3.py``); the helpers beside them are shared.
"""

from lakelab.checks.framework import Check, CheckFailed, checks_for, exercise, expect

__all__ = ["Check", "CheckFailed", "checks_for", "exercise", "expect"]
