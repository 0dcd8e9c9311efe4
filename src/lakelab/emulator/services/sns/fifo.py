"""FIFO topics: deduplication for five minutes, sequence numbers, and what moto reads wrongly.

moto 5.2.5 leaves deduplication to the subscribed queues (a message with a repeated
``MessageDeduplicationId`` reaches a standard queue twice, and content-based deduplication on
the topic passes no id at all to a FIFO queue that lacks it), answers Publish and
PublishBatch without the ``SequenceNumber`` a FIFO topic gives, and reads ``FifoTopic: "false"`` as true.
"""

from __future__ import annotations

import hashlib
import itertools
import threading
import time
from typing import Any

from lakelab.emulator.services.sns.subscriptions import is_fifo

DEDUPLICATION_SECONDS = 300

_seen: dict[tuple[str, str], tuple[float, str]] = {}  # (topic, dedup id) -> (published at, message id)
_sequence_of: dict[str, str] = {}  # message id -> its sequence number
_counters: dict[str, itertools.count] = {}
_lock = threading.Lock()


def reset() -> None:
    with _lock:
        _seen.clear()
        _sequence_of.clear()
        _counters.clear()


def reads_fifo_flag(original: Any) -> Any:
    """``SNSBackend.create_topic``: ``FifoTopic`` and ``ContentBasedDeduplication`` are "true" or "false"."""

    def create_topic(self: Any, name: str, attributes: dict[str, str] | None = None,
                     tags: dict[str, str] | None = None) -> Any:
        attributes = dict(attributes or {})
        if str(attributes.get("FifoTopic", "")).lower() == "false":
            attributes.pop("FifoTopic")
        return original(self, name, attributes, tags)

    return create_topic


def deduplicated(original: Any) -> Any:
    """``SNSBackend.publish``: a FIFO topic drops a repeated deduplication id for five minutes."""

    def publish(self: Any, message: str, arn: str | None, phone_number: str | None = None,
                subject: str | None = None, message_attributes: dict[str, Any] | None = None,
                group_id: str | None = None, deduplication_id: str | None = None,
                message_structure: str | None = None) -> str:
        topic = self.topics.get(arn) if arn else None
        if topic is None or not is_fifo(topic) or not group_id:
            return original(self, message, arn, phone_number, subject, message_attributes, group_id,
                            deduplication_id, message_structure)
        content_based = str(topic.content_based_deduplication).lower() == "true"
        if not deduplication_id and content_based:
            deduplication_id = hashlib.sha256(message.encode()).hexdigest()
        with _lock:
            earlier = _seen.get((topic.arn, deduplication_id or ""))
            if earlier is not None and time.monotonic() - earlier[0] < DEDUPLICATION_SECONDS:
                return earlier[1]  # accepted, not delivered again
        message_id = original(self, message, arn, phone_number, subject, message_attributes, group_id,
                              deduplication_id, message_structure)
        with _lock:
            _seen[(topic.arn, deduplication_id)] = (time.monotonic(), message_id)
            counter = _counters.setdefault(topic.arn, itertools.count(10**19))
            _sequence_of[message_id] = f"{next(counter):020d}"
        return message_id

    return publish


def answers_sequence_number(original: Any) -> Any:
    """``SNSResponse.publish``: a FIFO topic's answer carries the message's SequenceNumber."""

    def publish(self: Any) -> Any:
        answer = original(self)
        sequence = _sequence_of.get(answer.result.get("MessageId"))
        if sequence is not None:
            answer.result["SequenceNumber"] = sequence
        return answer

    return publish


def batch_answers_sequence_numbers(original: Any) -> Any:
    """``SNSBackend.publish_batch``: each FIFO entry's answer carries its SequenceNumber too."""

    def publish_batch(self: Any, topic_arn: str, publish_batch_request_entries: list[dict[str, Any]]) -> Any:
        successful, failed = original(self, topic_arn, publish_batch_request_entries)
        for entry in successful:
            if entry["MessageId"] in _sequence_of:
                entry["SequenceNumber"] = _sequence_of[entry["MessageId"]]
        return successful, failed

    return publish_batch
