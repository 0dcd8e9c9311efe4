"""S3 lifecycle configurations keep their TransitionDefaultMinimumObjectSize and size filters, as S3 does."""

from __future__ import annotations

import pytest

RULES = {"Rules": [{"ID": "raw", "Status": "Enabled", "Filter": {"Prefix": "raw/"},
                    "Transitions": [{"Days": 30, "StorageClass": "STANDARD_IA"}]}]}


def test_the_minimum_object_size_sent_is_stored_and_answered(client):
    s3 = client("s3")
    s3.create_bucket(Bucket="lakelab-lifecycle")
    answer = s3.put_bucket_lifecycle_configuration(Bucket="lakelab-lifecycle", LifecycleConfiguration=RULES,
                                                   TransitionDefaultMinimumObjectSize="varies_by_storage_class")
    assert answer["TransitionDefaultMinimumObjectSize"] == "varies_by_storage_class"
    stored = s3.get_bucket_lifecycle_configuration(Bucket="lakelab-lifecycle")
    assert stored["TransitionDefaultMinimumObjectSize"] == "varies_by_storage_class"
    assert stored["Rules"][0]["Transitions"] == [{"Days": 30, "StorageClass": "STANDARD_IA"}]


def test_a_configuration_put_without_it_gets_the_128k_default_again(client):
    s3 = client("s3")
    s3.create_bucket(Bucket="lakelab-lifecycle")
    s3.put_bucket_lifecycle_configuration(Bucket="lakelab-lifecycle", LifecycleConfiguration=RULES,
                                          TransitionDefaultMinimumObjectSize="varies_by_storage_class")
    answer = s3.put_bucket_lifecycle_configuration(Bucket="lakelab-lifecycle", LifecycleConfiguration=RULES)
    assert answer["TransitionDefaultMinimumObjectSize"] == "all_storage_classes_128K"
    stored = s3.get_bucket_lifecycle_configuration(Bucket="lakelab-lifecycle")
    assert stored["TransitionDefaultMinimumObjectSize"] == "all_storage_classes_128K"


def test_an_unknown_minimum_object_size_is_refused_and_nothing_is_stored(client):
    s3 = client("s3")
    s3.create_bucket(Bucket="lakelab-lifecycle")
    with pytest.raises(s3.exceptions.ClientError) as raised:
        s3.put_bucket_lifecycle_configuration(Bucket="lakelab-lifecycle", LifecycleConfiguration=RULES,
                                              TransitionDefaultMinimumObjectSize="64K")
    assert raised.value.response["Error"]["Code"] == "InvalidArgument"
    with pytest.raises(s3.exceptions.ClientError, match="NoSuchLifecycleConfiguration"):
        s3.get_bucket_lifecycle_configuration(Bucket="lakelab-lifecycle")


def test_size_filters_come_back_as_sent(client):
    """moto drops ObjectSizeGreaterThan, which turned a rule for large objects into one for all."""
    s3 = client("s3")
    s3.create_bucket(Bucket="lakelab-lifecycle")
    rules = [{"ID": "large-raw", "Status": "Enabled",
              "Filter": {"And": {"Prefix": "raw/", "ObjectSizeGreaterThan": 131072}},
              "Transitions": [{"Days": 30, "StorageClass": "STANDARD_IA"}]},
             {"ID": "small", "Status": "Enabled", "Filter": {"ObjectSizeLessThan": 1024}, "Expiration": {"Days": 3}}]
    s3.put_bucket_lifecycle_configuration(Bucket="lakelab-lifecycle", LifecycleConfiguration={"Rules": rules})
    assert s3.get_bucket_lifecycle_configuration(Bucket="lakelab-lifecycle")["Rules"] == rules
