"""Sweepers for AppFlow: flows (tagged), then connector profiles (which take no tags).

A flow carries its tags (ListFlows answers them). A connector profile cannot be tagged (AppFlow's
TagResource takes a flow's ARN), so a profile named with the prefix is the course's, with the tags of a
course flow that reads through it, else of the week whose entry names it. Flows go first, with
``forceDelete`` (a flow in the middle of a run is deleted too); then their profiles.
"""

from __future__ import annotations

import boto3

from lakelab.lab.sweepers import Found, _quietly, tags_by_name

KINDS = ("flow", "connector profile")


def _pages(call, key: str) -> list[dict]:
    """Every item of an AppFlow listing (botocore has no paginators for AppFlow: follow ``nextToken``)."""
    items, token = [], None
    while True:
        page = call(**({"nextToken": token} if token else {}))
        items += page.get(key, [])
        token = page.get("nextToken")
        if not token:
            return items


def _flows(appflow) -> list[dict]:
    return _pages(appflow.list_flows, "flows")


def flows(prefix: str) -> Found:
    appflow = boto3.client("appflow")
    for flow in sorted(_flows(appflow), key=lambda f: f["flowName"]):
        if flow["flowName"].startswith(prefix):
            name = flow["flowName"]
            yield name, flow.get("tags") or {}, lambda n=name: _quietly(appflow.delete_flow, flowName=n,
                                                                        forceDelete=True)


def connector_profiles(prefix: str) -> Found:
    appflow = boto3.client("appflow")
    names = sorted(p["connectorProfileName"] for p in _pages(appflow.describe_connector_profiles,
                                                               "connectorProfileDetails"))
    flow_tags = _tags_of_flows_using(appflow, prefix)
    for name in (n for n in names if n.startswith(prefix)):
        tags = flow_tags.get(name) or tags_by_name(prefix, KINDS, "connector profile",
                                                   lambda purpose, n=name: n == prefix + purpose)
        yield name, tags, lambda n=name: _quietly(appflow.delete_connector_profile, connectorProfileName=n,
                                                  forceDelete=True)


def _tags_of_flows_using(appflow, prefix: str) -> dict[str, dict[str, str]]:
    """Connector profile -> the tags of a course flow (named with the prefix) that reads through it."""
    found: dict[str, dict[str, str]] = {}
    for flow in _flows(appflow):
        if flow["flowName"].startswith(prefix) and flow.get("tags"):
            source = appflow.describe_flow(flowName=flow["flowName"])["sourceFlowConfig"]
            if source.get("connectorProfileName"):
                found.setdefault(source["connectorProfileName"], flow["tags"])
    return found
