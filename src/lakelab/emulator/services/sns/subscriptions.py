"""Subscriptions as SNS keeps them: email waits for a confirmation, FIFO topics take queues only.

moto 5.2.5 confirms every subscription at once. On AWS an ``email`` or ``email-json``
subscription stays ``PendingConfirmation`` until the recipient follows the link in the mail:
Subscribe answers ``pending confirmation`` (the ARN only with ``ReturnSubscriptionArn``), the
listings show ``PendingConfirmation`` in place of its ARN, and nothing is delivered to it. No
mail is sent from here, so it never gets confirmed. A FIFO topic delivers only to SQS queues.
"""

from __future__ import annotations

from typing import Any

from lakelab.emulator import seam

NEEDS_CONFIRMATION = ("email", "email-json")


def is_pending(subscription: Any) -> bool:
    return str(subscription.attributes.get("PendingConfirmation")).lower() == "true"


def is_fifo(topic: Any) -> bool:
    return str(topic.fifo_topic).lower() == "true"


def pending_until_confirmed(original: Any) -> Any:
    """``SNSBackend.subscribe``."""

    def subscribe(self: Any, topic_arn: str, endpoint: str, protocol: str) -> Any:
        topic = self.get_topic(topic_arn)
        if is_fifo(topic) and protocol != "sqs":
            raise seam.SNSInvalidParameter(f"Invalid parameter: Protocol Reason: {protocol} endpoints "
                                     "cannot subscribe to a FIFO topic: FIFO topics deliver to Amazon SQS queues only")
        subscription = original(self, topic_arn, endpoint, protocol)
        if protocol in NEEDS_CONFIRMATION:
            subscription.attributes["PendingConfirmation"] = True
            subscription.attributes["ConfirmationWasAuthenticated"] = False
        return subscription

    return subscribe


def answers_pending(original: Any) -> Any:
    """``SNSResponse.subscribe``: a pending subscription's ARN is not given out unless asked for."""

    def subscribe(self: Any) -> Any:
        answer = original(self)
        arn = answer.result["SubscriptionArn"]
        subscription = self.backend.subscriptions.get(arn)
        asked = str(self._get_param("ReturnSubscriptionArn")).lower() == "true"
        if subscription is not None and is_pending(subscription) and not asked:
            answer.result["SubscriptionArn"] = "pending confirmation"
        return answer

    return subscribe


def lists_pending(original: Any) -> Any:
    """``SNSResponse.list_subscriptions`` and ``list_subscriptions_by_topic``: ``PendingConfirmation`` for an ARN."""

    def listing(self: Any) -> Any:
        answer = original(self)
        answer.result["Subscriptions"] = [_listed(s) for s in answer.result["Subscriptions"]]
        return answer

    return listing


def _listed(subscription: Any) -> Any:
    if not is_pending(subscription):
        return subscription
    return {"SubscriptionArn": "PendingConfirmation", "Owner": subscription.owner,
            "Protocol": subscription.protocol, "Endpoint": subscription.endpoint, "TopicArn": subscription.topic.arn}
