"""Every request is read once: service, operation and inputs, whatever the protocol."""

from __future__ import annotations

import pytest

from lakelab.emulator import requests as request_views


@pytest.fixture
def seen(monkeypatch):
    """The RequestView of every request the emulator answers during the test."""
    views = []
    original = request_views.RequestView.from_environ.__func__

    def spy(cls, environ):
        view = original(cls, environ)
        views.append(view)
        return view

    monkeypatch.setattr(request_views.RequestView, "from_environ", classmethod(spy))
    return views


def _last(views):
    view = views[-1]
    return view.service, view.operation, view.protocol


def test_s3_operations_are_told_apart_by_method_uri_query_and_headers(client, seen):
    s3 = client("s3")
    s3.create_bucket(Bucket="lakelab-requests")
    calls = [
        (lambda: s3.put_object(Bucket="lakelab-requests", Key="raw/a b.csv", Body=b"x"), "PutObject"),
        (lambda: s3.copy_object(Bucket="lakelab-requests", Key="raw/c.csv",
                                CopySource={"Bucket": "lakelab-requests", "Key": "raw/a b.csv"}), "CopyObject"),
        (lambda: s3.get_object(Bucket="lakelab-requests", Key="raw/a b.csv"), "GetObject"),
        (lambda: s3.head_object(Bucket="lakelab-requests", Key="raw/a b.csv"), "HeadObject"),
        (lambda: s3.list_objects_v2(Bucket="lakelab-requests", Prefix="raw/"), "ListObjectsV2"),
        (lambda: s3.list_objects(Bucket="lakelab-requests"), "ListObjects"),
        (lambda: s3.get_bucket_versioning(Bucket="lakelab-requests"), "GetBucketVersioning"),
        (lambda: s3.put_bucket_tagging(Bucket="lakelab-requests", Tagging={"TagSet": []}), "PutBucketTagging"),
        (lambda: s3.delete_objects(Bucket="lakelab-requests", Delete={"Objects": [{"Key": "raw/c.csv"}]}), "DeleteObjects"),
        (lambda: s3.list_buckets(), "ListBuckets"),
    ]
    for call, operation in calls:
        call()
        assert _last(seen) == ("s3", operation, "rest-xml")
    get = next(view for view in seen if view.operation == "GetObject")
    assert get.params["Bucket"] == "lakelab-requests" and get.params["Key"] == "raw/a b.csv"
    assert get.access_key_id and get.signing_name == "s3" and get.region == "us-east-1"


def test_json_query_and_rest_json_services(client, seen):
    client("glue").get_databases()
    assert _last(seen) == ("glue", "GetDatabases", "json")
    client("sqs").create_queue(QueueName="lakelab-requests")
    assert _last(seen) == ("sqs", "CreateQueue", "json") and seen[-1].params == {"QueueName": "lakelab-requests"}
    client("iam").create_user(UserName="analyst")
    assert _last(seen) == ("iam", "CreateUser", "query") and seen[-1].params["UserName"] == "analyst"
    client("lambda").list_functions(MaxItems=5)
    assert _last(seen) == ("lambda", "ListFunctions", "rest-json") and seen[-1].params["MaxItems"] == "5"
    client("stepfunctions").list_state_machines()
    assert _last(seen) == ("stepfunctions", "ListStateMachines", "json") and seen[-1].signing_name == "states"


def test_the_body_reaches_moto_unchanged(client):
    s3 = client("s3")
    s3.create_bucket(Bucket="lakelab-requests")
    payload = bytes(range(256)) * 4096  # 1 MiB, larger than the parsed-body limit
    s3.put_object(Bucket="lakelab-requests", Key="blob", Body=payload)
    assert s3.get_object(Bucket="lakelab-requests", Key="blob")["Body"].read() == payload


def test_presigned_urls_carry_their_credential(client, seen):
    import urllib.request

    s3 = client("s3")
    s3.create_bucket(Bucket="lakelab-requests")
    s3.put_object(Bucket="lakelab-requests", Key="k", Body=b"signed")
    url = s3.generate_presigned_url("get_object", Params={"Bucket": "lakelab-requests", "Key": "k"})
    assert urllib.request.urlopen(url).read() == b"signed"
    assert _last(seen) == ("s3", "GetObject", "rest-xml") and seen[-1].access_key_id
