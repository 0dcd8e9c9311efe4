"""Puts and configurations AWS refuses are refused here, with AWS's exceptions."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from tests.emulator.firehose.conftest import s3_destination


def _error(call, **kwargs) -> tuple[str, str]:
    with pytest.raises(ClientError) as raised:
        call(**kwargs)
    return raised.value.response["Error"]["Code"], raised.value.response["Error"]["Message"]


@pytest.fixture
def hose(lake):
    lake["firehose"].create_delivery_stream(DeliveryStreamName="clicks",
                                            ExtendedS3DestinationConfiguration=s3_destination(lake))
    return lake["firehose"]


def test_a_record_over_1000_kib_is_refused(hose):
    code, message = _error(hose.put_record, DeliveryStreamName="clicks", Record={"Data": b"x" * 1_024_001})
    assert code == "ValidationException" and "1024000" in message
    hose.put_record(DeliveryStreamName="clicks", Record={"Data": b"x" * 1_024_000})  # the limit itself is fine


def test_batches_over_500_records_or_4_mib_are_refused(hose):
    code, message = _error(hose.put_record_batch, DeliveryStreamName="clicks", Records=[{"Data": b"x"}] * 501)
    assert code == "ValidationException" and "500" in message
    code, message = _error(hose.put_record_batch, DeliveryStreamName="clicks", Records=[{"Data": b"x" * 1_000_000}] * 5)
    assert code == "InvalidArgumentException" and "4 MiB" in message
    code, _ = _error(hose.put_record_batch, DeliveryStreamName="clicks",
                     Records=[{"Data": b"x"}] * 10 + [{"Data": b"y" * 1_024_001}])
    assert code == "ValidationException"


def test_an_unknown_stream_is_not_found(hose):
    code, _ = _error(hose.put_record, DeliveryStreamName="nope", Record={"Data": b"x"})
    assert code == "ResourceNotFoundException"


@pytest.mark.parametrize("overrides, words", [
    ({"BufferingHints": {"SizeInMBs": 129, "IntervalInSeconds": 60}}, "SizeInMBs"),
    ({"BufferingHints": {"SizeInMBs": 5, "IntervalInSeconds": 901}}, "IntervalInSeconds"),
    ({"Prefix": "!{timestamp:yyyy-QQ}/"}, "'QQ'"),
    ({"Prefix": "!{firehose:stream-name}/"}, "random-string"),
    ({"DynamicPartitioningConfiguration": {"Enabled": True}, "Prefix": "!{partitionKeyFromQuery:t}/",
      "ErrorOutputPrefix": "errors/", "BufferingHints": {"SizeInMBs": 64, "IntervalInSeconds": 60},
      "ProcessingConfiguration": {"Enabled": True, "Processors": [{"Type": "MetadataExtraction", "Parameters": [
          {"ParameterName": "MetadataExtractionQuery", "ParameterValue": "{t: .a | ascii_downcase}"},
          {"ParameterName": "JsonParsingEngine", "ParameterValue": "JQ-1.6"}]}]}}, "JQ subset"),
    ({"DynamicPartitioningConfiguration": {"Enabled": True}, "Prefix": "!{partitionKeyFromQuery:t}/",
      "BufferingHints": {"SizeInMBs": 64, "IntervalInSeconds": 60}}, "ErrorOutputPrefix is required"),
    ({"DynamicPartitioningConfiguration": {"Enabled": True}, "Prefix": "!{partitionKeyFromQuery:t}/",
      "ErrorOutputPrefix": "errors/"}, "at least 64"),
    ({"DynamicPartitioningConfiguration": {"Enabled": True}, "Prefix": "!{partitionKeyFromQuery:t}/",
      "ErrorOutputPrefix": "errors/", "BufferingHints": {"SizeInMBs": 64, "IntervalInSeconds": 0}}, "zero buffering"),
    ({"CustomTimeZone": "Mars/Olympus_Mons"}, "CustomTimeZone"),
    ({"CompressionFormat": "GZIP", "DataFormatConversionConfiguration": {
        "Enabled": True, "SchemaConfiguration": {"DatabaseName": "d", "TableName": "t"},
        "InputFormatConfiguration": {"Deserializer": {"OpenXJsonSerDe": {}}},
        "OutputFormatConfiguration": {"Serializer": {"ParquetSerDe": {}}}},
      "BufferingHints": {"SizeInMBs": 64, "IntervalInSeconds": 60}}, "UNCOMPRESSED"),
])
def test_configurations_aws_refuses_are_refused_at_create(lake, overrides, words):
    code, message = _error(lake["firehose"].create_delivery_stream, DeliveryStreamName="bad",
                           ExtendedS3DestinationConfiguration=s3_destination(lake, **overrides))
    assert code == "InvalidArgumentException" and words in message, message


def test_destinations_other_than_s3_are_refused_by_name(lake):
    code, message = _error(lake["firehose"].create_delivery_stream, DeliveryStreamName="bad",
                           HttpEndpointDestinationConfiguration={
                               "EndpointConfiguration": {"Url": "https://example.com"},
                               "S3Configuration": {"BucketARN": "arn:aws:s3:::x", "RoleARN": lake["role"]}})
    assert code == "InvalidArgumentException" and "S3 only" in message
