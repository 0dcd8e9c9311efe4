"""Kinesis Data Streams on the emulator: hashing, limits, iterators, resharding, on-demand, encryption."""

import hashlib
import time

import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

NO_RETRIES = Config(retries={"mode": "standard", "total_max_attempts": 1})  # botocore retries throttling itself


def make_stream(client, name="lakelab-clicks", shards=1, **kwargs):
    kinesis = client("kinesis", config=NO_RETRIES)
    kinesis.create_stream(StreamName=name, ShardCount=shards, **kwargs)
    return kinesis


def read_all(kinesis, stream, shard_id, iterator_type="TRIM_HORIZON", **kwargs):
    iterator = kinesis.get_shard_iterator(StreamName=stream, ShardId=shard_id, ShardIteratorType=iterator_type,
                                          **kwargs)["ShardIterator"]
    return kinesis.get_records(ShardIterator=iterator)


def test_partition_keys_land_in_the_shard_whose_range_holds_their_md5(client):
    kinesis = make_stream(client, shards=4)
    ranges = {s["ShardId"]: (int(s["HashKeyRange"]["StartingHashKey"]), int(s["HashKeyRange"]["EndingHashKey"]))
              for s in kinesis.list_shards(StreamName="lakelab-clicks")["Shards"]}
    for key in ("user-1", "user-2", "user-3", "user-42", "page/home"):
        shard = kinesis.put_record(StreamName="lakelab-clicks", PartitionKey=key, Data=b"x")["ShardId"]
        low, high = ranges[shard]
        assert low <= int(hashlib.md5(key.encode()).hexdigest(), 16) <= high
    last = kinesis.put_record(StreamName="lakelab-clicks", PartitionKey="k", Data=b"x",
                              ExplicitHashKey=str(2**128 - 1))
    assert last["ShardId"] == "shardId-000000000003", "the last hash key belongs to the last shard"


def test_sequence_numbers_grow_across_the_stream(client):
    kinesis = make_stream(client, shards=2)
    numbers = [int(kinesis.put_record(StreamName="lakelab-clicks", PartitionKey=f"k{n}", Data=b"x")["SequenceNumber"])
               for n in range(6)]
    assert numbers == sorted(numbers) and len(set(numbers)) == 6


def test_a_record_over_1_mib_is_refused(client):
    kinesis = make_stream(client)
    with pytest.raises(ClientError) as refused:
        kinesis.put_record(StreamName="lakelab-clicks", PartitionKey="k", Data=b"x" * (1024 * 1024 + 1))
    assert refused.value.response["Error"]["Code"] == "ValidationException"
    assert "less than or equal to 1048576" in refused.value.response["Error"]["Message"]
    with pytest.raises(ClientError, match="records.2.member.data"):
        kinesis.put_records(StreamName="lakelab-clicks", Records=[
            {"PartitionKey": "k", "Data": b"x"}, {"PartitionKey": "k", "Data": b"x" * (1024 * 1024)}])


def test_a_hot_partition_key_is_throttled_record_by_record(client):
    kinesis = make_stream(client, shards=4)
    payload = b"x" * 3000
    hot = kinesis.put_records(StreamName="lakelab-clicks",
                              Records=[{"PartitionKey": "hot", "Data": payload} for _ in range(500)])
    assert 0 < hot["FailedRecordCount"] < 500
    failed = [r for r in hot["Records"] if "ErrorCode" in r]
    assert len(failed) == hot["FailedRecordCount"]
    assert failed[0]["ErrorCode"] == "ProvisionedThroughputExceededException"
    assert "Rate exceeded for shard" in failed[0]["ErrorMessage"]
    written = [r for r in hot["Records"] if "SequenceNumber" in r]
    assert len(written) * 3003 <= 1024 * 1024 < (len(written) + 1) * 3003
    time.sleep(1.0)  # a new second
    spread = kinesis.put_records(StreamName="lakelab-clicks",
                                 Records=[{"PartitionKey": f"user-{n}", "Data": payload} for n in range(500)])
    assert spread["FailedRecordCount"] == 0, "spread over four shards, the same volume fits"


def test_put_record_over_the_shard_limit_fails_whole(client):
    kinesis = make_stream(client)
    with pytest.raises(ClientError) as throttled:
        for _ in range(3):
            kinesis.put_record(StreamName="lakelab-clicks", PartitionKey="k", Data=b"x" * 600_000)
    assert throttled.value.response["Error"]["Code"] == "ProvisionedThroughputExceededException"


def test_iterator_types_and_millis_behind_latest(client):
    kinesis = make_stream(client)
    numbers = [kinesis.put_record(StreamName="lakelab-clicks", PartitionKey="k", Data=f"r{n}".encode())[
        "SequenceNumber"] for n in range(5)]
    shard = "shardId-000000000000"
    assert [r["Data"] for r in read_all(kinesis, "lakelab-clicks", shard)["Records"]] == [
        f"r{n}".encode() for n in range(5)]
    at = read_all(kinesis, "lakelab-clicks", shard, "AT_SEQUENCE_NUMBER", StartingSequenceNumber=numbers[2])
    assert [r["Data"] for r in at["Records"]] == [b"r2", b"r3", b"r4"]
    after = read_all(kinesis, "lakelab-clicks", shard, "AFTER_SEQUENCE_NUMBER", StartingSequenceNumber=numbers[2])
    assert [r["Data"] for r in after["Records"]] == [b"r3", b"r4"]
    latest = read_all(kinesis, "lakelab-clicks", shard, "LATEST")
    assert latest["Records"] == [] and latest["MillisBehindLatest"] == 0
    time.sleep(1.0)  # past the 5 reads a shard serves in a second, and later than every record so far
    cut = time.time()
    kinesis.put_record(StreamName="lakelab-clicks", PartitionKey="k", Data=b"late")
    assert [r["Data"] for r in read_all(kinesis, "lakelab-clicks", shard, "AT_TIMESTAMP",
                                        Timestamp=cut)["Records"]] == [b"late"]
    iterator = kinesis.get_shard_iterator(StreamName="lakelab-clicks", ShardId=shard,
                                          ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
    first = kinesis.get_records(ShardIterator=iterator, Limit=2)
    assert first["MillisBehindLatest"] >= 300, "two of six read: the consumer is behind"
    rest = kinesis.get_records(ShardIterator=first["NextShardIterator"])
    assert len(rest["Records"]) == 4 and rest["MillisBehindLatest"] == 0
    ages = client("cloudwatch").get_metric_statistics(
        Namespace="AWS/Kinesis", MetricName="GetRecords.IteratorAgeMilliseconds",
        Dimensions=[{"Name": "StreamName", "Value": "lakelab-clicks"}], StartTime=time.time() - 600,
        EndTime=time.time() + 60, Period=60, Statistics=["Maximum"])["Datapoints"]
    assert ages[0]["Maximum"] >= 1000, "the first read returned records written over a second before"
    with pytest.raises(ClientError, match="StartingSequenceNumber"):
        kinesis.get_shard_iterator(StreamName="lakelab-clicks", ShardId=shard, ShardIteratorType="AT_SEQUENCE_NUMBER")


def test_a_sequence_number_names_one_shard(client):
    kinesis = make_stream(client, shards=2)
    first = kinesis.put_record(StreamName="lakelab-clicks", PartitionKey="k", Data=b"x",
                               ExplicitHashKey="0")["SequenceNumber"]
    with pytest.raises(ClientError, match="It encodes shardId-000000000000, while it was used in a call to a shard "
                                          "with shardId-000000000001"):
        kinesis.get_shard_iterator(StreamName="lakelab-clicks", ShardId="shardId-000000000001",
                                   ShardIteratorType="AT_SEQUENCE_NUMBER", StartingSequenceNumber=first)


def test_more_than_five_reads_a_second_are_throttled(client):
    kinesis = make_stream(client)
    iterator = kinesis.get_shard_iterator(StreamName="lakelab-clicks", ShardId="shardId-000000000000",
                                          ShardIteratorType="LATEST")["ShardIterator"]
    with pytest.raises(ClientError) as throttled:
        for _ in range(11):  # two seconds' worth, whatever second the loop starts in
            iterator = kinesis.get_records(ShardIterator=iterator)["NextShardIterator"]
    assert throttled.value.response["Error"]["Code"] == "ProvisionedThroughputExceededException"


def test_split_keeps_the_parents_records_and_new_keys_go_to_the_children(client):
    kinesis = make_stream(client)
    for n in range(3):
        kinesis.put_record(StreamName="lakelab-clicks", PartitionKey=f"k{n}", Data=f"old{n}".encode())
    kinesis.split_shard(StreamName="lakelab-clicks", ShardToSplit="shardId-000000000000",
                        NewStartingHashKey=str(2**127))
    listed = {s["ShardId"]: s for s in kinesis.list_shards(StreamName="lakelab-clicks")["Shards"]}
    assert set(listed) == {"shardId-000000000000", "shardId-000000000001", "shardId-000000000002"}
    assert "EndingSequenceNumber" in listed["shardId-000000000000"]["SequenceNumberRange"]
    assert listed["shardId-000000000001"]["ParentShardId"] == "shardId-000000000000"
    parent = read_all(kinesis, "lakelab-clicks", "shardId-000000000000")
    assert [r["Data"] for r in parent["Records"]] == [b"old0", b"old1", b"old2"]
    assert "NextShardIterator" not in parent or parent["NextShardIterator"] is None, "a closed shard read to its end"
    new = kinesis.put_record(StreamName="lakelab-clicks", PartitionKey="k0", Data=b"new")
    assert new["ShardId"] in ("shardId-000000000001", "shardId-000000000002")
    summary = kinesis.describe_stream_summary(StreamName="lakelab-clicks")["StreamDescriptionSummary"]
    assert summary["OpenShardCount"] == 2
    kinesis.merge_shards(StreamName="lakelab-clicks", ShardToMerge="shardId-000000000001",
                         AdjacentShardToMerge="shardId-000000000002")
    assert kinesis.describe_stream_summary(StreamName="lakelab-clicks")["StreamDescriptionSummary"][
        "OpenShardCount"] == 1
    with pytest.raises(ClientError, match="already been merged or split"):
        kinesis.split_shard(StreamName="lakelab-clicks", ShardToSplit="shardId-000000000000",
                            NewStartingHashKey=str(2**126))


def test_update_shard_count_between_half_and_double(client):
    kinesis = make_stream(client, shards=2)
    answer = kinesis.update_shard_count(StreamName="lakelab-clicks", TargetShardCount=4, ScalingType="UNIFORM_SCALING")
    assert (answer["CurrentShardCount"], answer["TargetShardCount"]) == (2, 4)
    with pytest.raises(ClientError) as refused:
        kinesis.update_shard_count(StreamName="lakelab-clicks", TargetShardCount=9, ScalingType="UNIFORM_SCALING")
    assert refused.value.response["Error"]["Code"] == "LimitExceededException"


def test_retention_and_encryption(client):
    kinesis = make_stream(client)
    kinesis.increase_stream_retention_period(StreamName="lakelab-clicks", RetentionPeriodHours=48)
    with pytest.raises(ClientError, match="Minimum allowed retention period is 24 hours"):
        kinesis.decrease_stream_retention_period(StreamName="lakelab-clicks", RetentionPeriodHours=12)
    with pytest.raises(ClientError) as missing:
        kinesis.start_stream_encryption(StreamName="lakelab-clicks", EncryptionType="KMS", KeyId="alias/nope")
    assert missing.value.response["Error"]["Code"] == "KMSNotFoundException"
    kinesis.start_stream_encryption(StreamName="lakelab-clicks", EncryptionType="KMS", KeyId="alias/aws/kinesis")
    summary = kinesis.describe_stream_summary(StreamName="lakelab-clicks")["StreamDescriptionSummary"]
    assert (summary["RetentionPeriodHours"], summary["EncryptionType"]) == (48, "KMS")
    put = kinesis.put_records(StreamName="lakelab-clicks", Records=[{"PartitionKey": "k", "Data": b"x"}])
    assert put["EncryptionType"] == "KMS"


def test_on_demand_starts_with_four_shards_and_splits_a_hot_shard(client):
    kinesis = client("kinesis")
    kinesis.create_stream(StreamName="lakelab-auto", StreamModeDetails={"StreamMode": "ON_DEMAND"})
    summary = kinesis.describe_stream_summary(StreamName="lakelab-auto")["StreamDescriptionSummary"]
    assert (summary["StreamModeDetails"]["StreamMode"], summary["OpenShardCount"]) == ("ON_DEMAND", 4)
    shard_0_end = int(kinesis.list_shards(StreamName="lakelab-auto")["Shards"][0]["HashKeyRange"]["EndingHashKey"])
    keys = [str(shard_0_end // 600 * n) for n in range(1, 501)]  # 500 keys, all in the first shard
    first = kinesis.put_records(StreamName="lakelab-auto", Records=[
        {"PartitionKey": "p", "ExplicitHashKey": key, "Data": b"x" * 3000} for key in keys])
    assert first["FailedRecordCount"] > 0
    assert kinesis.describe_stream_summary(StreamName="lakelab-auto")["StreamDescriptionSummary"][
        "OpenShardCount"] == 5
    with pytest.raises(ClientError, match="On-Demand"):
        kinesis.update_shard_count(StreamName="lakelab-auto", TargetShardCount=8, ScalingType="UNIFORM_SCALING")


def test_a_provisioned_stream_needs_a_shard_count(client):
    with pytest.raises(ClientError, match="ShardCount is required"):
        client("kinesis").create_stream(StreamName="lakelab-none")


def test_written_records_are_counted_in_cloudwatch(client):
    kinesis = make_stream(client)
    kinesis.put_records(StreamName="lakelab-clicks", Records=[{"PartitionKey": "k", "Data": b"abc"}] * 3)
    kinesis.put_record(StreamName="lakelab-clicks", PartitionKey="k", Data=b"abc")
    metrics = client("cloudwatch").get_metric_data(MetricDataQueries=[{
        "Id": "records", "MetricStat": {"Metric": {"Namespace": "AWS/Kinesis", "MetricName": "IncomingRecords",
                                                  "Dimensions": [{"Name": "StreamName", "Value": "lakelab-clicks"}]},
                                       "Period": 60, "Stat": "Sum"}}],
        StartTime=time.time() - 600, EndTime=time.time() + 60)["MetricDataResults"][0]
    assert sum(metrics["Values"]) == 4


def test_an_iterator_expires_after_five_minutes(client, monkeypatch):
    from lakelab.emulator.services.kinesis import records

    kinesis = make_stream(client)
    iterator = kinesis.get_shard_iterator(StreamName="lakelab-clicks", ShardId="shardId-000000000000",
                                          ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
    monkeypatch.setattr(records, "ITERATOR_LIFETIME_MS", -1)  # five minutes later, without waiting them
    with pytest.raises(ClientError) as expired:
        kinesis.get_records(ShardIterator=iterator)
    assert expired.value.response["Error"]["Code"] == "ExpiredIteratorException"


def test_reads_over_the_shard_byte_budget_are_throttled(client, monkeypatch):
    from lakelab.emulator.services.kinesis import throughput

    kinesis = make_stream(client)
    kinesis.put_records(StreamName="lakelab-clicks", Records=[{"PartitionKey": "k", "Data": b"x" * 999}] * 3)
    monkeypatch.setattr(throughput, "READ_BYTES_PER_SECOND", 1000)  # 2 MiB/s, scaled down to 1,000 bytes/s
    iterator = kinesis.get_shard_iterator(StreamName="lakelab-clicks", ShardId="shardId-000000000000",
                                          ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
    first = kinesis.get_records(ShardIterator=iterator)
    assert len(first["Records"]) == 3, "one call may overdraw the budget"
    with pytest.raises(ClientError) as throttled:
        kinesis.get_records(ShardIterator=first["NextShardIterator"])
    assert throttled.value.response["Error"]["Code"] == "ProvisionedThroughputExceededException"


def test_create_stream_keeps_its_tags(client):
    kinesis = make_stream(client, "tagged-at-birth", Tags={"course": "lakelab", "week": "06"})
    tags = kinesis.list_tags_for_stream(StreamName="tagged-at-birth")["Tags"]
    assert {tag["Key"]: tag["Value"] for tag in tags} == {"course": "lakelab", "week": "06"}
