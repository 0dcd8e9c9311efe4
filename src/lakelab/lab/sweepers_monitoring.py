"""Sweepers for what watches the pipeline: CloudWatch alarms and dashboards, Logs metric and subscription filters.

Alarms carry tags (CloudWatch's ListTagsForResource by the alarm's ARN). Dashboards, metric filters and
subscription filters carry none: a dashboard named with the prefix is the course's (``PutDashboard``
takes no tags), and so is a filter named with the prefix or on one of the course's log groups (a
function's ``/aws/lambda/<prefix>…`` group), with the tags of the week whose entry names it, else of
its log group.
"""

from __future__ import annotations

import re

import boto3

from lakelab.lab.sweepers import LAMBDA_LOG_GROUP, Found, _quietly, _tag_dict, log_group_tags, named_by, \
    tags_by_name

# What a composite alarm's rule names: ALARM(name), OK("name"), INSUFFICIENT_DATA(arn) ("PutCompositeAlarm",
# CloudWatch API reference); an ARN ends with ``alarm:<name>``.
_RULE_NAME = re.compile(r'\b(?:ALARM|OK|INSUFFICIENT_DATA)\s*\(\s*"?([^")]+?)"?\s*\)')


def composite_alarms(prefix: str) -> Found:
    """Composite alarms, each before the composite alarms its rule names: CloudWatch cannot delete an alarm
    a composite alarm still depends on, and DeleteAlarms takes one composite alarm at a time
    ("DeleteAlarms", CloudWatch API reference). Composite alarms in a cycle (which AWS does not evaluate)
    cannot be deleted until the learner breaks the cycle; DeleteAlarms then says so."""
    cloudwatch = boto3.client("cloudwatch")
    pages = cloudwatch.get_paginator("describe_alarms").paginate(AlarmNamePrefix=prefix, AlarmTypes=["CompositeAlarm"])
    listed = {alarm["AlarmName"]: alarm for page in pages for alarm in page.get("CompositeAlarms", [])}
    for name in _parents_first({name: _named_in(alarm["AlarmRule"]) for name, alarm in listed.items()}):
        tags = _tag_dict(cloudwatch.list_tags_for_resource(ResourceARN=listed[name]["AlarmArn"]).get("Tags", []))
        yield name, tags, lambda n=name: _delete_alarm(cloudwatch, n)


def _named_in(rule: str) -> set[str]:
    return {found.rsplit("alarm:", 1)[-1] for found in _RULE_NAME.findall(rule)}


def _parents_first(names: dict[str, set[str]]) -> list[str]:
    """Alarm names ordered so that each comes before the alarms its rule names (a cycle's, by name, last)."""
    ordered: list[str] = []
    left = dict(names)
    while left:
        named = {child for children in left.values() for child in children}
        ready = sorted(name for name in left if name not in named)
        if not ready:
            return ordered + sorted(left)
        ordered += ready
        for name in ready:
            del left[name]
    return ordered


def alarms(prefix: str) -> Found:
    """Metric alarms (after the composite alarms that name them)."""
    cloudwatch = boto3.client("cloudwatch")
    pages = cloudwatch.get_paginator("describe_alarms").paginate(AlarmNamePrefix=prefix, AlarmTypes=["MetricAlarm"])
    for alarm in sorted((a for page in pages for a in page.get("MetricAlarms", [])), key=lambda a: a["AlarmName"]):
        tags = _tag_dict(cloudwatch.list_tags_for_resource(ResourceARN=alarm["AlarmArn"]).get("Tags", []))
        yield alarm["AlarmName"], tags, lambda n=alarm["AlarmName"]: _delete_alarm(cloudwatch, n)


def _delete_alarm(cloudwatch, name: str) -> str:
    found = cloudwatch.describe_alarms(AlarmNames=[name], AlarmTypes=["MetricAlarm", "CompositeAlarm"])
    state = next((a["StateValue"] for a in found.get("MetricAlarms", []) + found.get("CompositeAlarms", [])), None)
    cloudwatch.delete_alarms(AlarmNames=[name])
    return f"was {state}" if state else ""


def dashboards(prefix: str) -> Found:
    """Dashboards named with the prefix: they carry no tags, so their name and the weeks' entries say whose."""
    cloudwatch = boto3.client("cloudwatch")
    pages = cloudwatch.get_paginator("list_dashboards").paginate(DashboardNamePrefix=prefix)
    for name in sorted(entry["DashboardName"] for page in pages for entry in page.get("DashboardEntries", [])):
        tags = tags_by_name(prefix, ("dashboard",), "dashboard", lambda purpose, n=name: n == prefix + purpose)
        yield name, tags, lambda n=name: _quietly(cloudwatch.delete_dashboards, DashboardNames=[n])


def metric_filters(prefix: str) -> Found:
    """Logs metric filters on the course's log groups, or named with the prefix on any group. They go before
    their log group (on the emulator, moto keeps a deleted group's filters; explicit is right everywhere)."""
    logs, aws_lambda = boto3.client("logs"), boto3.client("lambda")
    listed = [f for page in logs.get_paginator("describe_metric_filters").paginate() for f in page["metricFilters"]]
    group_tags: dict[str, dict[str, str]] = {}
    for found in sorted(listed, key=lambda f: (f["filterName"], f["logGroupName"])):
        name, group = found["filterName"], found["logGroupName"]
        if not name.startswith(prefix) and not group.startswith(LAMBDA_LOG_GROUP + prefix):
            continue
        if group not in group_tags:
            group_tags[group] = log_group_tags(logs, aws_lambda, group)
        yield (f"{name} on {group}", _filter_tags(prefix, "metric filter", name, group_tags[group]),
               lambda n=name, g=group: _quietly(logs.delete_metric_filter, logGroupName=g, filterName=n))


def subscription_filters(prefix: str) -> Found:
    """Subscription filters on the course's log groups (a function's ``/aws/lambda/<prefix>…``); they go
    before the function, stream or delivery stream they send to. Subscriptions on groups that are not
    the course's are not looked for: listing them takes one request per log group of the account."""
    logs, aws_lambda = boto3.client("logs"), boto3.client("lambda")
    pages = logs.get_paginator("describe_log_groups").paginate(logGroupNamePrefix=LAMBDA_LOG_GROUP + prefix)
    for group in sorted(g["logGroupName"] for page in pages for g in page["logGroups"]):
        filters = [f["filterName"] for page in logs.get_paginator("describe_subscription_filters").paginate(
            logGroupName=group) for f in page["subscriptionFilters"]]
        tags = log_group_tags(logs, aws_lambda, group) if filters else {}
        for name in sorted(filters):
            yield (f"{name} on {group}", _filter_tags(prefix, "subscription filter", name, tags),
                   lambda n=name, g=group: _quietly(logs.delete_subscription_filter, logGroupName=g, filterName=n))


def _filter_tags(prefix: str, kind: str, name: str, group_tags: dict[str, str]) -> dict[str, str]:
    """A filter named as a week's entry names it is that week's; any other filter on a course log group is
    its group's (it goes with the group); one named with the prefix elsewhere is of the first week making one."""
    is_purpose = lambda purpose: name == prefix + purpose  # noqa: E731
    if name.startswith(prefix) and (named_by(kind, is_purpose) or "course" not in group_tags):
        return tags_by_name(prefix, (kind,), kind, is_purpose)
    return group_tags
