import pytest

from lakelab import targets
from lakelab.course import naming
from lakelab.course.naming import Names


def test_local_names_and_tags(monkeypatch):
    monkeypatch.setenv("LAKELAB_LEARNER", "jd")
    names = naming.for_week(1)
    assert names.bucket("lake") == "lakelab-jd-lake"
    assert names.resource("raw-events") == "lakelab-jd-raw-events"
    assert names.database("sales") == "lakelab_jd_sales"
    assert names.tags == {"course": "lakelab", "week": "01", "lab": "week01_s3", "learner": "jd"}
    assert {"Key": "week", "Value": "01"} in names.tag_list


def test_aws_bucket_names_are_globally_unique_and_valid():
    names = Names(week=2, learner="abcdefghijkl", account="123456789012", region="ap-southeast-2",
                  globally_unique=True)
    bucket = names.bucket("lake")
    assert "123456789012" in bucket and "ap-southeast-2" in bucket
    assert len(bucket) <= 63 and bucket == bucket.lower()


@pytest.mark.parametrize("bad", ["John", "j d", "1abc", "a" * 13, ""])
def test_bad_learner_ids_are_refused(monkeypatch, bad):
    monkeypatch.setenv("LAKELAB_LEARNER", bad)
    with pytest.raises(targets.TargetError, match="LAKELAB_LEARNER"):
        naming.learner()


def test_unknown_week_is_refused():
    with pytest.raises(ValueError, match="there is no week 12"):
        naming.for_week(12)


def test_course_resource_needs_course_learner_and_week(monkeypatch):
    monkeypatch.setenv("LAKELAB_LEARNER", "jd")
    tags = {"course": "lakelab", "learner": "jd", "week": "01"}
    assert naming.is_course_resource(tags) and naming.is_course_resource(tags, 1)
    assert not naming.is_course_resource(tags, 2)
    assert not naming.is_course_resource({**tags, "learner": "someone"})
    assert not naming.is_course_resource({**tags, "course": "other"})
