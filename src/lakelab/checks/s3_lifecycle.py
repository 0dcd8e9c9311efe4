"""What an S3 lifecycle configuration does to one object, worked out as S3 applies it.

Checks judge lifecycle rules by their effect on sample objects, never by their text: one rule or
several, ``Prefix`` or ``And``, the legacy rule-level ``Prefix``, all give the same answer when S3
would do the same thing. What S3 does (S3 user guide: "Lifecycle configuration elements",
"Transitioning objects", "Expiring objects", "How Amazon S3 handles conflicts"):

- a rule applies when it is ``Enabled`` and its filter matches: key prefix, every tag, and the
  size bounds ``ObjectSizeGreaterThan`` < size < ``ObjectSizeLessThan``;
- objects under 128 KB are not transitioned by default (``all_storage_classes_128K``); with
  ``varies_by_storage_class`` only to GLACIER and DEEP_ARCHIVE; a rule's own size filter overrides both;
- overlapping expirations: the shortest wins; permanent deletion takes precedence over transition;
- in a versioning-enabled bucket, expiring the current version only adds a delete marker: the
  data stays, as a noncurrent version, until ``NoncurrentVersionExpiration`` removes it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

SMALL_OBJECT_BYTES = 128 * 1024
ALL_STORAGE_CLASSES_128K, VARIES_BY_STORAGE_CLASS = "all_storage_classes_128K", "varies_by_storage_class"
SMALL_OBJECTS_MAY_GO_TO = ("GLACIER", "DEEP_ARCHIVE")  # under varies_by_storage_class


@dataclass(frozen=True)
class Sample:
    """An object to try the rules on."""

    key: str
    size: int
    tags: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Fate:
    """What the lifecycle does to one object that is never overwritten (days after its creation)."""

    sample: Sample
    transitions: tuple[tuple[int, str], ...]  # (day, storage class), in order
    expires: int | None  # the day the current version expires
    noncurrent_days: int | None  # how long a version is kept once noncurrent
    multipart_days: int | None  # how long an unfinished multipart upload under this key is kept
    versioned: bool

    @property
    def gone_after(self) -> int | None:
        """The day no version of the object is stored any more (None: kept for ever)."""
        if self.expires is None or not self.versioned:
            return self.expires
        return None if self.noncurrent_days is None else self.expires + self.noncurrent_days

    def describe(self) -> str:
        moves = ", ".join(f"{storage_class} on day {day}" for day, storage_class in self.transitions)
        parts = [moves or "stays in STANDARD"]
        if self.expires is None:
            parts.append("never expires")
        else:
            gone = self.gone_after
            after = f"gone on day {gone}" if gone is not None else "its data then kept for ever as a noncurrent version"
            parts.append(f"expires on day {self.expires}" + (f" ({after})" if self.versioned else ""))
        parts.append("old versions kept " + _days(self.noncurrent_days))
        parts.append("unfinished uploads kept " + _days(self.multipart_days))
        return f"{self.sample.key} ({self.sample.size:,} bytes): " + "; ".join(parts)


def _days(days: int | None) -> str:
    return "for ever" if days is None else f"{days} day(s)"


def rule_filter(rule: dict) -> dict:
    """The rule's conditions as one flat dict (Prefix, Tags, ObjectSizeGreaterThan, ObjectSizeLessThan)."""
    if "Filter" not in rule:  # the legacy rule-level Prefix
        return {"Prefix": rule.get("Prefix") or "", "Tags": []}
    given = rule.get("Filter") or {}
    flat = {**(given.get("And") or {}), **{k: v for k, v in given.items() if k != "And"}}
    flat["Tags"] = list(flat.get("Tags") or []) + ([flat.pop("Tag")] if flat.get("Tag") else [])
    return flat


def applies(rule: dict, sample: Sample) -> bool:
    conditions = rule_filter(rule)
    if rule.get("Status") != "Enabled" or not sample.key.startswith(conditions.get("Prefix") or ""):
        return False
    if any(sample.tags.get(tag.get("Key")) != tag.get("Value") for tag in conditions["Tags"]):
        return False
    above, below = conditions.get("ObjectSizeGreaterThan"), conditions.get("ObjectSizeLessThan")
    return (above is None or sample.size > above) and (below is None or sample.size < below)


def _may_transition(rule: dict, storage_class: str, size: int, default_minimum: str) -> bool:
    conditions = rule_filter(rule)
    if size >= SMALL_OBJECT_BYTES or {"ObjectSizeGreaterThan", "ObjectSizeLessThan"} & conditions.keys():
        return True
    return default_minimum == VARIES_BY_STORAGE_CLASS and storage_class in SMALL_OBJECTS_MAY_GO_TO


def _shortest(values) -> int | None:
    found = [v for v in values if isinstance(v, int)]
    return min(found) if found else None


def fate(configuration: dict, sample: Sample, versioned: bool = True) -> Fate:
    """What ``configuration`` (GetBucketLifecycleConfiguration's answer) does to ``sample``."""
    default_minimum = configuration.get("TransitionDefaultMinimumObjectSize") or ALL_STORAGE_CLASSES_128K
    rules = [rule for rule in configuration.get("Rules") or [] if isinstance(rule, dict) and applies(rule, sample)]
    expires = _shortest((rule.get("Expiration") or {}).get("Days") for rule in rules)
    moves = sorted({(t["Days"], t.get("StorageClass", "")) for rule in rules for t in rule.get("Transitions") or []
                    if isinstance(t.get("Days"), int)
                    and _may_transition(rule, t.get("StorageClass", ""), sample.size, default_minimum)})
    # Permanent deletion wins over a transition on the same day; a delete marker does not.
    moves = [(day, c) for day, c in moves if expires is None or day < expires or (versioned and day == expires)]
    return Fate(sample, tuple(moves), expires,
                _shortest((rule.get("NoncurrentVersionExpiration") or {}).get("NoncurrentDays") for rule in rules),
                _shortest((rule.get("AbortIncompleteMultipartUpload") or {}).get("DaysAfterInitiation")
                          for rule in rules if not rule_filter(rule)["Tags"]),
                versioned)
