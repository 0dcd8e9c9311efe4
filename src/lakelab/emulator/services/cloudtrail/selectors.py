"""Which events a trail delivers: its event selectors, basic or advanced.

A trail with no selectors delivers every management event and no data event. Basic selectors
(``PutEventSelectors`` with ``EventSelectors``) choose management events by ``ReadWriteType`` and
``IncludeManagementEvents``, and data events by ``DataResources``: ``AWS::S3::Object`` with
``arn:aws:s3`` (every bucket) or ``arn:aws:s3:::bucket/prefix``, ``AWS::Lambda::Function`` with
``arn:aws:lambda`` or a function ARN. Advanced selectors match record fields (``eventCategory``,
``resources.type``, ``resources.ARN``, ``readOnly``, ``eventName``, ``eventSource``) with
``Equals``, ``StartsWith``, ``EndsWith`` and their negations.
"""

from __future__ import annotations

from typing import Any

_EVERY = {"AWS::S3::Object": ("arn:aws:s3", "arn:aws:s3:::"), "AWS::Lambda::Function": ("arn:aws:lambda",)}


def wants(trail: Any, record: dict[str, Any]) -> bool:
    """Whether ``trail`` (moto's Trail) delivers ``record``."""
    if trail.advanced_event_selectors and not trail.event_selectors:
        return any(_advanced_match(selector, record) for selector in trail.advanced_event_selectors)
    selectors = trail.event_selectors or [{"ReadWriteType": "All", "IncludeManagementEvents": True}]
    return any(_basic_match(selector, record) for selector in selectors)


def _read_write_matches(selector: dict[str, Any], record: dict[str, Any]) -> bool:
    kind = selector.get("ReadWriteType", "All")
    return kind == "All" or (kind == "ReadOnly") == bool(record.get("readOnly"))


def _basic_match(selector: dict[str, Any], record: dict[str, Any]) -> bool:
    if not _read_write_matches(selector, record):
        return False
    if record.get("managementEvent"):
        excluded = selector.get("ExcludeManagementEventSources") or []
        return selector.get("IncludeManagementEvents", True) and record["eventSource"] not in excluded
    return any(_data_resource_matches(resource, record) for resource in selector.get("DataResources") or [])


def _data_resource_matches(data_resource: dict[str, Any], record: dict[str, Any]) -> bool:
    kind, values = data_resource.get("Type"), data_resource.get("Values") or []
    arns = _selectable_arns(kind, record.get("resources") or ())
    if not arns:
        return False
    if any(value in _EVERY[kind] for value in values):
        return True
    return any(_arn_selected(kind, value, arn) for value in values for arn in arns)


def _selectable_arns(kind: Any, resources: Any) -> list[str]:
    """The ARNs a data resource of ``kind`` is matched against: objects, else the listed bucket."""
    if kind == "AWS::Lambda::Function":
        return [r["ARN"] for r in resources if r["type"] == kind]
    if kind != "AWS::S3::Object":
        return []
    objects = [r["ARN"] for r in resources if r["type"] == "AWS::S3::Object"]
    return objects or [r["ARN"] + "/" for r in resources if r["type"] == "AWS::S3::Bucket"]


def _arn_selected(kind: str, value: str, arn: str) -> bool:
    if kind == "AWS::Lambda::Function":
        return arn == value or arn.startswith(value + ":")  # a function ARN covers its versions
    bucket, slash, _ = value.partition(":::")[2].partition("/")
    if not slash:
        value += "/"  # "arn:aws:s3:::bucket" means the whole bucket
    if arn.endswith("/") and arn.count("/") == 1:  # a bucket listing: selected by its bucket
        return arn == f"arn:aws:s3:::{bucket}/"
    return arn.startswith(value)


def _advanced_match(selector: dict[str, Any], record: dict[str, Any]) -> bool:
    return all(_field_matches(field, record) for field in selector.get("FieldSelectors") or [])


def _field_values(field: str, record: dict[str, Any]) -> list[str]:
    if field == "resources.type":
        return [r["type"] for r in record.get("resources") or ()]
    if field == "resources.ARN":
        return [r["ARN"] for r in record.get("resources") or ()]
    if field == "readOnly":
        return ["true" if record.get("readOnly") else "false"]
    value = record.get(field)
    return [] if value is None else [str(value)]


def _field_matches(field: dict[str, Any], record: dict[str, Any]) -> bool:
    values = _field_values(field.get("Field", ""), record)
    tests = {
        "Equals": lambda value, wanted: value == wanted,
        "StartsWith": str.startswith,
        "EndsWith": str.endswith,
    }
    for name, test in tests.items():
        if field.get(name) and not any(test(v, w) for v in values for w in field[name]):
            return False
        if field.get(f"Not{name}") and any(test(v, w) for v in values for w in field[f"Not{name}"]):
            return False
    return True
