"""Deliveries to SQS and Lambda subscribers as SNS makes them, with a dead-letter queue for failures.

moto 5.2.5 differs from AWS here:

- A delivery that fails (a deleted queue, a deleted function) makes ``Publish`` itself fail with
  the subscriber's error; on AWS the publisher never sees it: the message goes to the
  subscription's ``RedrivePolicy`` dead-letter queue, or is lost.
- ``RawMessageDelivery: "false"`` is delivered raw (moto tests the string's truth).
- A Lambda subscriber gets moto's fixed example event (``TopicArn: arn:aws:sns:EXAMPLE``, test
  attributes, subject ``TestInvoke``) instead of the message's own.
- A pending subscription (email) would be delivered to.
"""

from __future__ import annotations

import datetime
import json
import logging
from typing import Any

from lakelab.emulator import registry, seam
from lakelab.emulator.services.sns import subscriptions

log = logging.getLogger("lakelab.emulator")


def is_true(value: Any) -> bool:
    return str(value).lower() == "true"


def delivered_as_aws_does(original: Any) -> Any:
    """``Subscription.publish``: SQS and Lambda delivered here, failures to the dead-letter queue."""

    def publish(self: Any, message: str, message_id: str, subject: str | None = None,
                message_attributes: dict[str, Any] | None = None, group_id: str | None = None,
                deduplication_id: str | None = None, message_structure: str | None = None) -> None:
        if subscriptions.is_pending(self):
            return  # an unconfirmed subscription receives nothing
        if self.protocol not in ("sqs", "lambda"):
            return original(self, message, message_id, subject, message_attributes, group_id, deduplication_id,
                            message_structure)
        if self._filter_policy_matcher is not None and not self._filter_policy_matcher.matches(message_attributes,
                                                                                               message):
            return
        if message_structure == "json":
            message = self._parse_message_structure(message, self.protocol)
        try:
            if self.protocol == "sqs":
                _to_queue(self, self.endpoint, message, message_id, subject, message_attributes, group_id,
                          deduplication_id)
            else:
                _to_function(self, message, message_id, subject, message_attributes)
        except Exception as failure:  # the publisher never sees a subscriber's failure
            _to_dead_letter_queue(self, message, message_id, subject, message_attributes, group_id,
                                  deduplication_id, failure)

    return publish


def _to_queue(subscription: Any, queue_arn: str, message: str, message_id: str, subject: str | None,
              attributes: dict[str, Any] | None, group_id: str | None, deduplication_id: str | None) -> None:
    region, account, name = queue_arn.split(":")[3:6]
    sqs = seam.backend("sqs", account, region)
    fifo = name.endswith(".fifo")
    if is_true(subscription.attributes.get("RawMessageDelivery")):
        body, queue_attributes = message, _queue_attributes(attributes or {})
    else:
        envelope = subscription.get_post_data(message, message_id, subject, message_attributes=attributes)
        envelope["UnsubscribeURL"] = _unsubscribe_url(subscription)
        body, queue_attributes = json.dumps(envelope, indent=2), {}
    sqs.send_message(name, body, message_attributes=queue_attributes,
                     deduplication_id=deduplication_id if fifo else None, group_id=group_id if fifo else None,
                     validate_group_id=False)


def _queue_attributes(attributes: dict[str, Any]) -> dict[str, Any]:
    """SNS message attributes as SQS message attributes (what raw delivery passes on)."""
    converted = {}
    for name, value in attributes.items():
        kind = "BinaryValue" if value["Type"].startswith("Binary") else "StringValue"
        converted[name] = {"DataType": value["Type"], kind: str(value["Value"]) if kind == "StringValue"
                           else value["Value"]}
    return converted


def _to_function(subscription: Any, message: str, message_id: str, subject: str | None,
                 attributes: dict[str, Any] | None) -> None:
    """Invoke the function asynchronously with SNS's event; a missing function fails now."""
    registry.install_for_backend("awslambda")
    parts = subscription.endpoint.split(":")
    region, account = parts[3], parts[4]
    qualifier = parts[7] if len(parts) == 8 else None
    function = seam.backend("awslambda", account, region).get_function(parts[6], qualifier)
    event = {"Records": [{
        "EventSource": "aws:sns", "EventVersion": "1.0", "EventSubscriptionArn": subscription.arn,
        "Sns": {"Type": "Notification", "MessageId": message_id, "TopicArn": subscription.topic.arn,
                "Subject": subject, "Message": message, "Timestamp": _now(), "SignatureVersion": "1",
                "Signature": "EXAMPLE", "SigningCertUrl": f"https://sns.{region}.amazonaws.com/"
                "SimpleNotificationService-lakelab.pem", "UnsubscribeUrl": _unsubscribe_url(subscription),
                "MessageAttributes": {name: {"Type": value["Type"], "Value": value["Value"]}
                                      for name, value in (attributes or {}).items()}},
    }]}
    function.invoke(json.dumps(event), {"x-amz-invocation-type": "Event"}, {})


def _to_dead_letter_queue(subscription: Any, message: str, message_id: str, subject: str | None,
                          attributes: dict[str, Any] | None, group_id: str | None, deduplication_id: str | None,
                          failure: Exception) -> None:
    policy = subscription.attributes.get("RedrivePolicy")
    target = json.loads(policy).get("deadLetterTargetArn") if policy else None
    if not target:
        log.info("SNS could not deliver %s to %s (%r); no dead-letter queue: the message is lost",
                 message_id, subscription.endpoint, failure)
        return
    try:
        _to_queue(subscription, target, message, message_id, subject, attributes, group_id, deduplication_id)
    except Exception as second:  # a missing dead-letter queue loses the message, as on AWS
        log.warning("SNS could not move %s to its dead-letter queue %s: %r", message_id, target, second)


def _unsubscribe_url(subscription: Any) -> str:
    region = subscription.topic.arn.split(":")[3]
    return f"https://sns.{region}.amazonaws.com/?Action=Unsubscribe&SubscriptionArn={subscription.arn}"


def _now() -> str:
    moment = datetime.datetime.now(datetime.timezone.utc)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"
