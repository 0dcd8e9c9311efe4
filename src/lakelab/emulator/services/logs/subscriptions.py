"""What a log stream does with events as they are put: metric filters publish, subscription filters deliver.

moto sends every event to every subscription filter, whatever its pattern, calls Lambda
synchronously inside ``PutLogEvents``, and writes Firehose deliveries straight to S3 around the
stream's buffer. Here a subscription filter sends only the events its pattern matches
("Real-time processing of log data with subscriptions":
https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/Subscriptions.html), in the documented
gzipped ``DATA_MESSAGE`` payload, after the request has been answered: to Lambda as an
asynchronous invocation (``{"awslogs": {"data": ...}}``), to Firehose through the delivery stream's
buffer (``PutRecordBatch``), and to Kinesis and Logs destinations as moto does.
"""

from __future__ import annotations

import base64
import gzip
import json
from datetime import UTC
from typing import Any

from lakelab.emulator import dispatch, seam
from lakelab.emulator.services.logs import filter_patterns, metric_filters


def put_log_events(self: Any, log_events: list[dict[str, Any]]) -> str:
    """moto's ``LogStream.put_log_events``, with filters that match and deliveries that follow the request."""
    self.last_ingestion_time = seam.utcnow()
    self.stored_bytes += sum(len(event["message"]) for event in log_events)
    ingestion = int(self.last_ingestion_time.replace(tzinfo=UTC).timestamp() * 1000)  # moto's clock is naive UTC
    events = [seam.LogsLogEvent(ingestion, event) for event in log_events]
    self.events += events
    self.upload_sequence_token += 1
    group = self.log_group
    metric_filters.publish(self.account_id, self.region, group.name, events)
    for subscription in list(group.subscription_filters.values()):
        compiled = filter_patterns.parse(subscription.filter_pattern)
        matched = [{"id": e.event_id, "timestamp": e.timestamp, "message": e.message}
                   for e in events if compiled.match(e.message) is not None]
        if matched:
            dispatch.submit(lambda s=subscription, m=matched: _deliver(self, s, m))
    return f"{self.upload_sequence_token:056d}"


def _deliver(stream: Any, subscription: Any, events: list[dict[str, Any]]) -> None:
    arn = subscription.destination_arn
    service = arn.split(":")[2]
    payload = {"messageType": "DATA_MESSAGE", "owner": stream.account_id, "logGroup": stream.log_group.name,
               "logStream": stream.log_stream_name, "subscriptionFilters": [subscription.name], "logEvents": events}
    compressed = gzip.compress(json.dumps(payload, separators=(",", ":")).encode())
    if service == "lambda":
        function = seam.backend("awslambda", stream.account_id, stream.region).get_function(arn)
        function.invoke(json.dumps({"awslogs": {"data": base64.b64encode(compressed).decode()}}),
                        {"x-amz-invocation-type": "Event"}, {})
    elif service == "firehose":
        name = arn.split("/", 1)[1]
        seam.backend("firehose", stream.account_id, arn.split(":")[3]).put_record_batch(name, [{"Data": compressed}])
    else:
        stream._send_log_events(service=service, destination_arn=arn, filter_name=subscription.name,
                                log_events=events)


def checks_lambda_permission(original: Any) -> Any:
    """``LogsBackend.put_subscription_filter``: a Lambda destination's resource policy must let CloudWatch
    Logs invoke it ("Using CloudWatch Logs subscription filters", Lambda example: ``lambda add-permission
    --principal logs.amazonaws.com``), as AWS checks when the filter is put."""

    def put_subscription_filter(self: Any, log_group_name: str, filter_name: str, filter_pattern: str,
                                destination_arn: str, role_arn: str) -> None:
        metric_filters.pattern(filter_pattern)
        if destination_arn.split(":")[2] == "lambda" and log_group_name in self.groups:
            group_arn = f"arn:aws:logs:{self.region_name}:{self.account_id}:log-group:{log_group_name}:*"
            if not _logs_may_invoke(destination_arn, group_arn, self.region_name):
                raise seam.LogsInvalidParameterException(
                    "Could not execute the lambda function. Make sure you have given CloudWatch Logs permission to "
                    "execute your function.")
        return original(self, log_group_name, filter_name, filter_pattern, destination_arn, role_arn)

    return put_subscription_filter


def _logs_may_invoke(function_arn: str, group_arn: str, region: str) -> bool:
    import fnmatch

    region_of_function, account = function_arn.split(":")[3:5]
    try:
        function = seam.backend("awslambda", account, region_of_function).get_function(function_arn)
    except Exception:  # noqa: BLE001 - an unknown function cannot be invoked either
        return False
    for statement in function.policy.statements if function.policy else []:
        principal = statement.get("Principal")
        service = principal.get("Service") if isinstance(principal, dict) else principal
        services = service if isinstance(service, list) else [service]
        actions = statement.get("Action")
        actions = actions if isinstance(actions, list) else [actions]
        if statement.get("Effect") != "Allow" or not {"logs.amazonaws.com", f"logs.{region}.amazonaws.com"} & set(
                services) or not {"lambda:InvokeFunction", "lambda:*", "*"} & set(actions):
            continue
        source = statement.get("Condition", {}).get("ArnLike", {}).get("AWS:SourceArn")
        if source is None or fnmatch.fnmatchcase(group_arn, source) or fnmatch.fnmatchcase(group_arn[:-2], source):
            return True
    return False
