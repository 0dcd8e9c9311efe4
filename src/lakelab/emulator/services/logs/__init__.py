"""CloudWatch Logs: FilterLogEvents honours ``logStreamNamePrefix``, as the API reference says.

moto reads ``logStreamNames`` only and answers every stream of the group for a prefix, so a
check reading one Glue run's ``<run id>-driver`` stream by prefix would read every run's. Here a
prefix narrows the streams (none matching: no events), and naming both ``logStreamNames`` and
``logStreamNamePrefix`` is refused with ``InvalidParameterException``, as AWS refuses it.
The one writer of log events the other services use is ``common/logs.py``.
"""

from __future__ import annotations

import json
from typing import Any

from lakelab.emulator import seam
from lakelab.emulator.seam import Patch

SERVICES = ("logs",)

PATCHES = (
    Patch("LogsResponse", "filter_log_events", wrap="lakelab.emulator.services.logs:honours_stream_prefix",
          why="moto ignores logStreamNamePrefix and answers the events of every stream"),
)


def honours_stream_prefix(filter_log_events: Any) -> Any:
    def filter_by_prefix(response: Any) -> str:
        prefix = response._get_param("logStreamNamePrefix")
        if not prefix:
            return filter_log_events(response)
        if response._get_param("logStreamNames"):
            raise seam.LogsInvalidParameterException(
                "Cannot specify both logStreamNames and logStreamNamePrefix")
        group_name = response._get_param("logGroupName")
        group = response.logs_backend.groups.get(group_name)
        names = sorted(name for name in (group.streams if group else {}) if name.startswith(prefix))
        if group is not None and not names:
            return json.dumps({"events": [], "searchedLogStreams": []})
        events, next_token, searched = response.logs_backend.filter_log_events(
            group_name, names, response._get_param("startTime"), response._get_param("endTime"),
            response._get_param("limit"), response._get_param("nextToken"), response._get_param("filterPattern"),
            response._get_param("interleaved", False))
        return json.dumps({"events": events, "nextToken": next_token, "searchedLogStreams": searched})

    return filter_by_prefix
