"""SNS for other services (a Step Functions task, say): Publish, in-process, as the caller.

moto's Publish (its validation, subscriptions and deliveries: SQS, Lambda, ...), in the caller's
account and the topic's region.
"""

from __future__ import annotations

from lakelab.emulator import context, seam


def publish(topic_arn: str, message: str, subject: str | None = None) -> str:
    """Publish ``message`` to ``topic_arn``; the message id."""
    region = topic_arn.split(":")[3] if topic_arn.count(":") >= 5 else context.current().region
    backend = seam.backend("sns", context.current().principal.account_id, region)
    return backend.publish(message, arn=topic_arn, subject=subject)
