"""Checks on resource ARNs: prefix, fields, partition, service, Region and account as the service's ARNs have them.

An ARN is compared with the ARN formats of its service's resource types (``catalog``) whose
resource part it fits (``bucket/key`` fits S3's object, not its access points): a Region or an
account where none of them has one is an error, so is a Region missing where all of them have
one, and so is a resource part that fits no format (unless a wildcard or a policy variable could
make it fit one).
"""

from __future__ import annotations

import re

from lakelab.emulator.services.accessanalyzer import catalog
from lakelab.emulator.services.accessanalyzer.findings import Finding, finding
from lakelab.emulator.services.accessanalyzer.spans import Path

PARTITIONS = ("aws", "aws-cn", "aws-us-gov", "aws-iso", "aws-iso-b", "aws-iso-e", "aws-iso-f", "aws-eusc")
_ACCOUNT = re.compile(r"\d{12}|aws")  # "aws" owns AWS managed policies: arn:aws:iam::aws:policy/...


def _open(text: str) -> bool:
    """Whether a field may stand for several values: a wildcard or a policy variable."""
    return "*" in text or "?" in text or "${" in text


def arn_findings(resource: str, path: Path) -> list[Finding]:
    """What is wrong with one Resource (or NotResource) entry; nothing for ``*``."""
    if resource == "*":
        return []
    if not resource.startswith("arn:"):
        return [finding("INVALID_ARN_PREFIX", path)]
    parts = resource.split(":", 5)
    if len(parts) < 6:
        return [finding("MISSING_ARN_FIELD", path)]
    _, partition, service, region, account, rest = parts
    if not _open(partition) and partition not in PARTITIONS:
        return [finding("INVALID_PARTITION", path, service=service, partition=partition,
                        partitions=", ".join(PARTITIONS))]
    if _open(service):
        return []
    if service != service.lower():
        return [finding("INVALID_ARN_SERVICE_CASE", path)]
    formats = catalog.arn_formats().get(service)
    if not formats:  # a service with actions but no resource types (Lake Formation) takes only "*"
        return [] if service in catalog.service_prefixes() else [finding("INVALID_SERVICE", path, service=service)]
    candidates = _candidates(rest, formats)
    if not candidates:  # a resource part no format of the service has (wildcards could match any)
        return [] if _open(rest) else [finding("INVALID_ARN_RESOURCE", path)]
    return _account_findings(account, service, candidates, path) + _region_findings(region, service, candidates, path)


def _candidates(rest: str, formats: tuple[catalog.ArnFormat, ...]) -> tuple[catalog.ArnFormat, ...]:
    """The resource types whose resource part ``rest`` may name (a wildcard taken for any one character)."""
    sample = re.sub(r"\$\{[^}]*\}", "x", rest).replace("*", "x").replace("?", "x")
    return tuple(f for f in formats if f.resource.fullmatch(sample))


def _account_findings(account: str, service: str, formats: tuple[catalog.ArnFormat, ...], path: Path) -> list[Finding]:
    if not account or _open(account):
        return []
    if not any(f.has_account for f in formats):
        return [finding("ARN_ACCOUNT_NOT_ALLOWED", path, service=service)]
    if not _ACCOUNT.fullmatch(account):
        return [finding("INVALID_ARN_ACCOUNT", path, account=account)]
    return []


def _region_findings(region: str, service: str, formats: tuple[catalog.ArnFormat, ...], path: Path) -> list[Finding]:
    if _open(region):
        return []
    if region and not any(f.has_region for f in formats):
        return [finding("ARN_REGION_NOT_ALLOWED", path, service=service)]
    if not region and all(f.has_region for f in formats):
        return [finding("MISSING_ARN_REGION", path, service=service)]
    return []
