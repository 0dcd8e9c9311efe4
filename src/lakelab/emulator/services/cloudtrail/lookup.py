"""LookupEvents: Event history searched by one attribute and a time range, newest first, in pages.

moto has no LookupEvents (it raises NotImplementedError); this answers it from
:mod:`~lakelab.emulator.services.cloudtrail.history`, with the API's limits and errors: at most one
lookup attribute, ``MaxResults`` from 1 to 50 (default 50), ``StartTime`` not after ``EndTime``,
and a ``NextToken`` valid only for the query that returned it.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
from typing import Any

from lakelab.emulator import seam
from lakelab.emulator.services.cloudtrail import history
from lakelab.emulator.services.cloudtrail.history import LOOKUP_KEYS

DEFAULT_RESULTS, MOST_RESULTS = 50, 50


def _error(code: str, message: str) -> Exception:
    return seam.JsonRESTError(code, message)


def lookup_events(response: Any) -> str:
    """moto's CloudTrailResponse.lookup_events: the API's answer as JSON."""
    from lakelab.emulator import pipeline

    pipeline.settle()  # every call answered before this one is in the history
    params = json.loads(response.body or "{}")
    attribute = _attribute(params.get("LookupAttributes") or [])
    start, end = _time(params.get("StartTime")), _time(params.get("EndTime"))
    if start is not None and end is not None and start > end:
        raise _error("InvalidTimeRangeException", "Start time must be before end time.")
    limit = _limit(params.get("MaxResults"))
    if params.get("EventCategory") not in (None, "insight"):
        raise _error("InvalidEventCategoryException", f"Invalid event category: {params['EventCategory']}")
    query = _fingerprint(attribute, start, end, params.get("EventCategory"))
    before = _read_token(params.get("NextToken"), query)
    events = history.of(response.current_account, response.region)
    if params.get("EventCategory") == "insight":  # Insights events are not emulated: none to find
        return json.dumps({"Events": []})
    events.expire()
    page, more = events.lookup(attribute, start, end, before, limit)
    answer: dict[str, Any] = {"Events": [history.result(event) for event in page]}
    if more and page:
        answer["NextToken"] = _token(page[-1].position, query)
    return json.dumps(answer)


def _attribute(attributes: list[dict[str, Any]]) -> tuple[str, str] | None:
    if len(attributes) > 1:
        raise _error("InvalidLookupAttributesException", "You can specify at most one lookup attribute.")
    if not attributes:
        return None
    key, value = attributes[0].get("AttributeKey"), attributes[0].get("AttributeValue")
    if key not in LOOKUP_KEYS:
        raise _error("InvalidLookupAttributesException",
                     f"Invalid lookup attribute key: {key}. Valid keys are {', '.join(LOOKUP_KEYS)}.")
    if not value:
        raise _error("InvalidLookupAttributesException", f"The value of lookup attribute {key} cannot be empty.")
    return (key, value.lower() if key == "ReadOnly" else value)


def _limit(requested: Any) -> int:
    if requested is None:
        return DEFAULT_RESULTS
    if not isinstance(requested, int) or not 1 <= requested <= MOST_RESULTS:
        raise _error("InvalidMaxResultsException", f"MaxResults must be between 1 and {MOST_RESULTS}.")
    return requested


def _time(value: Any) -> int | None:
    """Whole seconds since the epoch (SDKs send numbers; a hand-written call may send ISO text)."""
    if value is None:
        return None
    if isinstance(value, (int, float)):
        return int(value)
    try:
        moment = dt.datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        raise _error("InvalidTimeRangeException", f"Invalid time: {value}") from None
    return int(moment.replace(tzinfo=moment.tzinfo or dt.timezone.utc).timestamp())


def _fingerprint(*query: Any) -> str:
    return hashlib.sha256(json.dumps(query, default=str).encode()).hexdigest()[:16]


def _token(position: tuple[int, int], query: str) -> str:
    return base64.urlsafe_b64encode(json.dumps([position[0], position[1], query]).encode()).decode()


def _read_token(token: str | None, query: str) -> tuple[int, int] | None:
    if not token:
        return None
    try:
        seconds, sequence, issued_for = json.loads(base64.urlsafe_b64decode(token.encode()))
    except (ValueError, TypeError):
        raise _error("InvalidNextTokenException", "Invalid NextToken.") from None
    if issued_for != query:  # AWS refuses a token used with other parameters than its query's
        raise _error("InvalidNextTokenException", "Invalid NextToken.")
    return (int(seconds), int(sequence))
