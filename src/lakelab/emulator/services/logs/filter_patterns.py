"""CloudWatch Logs filter patterns, parsed and matched ("Filter pattern syntax for metric filters,
subscription filters, and filter log events": https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/
FilterAndPatternSyntax.html).

- an empty pattern matches every event;
- unstructured terms, case-sensitive: ``ERROR`` (every bare term must appear), ``"quoted phrase"``,
  ``?ERROR ?WARN`` (at least one of the ``?`` terms), ``-term`` (must not appear), ``%regex%``;
- JSON: ``{ $.level = "ERROR" }``, ``{ $.latency > 100 }``, with ``&&``, ``||``, parentheses,
  ``= != < > <= >=``, ``*`` wildcards in strings, unquoted strings, ``IS NULL``, ``NOT EXISTS``,
  ``IS TRUE``/``IS FALSE``, selectors ``$.a.b``, ``$.a[0]``;
- space-delimited: ``[ip, user, ..., status = 404, bytes > 1000]`` -- words split by spaces, text
  in double quotes or square brackets one field, ``...`` any number of fields, field conditions
  joined by ``&&`` and ``||``.

A pattern this module cannot read is refused (``PatternError``) when the filter is put, never matched
loosely.
"""

from __future__ import annotations

import fnmatch
import json
import re
from dataclasses import dataclass, field
from typing import Any


class PatternError(ValueError):
    pass


@dataclass
class Match:
    extracted: dict[str, str] = field(default_factory=dict)  # "$status" -> "404" (space-delimited)
    document: Any = None  # the parsed JSON event (JSON patterns)

    def value_of(self, selector: str) -> Any:
        """``$.path`` or ``$field`` as the event has it (None when absent)."""
        if selector.startswith("$.") or selector.startswith("$["):
            found, present = _select(self.document, selector)
            return found if present else None
        return self.extracted.get(selector)


class Pattern:
    def match(self, message: str) -> Match | None:  # pragma: no cover - overridden
        raise NotImplementedError


class Everything(Pattern):
    def match(self, message: str) -> Match | None:
        return Match()


def parse(text: str | None) -> Pattern:
    stripped = (text or "").strip()
    if not stripped:
        return Everything()
    if stripped.startswith("{"):
        if not stripped.endswith("}"):
            raise PatternError("Invalid metric filter pattern: a JSON pattern ends with }")
        return JsonPattern(stripped[1:-1])
    if stripped.startswith("["):
        if not stripped.endswith("]"):
            raise PatternError("Invalid metric filter pattern: a space-delimited pattern ends with ]")
        return FieldsPattern(stripped[1:-1])
    return TermsPattern(stripped)


# --- unstructured terms ---------------------------------------------------------------------------


class TermsPattern(Pattern):
    def __init__(self, text: str) -> None:
        self.required: list[Any] = []
        self.optional: list[Any] = []
        self.excluded: list[Any] = []
        for raw in re.findall(r'[-?]?"(?:[^"\\]|\\.)*"|[-?]?%[^%]*%|\S+', text):
            prefix = raw[0] if raw[0] in "-?" and len(raw) > 1 else ""
            term = _term(raw[len(prefix):])
            {"": self.required, "?": self.optional, "-": self.excluded}[prefix].append(term)

    def match(self, message: str) -> Match | None:
        if not all(_has(t, message) for t in self.required):
            return None
        if any(_has(t, message) for t in self.excluded):
            return None
        if self.optional and not any(_has(t, message) for t in self.optional):
            return None
        return Match()


def _term(raw: str) -> Any:
    if len(raw) >= 2 and raw[0] == raw[-1] == '"':
        return raw[1:-1].replace('\\"', '"')
    if len(raw) >= 2 and raw[0] == raw[-1] == "%":
        try:
            return re.compile(raw[1:-1])
        except re.error as error:
            raise PatternError(f"Invalid metric filter pattern: bad regular expression {raw}: {error}") from None
    if not re.fullmatch(r"[\w.:/@#=<>'!$^&*+|~`\\-]+", raw):
        raise PatternError(f"Invalid metric filter pattern: put the term {raw} in double quotes")
    return raw


def _has(term: Any, message: str) -> bool:
    return bool(term.search(message)) if isinstance(term, re.Pattern) else term in message


# --- conditions (JSON and space-delimited share them) ----------------------------------------------

_CONDITION_TOKEN = re.compile(
    r'\s*(?:(&&|\|\||\(|\)|!=|<=|>=|=|<|>)|("(?:[^"\\]|\\.)*")|(%[^%]*%)|(\$[^\s=!<>()&|]*)|([^\s=!<>()&|"]+))')


def _condition_tokens(text: str) -> list[tuple[str, str]]:
    found, position = [], 0
    while position < len(text) and text[position:].strip():
        match = _CONDITION_TOKEN.match(text, position)
        if not match or match.end() == position:
            raise PatternError(f"Invalid metric filter pattern near {text[position:position + 20]!r}")
        operator, quoted, regex, selector, word = match.groups()
        if operator:
            found.append(("op", operator))
        elif quoted is not None:
            found.append(("string", json.loads(quoted)))
        elif regex is not None:
            found.append(("regex", regex[1:-1]))
        elif selector is not None:
            found.append(("selector", selector))
        else:
            found.append(("word", word))
        position = match.end()
    return found


class _Conditions:
    """``a = 1 && (b != "x" || c > 2)`` over selectors ``$.path`` (JSON) or a field's own name."""

    def __init__(self, text: str, field_name: str | None = None) -> None:
        self.items, self.at, self.field_name = _condition_tokens(text), 0, field_name
        self.tree = self._or()
        if self.at != len(self.items):
            raise PatternError(f"Invalid metric filter pattern: unexpected {self.items[self.at][1]!r}")

    def _peek(self) -> tuple[str, str] | None:
        return self.items[self.at] if self.at < len(self.items) else None

    def _take(self) -> tuple[str, str]:
        item = self._peek()
        if item is None:
            raise PatternError("Invalid metric filter pattern: it ends too early")
        self.at += 1
        return item

    def _or(self) -> tuple:
        left = self._and()
        while self._peek() == ("op", "||"):
            self._take()
            left = ("or", left, self._and())
        return left

    def _and(self) -> tuple:
        left = self._unary()
        while self._peek() == ("op", "&&"):
            self._take()
            left = ("and", left, self._unary())
        return left

    def _unary(self) -> tuple:
        if self._peek() == ("op", "("):
            self._take()
            inner = self._or()
            if self._take() != ("op", ")"):
                raise PatternError("Invalid metric filter pattern: missing )")
            return inner
        kind, selector = self._take()
        if not self.field_name and kind != "selector":
            raise PatternError(f"Invalid metric filter pattern: a JSON selector starts with $., found {selector!r}")
        if kind not in ("selector", "word"):
            raise PatternError(f"Invalid metric filter pattern: expected a selector, found {selector!r}")
        following = self._peek()
        if following and following[0] == "word" and following[1].upper() in ("IS", "NOT"):
            return self._is(selector)
        kind, operator = self._take()
        if kind != "op" or operator not in ("=", "!=", "<", ">", "<=", ">="):
            raise PatternError(f"Invalid metric filter pattern: expected a comparison after {selector}")
        value_kind, value = self._take()
        if value_kind == "op" or (value_kind == "selector" and not self.field_name):
            raise PatternError(f"Invalid metric filter pattern: expected a value after {selector} {operator}")
        return ("compare", selector, operator, value_kind, value)

    def _is(self, selector: str) -> tuple:
        first = self._take()[1].upper()
        second = self._take()[1].upper()
        if (first, second) == ("NOT", "EXISTS"):
            return ("absent", selector)
        if first == "IS" and second in ("NULL", "TRUE", "FALSE"):
            return ("is", selector, second)
        raise PatternError(f"Invalid metric filter pattern: {first} {second}")

    def holds(self, lookup: Any) -> bool:
        return _holds(self.tree, lookup)


def _holds(tree: tuple, lookup: Any) -> bool:
    kind = tree[0]
    if kind == "or":
        return _holds(tree[1], lookup) or _holds(tree[2], lookup)
    if kind == "and":
        return _holds(tree[1], lookup) and _holds(tree[2], lookup)
    value, present = lookup(tree[1])
    if kind == "absent":
        return not present
    if kind == "is":
        return present and value == {"NULL": None, "TRUE": True, "FALSE": False}[tree[2]]
    return present and _compare(value, tree[2], tree[3], tree[4])


def _compare(actual: Any, operator: str, kind: str, expected: str) -> bool:
    if kind == "regex":
        found = actual is not None and re.search(expected, str(actual)) is not None
        return found if operator == "=" else (not found if operator == "!=" else False)
    number = _number(expected) if kind == "word" else None
    if number is not None and not isinstance(actual, bool):
        actual_number = _number(actual)
        if actual_number is None:
            return operator == "!="
        return {"=": actual_number == number, "!=": actual_number != number, "<": actual_number < number,
                ">": actual_number > number, "<=": actual_number <= number, ">=": actual_number >= number}[operator]
    if operator not in ("=", "!="):
        return False  # strings compare by equality only
    text = "true" if actual is True else "false" if actual is False else "" if actual is None else str(actual)
    equal = fnmatch.fnmatchcase(text, expected) if "*" in expected else text == expected
    return equal if operator == "=" else not equal


def _number(value: Any) -> float | None:
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


# --- JSON ----------------------------------------------------------------------------------------------


class JsonPattern(Pattern):
    def __init__(self, text: str) -> None:
        self.conditions = _Conditions(text)

    def match(self, message: str) -> Match | None:
        try:
            document = json.loads(message)
        except ValueError:
            return None
        if not isinstance(document, (dict, list)):
            return None
        return Match(document=document) if self.conditions.holds(lambda s: _select(document, s)) else None


def _select(document: Any, selector: str) -> tuple[Any, bool]:
    if not selector.startswith("$"):
        raise PatternError(f"Invalid metric filter pattern: a JSON selector starts with $: {selector}")
    current = document
    for name, index in re.findall(r'\.([^.\[]+)|\[(\d+)\]', selector[1:]):
        if name:
            if not isinstance(current, dict) or name not in current:
                return None, False
            current = current[name]
        else:
            if not isinstance(current, list) or int(index) >= len(current):
                return None, False
            current = current[int(index)]
    return current, True


# --- space-delimited -------------------------------------------------------------------------------------


class FieldsPattern(Pattern):
    def __init__(self, text: str) -> None:
        self.before: list[tuple[str, _Conditions | None]] = []
        self.after: list[tuple[str, _Conditions | None]] = []
        self.ellipsis = False
        for raw in _split_fields(text):
            if raw == "...":
                if self.ellipsis:
                    raise PatternError("Invalid metric filter pattern: only one ... is supported")
                self.ellipsis = True
                continue
            name = re.match(r"\s*([A-Za-z_][\w-]*)", raw)
            if not name:
                raise PatternError(f"Invalid metric filter pattern: field {raw.strip()!r} has no name")
            rest = raw[name.end():].strip()
            conditions = _Conditions(f"{name.group(1)} {rest}", field_name=name.group(1)) if rest else None
            (self.after if self.ellipsis else self.before).append((name.group(1), conditions))

    def match(self, message: str) -> Match | None:
        words = split_event(message)
        if self.ellipsis:
            if len(words) < len(self.before) + len(self.after):
                return None
            pairs = list(zip(self.before, words)) + list(zip(self.after, words[len(words) - len(self.after):]))
        else:
            if len(words) != len(self.before):
                return None
            pairs = list(zip(self.before, words))
        extracted = {f"${name}": word for (name, _), word in pairs}
        for (name, conditions), word in pairs:
            if conditions and not conditions.holds(lambda s, w=word: (w, True)):
                return None
        return Match(extracted=extracted)


def _split_fields(text: str) -> list[str]:
    fields, current, quoted = [], "", False
    for character in text:
        if character == '"':
            quoted = not quoted
        if character == "," and not quoted:
            fields.append(current.strip())
            current = ""
        else:
            current += character
    fields.append(current.strip())
    if any(not f for f in fields):
        raise PatternError("Invalid metric filter pattern: an empty field")
    return fields


def split_event(message: str) -> list[str]:
    """An event's words: split by spaces; text in double quotes or square brackets is one word."""
    return [quoted or bracketed or word for quoted, bracketed, word in
            re.findall(r'"([^"]*)"|\[([^\]]*)\]|(\S+)', message)]
