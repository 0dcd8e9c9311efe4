"""Wrappers around moto's FirehoseBackend: checks at create, records into the hose's buffer."""

from __future__ import annotations

import base64
import inspect
import uuid
from typing import Any

from lakelab.emulator import seam
from lakelab.emulator.services.firehose import hoses, keys, settings
from lakelab.emulator.services.firehose.records import Record

MAX_RECORD_BYTES = 1_024_000  # 1,000 KiB
MAX_BATCH_RECORDS = 500
MAX_BATCH_BYTES = 4 * 1024 * 1024
OTHER_DESTINATIONS = ("redshift", "elasticsearch", "splunk", "http_endpoint", "snowflake", "iceberg")


def _not_found(backend: Any, name: str) -> Exception:
    return seam.FirehoseResourceNotFoundException(f"Firehose {name} under account {backend.account_id} not found.")


def _validation(message: str) -> Exception:
    return seam.FirehoseValidationException(f"1 validation error detected: {message}")


def creates_a_hose(original: Any) -> Any:
    signature = inspect.signature(original)

    def create_delivery_stream(self: Any, *args: Any, **kwargs: Any) -> str:
        bound = signature.bind(self, *args, **kwargs).arguments
        for other in OTHER_DESTINATIONS:
            if bound.get(f"{other}_destination_configuration"):
                raise settings.refuse(f"the emulator delivers to Amazon S3 only, not to {other}")
        extended = bool(bound.get("extended_s3_destination_configuration"))
        config = bound.get("extended_s3_destination_configuration") or bound.get("s3_destination_configuration") or {}
        if not config:
            raise settings.refuse("Exactly one destination configuration is supported for a Firehose")
        destination = _checked(config, extended)
        source = _source(self, bound)
        arn = original(self, *args, **kwargs)
        stream = self.delivery_streams[bound["delivery_stream_name"]]
        hoses.start(hoses.Hose(self.account_id, self.region_name, stream.delivery_stream_name, destination, source),
                    stream)
        return arn

    return create_delivery_stream


def _checked(config: dict[str, Any], extended: bool) -> settings.Destination:
    destination = settings.read(config, extended)
    keys.check(destination.prefix)
    keys.check(destination.error_prefix)
    if "!{partitionKeyFrom" in destination.error_prefix:
        raise settings.refuse("ErrorOutputPrefix cannot use partitionKeyFromQuery or partitionKeyFromLambda")
    return destination


def _source(backend: Any, bound: dict[str, Any]) -> Any:
    if bound.get("delivery_stream_type") != "KinesisStreamAsSource":
        return None
    from lakelab.emulator.services.firehose.kinesis_source import Reader

    source = bound.get("kinesis_stream_source_configuration") or {}
    if not source.get("KinesisStreamARN"):
        raise settings.refuse("KinesisStreamAsSource needs KinesisStreamSourceConfiguration.KinesisStreamARN")
    try:
        return Reader(backend.account_id, backend.region_name, source["KinesisStreamARN"])
    except Exception as error:
        raise settings.refuse(f"Kinesis stream {source['KinesisStreamARN']} cannot be read: {error}") from None


def puts_into_the_buffer(original: Any) -> Any:
    def put_record_batch(self: Any, delivery_stream_name: str, records: list[dict[str, Any]]) -> dict[str, Any]:
        hose = _hose_for_put(self, delivery_stream_name)
        if len(records) > MAX_BATCH_RECORDS:
            raise _validation(f"Value at 'records' failed to satisfy constraint: Member must have length less "
                              f"than or equal to {MAX_BATCH_RECORDS}")
        found = [_data(record, f"records.{index + 1}.member.data") for index, record in enumerate(records)]
        if sum(len(data) for data in found) > MAX_BATCH_BYTES:
            raise settings.refuse(f"The PutRecordBatch request's records add up to {sum(map(len, found))} bytes, "
                                  f"over the 4 MiB limit")
        return {"FailedPutCount": 0, "Encrypted": False, "RequestResponses": _put(hose, found)}

    return put_record_batch


def puts_one_record(original: Any) -> Any:
    def put_record(self: Any, delivery_stream_name: str, record: dict[str, Any]) -> dict[str, Any]:
        hose = _hose_for_put(self, delivery_stream_name)
        return {"RecordId": _put(hose, [_data(record, "record.data")])[0]["RecordId"], "Encrypted": False}

    return put_record


def _hose_for_put(backend: Any, name: str) -> hoses.Hose:
    stream = backend.delivery_streams.get(name)
    hose = hoses.find(backend.account_id, backend.region_name, name)
    if stream is None or hose is None:
        raise _not_found(backend, name)
    if stream.delivery_stream_type == "KinesisStreamAsSource":
        raise settings.refuse("This operation is not permitted on KinesisStreamAsSource delivery stream type.")
    return hose


def _data(record: dict[str, Any], where: str) -> bytes:
    data = record.get("Data", b"")
    data = base64.b64decode(data) if isinstance(data, str) else bytes(data)
    if len(data) > MAX_RECORD_BYTES:
        raise _validation(f"Value at '{where}' failed to satisfy constraint: Member must have length less than "
                          f"or equal to {MAX_RECORD_BYTES}")
    return data


def _put(hose: hoses.Hose, found: list[bytes]) -> list[dict[str, str]]:
    import time

    now = time.time()
    hose.put([Record(data, now, raw=data) for data in found])
    return [{"RecordId": uuid.uuid4().hex + uuid.uuid4().hex} for _ in found]


def stops_the_hose(original: Any) -> Any:
    def delete_delivery_stream(self: Any, delivery_stream_name: str, *args: Any, **kwargs: Any) -> None:
        original(self, delivery_stream_name, *args, **kwargs)
        hoses.stop(self.account_id, self.region_name, delivery_stream_name)

    return delete_delivery_stream


def updates_the_hose(original: Any) -> Any:
    signature = inspect.signature(original)

    def update_destination(self: Any, *args: Any, **kwargs: Any) -> None:
        bound = signature.bind(self, *args, **kwargs).arguments
        stream = self.delivery_streams.get(bound["delivery_stream_name"])
        update = bound.get("extended_s3_destination_update") or bound.get("s3_destination_update")
        destination = None
        if stream is not None and update:
            extended = bool(bound.get("extended_s3_destination_update"))
            current = stream.destinations[0].get("ExtendedS3" if extended else "S3") or {}
            destination = _checked({**current, **update}, extended)
        hose = hoses.find(self.account_id, self.region_name, bound["delivery_stream_name"])
        if hose is not None and destination is not None and stream.version_id == bound.get(
                "current_delivery_stream_version_id"):
            hose.flush_now()  # records buffered under the old configuration are delivered with it
        original(self, *args, **kwargs)
        if hose is not None and destination is not None:
            hose.destination = destination

    return update_destination
