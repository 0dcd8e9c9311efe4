"""Event source mappings (SQS, Kinesis): one poller thread per mapping, as Lambda polls for you.

moto 5.2.5 pushes instead: inside ``SendMessage`` / ``PutRecord`` it invokes the function
synchronously, one message or record per invocation, and ``PutRecords`` never triggers. We keep
moto's mapping objects (the API answers stay moto's) but detach them from the queue or stream
and poll: batches of up to ``BatchSize`` in AWS's event shapes, the mapping's ``Enabled`` and
``BatchSize`` read live, so ``UpdateEventSourceMapping`` takes effect on the next poll.
"""

from __future__ import annotations

import json
import logging
import threading
from typing import Any

from lakelab.emulator import seam
from lakelab.emulator.services.awslambda import invocation
from lakelab.emulator.services.awslambda.functions import snapshot

log = logging.getLogger("lakelab.emulator")

IDLE_POLL_SECONDS = 0.2  # between empty polls: quick enough for a lab, idle enough for a laptop
RETRY_SECONDS = 1.0  # before a failed batch is tried again

_pollers: dict[str, Poller] = {}
_lock = threading.Lock()


class Poller(threading.Thread):
    """Polls one mapping's source until the mapping is deleted or the emulator is reset."""

    def __init__(self, esm: Any) -> None:
        super().__init__(name=f"lakelab-esm-{esm.uuid[:8]}", daemon=True)
        self.esm = esm
        self.account_id, self.region = esm.account_id, esm.region
        self.stopped = threading.Event()

    def poll_once(self) -> bool:
        """Deliver at most one batch; False when there was nothing to deliver."""
        raise NotImplementedError

    def detach_from_moto(self) -> None:
        """Remove the mapping from the source's push list, which moto walks on every write."""
        raise NotImplementedError

    def run(self) -> None:
        last_error = ""
        while self.active():
            try:
                worked = self.esm.enabled and self.poll_once()
            except Exception as error:  # a poller must outlive a missing queue, a deleted function, a reset
                if self.active() and repr(error) != last_error:  # once per cause, not five times a second
                    log.warning("event source mapping %s: %r", self.esm.uuid, error)
                last_error, worked = repr(error), False
            if not worked:
                self.stopped.wait(IDLE_POLL_SECONDS)
        with _lock:
            if _pollers.get(self.esm.uuid) is self:
                del _pollers[self.esm.uuid]

    def active(self) -> bool:
        current = seam.backend("awslambda", self.account_id, self.region).get_event_source_mapping(self.esm.uuid)
        return not self.stopped.is_set() and current is self.esm

    def invoke(self, event: dict[str, Any]) -> invocation.Outcome:
        function = seam.backend("awslambda", self.account_id, self.region).get_function(self.esm.function_arn)
        return invocation.run(snapshot(function), json.dumps(event), self.esm.function_arn)

    def reports_item_failures(self) -> bool:
        return "ReportBatchItemFailures" in (self.esm.function_response_types or [])

    def failed_items(self, outcome: invocation.Outcome) -> set[str] | None:
        """Identifiers the function reported as failed; None means the whole batch failed."""
        if outcome.function_error:
            return None
        if not self.reports_item_failures():
            return set()
        document = outcome.document()
        failures = document.get("batchItemFailures") if isinstance(document, dict) else None
        try:
            return {str(item["itemIdentifier"]) for item in failures or []}
        except (KeyError, TypeError):
            return None  # a malformed answer counts as a failed batch, as on AWS


def check_spec(spec: dict[str, Any]) -> None:
    """What CreateEventSourceMapping refuses for a stream source and moto accepts.

    A Kinesis (or DynamoDB) stream needs a ``StartingPosition`` (moto picks ``TRIM_HORIZON``),
    and its on-failure destination must be an SQS queue or an SNS topic.
    """
    source = str(spec.get("EventSourceArn") or "")
    if source.split(":")[2:3] not in (["kinesis"], ["dynamodb"]):
        return
    if not spec.get("StartingPosition"):
        raise seam.InvalidParameterValueException("1 validation error detected: Value null at 'startingPosition' "
                                                  "failed to satisfy constraint: Member must not be null")
    destination = ((spec.get("DestinationConfig") or {}).get("OnFailure") or {}).get("Destination")
    if destination and destination.split(":")[2:3] not in (["sqs"], ["sns"]):
        raise seam.InvalidParameterValueException(f"The provided destination config DestinationConfig(onSuccess=null, "
                                                  f"onFailure=OnFailure(destination={destination})) is invalid: a "
                                                  "stream source's on-failure destination must be an SQS queue or "
                                                  "an SNS topic.")


def start(esm: Any) -> None:
    """Detach moto's synchronous push for ``esm`` and start polling its source instead."""
    from lakelab.emulator.services.awslambda.kinesis_poller import KinesisPoller
    from lakelab.emulator.services.awslambda.sqs_poller import SqsPoller

    service = esm.event_source_arn.split(":")[2]
    poller_class = {"sqs": SqsPoller, "kinesis": KinesisPoller}.get(service)
    if poller_class is None:
        return  # DynamoDB streams keep moto's own (synchronous) delivery
    poller = poller_class(esm)
    poller.detach_from_moto()
    with _lock:
        _pollers[esm.uuid] = poller
    poller.start()


def stop_all() -> list[Poller]:
    """Tell every poller to stop; returns them, to ``join`` once their workers are gone."""
    with _lock:
        pollers = list(_pollers.values())
        _pollers.clear()
    for poller in pollers:
        poller.stopped.set()
    return pollers


def join(pollers: list[Poller], timeout: float = 2.0) -> None:
    for poller in pollers:
        poller.join(timeout=timeout)
