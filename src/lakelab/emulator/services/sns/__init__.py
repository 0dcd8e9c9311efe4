"""SNS extensions: deliveries, subscriptions and FIFO topics as SNS behaves.

moto's own, checked and kept: topics, subscription filter policies in both scopes
(``MessageAttributes`` and ``MessageBody``: exact values, ``prefix``, ``suffix``,
``anything-but`` with lists and prefixes, ``numeric`` ranges and equality, ``exists``,
``equals-ignore-case``, ``$or``, ``String.Array`` attributes), the JSON envelope and message
structure. Changed here:

- ``deliveries``: SQS and Lambda subscribers delivered as AWS delivers them (raw or enveloped,
  the Lambda event of the real message, asynchronously); a failed delivery goes to the
  subscription's ``RedrivePolicy`` dead-letter queue instead of failing Publish.
- ``subscriptions``: email subscriptions stay pending; FIFO topics take SQS queues only.
- ``fifo``: deduplication on the topic (five minutes, by id or content), ``SequenceNumber``.
- ``calls``: Publish for other services, as the caller.

Fidelity notes:

> No email is sent, so an email subscription stays ``PendingConfirmation`` for good; on AWS
> the recipient confirms it from the mail. HTTP/S subscriptions are moto's (posted at once,
> without a confirmation step). A delivery is tried once: AWS retries SQS and Lambda deliveries
> on server errors before giving up to the dead-letter queue, and adds nothing here either.
> SNS does not check that the queue's policy lets ``sns.amazonaws.com`` send, nor the
> function's policy lets it invoke (AWS fails the delivery when they do not). The envelope's
> JSON is indented like AWS's but not spaced identically; its signature does not verify.
"""

from __future__ import annotations

from lakelab.emulator.seam import Patch

SERVICES = ("sns",)

PATCHES = (
    Patch("SNSSubscription", "publish", wrap=".deliveries:delivered_as_aws_does",
          why="a failed delivery fails moto's Publish; SNS moves it to the dead-letter queue"),
    Patch("SNSBackend", "subscribe", wrap=".subscriptions:pending_until_confirmed",
          why="email subscriptions wait for confirmation; FIFO topics deliver to SQS only"),
    Patch("SNSResponse", "subscribe", wrap=".subscriptions:answers_pending",
          why="Subscribe answers 'pending confirmation' for a subscription that needs confirming"),
    Patch("SNSResponse", "list_subscriptions", wrap=".subscriptions:lists_pending",
          why="a pending subscription is listed as PendingConfirmation, without its ARN"),
    Patch("SNSResponse", "list_subscriptions_by_topic", wrap=".subscriptions:lists_pending",
          why="a pending subscription is listed as PendingConfirmation, without its ARN"),
    Patch("SNSBackend", "create_topic", wrap=".fifo:reads_fifo_flag",
          why="moto reads FifoTopic 'false' as a FIFO topic"),
    Patch("SNSBackend", "publish", wrap=".fifo:deduplicated",
          why="a FIFO topic deduplicates for five minutes itself; moto leaves it to the queues"),
    Patch("SNSResponse", "publish", wrap=".fifo:answers_sequence_number",
          why="Publish to a FIFO topic answers a SequenceNumber"),
    Patch("SNSBackend", "publish_batch", wrap=".fifo:batch_answers_sequence_numbers",
          why="PublishBatch to a FIFO topic answers each entry's SequenceNumber"),
)


def install() -> None:
    from lakelab.emulator import registry
    from lakelab.emulator.services.sns import fifo

    registry.on_reset(fifo.reset)
