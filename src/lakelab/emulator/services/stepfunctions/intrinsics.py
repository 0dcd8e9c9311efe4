"""Intrinsic functions (``States.Format(...)``, ``States.ArrayLength(...)`` ...) parsed without console noise.

The interpreter parses each intrinsic function call with ANTLR's default listener, which prints a
syntax error to the notebook's output and then fails with an unrelated message ("33 is not a
valid StatesFunctionNameType"). Here a call that does not parse raises
:class:`InvalidIntrinsicFunction`, which the definition check reports where the call is.
"""

from __future__ import annotations

from typing import Any

from lakelab.emulator import seam


class InvalidIntrinsicFunction(ValueError):
    """``text`` is not a call of an intrinsic function the States language has."""

    def __init__(self, text: str, reason: str) -> None:
        super().__init__(f"'{text}' is not a valid intrinsic function call ({reason})")
        self.text = text


def parse(src: str) -> tuple[Any, Any]:
    """``IntrinsicParser.parse``: the function and its parse tree, or :class:`InvalidIntrinsicFunction`."""
    from antlr4 import CommonTokenStream, InputStream
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
        return seam.IntrinsicPreprocessor().visit(tree), tree
    except (ValueError, TypeError, KeyError) as error:
        raise InvalidIntrinsicFunction(src, str(error)) from None


PARSE = staticmethod(parse)
