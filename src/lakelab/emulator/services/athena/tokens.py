"""A tokenizer and cursor for Athena's Hive-style DDL and utility statements.

Hive DDL is not Trino SQL, so these statements are parsed here; errors carry the position of the
offending token (``line 1:8: mismatched input 'EXTERNA'. Expecting: ...``) as Athena's do.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from lakelab.emulator.engine import errors

_PATTERN = re.compile(
    r"""(?P<space>\s+|--[^\n]*|/\*.*?\*/)
      |(?P<string>'(?:[^'\\]|\\.|'')*')
      |(?P<quoted>"(?:[^"]|"")*")
      |(?P<backtick>`(?:[^`]|``)*`)
      |(?P<number>\d+(?:\.\d+)?)
      |(?P<word>[A-Za-z_][A-Za-z0-9_$]*)
      |(?P<symbol>[(),.=;<>:\[\]*])
      |(?P<other>.)""",
    re.VERBOSE | re.DOTALL,
)
_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "0": "\0", "\\": "\\", "'": "'", '"': '"'}


@dataclass
class Token:
    kind: str  # word, string, quoted, backtick, number, symbol, other, eof
    text: str
    line: int
    column: int
    start: int

    @property
    def upper(self) -> str:
        return self.text.upper() if self.kind == "word" else self.text

    @property
    def value(self) -> str:
        """The token's meaning: an unquoted string, an identifier without its quotes."""
        if self.kind == "string":
            return unescape(self.text[1:-1])
        if self.kind in ("quoted", "backtick"):
            quote = self.text[0]
            return self.text[1:-1].replace(quote * 2, quote)
        return self.text


def unescape(text: str) -> str:
    """Hive string escapes: ``\\t``, octal ``\\001``, ``\\u0001``, doubled quotes."""
    text = text.replace("''", "'")
    pattern = re.compile(r"\\(u[0-9a-fA-F]{4}|[0-7]{3}|.)")

    def replace(found: re.Match[str]) -> str:
        escape = found.group(1)
        if escape.startswith("u") and len(escape) == 5:
            return chr(int(escape[1:], 16))
        if len(escape) == 3 and escape.isdigit():
            return chr(int(escape, 8))
        return _ESCAPES.get(escape, escape)

    return pattern.sub(replace, text)


def tokenize(sql: str) -> list[Token]:
    found, line, line_start = [], 1, 0
    for match in _PATTERN.finditer(sql):
        kind = match.lastgroup or "other"
        text = match.group(0)
        if kind != "space":
            found.append(Token(kind, text, line, match.start() - line_start + 1, match.start()))
        newlines = text.count("\n")
        if newlines:
            line += newlines
            line_start = match.start() + text.rindex("\n") + 1
    found.append(Token("eof", "", line, len(sql) - line_start + 1, len(sql)))
    return found


class Cursor:
    """Walks tokens; ``expect`` fails with Athena's mismatched-input message."""

    def __init__(self, sql: str) -> None:
        self.sql = sql
        self.tokens = [t for t in tokenize(sql)]
        while len(self.tokens) > 1 and self.tokens[-2].text == ";":
            self.tokens.pop(-2)
        self.index = 0

    @property
    def token(self) -> Token:
        return self.tokens[self.index]

    def peek(self, ahead: int = 1) -> Token:
        return self.tokens[min(self.index + ahead, len(self.tokens) - 1)]

    def at(self, *words: str) -> bool:
        return all(self.peek(i).upper == w for i, w in enumerate(words))

    def accept(self, *words: str) -> bool:
        if self.at(*words):
            self.index += len(words)
            return True
        return False

    def expect(self, *words: str) -> None:
        for word in words:
            if self.token.upper != word:
                self.fail(f"'{word}'")
            self.index += 1

    def fail(self, expecting: str) -> None:
        token = self.token
        raise errors.syntax_error(token.line, token.column, token.text, expecting)

    def identifier(self) -> str:
        if self.token.kind not in ("word", "quoted", "backtick"):
            self.fail("<identifier>")
        value = self.token.value
        self.index += 1
        return value

    def string(self) -> str:
        if self.token.kind not in ("string", "quoted"):
            self.fail("<string>")
        value = self.token.value
        self.index += 1
        return value

    def qualified_name(self) -> tuple[str | None, str]:
        """``db.table``, ``"db"."table"`` or Athena's own ``\\`db.table\\``` -> (db or None, table)."""
        token = self.token
        parts = [self.identifier()]
        while self.accept("."):
            parts.append(self.identifier())
        if len(parts) == 1 and token.kind == "backtick" and "." in parts[0]:
            parts = parts[0].split(".")
        if len(parts) > 3:
            raise errors.syntax_error(token.line, token.column, token.text, "<qualified name>")
        if len(parts) == 3 and parts[0].lower() != "awsdatacatalog":
            raise errors.QueryFailed(f"CATALOG_NOT_FOUND: {errors.at(token.line, token.column)}"
                                     f"Catalog '{parts[0].lower()}' does not exist")
        return (parts[-2].lower() if len(parts) > 1 else None), parts[-1].lower()

    def end(self) -> None:
        if self.token.kind != "eof":
            self.fail("<EOF>")

    def rest(self) -> tuple[str, int, int]:
        """The remaining text (a query inside a DDL statement) and where it starts."""
        token = self.token
        text = self.sql[token.start :].rstrip().rstrip(";")
        return text, token.line - 1, token.column - 1


def bind_parameters(sql: str, values: list[str] | None) -> str:
    """Replace each ``?`` outside strings and comments by the next ExecutionParameters value (SQL text)."""
    marks = [t for t in tokenize(sql) if t.kind == "other" and t.text == "?"]
    values = values or []
    if len(marks) != len(values):
        raise errors.QueryFailed(f"INVALID_PARAMETER_USAGE: Incorrect number of parameters: expected {len(marks)} "
                                 f"but found {len(values)}")
    for mark, value in reversed(list(zip(marks, values))):
        sql = sql[: mark.start] + value + sql[mark.start + 1 :]
    return sql
