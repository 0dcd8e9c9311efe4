"""SQS → Lambda: receive a batch, invoke once, delete what succeeded.

As on AWS: the batch stays in flight while the function runs; on success its messages are
deleted; on failure they are left alone and come back after the queue's visibility timeout (and
go to the dead-letter queue after ``maxReceiveCount``, which moto's receive applies); with
``ReportBatchItemFailures`` only the reported messages stay.
"""

from __future__ import annotations

import base64
import time
from typing import Any

from lakelab.emulator import seam
from lakelab.emulator.services.awslambda.event_sources import IDLE_POLL_SECONDS, Poller

RECEIVE_WAIT_SECONDS = 0  # moto's long polling waits whole seconds; the poller's own pause is shorter


class SqsPoller(Poller):
    def detach_from_moto(self) -> None:
        queue = self._queue()
        for arn, mapped in list(queue.lambda_event_source_mappings.items()):
            if mapped is self.esm:
                del queue.lambda_event_source_mappings[arn]

    def poll_once(self) -> bool:
        queue = self._queue()
        messages = self._receive(queue)
        if not messages:
            return False
        outcome = self.invoke({"Records": [self._record(message, queue) for message in messages]})
        failed = self.failed_items(outcome)
        if failed is not None:
            for message in messages:
                if message.id not in failed:
                    self._sqs().delete_message(queue.name, message.receipt_handle)
        return True

    def _receive(self, queue: Any) -> list[Any]:
        """Up to BatchSize messages, waiting up to MaximumBatchingWindowInSeconds to fill the batch."""
        window_ends = time.monotonic() + (self.esm.max_batch_window or 0)
        messages: list[Any] = []
        while len(messages) < self.esm.batch_size:
            wanted = self.esm.batch_size - len(messages)
            got = self._sqs().receive_message(
                queue.name, wanted, RECEIVE_WAIT_SECONDS, queue.visibility_timeout, ["All"]
            )
            messages += got
            if (messages and time.monotonic() >= window_ends) or (not got and not messages):
                break
            if not got:
                self.stopped.wait(IDLE_POLL_SECONDS)
        return messages

    def _record(self, message: Any, queue: Any) -> dict[str, Any]:
        attributes = {
            "ApproximateReceiveCount": str(message.approximate_receive_count),
            "SentTimestamp": str(message.sent_timestamp),
            "SenderId": message.sender_id,
            "ApproximateFirstReceiveTimestamp": str(message.approximate_first_receive_timestamp),
        }
        if queue.fifo_queue:
            attributes.update(SequenceNumber=message.sequence_number, MessageGroupId=message.group_id,
                              MessageDeduplicationId=message.deduplication_id)
        record = {
            "messageId": message.id,
            "receiptHandle": message.receipt_handle,
            "body": message.body,
            "attributes": attributes,
            "messageAttributes": {k: _attribute(v) for k, v in message.message_attributes.items()},
            "md5OfBody": message.body_md5,
            "eventSource": "aws:sqs",
            "eventSourceARN": queue.queue_arn,
            "awsRegion": self.region,
        }
        if message.message_attributes:
            record["md5OfMessageAttributes"] = message.attribute_md5
        return record

    def _queue(self) -> Any:
        return self._sqs().get_queue(self.esm.event_source_arn.split(":")[-1])

    def _sqs(self) -> Any:
        return seam.backend("sqs", self.account_id, self.region)


def _attribute(value: dict[str, Any]) -> dict[str, Any]:
    """A message attribute in Lambda's SQS event spelling (camelCase, with the list fields)."""
    converted: dict[str, Any] = {"stringListValues": [], "binaryListValues": [], "dataType": value["DataType"]}
    if "StringValue" in value:
        converted["stringValue"] = value["StringValue"]
    if "BinaryValue" in value:
        binary = value["BinaryValue"]
        converted["binaryValue"] = base64.b64encode(binary).decode() if isinstance(binary, bytes) else binary
    return converted
