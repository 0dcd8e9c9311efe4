import json

import pytest

from lakelab import teardown


@pytest.fixture
def course_and_other_resources(client, monkeypatch):
    monkeypatch.setenv("LAKELAB_LEARNER", "jd")
    s3, sqs = client("s3"), client("sqs")
    tags = lambda week: [{"Key": "course", "Value": "lakelab"}, {"Key": "learner", "Value": "jd"},
                         {"Key": "week", "Value": week}]
    for bucket, week in (("lakelab-jd-lake", "01"), ("lakelab-jd-week2", "02")):
        s3.create_bucket(Bucket=bucket)
        s3.put_bucket_tagging(Bucket=bucket, Tagging={"TagSet": tags(week)})
    s3.put_bucket_versioning(Bucket="lakelab-jd-lake", VersioningConfiguration={"Status": "Enabled"})
    for body in (b"1", b"2"):
        s3.put_object(Bucket="lakelab-jd-lake", Key="raw/x.csv", Body=body)
    s3.delete_object(Bucket="lakelab-jd-lake", Key="raw/x.csv")  # leaves a delete marker
    sqs.create_queue(QueueName="lakelab-jd-raw-events", tags={t["Key"]: t["Value"] for t in tags("01")})
    s3.create_bucket(Bucket="lakelab-jd-untagged")  # the course's prefix, but not made by the course
    s3.create_bucket(Bucket="someone-elses-bucket")
    sqs.create_queue(QueueName="lakelab-jd-foreign", tags={"course": "lakelab", "learner": "other", "week": "01"})
    return s3, sqs


def _bucket_names(s3):
    return sorted(b["Name"] for b in s3.list_buckets()["Buckets"])


def test_teardown_of_one_week_leaves_other_weeks(course_and_other_resources):
    s3, sqs = course_and_other_resources
    lines = []
    removed = teardown.teardown(week=1, report=lines.append)
    assert [(r.kind, r.name) for r in removed] == [("bucket", "lakelab-jd-lake"), ("queue", "lakelab-jd-raw-events")]
    assert "lakelab-jd-week2" in _bucket_names(s3)
    assert lines[0] == "removed bucket   lakelab-jd-lake (week 01) · 3 object version(s)"
    assert lines[-1] == "Removed 2 resource(s) of the course (week 01)."


def test_teardown_removes_only_what_the_course_created(course_and_other_resources):
    s3, sqs = course_and_other_resources
    teardown.teardown(report=lambda line: None)
    assert _bucket_names(s3) == ["lakelab-jd-untagged", "someone-elses-bucket"]
    assert [u.rsplit("/", 1)[1] for u in sqs.list_queues()["QueueUrls"]] == ["lakelab-jd-foreign"]


def test_dry_run_removes_nothing(course_and_other_resources):
    s3, _ = course_and_other_resources
    lines = []
    teardown.teardown(dry_run=True, report=lines.append)
    assert "lakelab-jd-lake" in _bucket_names(s3)
    assert lines[0].startswith("would remove bucket") and lines[-1].startswith("Would remove 3 resource(s)")


def test_teardown_sweeps_glue_athena_and_iam(client, monkeypatch):
    monkeypatch.setenv("LAKELAB_LEARNER", "jd")
    tags = {"course": "lakelab", "learner": "jd", "week": "02"}
    glue, athena, iam = client("glue"), client("athena"), client("iam")
    iam.create_role(RoleName="lakelab-jd-glue-crawler", AssumeRolePolicyDocument="{}",
                    Tags=[{"Key": k, "Value": v} for k, v in tags.items()])
    read_lake = {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::lakelab-jd-lake/*"}]}
    iam.put_role_policy(RoleName="lakelab-jd-glue-crawler", PolicyName="read-lake", PolicyDocument=json.dumps(read_lake))
    iam.attach_role_policy(RoleName="lakelab-jd-glue-crawler",
                           PolicyArn="arn:aws:iam::aws:policy/service-role/AWSGlueServiceRole")
    iam.create_role(RoleName="lakelab-jd-not-ours", AssumeRolePolicyDocument="{}")
    glue.create_database(DatabaseInput={"Name": "lakelab_jd_lake"}, Tags=tags)
    glue.create_table(DatabaseName="lakelab_jd_lake", TableInput={"Name": "orders"})
    glue.create_database(DatabaseInput={"Name": "lakelab_jd_untagged"})
    glue.create_crawler(Name="lakelab-jd-raw", Role="lakelab-jd-glue-crawler", DatabaseName="lakelab_jd_lake",
                        Targets={"S3Targets": [{"Path": "s3://lakelab-jd-lake/raw/"}]}, Tags=tags)
    athena.create_work_group(Name="lakelab-jd-wg", Tags=[{"Key": k, "Value": v} for k, v in tags.items()])
    removed = teardown.teardown(week=2, report=lambda line: None)
    assert [(r.kind, r.name) for r in removed] == [
        ("crawler", "lakelab-jd-raw"), ("workgroup", "lakelab-jd-wg"), ("database", "lakelab_jd_lake"),
        ("role", "lakelab-jd-glue-crawler")]
    assert [d["Name"] for d in glue.get_databases()["DatabaseList"]] == ["lakelab_jd_untagged"]
    assert sorted(r["RoleName"] for r in iam.list_roles()["Roles"]) == ["lakelab-jd-not-ours"]
    assert glue.list_crawlers()["CrawlerNames"] == []
    assert "lakelab-jd-wg" not in [w["Name"] for w in athena.list_work_groups()["WorkGroups"]]
