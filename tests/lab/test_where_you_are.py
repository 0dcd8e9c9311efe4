"""Setup's "where am I" line: this lab's progress judged now from what exists, and what to do next."""

from __future__ import annotations

from lakelab import course
from lakelab.grading.progress import where_you_are


def test_setup_says_where_the_learner_stands_on_the_lab(client, monkeypatch, tmp_path):
    from lakelab import targets

    monkeypatch.setenv("LAKELAB_HOME", str(tmp_path))
    monkeypatch.setenv("LAKELAB_LEARNER", "learner")
    from lakelab.targets import choice

    monkeypatch.setattr(choice, "_current", None)  # resolved for this test only: restored afterwards
    week, target = course.week(1), targets.activate()
    assert where_you_are(week, target) == (
        "Your progress on this lab: nothing of it exists on this target yet — start with exercise 1.1.")
    s3 = client("s3")
    s3.create_bucket(Bucket="lakelab-learner-lake")
    s3.put_bucket_tagging(Bucket="lakelab-learner-lake", Tagging={"TagSet": [
        {"Key": "course", "Value": "lakelab"}, {"Key": "learner", "Value": "learner"}, {"Key": "week", "Value": "01"},
        {"Key": "lab", "Value": "week01_s3"}]})
    assert where_you_are(week, target).startswith(
        "Your progress on this lab, checked now against what exists: 0 of 7 checks pass; next: exercise 1.1 ")
    for zone in ("raw/", "curated/"):
        s3.put_object(Bucket="lakelab-learner-lake", Key=zone)
    line = where_you_are(week, target)
    assert "1 of 7 checks pass; next: exercise 1.2 (its check: " in line, line
    assert s3.list_objects_v2(Bucket="lakelab-learner-lake")["KeyCount"] == 2, "reading progress changed nothing"
