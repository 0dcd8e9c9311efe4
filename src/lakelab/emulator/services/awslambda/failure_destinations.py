"""What Lambda sends an event source mapping's on-failure destination when it gives a batch up.

The invocation record of AWS's documentation (``requestContext``, ``responseContext``,
``version``, ``timestamp`` and, for Kinesis, ``KinesisBatchInfo``: the shard, the first and last
sequence numbers and arrival times, the batch size, the stream), sent to the SQS queue or SNS
topic named in ``DestinationConfig.OnFailure.Destination``. The records themselves are not
in it: a consumer reads them from the stream with the sequence numbers.
"""

from __future__ import annotations

import datetime
import json
import logging
from typing import Any

from lakelab.emulator import seam

log = logging.getLogger("lakelab.emulator")


def destination_of(esm: Any) -> str | None:
    return ((esm.destination_config or {}).get("OnFailure") or {}).get("Destination") or None


def send_kinesis_batch(esm: Any, stream_arn: str, shard_id: str, records: list[Any], outcome: Any,
                       invoke_count: int) -> None:
    """Describe a Kinesis batch given up after ``invoke_count`` invocations to the mapping's destination."""
    destination = destination_of(esm)
    if destination is None:
        return
    document = {
        "requestContext": {"requestId": outcome.request_id, "functionArn": esm.function_arn,
                           "condition": "RetryAttemptsExhausted", "approximateInvokeCount": invoke_count},
        "responseContext": {"statusCode": 200, "executedVersion": "$LATEST", "functionError": "Unhandled"},
        "version": "1.0",
        "timestamp": _iso(datetime.datetime.now(datetime.timezone.utc).timestamp()),
        "KinesisBatchInfo": {
            "shardId": shard_id,
            "startSequenceNumber": str(records[0].sequence_number),
            "endSequenceNumber": str(records[-1].sequence_number),
            "approximateArrivalOfFirstRecord": _iso(records[0].created_at),
            "approximateArrivalOfLastRecord": _iso(records[-1].created_at),
            "batchSize": len(records),
            "streamArn": stream_arn,
        },
    }
    send(esm, destination, json.dumps(document))


def send(esm: Any, destination: str, message: str) -> None:
    """Deliver ``message`` to an SQS queue or SNS topic ARN, in the destination's account and region."""
    service, region, account = destination.split(":")[2:5]
    if service == "sqs":
        seam.backend("sqs", account, region).send_message(destination.split(":")[-1], message)
    elif service == "sns":
        seam.backend("sns", account, region).publish(message, arn=destination)
    else:  # CreateEventSourceMapping accepts only SQS and SNS for Kinesis; say so if one slipped through
        log.warning("event source mapping %s: on-failure destination %s is not a queue or a topic",
                    esm.uuid, destination)


def _iso(seconds: float) -> str:
    moment = datetime.datetime.fromtimestamp(seconds, datetime.timezone.utc)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"
