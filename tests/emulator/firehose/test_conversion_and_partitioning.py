"""JSON -> Parquet/ORC with a Glue table's schema, dynamic partitioning, and the error output prefix.

Bad records (not JSON, a value that does not fit its column, a partition key that is missing)
land under the error prefix in AWS's error record shape; the rest are delivered; the counts add up.
"""

from __future__ import annotations

import base64
import io
import json
import time

import pyarrow.orc
import pyarrow.parquet as pq
import pytest

from tests.emulator.firehose.conftest import body, json_lines, keys, s3_destination, wait_for_keys

COLUMNS = [{"Name": "user_id", "Type": "bigint"}, {"Name": "event_type", "Type": "string"},
           {"Name": "price", "Type": "double"}, {"Name": "ts", "Type": "timestamp"}]
GOOD = [{"user_id": n, "event_type": "view" if n % 2 else "cart", "price": n / 4,
         "ts": f"2025-03-0{1 + n % 2}T10:00:00Z"} for n in range(6)]
BAD = [b'{"user_id": 1, "event_type": ', b'{"user_id": "seven", "event_type": "view"}']


@pytest.fixture
def table(lake):
    glue = lake["client"]("glue")
    glue.create_database(DatabaseInput={"Name": "lake"})
    glue.create_table(DatabaseName="lake", TableInput={"Name": "clicks", "StorageDescriptor": {"Columns": COLUMNS}})
    return {"DatabaseName": "lake", "TableName": "clicks", "RoleARN": lake["role"], "Region": "us-east-1"}


def _conversion(schema, serializer):
    return {"Enabled": True, "SchemaConfiguration": schema,
            "InputFormatConfiguration": {"Deserializer": {"OpenXJsonSerDe": {}}},
            "OutputFormatConfiguration": {"Serializer": serializer}}


def _put(lake, name, records):
    lake["firehose"].put_record_batch(DeliveryStreamName=name, Records=[{"Data": data} for data in records])


@pytest.mark.parametrize("serializer, read", [({"ParquetSerDe": {}}, pq.read_table),
                                              ({"OrcSerDe": {}}, pyarrow.orc.read_table)])
def test_json_converts_with_the_glue_schema_and_bad_records_go_to_the_error_prefix(lake, table, serializer, read):
    lake["firehose"].create_delivery_stream(DeliveryStreamName="clicks", ExtendedS3DestinationConfiguration=s3_destination(
        lake, Prefix="curated/", ErrorOutputPrefix="errors/!{firehose:error-output-type}/",
        BufferingHints={"SizeInMBs": 64, "IntervalInSeconds": 1},
        DataFormatConversionConfiguration=_conversion(table, serializer)))
    _put(lake, "clicks", [json.dumps(row).encode() for row in GOOD[:3]] + BAD + [json.dumps(r).encode() for r in GOOD[3:]])
    [converted] = wait_for_keys(lake, prefix="curated/")
    [errors] = wait_for_keys(lake, prefix="errors/format-conversion-failed/")
    rows = read(io.BytesIO(body(lake, converted)))
    assert rows.column_names == ["user_id", "event_type", "price", "ts"]
    assert rows.column("user_id").to_pylist() == [0, 1, 2, 3, 4, 5]
    assert str(rows.schema.field("ts").type).startswith("timestamp")
    failed = json_lines(body(lake, errors))
    assert [base64.b64decode(item["rawData"]) for item in failed] == BAD
    assert {item["ErrorCode"] for item in failed} == {"DataFormatConversion.MalformedData"}
    assert failed[1]["dataCatalogTable"]["tableName"] == "clicks"
    assert set(failed[0]) >= {"attemptsMade", "arrivalTimestamp", "ErrorMessage", "attemptEndingTimestamp"}


def test_a_missing_table_fails_every_record_to_the_error_prefix(lake, table):
    lake["firehose"].create_delivery_stream(DeliveryStreamName="clicks", ExtendedS3DestinationConfiguration=s3_destination(
        lake, Prefix="curated/", BufferingHints={"SizeInMBs": 64, "IntervalInSeconds": 0},
        DataFormatConversionConfiguration=_conversion({**table, "TableName": "missing"}, {"ParquetSerDe": {}})))
    _put(lake, "clicks", [json.dumps(GOOD[0]).encode()])
    [errors] = wait_for_keys(lake, prefix="format-conversion-failed/")
    assert json_lines(body(lake, errors))[0]["ErrorCode"] == "DataFormatConversion.InvalidSchema"
    assert keys(lake, "curated/") == []


def test_dynamic_partitioning_writes_one_object_per_partition_and_failed_keys_to_the_error_prefix(lake, table):
    query = '{event_type: .event_type, day: .epoch | strftime("%Y-%m-%d")}'
    lake["firehose"].create_delivery_stream(DeliveryStreamName="clicks", ExtendedS3DestinationConfiguration=s3_destination(
        lake, Prefix="raw/day=!{partitionKeyFromQuery:day}/type=!{partitionKeyFromQuery:event_type}/",
        ErrorOutputPrefix="errors/!{firehose:error-output-type}/", BufferingHints={"SizeInMBs": 64, "IntervalInSeconds": 1},
        DynamicPartitioningConfiguration={"Enabled": True},
        DataFormatConversionConfiguration=_conversion(table, {"ParquetSerDe": {}}),
        ProcessingConfiguration={"Enabled": True, "Processors": [{"Type": "MetadataExtraction", "Parameters": [
            {"ParameterName": "MetadataExtractionQuery", "ParameterValue": query},
            {"ParameterName": "JsonParsingEngine", "ParameterValue": "JQ-1.6"}]}]}))
    records = [json.dumps({**row, "epoch": 1740823200 + 86400 * (n % 2)}).encode() for n, row in enumerate(GOOD)]
    missing_key = json.dumps({"user_id": 9, "epoch": 1740823200}).encode()
    _put(lake, "clicks", records + [missing_key, b"not json"])
    delivered = wait_for_keys(lake, count=2, prefix="raw/")
    [errors] = wait_for_keys(lake, prefix="errors/partitioning-failed/")
    assert [key.rsplit("/", 1)[0] for key in delivered] == ["raw/day=2025-03-01/type=cart",
                                                           "raw/day=2025-03-02/type=view"]
    assert sum(pq.read_table(io.BytesIO(body(lake, key))).num_rows for key in delivered) == 6
    failed = json_lines(body(lake, errors))
    assert [base64.b64decode(item["rawData"]) for item in failed] == [missing_key, b"not json"]
    assert {item["errorCode"] for item in failed} == {"DynamicPartitioning.MetadataExtractionFailed"}


def test_each_partition_is_buffered_apart_and_delivered_at_its_own_interval(lake):
    lake["firehose"].create_delivery_stream(DeliveryStreamName="clicks", ExtendedS3DestinationConfiguration=s3_destination(
        lake, Prefix="raw/type=!{partitionKeyFromQuery:event_type}/", ErrorOutputPrefix="errors/",
        BufferingHints={"SizeInMBs": 64, "IntervalInSeconds": 2}, DynamicPartitioningConfiguration={"Enabled": True},
        ProcessingConfiguration={"Enabled": True, "Processors": [{"Type": "MetadataExtraction", "Parameters": [
            {"ParameterName": "MetadataExtractionQuery", "ParameterValue": "{event_type: .event_type}"},
            {"ParameterName": "JsonParsingEngine", "ParameterValue": "JQ-1.6"}]}]}))
    _put(lake, "clicks", [b'{"event_type": "view", "n": 1}\n'])
    time.sleep(1.2)
    _put(lake, "clicks", [b'{"event_type": "cart", "n": 2}\n', b'{"event_type": "view", "n": 3}\n'])
    [view] = wait_for_keys(lake, prefix="raw/type=view/", timeout=2.5)
    assert keys(lake, "raw/type=cart/") == []  # its first record came 1.2 s later: its interval has not passed
    assert body(lake, view) == b'{"event_type": "view", "n": 1}\n{"event_type": "view", "n": 3}\n'
    [cart] = wait_for_keys(lake, prefix="raw/type=cart/", timeout=2.5)
    assert body(lake, cart) == b'{"event_type": "cart", "n": 2}\n'


def test_a_string_slice_reads_the_date_of_an_iso_timestamp_and_refuses_what_jq_would():
    from lakelab.emulator.services.firehose import partitioning

    query = partitioning.parse('{event_date: .event_ts[0:10], kind: .event_type}')
    keys_of = partitioning.extract(query, b'{"event_ts": "2024-06-03T10:00:00.000Z", "event_type": "search"}')
    assert keys_of == {"event_date": "2024-06-03", "kind": "search"}
    with pytest.raises(partitioning.ExtractionFailed, match="not a string to slice"):
        partitioning.extract(query, b'{"event_ts": 1717400000, "event_type": "search"}')
    with pytest.raises(partitioning.ExtractionFailed, match="null or missing"):
        partitioning.extract(query, b'{"event_type": "search"}')
    with pytest.raises(Exception, match="only at the end"):
        partitioning.parse('{d: .event_ts[0:10] | tostring}')
