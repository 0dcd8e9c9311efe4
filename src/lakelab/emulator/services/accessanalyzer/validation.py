"""ValidatePolicy's checks over one document: grammar first, then each statement, then the policy as a whole.

Findings come in the order of the document (statement by statement), each statement's grammar
before its actions and resources, and the whole-policy suggestions (redundant statements) last.
"""

from __future__ import annotations

import json
import re
from typing import Any

from lakelab.emulator.services.accessanalyzer import action_checks, arn_checks
from lakelab.emulator.services.accessanalyzer.findings import Finding, finding
from lakelab.emulator.services.accessanalyzer.spans import Located, Path, SyntaxFault, parse

IDENTITY_POLICY, RESOURCE_POLICY = "IDENTITY_POLICY", "RESOURCE_POLICY"
VERSIONS = ("2012-10-17", "2008-10-17")
_DOCUMENT_ELEMENTS = {"Version", "Id", "Statement"}
_STATEMENT_ELEMENTS = {"Sid", "Effect", "Principal", "NotPrincipal", "Action", "NotAction", "Resource",
                       "NotResource", "Condition"}
_OPERATORS = {"StringEquals", "StringNotEquals", "StringEqualsIgnoreCase", "StringNotEqualsIgnoreCase", "StringLike",
              "StringNotLike", "NumericEquals", "NumericNotEquals", "NumericLessThan", "NumericLessThanEquals",
              "NumericGreaterThan", "NumericGreaterThanEquals", "DateEquals", "DateNotEquals", "DateLessThan",
              "DateLessThanEquals", "DateGreaterThan", "DateGreaterThanEquals", "Bool", "BinaryEquals", "IpAddress",
              "NotIpAddress", "ArnEquals", "ArnLike", "ArnNotEquals", "ArnNotLike", "Null"}
_EXACT_OPERATORS = {"StringEquals", "StringNotEquals", "StringEqualsIgnoreCase", "StringNotEqualsIgnoreCase",
                    "ArnEquals", "ArnNotEquals"}
_SID = re.compile(r"[A-Za-z0-9]*")
_PAIRS = (("Action", "NotAction"), ("Resource", "NotResource"), ("Principal", "NotPrincipal"))


def validate(text: str, policy_type: str) -> tuple[Located | None, list[Finding]]:
    """The document read with its spans (None when it is not JSON), and its findings."""
    try:
        located = parse(text)
    except SyntaxFault as fault:
        line = text.count("\n", 0, fault.offset) + 1
        column = fault.offset - (text.rfind("\n", 0, fault.offset) + 1)
        return None, [finding("JSON_SYNTAX_ERROR", (), index=fault.offset, line=line, column=column)]
    document = located.value
    if not isinstance(document, dict):
        return located, [finding("DATA_TYPE_MISMATCH", (), data_type="Object")]
    found = _document_findings(document)
    statements = _statements(document.get("Statement"))
    found += [f for statement, path in statements for f in _statement_findings(statement, path, policy_type)]
    found += _duplicate_sids(statements) + _redundant_statements(statements)
    return located, found


def _document_findings(document: dict[str, Any]) -> list[Finding]:
    found = [finding("INVALID_POLICY_ELEMENT", (key,), element=key)
             for key in document if key not in _DOCUMENT_ELEMENTS]
    if "Version" not in document:
        found.append(finding("MISSING_VERSION", ()))
    elif document["Version"] not in VERSIONS:
        found.append(finding("INVALID_VERSION", ("Version",), version=document["Version"],
                             versions=", ".join(VERSIONS)))
    if "Statement" not in document:
        found.append(finding("MISSING_STATEMENT", ()))
    elif not isinstance(document["Statement"], (dict, list)):
        found.append(finding("DATA_TYPE_MISMATCH", ("Statement",), data_type="Array of Object"))
    return found


def _statements(element: Any) -> list[tuple[dict[str, Any], Path]]:
    if isinstance(element, dict):
        return [(element, ("Statement",))]
    if isinstance(element, list):
        return [(item, ("Statement", index)) for index, item in enumerate(element) if isinstance(item, dict)]
    return []


def _items(statement: dict[str, Any], key: str, path: Path) -> list[tuple[Any, Path]]:
    value = statement.get(key)
    if isinstance(value, list):
        return [(item, (*path, key, index)) for index, item in enumerate(value)]
    return [] if value is None else [(value, (*path, key))]


def _statement_findings(statement: dict[str, Any], path: Path, policy_type: str) -> list[Finding]:
    found = _grammar(statement, path, policy_type)
    action_key = "NotAction" if "NotAction" in statement else "Action"
    resource_key = "NotResource" if "NotResource" in statement else "Resource"
    actions, resources = _items(statement, action_key, path), _items(statement, resource_key, path)
    for key, items, code in ((action_key, actions, "EMPTY_ARRAY_ACTION"),
                             (resource_key, resources, "EMPTY_ARRAY_RESOURCE")):
        if statement.get(key) == []:
            found.append(finding(code, (*path, key)))
        found += [finding("DATA_TYPE_MISMATCH", item_path, data_type="String") for value, item_path in items
                  if not isinstance(value, str)]
    found += action_checks.action_findings(actions)
    found += [f for value, item_path in resources if isinstance(value, str)
              for f in arn_checks.arn_findings(value, item_path)]
    found += _condition_findings(statement.get("Condition"), (*path, "Condition"))
    found += action_checks.pass_role_findings(statement, path, actions, resources)
    for items, code, ignore_case in ((actions, "REDUNDANT_ACTION", True), (resources, "REDUNDANT_RESOURCE", False)):
        redundant = action_checks.redundant(items, code, ignore_case)
        found += [redundant] if redundant else []
    return found


def _grammar(statement: dict[str, Any], path: Path, policy_type: str) -> list[Finding]:
    found = [finding("INVALID_POLICY_ELEMENT", (*path, key), element=key)
             for key in statement if key not in _STATEMENT_ELEMENTS]
    sid = statement.get("Sid")
    if sid == "":
        found.append(finding("EMPTY_SID_VALUE", (*path, "Sid")))
    elif isinstance(sid, str) and policy_type == IDENTITY_POLICY and not _SID.fullmatch(sid):
        found.append(finding("UNSUPPORTED_SID", (*path, "Sid")))
    effect = statement.get("Effect")
    if effect is None:
        found.append(finding("MISSING_EFFECT", path))
    elif effect not in ("Allow", "Deny"):
        found.append(finding("INVALID_EFFECT", (*path, "Effect"), effect=effect))
    found += [finding("UNSUPPORTED_ELEMENT_COMBINATION", (*path, first), (*path, second), first=first, second=second)
              for first, second in _PAIRS if first in statement and second in statement]
    if "Action" not in statement and "NotAction" not in statement:
        found.append(finding("MISSING_ACTION", path))
    return found + _principal_findings(statement, path, policy_type)


def _principal_findings(statement: dict[str, Any], path: Path, policy_type: str) -> list[Finding]:
    named = "Principal" in statement or "NotPrincipal" in statement
    if policy_type == IDENTITY_POLICY:
        found = [finding("UNSUPPORTED_PRINCIPAL", (*path, key), policy_type=policy_type)
                 for key in ("Principal", "NotPrincipal") if key in statement]
        if "Resource" not in statement and "NotResource" not in statement:
            found.append(finding("MISSING_RESOURCE", path))
        return found
    if not named:
        return [finding("MISSING_PRINCIPAL", path)]
    if statement.get("Effect") == "Allow" and "NotPrincipal" in statement:
        return [finding("ALLOW_WITH_NOT_PRINCIPAL", (*path, "NotPrincipal"))]
    return []


def _condition_findings(condition: Any, path: Path) -> list[Finding]:
    if condition is None:
        return []
    if condition == {}:
        return [finding("EMPTY_OBJECT_CONDITION", path)]
    if not isinstance(condition, dict):
        return [finding("DATA_TYPE_MISMATCH", path, data_type="Object")]
    found: list[Finding] = []
    for operator, keys in condition.items():
        base = operator.split(":", 1)[1] if operator.startswith(("ForAllValues:", "ForAnyValue:")) else operator
        base = base[: -len("IfExists")] if base.endswith("IfExists") and base != "IfExists" else base
        if base not in _OPERATORS:
            found.append(finding("INVALID_CONDITION_OPERATOR", (*path, operator), operator=operator))
            continue
        for key, values in (keys.items() if isinstance(keys, dict) else ()):
            key_path = (*path, operator, key)
            if values == []:
                found.append(finding("EMPTY_ARRAY_CONDITION", key_path, key=key))
            listed = values if isinstance(values, list) else [values]
            if base in _EXACT_OPERATORS and any(isinstance(v, str) and _has_wildcard(v) for v in listed):
                found.append(finding("WILDCARD_WITHOUT_LIKE_OPERATOR", key_path))
    return found


def _has_wildcard(value: str) -> bool:
    return "*" in re.sub(r"\$\{[^}]*\}", "", value) or "?" in re.sub(r"\$\{[^}]*\}", "", value)


def _duplicate_sids(statements: list[tuple[dict[str, Any], Path]]) -> list[Finding]:
    seen: dict[str, Path] = {}
    found: list[Finding] = []
    for statement, path in statements:
        sid = statement.get("Sid")
        if isinstance(sid, str) and sid:
            if sid in seen:
                found.append(finding("UNIQUE_SIDS_RECOMMENDED", (*seen[sid], "Sid"), (*path, "Sid")))
            seen.setdefault(sid, path)
    return found


def _redundant_statements(statements: list[tuple[dict[str, Any], Path]]) -> list[Finding]:
    seen: dict[str, Path] = {}
    found: list[Finding] = []
    for statement, path in statements:
        meaning = json.dumps({key: _normalized(value) for key, value in statement.items() if key != "Sid"},
                             sort_keys=True)
        if meaning in seen:
            found.append(finding("REDUNDANT_STATEMENT", seen[meaning], path))
        seen.setdefault(meaning, path)
    return found


def _normalized(value: Any) -> Any:
    """A statement element with order and one-versus-list-of-one not mattering."""
    if isinstance(value, dict):
        return {key: _normalized(item) for key, item in value.items()}
    items = value if isinstance(value, list) else [value]
    return sorted(json.dumps(_normalized(item) if isinstance(item, (dict, list)) else item, sort_keys=True)
                  for item in items)
