"""ListConnectorEntities and DescribeConnectorEntity for the CRM: the objects a flow can read and their fields.

Objects are grouped under ``Objects`` (Salesforce's group, unverified); each field reports
Salesforce's type (``id``, ``string``, ``picklist``, ``int``, ``double``, ``currency``, ``percent``,
``date``, ``datetime``, ``phone``, ``reference``), the filter operators AppFlow offers for it
(this emulator's subset), and whether incremental pulls may use it (``CreatedDate`` and
``LastModifiedDate``).
"""

from __future__ import annotations

from typing import Any

from lakelab.emulator.services.appflow import crm, profiles
from lakelab.emulator.services.appflow.errors import validation
from lakelab.emulator.services.appflow.tasks import COMPARISONS

TYPES = {"Id": "id", "AccountId": "reference", "Type": "picklist", "Industry": "picklist", "StageName": "picklist",
         "BillingCountry": "picklist", "Phone": "phone", "NumberOfEmployees": "int", "AnnualRevenue": "currency",
         "Amount": "currency", "Probability": "percent", "CloseDate": "date", "CreatedDate": "datetime",
         "LastModifiedDate": "datetime"}
LABELS = {"Id": "Record ID", "AccountId": "Account ID", "Customer_Id__c": "Customer Id", "StageName": "Stage",
          "NumberOfEmployees": "Employees", "AnnualRevenue": "Annual Revenue", "CloseDate": "Close Date",
          "CreatedDate": "Created Date", "LastModifiedDate": "Last Modified Date", "BillingCity": "Billing City",
          "BillingCountry": "Billing Country"}


def _checked_profile(found: Any, body: dict[str, Any]) -> None:
    if body.get("connectorType") not in (None, "Salesforce"):
        raise validation(f"Connector type {body['connectorType']} has no entities in this emulator (Salesforce has).")
    profiles.get(found.profiles, str(body.get("connectorProfileName") or ""))


def list_entities(found: Any, body: dict[str, Any]) -> dict[str, Any]:
    _checked_profile(found, body)
    return {"connectorEntityMap": {"Objects": [{"name": name, "label": name, "hasNestedEntities": False}
                                               for name in crm.OBJECTS]}}


def describe_entity(found: Any, body: dict[str, Any]) -> dict[str, Any]:
    _checked_profile(found, body)
    return {"connectorEntityFields": [_field(name) for name in crm.fields(str(body.get("connectorEntityName") or ""))]}


def _field(name: str) -> dict[str, Any]:
    kind = TYPES.get(name, "string")
    operators = ["PROJECTION", *(c for c in COMPARISONS if kind != "id" or c in ("EQUAL_TO", "NOT_EQUAL_TO"))]
    return {"identifier": name, "label": LABELS.get(name, name), "isPrimaryKey": name == "Id",
            "supportedFieldTypeDetails": {"v1": {"fieldType": kind, "filterOperators": operators}},
            "sourceProperties": {"isRetrievable": True, "isQueryable": True,
                                 "isTimestampFieldForIncrementalQueries": name in crm.DATETIME_FIELDS}}
