"""Each delivery stream's buffers (``buffers``) and the thread that delivers them, as ``BufferingHints`` say.

A buffer is delivered when it holds ``SizeInMBs`` or when ``IntervalInSeconds`` have passed since
its oldest record arrived, whichever comes first: a stream with a 60 s interval delivers nothing
before it. The thread wakes when the next buffer is due, so delivery follows within a few
hundredths of a second. Every record a hose takes is counted once: delivered, dropped by the
Lambda processor, failed (by error output type) or still buffered -- :func:`counts`.
"""

from __future__ import annotations

import json
import threading
import time
from collections import defaultdict
from typing import Any

from lakelab.emulator import context, identity, seam
from lakelab.emulator.common import s3_objects
from lakelab.emulator.services.firehose import delivery, metrics, settings
from lakelab.emulator.services.firehose.buffers import Buffers
from lakelab.emulator.services.firehose.records import Failure, Record

# After a failed S3 write the records wait one buffer interval (at least RETRY_SECONDS), then are written
# again. AWS "keeps retrying for up to 24 hours until the delivery succeeds" ("Handle data delivery
# failures", https://docs.aws.amazon.com/firehose/latest/dev/retry.html) but documents no interval
# between attempts: this one is unverified. The emulator drops nothing after 24 hours.
RETRY_SECONDS = 1.0
SOURCE_POLL_SECONDS = 0.2  # how often a Kinesis source is read
CREATING_SECONDS = 0.5

_hoses: dict[tuple[str, str, str], Hose] = {}
_lock = threading.Lock()


class Hose:
    def __init__(self, account_id: str, region: str, name: str, destination: settings.Destination,
                 source: Any = None) -> None:
        self.account_id, self.region, self.name = account_id, region, name
        self.buffers = Buffers(destination)
        self.counts: dict[str, int] = defaultdict(int)
        self.errors: list[tuple[str, str]] = []
        self.incoming = metrics.Incoming()
        self.condition = threading.Condition()
        self.stopped = False
        self.source = source  # a kinesis_source.Reader, or None for Direct PUT
        self.thread = threading.Thread(target=context.carry(self._run), name=f"firehose-{name}", daemon=True)

    @property
    def destination(self) -> settings.Destination:
        return self.buffers.destination

    @destination.setter
    def destination(self, destination: settings.Destination) -> None:
        with self.condition:
            self.buffers.destination = destination
            self.condition.notify()

    # --- taking records ---

    def put(self, found: list[Record]) -> None:
        with self.condition:
            self.buffers.add(found)
            self.counts["incoming"] += len(found)
            self.condition.notify()
        self.incoming.add(self, len(found), sum(len(record.data) for record in found))

    # --- delivering ---

    def _run(self) -> None:
        while True:
            with self.condition:
                while not self.stopped and not self.buffers.due(time.time()):
                    self.condition.wait(self._wait_seconds())
                    if self.source is not None and not self.stopped:
                        self._read_source()
                if self.stopped:
                    return
                batch = self.buffers.take_incoming(time.time())
            self._round(batch)

    def _wait_seconds(self) -> float | None:
        wait = self.buffers.seconds_to_wait(time.time())
        if self.source is not None:
            wait = min(wait if wait is not None else SOURCE_POLL_SECONDS, SOURCE_POLL_SECONDS)
        return wait

    def _read_source(self) -> None:
        found = self.source.read()
        if found:
            self.buffers.add(found)
            self.counts["incoming"] += len(found)
            self.incoming.add(self, len(found), sum(len(record.data) for record in found))

    def _round(self, batch: list[Record]) -> None:
        """Process ``batch`` into its partitions' buffers, then write every buffer that is due."""
        stream = self._stream()
        if stream is None:  # deleted meanwhile
            return
        session = identity.role_session(self.destination.role_arn, "AWSFirehoseToS3", invoked_by="firehose.amazonaws.com")
        report = delivery.Report()
        with context.acting_as(session, invoked_by="firehose.amazonaws.com"):
            failures = self._process(stream, batch, report)
            with self.condition:
                due, pending = self.buffers.take_due(time.time())
            for partition, members in due.items():
                _guarded(report, partition, members, lambda: delivery.deliver_partition(
                    stream, partition, members, self._write, report))
            _guarded(report, None, pending + failures, lambda: delivery.write_failures(
                stream, pending + failures, self._write, report))
        self.incoming.add(self, 0, 0, force=True)
        self._account(report)
        if report.objects or report.errors:
            metrics.delivered(self, report)
        if report.errors:
            self._log(stream, report.errors)

    def _process(self, stream: delivery.Stream, batch: list[Record], report: delivery.Report) -> list[Failure]:
        if not batch:
            return []
        try:
            prepared = delivery.prepare(stream, batch)
        except Exception as error:  # an emulator fault: keep the records, say why, retry later
            report.retry_incoming += batch
            report.errors.append(("InternalError", f"processing failed: {error!r}"))
            return []
        report.dropped += prepared.dropped
        with self.condition:
            return prepared.failures + self.buffers.place(prepared.groups)

    def _log(self, stream: delivery.Stream, errors: list[tuple[str, str]]) -> None:
        """Delivery errors to the stream's CloudWatch Logs, when CloudWatchLoggingOptions enable them."""
        group, log_stream = self.destination.log_group, self.destination.log_stream
        if not group or not log_stream:
            return
        from lakelab.emulator.common import logs

        lines = [json.dumps({"deliveryStreamARN": stream.arn, "destination": f"arn:aws:s3:::{self.destination.bucket}",
                             "deliveryStreamVersionId": int(stream.version), "message": message, "errorCode": code})
                 for code, message in errors]
        logs.write(self.account_id, self.region, group, log_stream, [(logs.now_ms(), line) for line in lines])

    def _account(self, report: delivery.Report) -> None:
        with self.condition:
            self.counts["delivered"] += report.delivered
            self.counts["dropped"] += report.dropped
            for kind, number in report.failed.items():
                self.counts[kind] += number
            self.counts["objects"] += report.objects
            self.errors = (self.errors + report.errors)[-20:]
            retry_at = time.time() + max(RETRY_SECONDS, self.destination.interval_seconds)
            if self.buffers.give_back(report, retry_at):
                self.condition.notify()

    def _write(self, bucket: str, key: str, data: bytes) -> None:
        s3_objects.authorize("s3:PutObject", bucket, key)
        s3_objects.backend(self.account_id).put_object(bucket, key, data)

    def _stream(self) -> delivery.Stream | None:
        found = seam.backend("firehose", self.account_id, self.region).delivery_streams.get(self.name)
        if found is None:
            return None
        return delivery.Stream(self.name, found.delivery_stream_arn, found.version_id, self.account_id, self.region,
                               self.destination, self.source.stream_arn if self.source is not None else "")

    def flush_now(self) -> None:
        """Deliver everything buffered now, whatever the hints (before UpdateDestination changes them)."""
        with self.condition:
            batch, self.buffers.incoming, self.buffers.incoming_bytes = self.buffers.incoming, [], 0
            self.buffers.retry_after = 0.0
            for partition in self.buffers.partitions:
                self.buffers.partition_bytes[partition] = self.destination.size_bytes  # due now
        self._round(batch)

    def stop(self) -> None:
        with self.condition:
            self.stopped = True
            self.condition.notify()


def _guarded(report: delivery.Report, partition: Any, held: list[Any], deliver: Any) -> None:
    """Run one write; on an emulator fault keep what it held for the next attempt, and say why."""
    try:
        deliver()
    except Exception as error:
        if partition is None:
            report.retry_failures += held
        else:
            report.retry[partition] += held
        report.errors.append(("InternalError", f"delivery failed: {error!r}"))


# --- the registry of hoses ---


def start(hose: Hose, stream: Any) -> None:
    with _lock:
        previous = _hoses.pop((hose.account_id, hose.region, hose.name), None)
        _hoses[(hose.account_id, hose.region, hose.name)] = hose
    if previous is not None:
        previous.stop()
    stream.delivery_stream_status = "CREATING"
    hose.thread.start()
    timer = threading.Timer(CREATING_SECONDS, _activate, (stream,))
    timer.daemon = True
    timer.start()


def _activate(stream: Any) -> None:
    if stream.delivery_stream_status == "CREATING":
        stream.delivery_stream_status = "ACTIVE"


def find(account_id: str, region: str, name: str) -> Hose | None:
    return _hoses.get((account_id, region, name))


def stop(account_id: str, region: str, name: str) -> None:
    with _lock:
        hose = _hoses.pop((account_id, region, name), None)
    if hose is not None:
        hose.stop()


def stop_all() -> None:
    with _lock:
        found = list(_hoses.values())
        _hoses.clear()
    for hose in found:
        hose.stop()


def counts(account_id: str, region: str, name: str) -> dict[str, int]:
    """incoming = delivered + dropped + each failure kind + buffered, for one stream."""
    hose = find(account_id, region, name)
    if hose is None:
        return {}
    with hose.condition:
        return {**hose.counts, "buffered": hose.buffers.count()}
