import json
import time

import pytest

from lakelab.lab import teardown

GLUE_TRUST = json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": {"Service": "glue.amazonaws.com"}, "Action": "sts:AssumeRole"}]})


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
    iam.create_role(RoleName="lakelab-jd-glue-crawler", AssumeRolePolicyDocument=GLUE_TRUST,
                    Tags=[{"Key": k, "Value": v} for k, v in tags.items()])
    read_lake = {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::lakelab-jd-lake/*"}]}
    iam.put_role_policy(RoleName="lakelab-jd-glue-crawler", PolicyName="read-lake", PolicyDocument=json.dumps(read_lake))
    iam.attach_role_policy(RoleName="lakelab-jd-glue-crawler",
                           PolicyArn="arn:aws:iam::aws:policy/service-role/AWSGlueServiceRole")
    iam.create_role(RoleName="lakelab-jd-not-ours", AssumeRolePolicyDocument=GLUE_TRUST)
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


def _zip(source: str) -> bytes:
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("app.py", source)
    return buffer.getvalue()


def _function(client, name, tags=None):
    """A deployed function that has run once, so Lambda created its (untagged) log group."""
    aws_lambda, iam = client("lambda"), client("iam")
    try:
        role = iam.get_role(RoleName="test-lambda")["Role"]["Arn"]
    except iam.exceptions.NoSuchEntityException:
        role = iam.create_role(RoleName="test-lambda", AssumeRolePolicyDocument=GLUE_TRUST)["Role"]["Arn"]
    aws_lambda.create_function(FunctionName=name, Runtime="python3.13", Role=role,
                        Handler="app.handler", Code={"ZipFile": _zip("def handler(event, context):\n    print('hi')\n")},
                        Tags=tags or {})
    aws_lambda.invoke(FunctionName=name, Payload=b"{}")


def test_teardown_sweeps_functions_their_mappings_and_log_groups(client, monkeypatch):
    monkeypatch.setenv("LAKELAB_LEARNER", "jd")
    tags = {"course": "lakelab", "learner": "jd", "week": "03"}
    sqs, aws_lambda, logs = client("sqs"), client("lambda"), client("logs")
    queue_url = sqs.create_queue(QueueName="lakelab-jd-arrivals", tags=tags)["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    _function(client, "lakelab-jd-validator", tags)
    aws_lambda.create_event_source_mapping(FunctionName="lakelab-jd-validator", EventSourceArn=queue_arn)
    _function(client, "lakelab-jd-not-ours")  # the course's prefix, no course tags: its log group stays too
    logs.create_log_group(logGroupName="/aws/lambda/lakelab-jd-precreated", tags=tags)  # tagged by the learner
    lines = []
    removed = teardown.teardown(week=3, report=lines.append)
    assert [(r.kind, r.name) for r in removed] == [
        ("event source mapping", "lakelab-jd-arrivals → lakelab-jd-validator"),  # the function's tags
        ("function", "lakelab-jd-validator"), ("log group", "/aws/lambda/lakelab-jd-precreated"),
        ("log group", "/aws/lambda/lakelab-jd-validator"), ("queue", "lakelab-jd-arrivals")]
    assert lines[1] == "removed function lakelab-jd-validator (week 03) · 0 event source mapping(s)"
    assert lines[3] == "removed log group /aws/lambda/lakelab-jd-validator (week 03) · 1 log stream(s)"
    assert [f["FunctionName"] for f in aws_lambda.list_functions()["Functions"]] == ["lakelab-jd-not-ours"]
    assert [g["logGroupName"] for g in logs.describe_log_groups()["logGroups"]] == ["/aws/lambda/lakelab-jd-not-ours"]
    assert aws_lambda.list_event_source_mappings()["EventSourceMappings"] == []


def test_a_log_group_goes_with_its_function_only(client, monkeypatch):
    monkeypatch.setenv("LAKELAB_LEARNER", "jd")
    _function(client, "lakelab-jd-validator", {"course": "lakelab", "learner": "jd", "week": "03"})
    assert teardown.teardown(week=1, report=lambda line: None) == []  # another week's teardown keeps both
    assert [(r.kind, r.name) for r in teardown.find(week=3)] == [
        ("function", "lakelab-jd-validator"), ("log group", "/aws/lambda/lakelab-jd-validator")]


def _running_job(client, name, tags=None):
    """A Glue job whose run is still RUNNING (its script sleeps)."""
    glue = client("glue")
    client("s3").put_object(Bucket="lakelab-jd-scripts", Key=f"{name}.py", Body=b"import time\ntime.sleep(120)\n")
    glue.create_job(Name=name, Role="arn:aws:iam::123456789012:role/lakelab-jd-glue-etl", GlueVersion="5.0",
                    Command={"Name": "pythonshell", "PythonVersion": "3.9",
                             "ScriptLocation": f"s3://lakelab-jd-scripts/{name}.py"}, Tags=tags or {})
    run_id = glue.start_job_run(JobName=name)["JobRunId"]
    for _ in range(100):
        if glue.get_job_run(JobName=name, RunId=run_id)["JobRun"]["JobRunState"] == "RUNNING":
            return run_id
        time.sleep(0.1)
    raise AssertionError("the run never reached RUNNING")


def test_teardown_stops_glue_job_runs_and_emr_serverless_applications_before_deleting_them(client, monkeypatch):
    monkeypatch.setenv("LAKELAB_LEARNER", "jd")
    tags = {"course": "lakelab", "learner": "jd", "week": "04"}
    glue, emr = client("glue"), client("emr-serverless")
    client("s3").create_bucket(Bucket="lakelab-jd-scripts")  # untagged: not the course's
    _running_job(client, "lakelab-jd-orders-etl", tags)
    glue.create_job(Name="lakelab-jd-not-ours", Role="r", Command={"Name": "glueetl", "ScriptLocation": "s3://x/y.py"})
    glue.create_trigger(Name="lakelab-jd-nightly", Type="SCHEDULED", Schedule="cron(0 3 * * ? *)", Tags=tags,
                        Actions=[{"JobName": "lakelab-jd-orders-etl"}], StartOnCreation=True)
    started = emr.create_application(name="lakelab-jd-spark", releaseLabel="emr-7.8.0", type="SPARK", tags=tags)
    emr.start_application(applicationId=started["applicationId"])
    created = emr.create_application(name="lakelab-jd-spark-2", releaseLabel="emr-7.8.0", type="SPARK", tags=tags)
    emr.create_application(name="lakelab-jd-foreign", releaseLabel="emr-7.8.0", type="SPARK", tags={**tags, "learner": "x"})
    lines = []
    removed = teardown.teardown(week=4, report=lines.append)
    assert [(r.kind, r.name) for r in removed] == [
        ("trigger", "lakelab-jd-nightly"), ("job", "lakelab-jd-orders-etl"), ("application", "lakelab-jd-spark"),
        ("application", "lakelab-jd-spark-2")]
    assert lines[1] == "removed job      lakelab-jd-orders-etl (week 04) · 1 run(s) stopped"
    assert glue.list_jobs()["JobNames"] == ["lakelab-jd-not-ours"] and glue.list_triggers()["TriggerNames"] == []
    states = {a["name"]: a["state"] for a in emr.list_applications()["applications"]}
    assert states == {"lakelab-jd-spark": "TERMINATED", "lakelab-jd-spark-2": "TERMINATED", "lakelab-jd-foreign": "CREATED"}
    assert created["applicationId"] != started["applicationId"]
    assert teardown.find(week=4) == [], "terminated applications are not listed again"


def test_an_emr_serverless_application_with_a_running_job_is_stopped_after_the_job_is_cancelled(client, monkeypatch):
    monkeypatch.setenv("LAKELAB_LEARNER", "jd")
    s3, emr = client("s3"), client("emr-serverless")
    s3.create_bucket(Bucket="code")
    s3.put_object(Bucket="code", Key="sleep.py", Body=b"import time\ntime.sleep(120)\n")
    application_id = emr.create_application(name="lakelab-jd-spark", releaseLabel="emr-7.8.0", type="SPARK",
                                            tags={"course": "lakelab", "learner": "jd", "week": "04"})["applicationId"]
    run_id = emr.start_job_run(applicationId=application_id, executionRoleArn="arn:aws:iam::123456789012:role/r",
                               jobDriver={"sparkSubmit": {"entryPoint": "s3://code/sleep.py"}})["jobRunId"]
    for _ in range(100):
        if emr.get_job_run(applicationId=application_id, jobRunId=run_id)["jobRun"]["state"] == "RUNNING":
            break
        time.sleep(0.1)
    lines = []
    teardown.teardown(week=4, report=lines.append)
    assert lines[0] == "removed application lakelab-jd-spark (week 04) · 1 job run(s) cancelled"
    assert emr.get_job_run(applicationId=application_id, jobRunId=run_id)["jobRun"]["state"] == "CANCELLED"
    assert emr.get_application(applicationId=application_id)["application"]["state"] == "TERMINATED"


def _stream(kinesis, name, tags=None):
    kinesis.create_stream(StreamName=name, ShardCount=1)
    if tags:
        kinesis.add_tags_to_stream(StreamName=name, Tags=tags)
    return kinesis.describe_stream_summary(StreamName=name)["StreamDescriptionSummary"]["StreamARN"]


def test_teardown_sweeps_delivery_streams_and_mappings_before_the_streams_they_read(client, monkeypatch, service_role):
    monkeypatch.setenv("LAKELAB_LEARNER", "jd")
    tags = {"course": "lakelab", "learner": "jd", "week": "06"}
    kinesis, firehose, aws_lambda, sqs = client("kinesis"), client("firehose"), client("lambda"), client("sqs")
    clicks = _stream(kinesis, "lakelab-jd-clickstream", tags)
    kinesis.register_stream_consumer(StreamARN=clicks, ConsumerName="fan-out")
    _stream(kinesis, "lakelab-jd-not-ours")  # the course's prefix, no course tags
    client("s3").create_bucket(Bucket="landing")
    role = service_role("firehose", "test-firehose", actions=("s3:*", "kinesis:*"))
    firehose.create_delivery_stream(
        DeliveryStreamName="lakelab-jd-clickstream-to-lake", DeliveryStreamType="KinesisStreamAsSource",
        KinesisStreamSourceConfiguration={"KinesisStreamARN": clicks, "RoleARN": role},
        ExtendedS3DestinationConfiguration={"BucketARN": "arn:aws:s3:::landing", "RoleARN": role},
        Tags=[{"Key": k, "Value": v} for k, v in tags.items()])
    _function(client, "lakelab-jd-stream-consumer", tags)
    aws_lambda.create_event_source_mapping(FunctionName="lakelab-jd-stream-consumer", EventSourceArn=clicks,
                                           StartingPosition="TRIM_HORIZON")  # untagged: its function's tags count
    _function(client, "another-reader")  # not the course's function, reading the course's stream: it stays
    kept = aws_lambda.create_event_source_mapping(FunctionName="another-reader", EventSourceArn=clicks,
                                                  StartingPosition="LATEST")["UUID"]
    _function(client, "tagged-reader")
    aws_lambda.create_event_source_mapping(FunctionName="tagged-reader", EventSourceArn=clicks,
                                           StartingPosition="LATEST", Tags=tags)  # the mapping's own tags count
    failures = sqs.create_queue(QueueName="lakelab-jd-stream-consumer-failures", tags=tags)["QueueUrl"]
    failures_arn = sqs.get_queue_attributes(QueueUrl=failures, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    _function(client, "lakelab-jd-gone", tags)
    aws_lambda.create_event_source_mapping(FunctionName="lakelab-jd-gone", EventSourceArn=failures_arn)
    aws_lambda.delete_function(FunctionName="lakelab-jd-gone")  # its mapping outlives it: the queue's tags count
    lines = []
    removed = teardown.teardown(week=6, report=lines.append)
    assert [(r.kind, r.name) for r in removed] == [
        ("delivery stream", "lakelab-jd-clickstream-to-lake"),
        ("event source mapping", "lakelab-jd-stream-consumer-failures → lakelab-jd-gone"),
        ("event source mapping", "lakelab-jd-clickstream → lakelab-jd-stream-consumer"),
        ("event source mapping", "lakelab-jd-clickstream → tagged-reader"),
        ("function", "lakelab-jd-stream-consumer"), ("log group", "/aws/lambda/lakelab-jd-stream-consumer"),
        ("stream", "lakelab-jd-clickstream"), ("queue", "lakelab-jd-stream-consumer-failures")]
    assert lines[0] == ("removed delivery stream lakelab-jd-clickstream-to-lake (week 06) · "
                        "read from lakelab-jd-clickstream")
    assert lines[6] == "removed stream   lakelab-jd-clickstream (week 06) · 1 open shard(s), 1 consumer(s)"
    assert kinesis.list_streams()["StreamNames"] == ["lakelab-jd-not-ours"]
    assert firehose.list_delivery_streams()["DeliveryStreamNames"] == []
    assert [m["UUID"] for m in aws_lambda.list_event_source_mappings()["EventSourceMappings"]] == [kept]


def test_a_delivery_stream_of_another_week_or_learner_stays(client, monkeypatch):
    monkeypatch.setenv("LAKELAB_LEARNER", "jd")
    firehose = client("firehose")
    client("s3").create_bucket(Bucket="landing")
    for name, learner, week in (("lakelab-jd-week7", "jd", "07"), ("lakelab-jd-other", "ab", "06")):
        firehose.create_delivery_stream(DeliveryStreamName=name, S3DestinationConfiguration={
            "BucketARN": "arn:aws:s3:::landing", "RoleARN": "arn:aws:iam::123456789012:role/r"},
            Tags=[{"Key": "course", "Value": "lakelab"}, {"Key": "learner", "Value": learner},
                  {"Key": "week", "Value": week}])
    assert teardown.teardown(week=6, report=lambda line: None) == []
    assert [(r.kind, r.name) for r in teardown.find()] == [("delivery stream", "lakelab-jd-week7")]


COURSE_TAGS_07 = [{"Key": "course", "Value": "lakelab"}, {"Key": "learner", "Value": "jd"},
                  {"Key": "week", "Value": "07"}]
CUSTOMERS = {"Name": "customers", "StorageDescriptor": {"Columns": [
    {"Name": "id", "Type": "int"}, {"Name": "name", "Type": "string"}, {"Name": "email", "Type": "string"},
    {"Name": "country", "Type": "string"}], "Location": "s3://lakelab-jd-lake/curated/governed/customers/"}}


def _governed_lake(client):
    """Week 7's Lake Formation state as its lab builds it (the course's credentials administer Lake
    Formation), beside state that is not the course's; one course role is deleted before teardown."""
    iam, glue, lf = client("iam"), client("glue"), client("lakeformation")
    arn = {}
    for name, tags in (("lakelab-jd-analyst", COURSE_TAGS_07), ("lakelab-jd-auditor", COURSE_TAGS_07),
                       ("lakelab-jd-regional-analyst", COURSE_TAGS_07), ("lakelab-jd-not-ours", [])):
        arn[name] = iam.create_role(RoleName=name, AssumeRolePolicyDocument=GLUE_TRUST, Tags=tags)["Role"]["Arn"]
    client("athena").create_work_group(Name="lakelab-jd-governance", Tags=COURSE_TAGS_07)
    glue.create_database(DatabaseInput={"Name": "lakelab_jd_governed"}, Tags={t["Key"]: t["Value"] for t in COURSE_TAGS_07})
    glue.create_table(DatabaseName="lakelab_jd_governed", TableInput=CUSTOMERS)
    glue.create_database(DatabaseInput={"Name": "shared"})  # not the course's database
    glue.create_table(DatabaseName="shared", TableInput=CUSTOMERS)
    lf.create_lf_tag(TagKey="lakelab-jd-classification", TagValues=["public", "pii"])
    lf.create_lf_tag(TagKey="other-classification", TagValues=["x"])
    tag = lambda value: [{"TagKey": "lakelab-jd-classification", "TagValues": [value]}]
    governed = {"DatabaseName": "lakelab_jd_governed", "Name": "customers"}
    lf.add_lf_tags_to_resource(Resource={"Database": {"Name": "lakelab_jd_governed"}}, LFTags=tag("public"))
    lf.add_lf_tags_to_resource(Resource={"Table": governed}, LFTags=tag("public"))
    lf.add_lf_tags_to_resource(Resource={"TableWithColumns": {**governed, "ColumnNames": ["email"]}},
                               LFTags=tag("pii"))
    lf.register_resource(ResourceArn="arn:aws:s3:::lakelab-jd-lake/curated/governed", UseServiceLinkedRole=True)
    lf.register_resource(ResourceArn="arn:aws:s3:::someone-elses-bucket/data", UseServiceLinkedRole=True)
    for database, name in (("lakelab_jd_governed", "lakelab-jd-customers-de"), ("shared", "lakelab-jd-shared-de")):
        lf.create_data_cells_filter(TableData={"TableCatalogId": "123456789012", "DatabaseName": database,
                                               "TableName": "customers", "Name": name,
                                               "RowFilter": {"FilterExpression": "country = 'DE'"},
                                               "ColumnWildcard": {}})
    grants = (
        ("lakelab-jd-analyst", {"Database": {"Name": "lakelab_jd_governed"}}, ["DESCRIBE"]),
        ("lakelab-jd-analyst", {"TableWithColumns": {**governed, "ColumnWildcard": {"ExcludedColumnNames": ["email"]}}},
         ["SELECT"]),
        ("lakelab-jd-analyst", {"DataCellsFilter": {"TableCatalogId": "123456789012", "DatabaseName": "lakelab_jd_governed",
                                                    "TableName": "customers", "Name": "lakelab-jd-customers-de"}},
         ["SELECT"]),
        ("lakelab-jd-auditor", {"LFTag": {"TagKey": "lakelab-jd-classification", "TagValues": ["public", "pii"]}},
         ["DESCRIBE"]),
        ("lakelab-jd-auditor", {"LFTagPolicy": {"ResourceType": "TABLE", "Expression": tag("public")}}, ["SELECT"]),
        ("lakelab-jd-auditor", {"DataLocation": {"ResourceArn": "arn:aws:s3:::lakelab-jd-lake/curated/governed"}},
         ["DATA_LOCATION_ACCESS"]),
        ("lakelab-jd-regional-analyst", {"Table": governed}, ["SELECT"]),
        ("lakelab-jd-not-ours", {"Table": {"DatabaseName": "shared", "Name": "customers"}}, ["SELECT"]),
    )
    for role, resource, permissions in grants:
        lf.grant_permissions(Principal={"DataLakePrincipalIdentifier": arn[role]}, Resource=resource,
                             Permissions=permissions)
    lf.grant_permissions(Principal={"DataLakePrincipalIdentifier": arn["lakelab-jd-analyst"]},
                         Resource={"Table": {"DatabaseName": "shared", "Name": "customers"}},
                         Permissions=["DESCRIBE"], PermissionsWithGrantOption=["DESCRIBE"])
    iam.delete_role(RoleName="lakelab-jd-regional-analyst")  # its grant stays, listed under its ARN
    return lf


def _grantees(lf) -> list[str]:
    listed = lf.list_permissions()["PrincipalResourcePermissions"]
    return sorted({p["Principal"]["DataLakePrincipalIdentifier"].rsplit("/", 1)[-1] for p in listed})


def test_teardown_revokes_the_course_roles_grants_then_removes_filters_lf_tags_and_locations(client, monkeypatch):
    monkeypatch.setenv("LAKELAB_LEARNER", "jd")
    lf = _governed_lake(client)
    assert _grantees(lf) == ["IAM_ALLOWED_PRINCIPALS", "lakelab-jd-analyst", "lakelab-jd-auditor",
                             "lakelab-jd-not-ours", "lakelab-jd-regional-analyst"]
    assert teardown.teardown(week=6, report=lambda line: None) == []  # another week's teardown keeps them
    lines = []
    removed = teardown.teardown(week=7, report=lines.append)
    assert [(r.kind, r.name) for r in removed] == [
        ("workgroup", "lakelab-jd-governance"),
        ("lake formation grant", "lakelab-jd-analyst → all columns of lakelab_jd_governed.customers but email"),
        ("lake formation grant", "lakelab-jd-analyst → data cells filter lakelab-jd-customers-de on "
                                 "lakelab_jd_governed.customers"),
        ("lake formation grant", "lakelab-jd-analyst → database lakelab_jd_governed"),
        ("lake formation grant", "lakelab-jd-analyst → table shared.customers"),
        ("lake formation grant", "lakelab-jd-auditor → LF-tag lakelab-jd-classification=public|pii"),
        ("lake formation grant", "lakelab-jd-auditor → location s3://lakelab-jd-lake/curated/governed/"),
        ("lake formation grant", "lakelab-jd-auditor → tables tagged lakelab-jd-classification=public"),
        ("lake formation grant", "lakelab-jd-regional-analyst → table lakelab_jd_governed.customers"),
        ("data cells filter", "lakelab-jd-customers-de"), ("lf-tag", "lakelab-jd-classification"),
        ("registered location", "s3://lakelab-jd-lake/curated/governed/"), ("database", "lakelab_jd_governed"),
        ("role", "lakelab-jd-analyst"), ("role", "lakelab-jd-auditor")]
    assert lines[1] == ("removed lake formation grant lakelab-jd-analyst → all columns of "
                        "lakelab_jd_governed.customers but email (week 07) · SELECT")
    assert lines[4] == ("removed lake formation grant lakelab-jd-analyst → table shared.customers (week 07) · "
                        "DESCRIBE (grantable: DESCRIBE)")
    assert lines[9:12] == [
        "removed data cells filter lakelab-jd-customers-de (week 07) · on lakelab_jd_governed.customers",
        "removed lf-tag   lakelab-jd-classification (week 07) · 2 value(s)",
        "removed registered location s3://lakelab-jd-lake/curated/governed/ (week 07)"]
    assert _grantees(lf) == ["IAM_ALLOWED_PRINCIPALS", "lakelab-jd-not-ours"]  # not the course's role: it stays
    assert [t["TagKey"] for t in lf.list_lf_tags()["LFTags"]] == ["other-classification"]
    assert [r["ResourceArn"] for r in lf.list_resources()["ResourceInfoList"]] == [
        "arn:aws:s3:::someone-elses-bucket/data"]
    assert [(f["DatabaseName"], f["Name"]) for f in lf.list_data_cells_filter()["DataCellsFilters"]] == [
        ("shared", "lakelab-jd-shared-de")]  # the prefix, in a database that is not the course's
    assert teardown.find() == []


def test_lake_formation_grants_are_swept_with_the_kinds_they_are_made_on():
    from lakelab.lab import sweepers

    assert [kind for kind, _ in sweepers.in_dependency_order({"lf-tag", "role"})] == [
        "lake formation grant", "lf-tag", "role"]
    assert [kind for kind, _ in sweepers.in_dependency_order({"bucket", "role"})] == ["bucket", "role"]
