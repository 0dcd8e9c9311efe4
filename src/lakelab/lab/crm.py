"""Edit a record in the course's CRM, as a salesperson would in Salesforce, for AppFlow's incremental pulls.

On the local emulator the Salesforce connector reads a seeded CRM (``datasets/crm/``): saving a change
stamps the record's ``LastModifiedDate`` with now, so the next incremental run of a flow picks it up,
and only it. On a real account there is no seeded CRM: edit the record in your Salesforce org.
"""

from __future__ import annotations

import json
from typing import Any

EDIT_PATH = "/_lakelab/crm/edit-record"


def edit_record(object_name: str, record_id: str, changes: dict[str, Any], session: Any = None) -> dict[str, str]:
    """Change fields of one CRM record and return the record as saved.

    Parameters
    ----------
    object_name : str
        ``"Account"`` or ``"Opportunity"``.
    record_id : str
        The record's ``Id``, e.g. ``"0015g0000000000001"``.
    changes : dict
        Field -> new value, e.g. ``{"AnnualRevenue": 2500000}``; ``Id`` and ``LastModifiedDate`` are
        not yours to set.
    session : boto3.Session, optional
        Whose credentials sign the request (the default session otherwise).
    """
    import boto3
    import urllib3
    from botocore.auth import SigV4Auth
    from botocore.awsrequest import AWSRequest

    session = session or boto3.Session()
    client = session.client("appflow")
    endpoint = client.meta.endpoint_url.rstrip("/")
    if "amazonaws.com" in endpoint:
        raise RuntimeError("edit_record changes the course's seeded CRM, which only the local emulator has: on a "
                           "real account, edit the record in your Salesforce org.")
    body = json.dumps({"object": object_name, "id": record_id, "changes": changes})
    request = AWSRequest("POST", endpoint + EDIT_PATH, data=body, headers={"Content-Type": "application/json"})
    SigV4Auth(session.get_credentials().get_frozen_credentials(), "appflow", client.meta.region_name).add_auth(request)
    answer = urllib3.request("POST", request.url, body=body.encode(), headers=dict(request.headers), timeout=30)
    payload = json.loads(answer.data or b"{}")
    if answer.status != 200:
        raise ValueError(f"{answer.headers.get('x-amzn-ErrorType', 'Error')}: {payload.get('message')}")
    return payload["record"]
