"""CloudWatch Logs: stream prefixes honoured, metric filters that publish, subscription filters that
match, and Logs Insights queries.

- FilterLogEvents honours ``logStreamNamePrefix``, as the API reference says. moto reads
  ``logStreamNames`` only and answers every stream of the group for a prefix, so a check reading
  one Glue run's ``<run id>-driver`` stream by prefix would read every run's. Here a prefix narrows
  the streams (none matching: no events), and naming both ``logStreamNames`` and
  ``logStreamNamePrefix`` is refused with ``InvalidParameterException``, as AWS refuses it.
- ``filter_patterns``: the filter pattern syntax (terms, JSON, space-delimited), shared by
  FilterLogEvents (``log_events``), ``metric_filters`` (PutMetricFilter checked, TestMetricFilter,
  metrics put as events arrive) and ``subscriptions`` (events a subscription filter matches,
  delivered to Lambda, Firehose, Kinesis or Logs after the request is answered; a Lambda
  destination's resource policy checked when the filter is put).
- ``insights`` (StartQuery, GetQueryResults, StopQuery, DescribeQueries; the records and the commands
  run over them), ``insights_language`` (the query parsed into commands), ``insights_tokens`` (the
  query text cut into tokens; errors located in AWS's words), ``insights_values`` (expressions'
  values, comparisons, shown values, the sort order): Logs Insights.

The one writer of log events the other services use is ``common/logs.py``; events it writes
pass through the same stream method, so metric filters and subscriptions see Lambda's, Glue's
and crawlers' logs too.

Fidelity notes:

> Metric filters put one datum per matching event (AWS aggregates per minute: statistics agree,
> ``SampleCount`` differs). A subscription filter's role is not evaluated; a Lambda destination's
> resource policy is, when the filter is put. Logs Insights runs each query at once and completely
> (no ``Scheduled``/``Running``), and refuses commands and functions it does not implement
> (``dedup``, ``unmask``, ``pattern``, ``diff``, ``filterIndex``, ``SOURCE``, date functions other
> than ``bin``, ``fromMillis``, ``toMillis``) with ``MalformedQueryException``.
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
    Patch("LogsLogStream", "filter_log_events", value=".log_events:filter_log_events",
          why="moto answers every event for a JSON, space-delimited, ? or - pattern; here patterns match"),
    Patch("LogsLogStream", "put_log_events", value=".subscriptions:put_log_events",
          why="metric filters publish; subscription filters send only matching events, after the request"),
    Patch("LogsBackend", "put_subscription_filter", wrap=".subscriptions:checks_lambda_permission",
          why="the pattern is checked, and a Lambda destination must allow CloudWatch Logs to invoke it"),
    Patch("LogsBackend", "put_metric_filter", wrap=".metric_filters:checks_put",
          why="the pattern and transformations are checked, and a put replaces the filter of that name"),
    Patch("LogsResponse", "test_metric_filter", value=".metric_filters:test_metric_filter", adds=True,
          why="moto has no TestMetricFilter"),
    Patch("LogsResponse", "start_query", value=".insights:start_query",
          why="moto's Logs Insights reads a few commands and ignores the rest; here queries run or are refused"),
    Patch("LogsResponse", "get_query_results", value=".insights:get_query_results",
          why="results in AWS's shape, with statistics"),
    Patch("LogsResponse", "stop_query", value=".insights:stop_query", adds=True,
          why="moto has no StopQuery"),
    Patch("LogsResponse", "describe_queries", value=".insights:describe_queries",
          why="the queries this package ran"),
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
