"""``PutDashboard``'s body checked against the dashboard body structure
(https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/CloudWatch-Dashboard-Body-Structure.html).

A body that is not a JSON object, lacks ``widgets``, or has a widget without a known ``type`` or
``properties`` (metric widgets: ``metrics`` or an alarm annotation, and ``region``) is refused
with ``InvalidParameterInput`` and ``DashboardValidationMessages`` (``DataPath``, ``Message``), in the
shape of AWS's "The dashboard body is invalid, there are N validation errors" answer. Checks
beyond these (every property's type) are not made.
"""

from __future__ import annotations

import json
from typing import Any

from lakelab.emulator import seam

WIDGET_TYPES = ("metric", "text", "log", "alarm", "explorer", "custom")


def errors(body: str) -> list[dict[str, str]]:
    """The validation messages of a dashboard body (none: it is accepted)."""
    try:
        document = json.loads(body)
    except (TypeError, ValueError) as error:
        return [{"DataPath": "", "Message": f"Invalid JSON: {error}"}]
    if not isinstance(document, dict):
        return [{"DataPath": "", "Message": "Should be object"}]
    widgets = document.get("widgets")
    if widgets is None:
        return [{"DataPath": "", "Message": "Should have required property 'widgets'"}]
    if not isinstance(widgets, list):
        return [{"DataPath": "/widgets", "Message": "Should be array"}]
    found = []
    for number, widget in enumerate(widgets):
        found += _widget(f"/widgets/{number}", widget)
    return found


def _widget(path: str, widget: Any) -> list[dict[str, str]]:
    if not isinstance(widget, dict):
        return [{"DataPath": path, "Message": "Should be object"}]
    if widget.get("type") not in WIDGET_TYPES:
        return [{"DataPath": f"{path}/type",
                 "Message": f"Should be equal to one of the allowed values {list(WIDGET_TYPES)}"}]
    properties = widget.get("properties")
    if not isinstance(properties, dict):
        return [{"DataPath": path, "Message": "Should have required property 'properties'"}]
    found = []
    if widget["type"] == "metric":
        if "region" not in properties:
            found.append({"DataPath": f"{path}/properties", "Message": "Should have required property 'region'"})
        metrics = properties.get("metrics")
        if metrics is None and "annotations" not in properties:
            found.append({"DataPath": f"{path}/properties", "Message": "Should have required property 'metrics'"})
        elif metrics is not None and not isinstance(metrics, list):
            found.append({"DataPath": f"{path}/properties/metrics", "Message": "Should be array"})
    if widget["type"] == "text" and "markdown" not in properties:
        found.append({"DataPath": f"{path}/properties", "Message": "Should have required property 'markdown'"})
    return found


def check(body: str) -> None:
    found = errors(body)
    if not found:
        return
    listed = json.dumps([{"dataPath": m["DataPath"], "message": m["Message"]} for m in found], indent=1)
    error = seam.CloudWatchDashboardInvalidInput(
        f"The dashboard body is invalid, there are {len(found)} validation errors:\n{listed}")
    error.dashboardValidationMessages = found  # type: ignore[attr-defined]
    error.dashboard_validation_messages = found  # type: ignore[attr-defined]
    raise error
