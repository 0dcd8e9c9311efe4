"""The CRM a Salesforce connector profile reaches: the course's seeded dataset, not Salesforce.

Each account and region has its own copy of ``datasets/crm/`` (objects ``Account`` and
``Opportunity``), loaded on first use and forgotten on reset. :func:`edit` changes a record and sets
its ``LastModifiedDate`` to now, as saving a record in Salesforce does; the kit's
``lakelab.lab.crm.edit_record`` reaches it through the emulator (``api``'s ``/_lakelab/crm`` route).
"""

from __future__ import annotations

import csv
import datetime as dt
import threading
from typing import Any

from lakelab.course import crm as seeded
from lakelab.course import datasets
from lakelab.emulator.services.appflow.errors import not_found, validation

OBJECTS = {"Account": "crm_accounts", "Opportunity": "crm_opportunities"}
# Salesforce's field types, which typed destinations (JSON; Parquet that preserves source typing) keep.
FIELD_TYPES = {"NumberOfEmployees": "int", "AnnualRevenue": "double", "Amount": "double", "Probability": "double"}
DATETIME_FIELDS = ("CreatedDate", "LastModifiedDate")
_lock = threading.RLock()
_orgs: dict[tuple[str, str], dict[str, list[dict[str, str]]]] = {}


def records(account_id: str, region: str, name: str) -> list[dict[str, str]]:
    """A copy of every record of object ``name`` (a ValidationException for an object the CRM lacks)."""
    with _lock:
        return [dict(row) for row in _org(account_id, region)[_object(name)]]


def fields(name: str) -> tuple[str, ...]:
    return seeded.ACCOUNT_FIELDS if _object(name) == "Account" else seeded.OPPORTUNITY_FIELDS


def _object(name: str) -> str:
    if name not in OBJECTS:
        raise validation(f"Object {name} does not exist in the connector's entity list (this emulator's CRM has "
                         f"{', '.join(OBJECTS)}).")  # wording unverified
    return name


def _org(account_id: str, region: str) -> dict[str, list[dict[str, str]]]:
    key = (account_id, region)
    if key not in _orgs:
        loaded = {}
        for name, dataset in OBJECTS.items():
            with open(datasets.path(dataset), encoding="utf-8", newline="") as handle:
                loaded[name] = list(csv.DictReader(handle))
        _orgs[key] = loaded
    return _orgs[key]


def edit(account_id: str, region: str, name: str, record_id: str, changes: dict[str, Any],
         now: dt.datetime | None = None) -> dict[str, str]:
    """Change record ``record_id`` of ``name`` and stamp its ``LastModifiedDate``; returns the record."""
    unknown = sorted(set(changes) - set(fields(name)))
    if unknown or "Id" in changes or "LastModifiedDate" in changes:
        raise validation(f"Fields that cannot be set on {name}: {', '.join(unknown or ['Id', 'LastModifiedDate'])}.")
    with _lock:
        for row in _org(account_id, region)[_object(name)]:
            if row["Id"] == record_id:
                row.update({field: "" if value is None else str(value) for field, value in changes.items()})
                row["LastModifiedDate"] = seeded.salesforce_datetime(now or dt.datetime.now(dt.timezone.utc))
                return dict(row)
    raise not_found(f"No {name} record has Id {record_id}.")


def parse_datetime(text: str) -> dt.datetime:
    """Salesforce's ``2024-03-05T14:22:05.000+0000`` (or ISO 8601) as an aware datetime."""
    return dt.datetime.fromisoformat(text.replace("+0000", "+00:00").replace("Z", "+00:00"))


def forget() -> None:
    with _lock:
        _orgs.clear()
