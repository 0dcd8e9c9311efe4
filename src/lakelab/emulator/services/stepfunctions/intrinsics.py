"""Intrinsic functions (``States.Format(...)``, ``States.ArrayLength(...)`` ...) parsed without console noise.

The interpreter parses each intrinsic function call with ANTLR's default listener, which prints a
syntax error to the notebook's output and then fails with an unrelated message ("33 is not a
valid StatesFunctionNameType"). Here a call that does not parse raises
:class:`InvalidIntrinsicFunction`, which the definition check reports where the call is.
"""

from __future__ import annotations

import json
import re
from typing import Any

from lakelab.emulator import seam


class InvalidIntrinsicFunction(ValueError):
    """``text`` is not a call of an intrinsic function the States language has."""

    def __init__(self, text: str, reason: str) -> None:
        super().__init__(f"'{text}' is not a valid intrinsic function call ({reason})")
        self.text = text


def parse(src: str) -> tuple[Any, Any]:
    """``IntrinsicParser.parse``: the function and its parse tree, or :class:`InvalidIntrinsicFunction`.

    The definition's parser hands over the call as the JSON text has it, escapes undecoded (``\\\\'``
    for the ``\\'`` the States language reads); they are decoded first, and string literals then lose
    the States language's own escapes (``\\'``, ``\\{``, ``\\}``, ``\\\\``), as AWS reads them."""
    from antlr4 import CommonTokenStream, InputStream

    if "\\" in src:
        try:
            src = json.loads(f'"{src}"')
        except ValueError:
            pass
    from antlr4.error.ErrorListener import ErrorListener

    errors: list[str] = []

    class Collect(ErrorListener):  # type: ignore[misc]
        def syntaxError(self, recognizer: Any, symbol: Any, line: int, column: int, message: str, error: Any) -> None:
            errors.append(f"at column {column + 1}: {message}")

    lexer = seam.ASLIntrinsicLexer(InputStream(src))
    parser = seam.ASLIntrinsicParser(CommonTokenStream(lexer))
    for recognizer in (lexer, parser):
        recognizer.removeErrorListeners()
        recognizer.addErrorListener(Collect())
    tree = parser.func_decl()
    if errors:
        raise InvalidIntrinsicFunction(src, errors[0])
    try:
        function = seam.IntrinsicPreprocessor().visit(tree)
    except (ValueError, TypeError, KeyError) as error:
        raise InvalidIntrinsicFunction(src, str(error)) from None
    _unescape_literals(function)
    return function, tree


_ESCAPES = re.compile(r"\\([\\'{}])")


def _unescape_literals(node: Any) -> None:
    """``\\'`` -> ``'`` (and ``\\{``, ``\\}``, ``\\\\``) in every string literal argument, nested calls too."""
    arguments = getattr(getattr(node, "argument_list", None), "arguments", None) or []
    for number, argument in enumerate(arguments):
        value = getattr(argument, "definition_value", None)
        if isinstance(value, str) and "\\" in value:
            if number == 0 and type(node).__name__ == "StringFormat":
                # The template is filled in with Python's str.format: an escaped brace stays a brace.
                argument.definition_value = _ESCAPES.sub(lambda m: {"{": "{{", "}": "}}"}.get(m[1], m[1]), value)
            else:
                argument.definition_value = _ESCAPES.sub(r"\1", value)
        _unescape_literals(argument)


PARSE = staticmethod(parse)
