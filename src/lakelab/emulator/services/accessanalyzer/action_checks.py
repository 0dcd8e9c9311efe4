"""Checks on a statement's actions: do they exist, are some redundant, does it pass any role to anyone.

``iam:PassRole`` with a wildcard resource lets the holder hand any role to a service -- the
privilege escalation AWS's security warnings ``PASS_ROLE_WITH_...`` point at (unless the statement
names ``iam:PassedToService``). Which of the six a statement gets depends on how it reaches
``iam:PassRole`` (named, through a wildcard action, or through ``NotAction``) and on whether it
lists resources with ``*`` or uses ``NotResource``.
"""

from __future__ import annotations

import re
from typing import Any

from lakelab.emulator.services.accessanalyzer import catalog
from lakelab.emulator.services.accessanalyzer.findings import Finding, finding
from lakelab.emulator.services.accessanalyzer.spans import Path
from lakelab.emulator.services.iam.policy_language import wildcard_regex

PASS_ROLE = "iam:PassRole"
Item = tuple[Any, Path]

_PASS_ROLE_CODES = {  # (how PassRole is reached, NotResource?) -> issue code
    ("named", False): "PASS_ROLE_WITH_STAR_IN_RESOURCE",
    ("wildcard", False): "PASS_ROLE_WITH_STAR_IN_ACTION_AND_RESOURCE",
    ("not_action", False): "PASS_ROLE_WITH_STAR_IN_RESOURCE_AND_NOT_ACTION",
    ("named", True): "PASS_ROLE_WITH_NOT_RESOURCE",
    ("wildcard", True): "PASS_ROLE_WITH_STAR_IN_ACTION_AND_NOT_RESOURCE",
    ("not_action", True): "PASS_ROLE_WITH_NOT_ACTION_AND_NOT_RESOURCE",
}


def action_findings(items: list[Item]) -> list[Finding]:
    """Unknown services and actions, and wildcards in a service name."""
    found: list[Finding] = []
    for action, path in items:
        if not isinstance(action, str) or action == "*":
            continue
        prefix, _, name = action.partition(":")
        if not name:
            found.append(finding("INVALID_ACTION", path, action=action))
        elif "*" in prefix or "?" in prefix:
            found.append(finding("WILDCARD_IN_SERVICE_NAME", path))
        elif prefix.lower() not in catalog.service_prefixes():
            suggestion = catalog.closest_service(prefix)
            found.append(finding("INVALID_SERVICE_IN_ACTION", path, service=prefix,
                                 extra=f"Did you mean {suggestion}?" if suggestion else ""))
        elif not _exists(prefix.lower(), name):
            suggestion = None if "*" in name or "?" in name else catalog.closest_action(prefix.lower(), name)
            found.append(finding("INVALID_ACTION", path, action=action,
                                 extra=f"Did you mean {suggestion}?" if suggestion else ""))
    return found


def _exists(prefix: str, name: str) -> bool:
    if "*" not in name and "?" not in name:
        return catalog.action_exists(prefix, name)
    pattern = wildcard_regex(name, ignore_case=True)
    return any(pattern.fullmatch(known) for known in catalog.actions_of(prefix))


def redundant(items: list[Item], code: str, ignore_case: bool) -> Finding | None:
    """``REDUNDANT_ACTION`` / ``REDUNDANT_RESOURCE``: entries another entry of the list already covers."""
    texts = [(value, path) for value, path in items if isinstance(value, str)]
    covered: list[tuple[str, Path]] = []
    for position, (value, path) in enumerate(texts):
        for other_position, (other, _) in enumerate(texts):
            if other_position == position:
                continue
            same = value.lower() == other.lower() if ignore_case else value == other
            if (same and other_position < position) or (not same and _covers(other, value, ignore_case)):
                covered.append((value, path))
                break
    if not covered:
        return None
    detail = {"action": covered[0][0]} if code == "REDUNDANT_ACTION" else {}
    return finding(code, *(path for _, path in covered), count=len(covered), **detail)


def _covers(pattern: str, value: str, ignore_case: bool) -> bool:
    if "*" not in pattern and "?" not in pattern:
        return False
    return wildcard_regex(pattern, ignore_case).fullmatch(value) is not None


def pass_role_findings(statement: dict[str, Any], path: Path, actions: list[Item],
                       resources: list[Item]) -> list[Finding]:
    """The PassRole security warning an Allow statement earns, if it lets its holder pass roles widely."""
    if statement.get("Effect") != "Allow":
        return []
    reached = _reaches_pass_role(statement, actions)
    if reached is None:
        return []
    if "NotResource" in statement:
        return [finding(_PASS_ROLE_CODES[(reached, True)], (*path, "NotResource"))]
    if _names_passed_to_service(statement.get("Condition")):
        return []
    starred = [item_path for value, item_path in resources if isinstance(value, str) and _may_name_roles(value)]
    return [finding(_PASS_ROLE_CODES[(reached, False)], *starred)] if starred else []


def _reaches_pass_role(statement: dict[str, Any], actions: list[Item]) -> str | None:
    patterns = [value for value, _ in actions if isinstance(value, str)]
    if "NotAction" in statement:
        excluded = any(wildcard_regex(value, ignore_case=True).fullmatch(PASS_ROLE) for value in patterns)
        return None if excluded else "not_action"
    if any(value.lower() == PASS_ROLE.lower() for value in patterns):
        return "named"
    if any(wildcard_regex(value, ignore_case=True).fullmatch(PASS_ROLE) for value in patterns):
        return "wildcard"
    return None


def _may_name_roles(resource: str) -> bool:
    """A resource with ``*`` that can match more than one role ARN."""
    if resource == "*":
        return True
    if "*" not in resource:
        return False
    parts = resource.split(":", 5)
    return len(parts) == 6 and bool(re.fullmatch(r"[*?]*iam[*?]*|[*?]+", parts[2]))


def _names_passed_to_service(condition: Any) -> bool:
    if not isinstance(condition, dict):
        return False
    return any(isinstance(keys, dict) and any(key.lower() == "iam:passedtoservice" for key in keys)
               for keys in condition.values())
