"""Firehose extensions: delivery streams that buffer, convert, partition and deliver as AWS does.

moto writes every PutRecord at once as its own S3 object. Here each delivery stream is a hose
(``hoses``) with buffers (``buffers``: one per partition with dynamic partitioning) and a thread
that honours ``BufferingHints`` (size or interval, whichever comes first). Delivery (``delivery``)
runs the Lambda processor (``transform``), dynamic partitioning by the documented JQ subset
(``partitioning``), JSON -> Parquet/ORC conversion with a Glue table's schema (``conversion``) or
GZIP/ZIP/Snappy/HADOOP_SNAPPY compression (``encoding``), and writes one object per partition
buffer under AWS's key layout (``keys``) as the stream's role; failed records land under the
error output prefix in AWS's error record shapes (``records``). A Kinesis stream can be the
source (``kinesis_source``). Puts and deliveries put CloudWatch metrics (``metrics``); with
``CloudWatchLoggingOptions`` enabled, S3 delivery errors (``S3.AccessDenied`` ...) are logged
where they name, and the records wait for the next attempt. ``settings`` checks a configuration
at create.

Fidelity notes:

> Delivery streams are CREATING for half a second (AWS: tens of seconds) and take records
> meanwhile. Deleting a stream drops what it buffered. The Lambda processor's own buffering hints
> are not honoured: records go to the function when the stream's buffer is due (with dynamic
> partitioning, as they arrive), so the end-to-end delay is never longer than the stream's
> interval. Dynamic partitioning runs a JQ subset: ``{key: .path}`` entries, optionally
> ``| strftime("...")`` or ``| tostring``; ``partitionKeyFromLambda``, ``RecordDeAggregation``,
> S3 backup and destinations other than S3 are refused at create. AWS documents no error record
> shape for partitioning failures (the emulator's is described in ``records``). The role's
> ``kinesis:GetRecords`` and ``lambda:InvokeFunction`` are not evaluated; its S3 writes are.
> The error log's group and stream are created if missing (AWS logs nothing to a missing one).
> Records whose S3 write failed are written again after the buffer interval (at least 1 s), and
> never dropped: AWS retries for up to 24 hours and documents no interval (``hoses``, unverified).
> Each round of delivery, failed ones included, puts its own ``DeliveryToS3`` datapoints (``metrics``).
"""

from __future__ import annotations

from lakelab.emulator.seam import Patch

SERVICES = ("firehose",)

PATCHES = (
    Patch("FirehoseBackend", "create_delivery_stream", wrap=".hooks:creates_a_hose",
          why="a delivery stream buffers and delivers as its configuration says; moto stores the configuration only"),
    Patch("FirehoseBackend", "put_record_batch", wrap=".hooks:puts_into_the_buffer",
          why="records wait in the buffer until its size or interval is reached; moto writes one object per put"),
    Patch("FirehoseBackend", "put_record", wrap=".hooks:puts_one_record",
          why="PutRecord is refused over 1,000 KiB, as AWS refuses it, and buffered like a batch"),
    Patch("FirehoseBackend", "delete_delivery_stream", wrap=".hooks:stops_the_hose",
          why="a deleted delivery stream's flush thread stops"),
    Patch("FirehoseBackend", "update_destination", wrap=".hooks:updates_the_hose",
          why="UpdateDestination is checked as CreateDeliveryStream is, and later flushes follow it"),
)


def install() -> None:
    import atexit

    from lakelab.emulator import registry
    from lakelab.emulator.services.firehose import hoses

    registry.on_reset(hoses.stop_all)
    atexit.register(hoses.stop_all)
