"""The CloudWatch Logs Insights query language, the part this emulator runs, parsed into commands.

Commands ("CloudWatch Logs Insights language query syntax":
https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/CWL_QuerySyntax.html), joined by ``|``:
``fields``, ``filter``, ``stats``, ``sort``, ``limit``, ``parse`` (a glob with ``*`` and ``as``
names, or a regular expression with named groups), ``display``. Expressions: field names
(``@message``, ``level``, ``detail.user``, ```back-quoted```), strings, numbers, ``+ - * /``,
``= != < <= > >=``, ``like`` (a string: contains; ``/regex/``), ``not like``, ``=~``, ``in [...]``,
``not in``, ``and``, ``or``, ``not``, parentheses, and the functions in :data:`FUNCTIONS`; the
aggregations of :data:`AGGREGATIONS` in ``stats``, grouped ``by`` fields and ``bin(5m)``.

Anything else is refused with ``MalformedQueryException`` in AWS's words ("unexpected symbol
found ... at line 1 and position ..."), never run approximately.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from lakelab.emulator.services.logs.insights_tokens import QueryError, Token, unexpected, tokenize

FUNCTIONS = {"bin", "strlen", "tolower", "toupper", "concat", "abs", "ceil", "floor", "isempty", "isblank",
             "ispresent", "trim", "coalesce", "substr", "replace", "fromMillis", "toMillis", "sqrt", "log"}
AGGREGATIONS = {"count", "count_distinct", "sum", "avg", "min", "max", "pct", "earliest", "latest", "stddev"}
COMMANDS = {"fields", "filter", "stats", "sort", "limit", "parse", "display"}
_DURATION = re.compile(r"^(\d+)(ms|s|m|h|d|w|q|y|mo)$")
_UNITS = {"ms": 0.001, "s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}
@dataclass
class Command:
    name: str
    items: list[Any] = field(default_factory=list)  # per command: expressions, (expression, alias), ...
    extra: dict[str, Any] = field(default_factory=dict)


class Parser:
    def __init__(self, text: str) -> None:
        self.text, self.tokens, self.at = text, tokenize(text), 0

    # --- plumbing -------------------------------------------------------------------------------------
    def peek(self, offset: int = 0) -> Token | None:
        index = self.at + offset
        return self.tokens[index] if index < len(self.tokens) else None

    def take(self) -> Token:
        token = self.peek()
        if token is None:
            raise unexpected(None, self.text)
        self.at += 1
        return token

    def expect(self, text: str) -> Token:
        token = self.take()
        if token.text.lower() != text:
            raise unexpected(token, self.text)
        return token

    def at_word(self, *words: str) -> bool:
        token = self.peek()
        return token is not None and token.kind == "name" and token.text.lower() in words

    def at_text(self, text: str) -> bool:
        token = self.peek()
        return token is not None and token.kind == "op" and token.text == text

    def source(self, start_token: int) -> str:
        return self.text[self.tokens[start_token].start:self.tokens[self.at - 1].end]

    # --- commands ------------------------------------------------------------------------------------
    def query(self) -> list[Command]:
        commands = [self.command()]
        while self.at_text("|"):
            self.take()
            commands.append(self.command())
        if self.peek() is not None:
            raise unexpected(self.peek(), self.text)
        return commands

    def command(self) -> Command:
        token = self.take()
        name = token.text.lower()
        if token.kind != "name" or name not in COMMANDS:
            raise unexpected(token, self.text)
        return getattr(self, f"_{name}")()

    def _fields(self) -> Command:
        return Command("fields", self._aliased_list())

    def _display(self) -> Command:
        return Command("display", self._aliased_list())

    def _filter(self) -> Command:
        return Command("filter", [self.expression()])

    def _limit(self) -> Command:
        token = self.take()
        if token.kind != "number" or not token.text.isdigit() or int(token.text) < 1:
            raise unexpected(token, self.text)
        return Command("limit", [int(token.text)])

    def _sort(self) -> Command:
        keys = []
        while True:
            expression = self.expression()
            descending = False  # ascending unless desc: the sort page names both, AWS's default is unverified
            if self.at_word("asc", "desc"):
                descending = self.take().text.lower() == "desc"
            keys.append((expression, descending))
            if not self.at_text(","):
                return Command("sort", keys)
            self.take()

    def _parse(self) -> Command:
        source = ("field", "@message")
        if self.peek() is not None and self.peek().kind in ("name", "quoted_name") and \
                self.peek(1) is not None and self.peek(1).kind in ("string", "regex"):
            source = self.operand()
        pattern = self.take()
        if pattern.kind == "regex":
            try:
                compiled = re.compile(pattern.text.replace("(?<", "(?P<").replace("(?P<=", "(?<=")
                                      .replace("(?P<!", "(?<!"))
            except re.error as error:
                raise QueryError(f"invalid regular expression in parse: {error}", pattern.start, pattern.end) from None
            if not compiled.groupindex:
                raise QueryError("parse with a regular expression needs named groups (?<name>...)",
                                 pattern.start, pattern.end)
            return Command("parse", [source], {"regex": compiled, "names": list(compiled.groupindex)})
        if pattern.kind != "string":
            raise unexpected(pattern, self.text)
        glob = _unquote(pattern.text)
        self.expect("as")
        names = [self._name()]
        while self.at_text(","):
            self.take()
            names.append(self._name())
        if glob.count("*") != len(names):
            raise QueryError(f"parse: the pattern has {glob.count('*')} wildcards but {len(names)} names",
                             pattern.start, pattern.end)
        parts = re.split(r"(\*)", glob)
        last = max(i for i, part in enumerate(parts) if part == "*") if "*" in parts else -1
        regex = re.compile("".join(("(.*)" if i == last and not "".join(parts[i + 1:]) else "(.*?)")
                                   if part == "*" else re.escape(part) for i, part in enumerate(parts)), re.DOTALL)
        return Command("parse", [source], {"regex": regex, "names": names, "glob": glob})

    def _stats(self) -> Command:
        aggregations = []
        while True:
            start = self.at
            expression = self.expression(allow_aggregation=True)
            if expression[0] != "aggregate":
                raise QueryError(f"stats needs an aggregation function, found {self.source(start)}",
                                 self.tokens[start].start, self.tokens[self.at - 1].end)
            aggregations.append((expression, self._alias(self.source(start))))
            if not self.at_text(","):
                break
            self.take()
        groups = []
        if self.at_word("by"):
            self.take()
            groups = self._aliased_list()
        return Command("stats", aggregations, {"by": groups})

    def _aliased_list(self) -> list[tuple[tuple, str]]:
        items = []
        while True:
            start = self.at
            expression = self.expression()
            items.append((expression, self._alias(self.source(start))))
            if not self.at_text(","):
                return items
            self.take()

    def _alias(self, default: str) -> str:
        if self.at_word("as"):
            self.take()
            return self._name()
        return default

    def _name(self) -> str:
        token = self.take()
        if token.kind == "quoted_name":
            return token.text[1:-1]
        if token.kind != "name":
            raise unexpected(token, self.text)
        return token.text

    # --- expressions ---------------------------------------------------------------------------------
    def expression(self, allow_aggregation: bool = False) -> tuple:
        self.allow_aggregation = allow_aggregation
        return self._or()

    def _or(self) -> tuple:
        left = self._and()
        while self.at_word("or") or self.at_text("||"):
            self.take()
            left = ("or", left, self._and())
        return left

    def _and(self) -> tuple:
        left = self._not()
        while self.at_word("and") or self.at_text("&&"):
            self.take()
            left = ("and", left, self._not())
        return left

    def _not(self) -> tuple:
        if self.at_word("not"):
            self.take()
            return ("not", self._not())
        return self._comparison()

    def _comparison(self) -> tuple:
        left = self._sum()
        token = self.peek()
        if token is None:
            return left
        if token.kind == "op" and token.text in ("=", "!=", "<", "<=", ">", ">="):
            self.take()
            return ("compare", token.text, left, self._sum())
        if token.kind == "op" and token.text == "=~":
            self.take()
            return ("like", left, self._pattern())
        negated = self.at_word("not") and self.peek(1) is not None and self.peek(1).text.lower() in ("like", "in")
        if negated:
            self.take()
        if self.at_word("like"):
            self.take()
            node = ("like", left, self._pattern())
            return ("negated", node) if negated else node
        if self.at_word("in"):
            self.take()
            node = ("in", left, self._array())
            return ("negated", node) if negated else node
        return left

    def _pattern(self) -> tuple:
        token = self.take()
        if token.kind == "regex":
            try:
                return ("regex", re.compile(token.text))
            except re.error as error:
                raise QueryError(f"invalid regular expression: {error}", token.start, token.end) from None
        if token.kind == "string":
            return ("contains", _unquote(token.text))
        raise unexpected(token, self.text)

    def _array(self) -> list[tuple]:
        self.expect("[")
        members = [self._sum()]
        while self.at_text(","):
            self.take()
            members.append(self._sum())
        self.expect("]")
        return members

    def _sum(self) -> tuple:
        left = self._product()
        while self.at_text("+") or self.at_text("-"):
            operator = self.take().text
            left = ("arithmetic", operator, left, self._product())
        return left

    def _product(self) -> tuple:
        left = self.operand()
        while self.at_text("*") or self.at_text("/") or self.at_text("%"):
            operator = self.take().text
            left = ("arithmetic", operator, left, self.operand())
        return left

    def operand(self) -> tuple:
        token = self.take()
        if token.kind == "op" and token.text == "(":
            inner = self._or()
            self.expect(")")
            return inner
        if token.kind == "op" and token.text == "-":
            return ("arithmetic", "-", ("literal", 0.0), self.operand())
        if token.kind == "string":
            return ("literal", _unquote(token.text))
        if token.kind == "number":
            duration = _DURATION.match(token.text)
            if duration:
                return ("duration", _seconds(duration, token))
            return ("literal", float(token.text))
        if token.kind == "quoted_name":
            return ("field", token.text[1:-1])
        if token.kind == "name":
            if self.at_text("("):
                return self._call(token)
            if token.text.lower() in ("true", "false"):
                return ("literal", token.text.lower() == "true")
            return ("field", token.text)
        raise unexpected(token, self.text)

    def _call(self, token: Token) -> tuple:
        name = token.text
        lowered = name.lower()
        aggregation = lowered in AGGREGATIONS
        if not aggregation and name not in FUNCTIONS and lowered not in FUNCTIONS:
            raise QueryError(f"unexpected symbol found {name} at line 1 and position {token.start + 1}: the Lake "
                             "Labs emulator does not implement this function", token.start, token.end)
        if aggregation and not self.allow_aggregation:
            raise QueryError(f"unexpected symbol found {name} at line 1 and position {token.start + 1}: an "
                             "aggregation function is allowed only in stats", token.start, token.end)
        self.expect("(")
        arguments: list[tuple] = []
        if aggregation and self.at_text("*"):
            self.take()
            arguments.append(("star",))
        elif not self.at_text(")"):
            allowed, self.allow_aggregation = self.allow_aggregation, False
            arguments.append(self._or())
            while self.at_text(","):
                self.take()
                arguments.append(self._or())
            self.allow_aggregation = allowed
        self.expect(")")
        return ("aggregate" if aggregation else "call", lowered if aggregation else name, arguments)


def _seconds(match: re.Match[str], token: Token) -> float:
    unit = match.group(2)
    if unit not in _UNITS:
        raise QueryError(f"unexpected symbol found {token.text} at line 1 and position {token.start + 1}: the Lake "
                         "Labs emulator bins by ms, s, m, h, d or w", token.start, token.end)
    return int(match.group(1)) * _UNITS[unit]


def _unquote(text: str) -> str:
    return re.sub(r"\\(.)", r"\1", text[1:-1])


def parse(text: str) -> list[Command]:
    if not text or not text.strip():
        raise QueryError("unexpected end of query at line 1 and position 1", 0, 0)
    return Parser(text).query()
