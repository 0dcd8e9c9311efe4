"""FilterLogEvents' ``filterPattern`` read with the filter pattern syntax, as metric filters read it.

moto matches only bare and quoted terms, and answers every event for any other pattern (a JSON or
space-delimited one, ``?`` or ``-`` terms): a learner filtering ``{ $.level = "ERROR" }`` would get
every event. Here the pattern means what it means for a metric filter (``filter_patterns``), and a
pattern that does not parse is refused with ``InvalidParameterException``.
"""

from __future__ import annotations

from typing import Any

from lakelab.emulator.services.logs import metric_filters


def filter_log_events(self: Any, start_time: int, end_time: int, filter_pattern: str) -> list[dict[str, Any]]:
    """moto's ``LogStream.filter_log_events``, with the pattern matched as AWS documents it."""
    compiled = metric_filters.pattern(filter_pattern)
    found = []
    for event in sorted(self.events, key=lambda e: e.timestamp):
        if (start_time and event.timestamp < start_time) or (end_time and event.timestamp > end_time):
            continue
        if compiled.match(event.message) is None:
            continue
        answer = event.to_filter_dict()
        answer["logStreamName"] = self.log_stream_name
        found.append(answer)
    return found
