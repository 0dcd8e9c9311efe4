"""A Kinesis data stream as a delivery stream's source (``KinesisStreamAsSource``).

As on AWS, reading starts at the stream's ``LATEST`` position when the delivery stream is
created, then follows every shard (shards created by resharding are read from their start);
each record keeps its approximate arrival time and sequence number. The hose's thread calls
:meth:`Reader.read` about five times a second.
"""

from __future__ import annotations

import base64
import datetime as dt
from typing import Any

from lakelab.emulator import seam
from lakelab.emulator.services.firehose.records import Record

BATCH = 10000  # GetRecords' limit per call


def _iso(epoch: float) -> str:
    """``2012-04-23T18:25:43.511Z``, as the transformation event's kinesisRecordMetadata writes it."""
    return dt.datetime.fromtimestamp(epoch, dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


class Reader:
    def __init__(self, account_id: str, region: str, stream_arn: str) -> None:
        self.account_id, self.region, self.stream_arn = account_id, region, stream_arn
        self.positions = {shard.shard_id: shard.get_max_sequence_number() for shard in self._stream().shards.values()}

    def _stream(self) -> Any:
        backend = seam.backend("kinesis", self.account_id, self.region)
        return backend.describe_stream(stream_arn=self.stream_arn, stream_name=None)

    def read(self) -> list[Record]:
        found: list[Record] = []
        try:
            shards = list(self._stream().shards.values())
        except Exception:  # the stream was deleted: nothing more to read
            return found
        for shard in shards:
            position = self.positions.setdefault(shard.shard_id, 0)
            try:
                records, _, _ = shard.get_records(str(position), BATCH)
            except RuntimeError:  # a producer added a record while moto iterated the shard: next time
                continue
            for record in records:
                data = base64.b64decode(record.data)
                found.append(Record(data, float(record.created_at), raw=data,
                                    sequence_number=str(record.sequence_number), kinesis={
                                        "shardId": shard.shard_id, "partitionKey": record.partition_key,
                                        "approximateArrivalTimestamp": _iso(record.created_at),
                                        "sequenceNumber": str(record.sequence_number), "subsequenceNumber": ""}))
            if records:
                self.positions[shard.shard_id] = max(int(r.sequence_number) for r in records)
        return found
