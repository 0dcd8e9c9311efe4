"""lakelab progress and lakelab.progress(): every exercise, checked read-only, the last pass kept at home."""

from __future__ import annotations

import json

import boto3
import pytest

import lakelab
from lakelab import targets
from lakelab.cli import main
from lakelab.course import naming
from lakelab.grading import progress


@pytest.fixture
def shared(emulator, monkeypatch, tmp_path):
    """The test's emulator as the learner's `lakelab serve`, and a home folder of the test's own."""
    monkeypatch.setenv("LAKELAB_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("LAKELAB_EMBEDDED", raising=False)
    targets.forget()
    yield emulator
    targets.forget()


def _lake_with_zones() -> str:
    names = naming.for_week(1)
    s3, bucket = boto3.client("s3"), names.bucket("lake")
    s3.create_bucket(Bucket=bucket)
    s3.put_bucket_tagging(Bucket=bucket, Tagging={"TagSet": names.tag_list})
    for zone in ("raw/", "curated/"):
        s3.put_object(Bucket=bucket, Key=zone, Body=b"")
    return bucket


def _status(exercises, number):
    return next(e for e in exercises if e.number == number)


def test_progress_passed_failed_not_attempted_and_the_last_pass_survives_a_teardown(shared, capsys):
    targets.activate()
    exercises, about = progress.collect([1, 2])
    assert {e.status for e in exercises} == {progress.NOT_ATTEMPTED}, "nothing built yet"
    assert "shared emulator" in about
    bucket = _lake_with_zones()
    assert main(["progress", "--week", "1"]) == 0
    printed = capsys.readouterr().out
    assert "✅ 1.1" in printed and "❌ 1.2" in printed and "hint: call put_bucket_versioning" in printed
    assert "Week 1 · week01_s3" in printed and "1/7" in printed
    stored = json.loads(progress.state_file().read_text())
    key = f"local:{targets.LOCAL_ACCOUNT}:learner"
    assert list(stored) == [key] and "1:1.1" in stored[key]
    s3 = boto3.client("s3")  # a teardown: the bucket goes, the record stays
    for zone in ("raw/", "curated/"):
        s3.delete_object(Bucket=bucket, Key=zone)
    s3.delete_bucket(Bucket=bucket)
    exercises, _ = progress.collect([1])
    first = _status(exercises, "1.1")
    assert first.status == progress.FAILED and first.last_pass == stored[key]["1:1.1"]
    assert _status(exercises, "1.2").status == progress.NOT_ATTEMPTED


def test_progress_changes_nothing_in_the_target(shared):
    targets.activate()
    _lake_with_zones()
    s3 = boto3.client("s3")
    before = s3.list_buckets()["Buckets"]
    with pytest.raises(progress.NotReadOnly, match="PutObject would change the target"):
        session = boto3.DEFAULT_SESSION
        session.events.register("before-parameter-build", progress._guard, unique_id="test-guard")
        try:
            session.client("s3").put_object(Bucket=before[0]["Name"], Key="x", Body=b"")
        finally:
            session.events.unregister("before-parameter-build", unique_id="test-guard")
    progress.collect([1, 2, 3])
    assert s3.list_buckets()["Buckets"] == before
    assert [o["Key"] for o in s3.list_objects_v2(Bucket=before[0]["Name"])["Contents"]] == ["curated/", "raw/"]


def test_in_a_notebook_progress_without_arguments_is_a_table_and_with_a_total_still_a_bar(shared):
    targets.activate()
    _lake_with_zones()
    table = lakelab.progress()
    page = table._repr_html_()
    assert "<table class='lakelab-progress'>" in page and "<svg" in page and "Week 1 · week01_s3" in page
    assert "✅" in page and "call put_bucket_versioning" in page
    assert "Week 1" in str(table)
    with lakelab.progress(3, "rows") as bar:
        bar.advance(3)


def test_without_a_running_emulator_progress_shows_the_stored_passes_and_starts_nothing(monkeypatch, tmp_path,
                                                                                        capsys):
    monkeypatch.setenv("LAKELAB_HOME", str(tmp_path))
    monkeypatch.setenv("LAKELAB_PORT", "1")  # nothing answers there
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    targets.forget()
    progress.state_file().write_text(json.dumps({f"local:{targets.LOCAL_ACCOUNT}:learner": {"1:1.1": "2026-01-02 10:00 UTC"}}))
    assert main(["progress", "--week", "1"]) == 0
    printed = capsys.readouterr().out
    assert "no `lakelab serve` is running" in printed and "last passed 2026-01-02 10:00 UTC" in printed
    assert targets.current() is None, "no emulator started just to look"


def test_the_guard_lets_a_peek_at_a_queue_through_and_nothing_that_takes_messages():
    model = type("Model", (), {"name": "ReceiveMessage"})()
    progress._guard({"QueueUrl": "q", "VisibilityTimeout": 0}, model)  # messages stay visible: a read
    for params in ({"QueueUrl": "q"}, {"QueueUrl": "q", "VisibilityTimeout": 30}):
        with pytest.raises(progress.NotReadOnly, match="ReceiveMessage would change the target"):
            progress._guard(params, model)
