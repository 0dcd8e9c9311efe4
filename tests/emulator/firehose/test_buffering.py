"""BufferingHints, the object key layout, compression and the stream's status, through boto3."""

from __future__ import annotations

import datetime
import gzip
import io
import re
import struct
import time
import zipfile
import zoneinfo

import pyarrow

from tests.emulator.firehose.conftest import body, keys, s3_destination, wait_for_keys

DEFAULT_KEY = re.compile(r"raw/\d{4}/\d{2}/\d{2}/\d{2}/clicks-1-\d{4}-\d{2}-\d{2}-\d{2}-\d{2}-\d{2}-[0-9a-f-]{36}$")


def _create(lake, name="clicks", **destination):
    lake["firehose"].create_delivery_stream(DeliveryStreamName=name,
                                            ExtendedS3DestinationConfiguration=s3_destination(lake, **destination))


def test_the_interval_flushes_one_object_of_concatenated_records_under_the_default_layout(lake):
    _create(lake, Prefix="raw/", BufferingHints={"SizeInMBs": 1, "IntervalInSeconds": 2})
    started = time.time()
    lake["firehose"].put_record(DeliveryStreamName="clicks", Record={"Data": b'{"n":0}\n'})
    lake["firehose"].put_record_batch(DeliveryStreamName="clicks",
                                      Records=[{"Data": f'{{"n":{n}}}\n'.encode()} for n in range(1, 4)])
    time.sleep(1.2)
    assert keys(lake) == []  # the interval has not passed
    [key] = wait_for_keys(lake)
    assert 2.0 <= time.time() - started <= 4.0
    assert DEFAULT_KEY.match(key), key
    assert body(lake, key) == b'{"n":0}\n{"n":1}\n{"n":2}\n{"n":3}\n'


def test_the_size_flushes_before_a_long_interval(lake):
    _create(lake, Prefix="raw/", BufferingHints={"SizeInMBs": 1, "IntervalInSeconds": 60})
    lake["firehose"].put_record(DeliveryStreamName="clicks", Record={"Data": b"x" * 1000})
    time.sleep(1.0)
    assert keys(lake) == []  # 60 s interval: nothing before it, unless the size is reached
    lake["firehose"].put_record_batch(DeliveryStreamName="clicks", Records=[{"Data": b"y" * 600_000}] * 2)
    [key] = wait_for_keys(lake, timeout=2.0)
    assert len(body(lake, key)) == 1_201_000


def test_custom_prefixes_evaluate_timestamp_and_firehose_expressions(lake):
    _create(lake, Prefix="events/dt=!{timestamp:yyyy-MM-dd}/h=!{timestamp:HH}/!{firehose:random-string}/",
            BufferingHints={"SizeInMBs": 1, "IntervalInSeconds": 0})
    lake["firehose"].put_record(DeliveryStreamName="clicks", Record={"Data": b"a"})
    [key] = wait_for_keys(lake)
    assert re.match(r"events/dt=\d{4}-\d{2}-\d{2}/h=\d{2}/[A-Za-z0-9]{11}/clicks-1-", key), key


def _snappy_block(block: bytes) -> bytes:
    length = shift = 0
    for byte in block:
        length |= (byte & 0x7F) << shift
        shift += 7
        if byte < 0x80:
            break
    return pyarrow.Codec("snappy").decompress(block, decompressed_size=length, asbytes=True)


def _unframe(data: bytes) -> bytes:
    assert data.startswith(b"\xff\x06\x00\x00sNaPpY")
    position, out = 10, b""
    while position < len(data):
        length = int.from_bytes(data[position + 1:position + 4], "little")
        assert data[position] == 0
        out += _snappy_block(data[position + 8:position + 4 + length])
        position += 4 + length
    return out


def _hadoop(data: bytes) -> bytes:
    position, out = 0, b""
    while position < len(data):
        _, compressed = struct.unpack(">II", data[position:position + 8])
        out += _snappy_block(data[position + 8:position + 8 + compressed])
        position += 8 + compressed
    return out


def test_compression_formats_and_their_extensions(lake):
    readers = {"GZIP": (".gz", gzip.decompress), "Snappy": (".snappy", _unframe), "HADOOP_SNAPPY": (".hsnappy", _hadoop),
               "ZIP": (".zip", lambda data: zipfile.ZipFile(io.BytesIO(data)).read(
                   zipfile.ZipFile(io.BytesIO(data)).namelist()[0]))}
    records = [{"Data": (f'{{"n":{n}}}\n' * 30).encode()} for n in range(500)]  # over one 64 KiB snappy chunk
    for name in readers:
        _create(lake, name=f"c-{name.lower().replace('_', '-')}", Prefix=f"{name}/", CompressionFormat=name)
        lake["firehose"].put_record_batch(DeliveryStreamName=f"c-{name.lower().replace('_', '-')}", Records=records)
    expected = b"".join(record["Data"] for record in records)
    for name, (extension, read) in readers.items():
        [key] = wait_for_keys(lake, prefix=f"{name}/")
        assert key.endswith(extension)
        assert read(body(lake, key)) == expected, name


def test_a_new_stream_is_creating_then_active(lake):
    _create(lake)
    describe = lake["firehose"].describe_delivery_stream
    assert describe(DeliveryStreamName="clicks")["DeliveryStreamDescription"]["DeliveryStreamStatus"] == "CREATING"
    time.sleep(0.7)
    assert describe(DeliveryStreamName="clicks")["DeliveryStreamDescription"]["DeliveryStreamStatus"] == "ACTIVE"


def test_a_deleted_stream_delivers_nothing_more(lake):
    _create(lake, BufferingHints={"SizeInMBs": 1, "IntervalInSeconds": 1})
    lake["firehose"].put_record(DeliveryStreamName="clicks", Record={"Data": b"a"})
    lake["firehose"].delete_delivery_stream(DeliveryStreamName="clicks")
    time.sleep(1.5)
    assert keys(lake) == []


def test_a_custom_time_zone_names_prefixes_and_objects_in_it(lake):
    _create(lake, Prefix="local/!{timestamp:yyyy-MM-dd'T'HH}/", CustomTimeZone="Asia/Tokyo",
            BufferingHints={"SizeInMBs": 1, "IntervalInSeconds": 0})
    lake["firehose"].put_record(DeliveryStreamName="clicks", Record={"Data": b"a"})
    [key] = wait_for_keys(lake)
    tokyo = datetime.datetime.now(zoneinfo.ZoneInfo("Asia/Tokyo"))
    assert key.startswith(f"local/{tokyo:%Y-%m-%dT%H}/clicks-1-{tokyo:%Y-%m-%d-%H}"), key


def test_update_destination_changes_later_flushes_and_the_version_in_object_names(lake):
    _create(lake, Prefix="v1/", BufferingHints={"SizeInMBs": 1, "IntervalInSeconds": 60})
    lake["firehose"].put_record(DeliveryStreamName="clicks", Record={"Data": b"old\n"})
    lake["firehose"].update_destination(
        DeliveryStreamName="clicks", CurrentDeliveryStreamVersionId="1", DestinationId="destinationId-000000000001",
        ExtendedS3DestinationUpdate={"Prefix": "v2/", "BufferingHints": {"SizeInMBs": 1, "IntervalInSeconds": 0}})
    [old] = wait_for_keys(lake, prefix="v1/")  # what was buffered is delivered under the old configuration
    assert "/clicks-1-" in old and body(lake, old) == b"old\n"
    lake["firehose"].put_record(DeliveryStreamName="clicks", Record={"Data": b"new\n"})
    [new] = wait_for_keys(lake, prefix="v2/")
    assert "/clicks-2-" in new and body(lake, new) == b"new\n"


def test_append_delimiter_to_record_separates_records_with_newlines(lake):
    _create(lake, Prefix="lines/", BufferingHints={"SizeInMBs": 1, "IntervalInSeconds": 0},
            ProcessingConfiguration={"Enabled": True, "Processors": [{"Type": "AppendDelimiterToRecord"}]})
    lake["firehose"].put_record_batch(DeliveryStreamName="clicks", Records=[{"Data": b'{"n":1}'}, {"Data": b'{"n":2}'}])
    [key] = wait_for_keys(lake)
    assert body(lake, key) == b'{"n":1}\n{"n":2}\n'


def test_a_plain_s3_destination_buffers_and_compresses_too(lake):
    lake["firehose"].create_delivery_stream(DeliveryStreamName="plain", S3DestinationConfiguration={
        "BucketARN": f"arn:aws:s3:::{lake['bucket']}", "RoleARN": lake["role"], "Prefix": "plain/",
        "BufferingHints": {"SizeInMBs": 1, "IntervalInSeconds": 1}, "CompressionFormat": "GZIP"})
    lake["firehose"].put_record_batch(DeliveryStreamName="plain", Records=[{"Data": b"a\n"}, {"Data": b"b\n"}])
    [key] = wait_for_keys(lake, prefix="plain/")
    assert key.endswith(".gz") and gzip.decompress(body(lake, key)) == b"a\nb\n"
