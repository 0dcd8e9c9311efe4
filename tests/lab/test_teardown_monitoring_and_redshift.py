"""Teardown sweeps week 8's kinds: CloudWatch alarms (composite ones first) and dashboards, Logs metric and
subscription filters, Redshift Serverless workgroups then namespaces, provisioned clusters then their
parameter and subnet groups; what is not the course's stays."""

from __future__ import annotations

import io
import json
import zipfile

import pytest

from lakelab import targets
from lakelab.lab import sweepers, sweepers_redshift, teardown

WEEK_8 = {"course": "lakelab", "learner": "jd", "week": "08"}
TAG_LIST = [{"Key": k, "Value": v} for k, v in WEEK_8.items()]
LAMBDA_TRUST = json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]})


@pytest.fixture
def learner(monkeypatch):
    monkeypatch.setenv("LAKELAB_LEARNER", "jd")


def _alarm(cloudwatch, name: str, tags: list[dict[str, str]]) -> None:
    cloudwatch.put_metric_alarm(AlarmName=name, Namespace="AWS/Firehose", MetricName="DeliveryToS3.DataFreshness",
                                Dimensions=[{"Name": "DeliveryStreamName", "Value": "lakelab-jd-feed"}],
                                Statistic="Maximum", Period=60, EvaluationPeriods=1, Threshold=120,
                                ComparisonOperator="GreaterThanThreshold", TreatMissingData="notBreaching", Tags=tags)


def test_composite_alarms_go_before_the_alarms_they_name_and_dashboards_by_name(client, learner):
    cloudwatch = client("cloudwatch")
    _alarm(cloudwatch, "lakelab-jd-ingestion-lag", TAG_LIST)
    _alarm(cloudwatch, "lakelab-jd-validation-error-rate", TAG_LIST)
    _alarm(cloudwatch, "lakelab-jd-untagged", [])  # the course's prefix, not its tags
    _alarm(cloudwatch, "lakelab-jd-other-learner", [{**t, "Value": "ab"} if t["Key"] == "learner" else t
                                                    for t in TAG_LIST])
    cloudwatch.put_composite_alarm(AlarmName="lakelab-jd-ingestion-broken", Tags=TAG_LIST, AlarmRule=(
        'ALARM("lakelab-jd-ingestion-lag") OR ALARM(lakelab-jd-validation-error-rate)'))
    cloudwatch.put_composite_alarm(AlarmName="lakelab-jd-pipeline-down", Tags=TAG_LIST,  # names a composite alarm
                                   AlarmRule="ALARM(arn:aws:cloudwatch:us-east-1:123456789012:alarm:"
                                             "lakelab-jd-ingestion-broken)")
    body = json.dumps({"widgets": [{"type": "text", "x": 0, "y": 0, "width": 6, "height": 3,
                                    "properties": {"markdown": "pipeline"}}]})
    for name in ("lakelab-jd-pipeline-health", "lakelab-jd-scratch", "lakelab-ab-pipeline-health", "team-board"):
        cloudwatch.put_dashboard(DashboardName=name, DashboardBody=body)

    assert teardown.teardown(week=7, report=lambda line: None) == []  # another week's teardown keeps them
    lines = []
    removed = teardown.teardown(week=8, report=lines.append)
    assert [(r.kind, r.name) for r in removed] == [
        ("composite alarm", "lakelab-jd-pipeline-down"), ("composite alarm", "lakelab-jd-ingestion-broken"),
        ("alarm", "lakelab-jd-ingestion-lag"), ("alarm", "lakelab-jd-validation-error-rate"),
        ("dashboard", "lakelab-jd-pipeline-health"), ("dashboard", "lakelab-jd-scratch")]
    assert lines[2].startswith("removed alarm    lakelab-jd-ingestion-lag (week 08) · was ")
    left = cloudwatch.describe_alarms(AlarmTypes=["MetricAlarm", "CompositeAlarm"])
    assert sorted(a["AlarmName"] for a in left["MetricAlarms"]) == ["lakelab-jd-other-learner", "lakelab-jd-untagged"]
    assert left["CompositeAlarms"] == []
    assert [d["DashboardName"] for d in cloudwatch.list_dashboards()["DashboardEntries"]] == [
        "lakelab-ab-pipeline-health", "team-board"]


def test_composite_alarms_are_ordered_parents_first_and_a_cycle_last():
    from lakelab.lab.sweepers_monitoring import _named_in, _parents_first

    assert _named_in('ALARM("a") AND (OK(b) OR NOT INSUFFICIENT_DATA(arn:aws:cloudwatch:r:1:alarm:c))') == {
        "a", "b", "c"}
    assert _parents_first({"child": set(), "top": {"middle"}, "middle": {"child", "metric"}}) == [
        "top", "middle", "child"]
    assert _parents_first({"x": {"y"}, "y": {"x"}, "free": set()}) == ["free", "x", "y"]


def _zip(source: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("app.py", source)
    return buffer.getvalue()


def _function(client, name: str, tags: dict[str, str]) -> str:
    aws_lambda, iam = client("lambda"), client("iam")
    try:
        role = iam.get_role(RoleName="test-lambda")["Role"]["Arn"]
    except iam.exceptions.NoSuchEntityException:
        role = iam.create_role(RoleName="test-lambda", AssumeRolePolicyDocument=LAMBDA_TRUST)["Role"]["Arn"]
    return aws_lambda.create_function(FunctionName=name, Runtime="python3.13", Role=role, Handler="app.handler",
                                      Code={"ZipFile": _zip("def handler(event, context):\n    print('hi')\n")},
                                      Tags=tags)["FunctionArn"]


def _metric_filter(logs, group: str, name: str) -> None:
    logs.put_metric_filter(logGroupName=group, filterName=name, filterPattern='{ $.level = "ERROR" }',
                           metricTransformations=[{"metricName": "ValidationErrors", "metricValue": "1",
                                                   "metricNamespace": "LakeLabs/Pipeline"}])


def test_metric_and_subscription_filters_go_before_their_log_group(client, learner):
    logs, aws_lambda = client("logs"), client("lambda")
    _function(client, "lakelab-jd-feed-validator", WEEK_8)
    aws_lambda.invoke(FunctionName="lakelab-jd-feed-validator", Payload=b"{}")  # Lambda creates its log group
    group = "/aws/lambda/lakelab-jd-feed-validator"
    archiver = _function(client, "log-archiver", {})  # not the course's: a subscription's destination
    aws_lambda.add_permission(FunctionName="log-archiver", StatementId="logs", Action="lambda:InvokeFunction",
                              Principal="logs.amazonaws.com")
    logs.put_subscription_filter(logGroupName=group, filterName="lakelab-jd-archive", filterPattern="ERROR",
                                 destinationArn=archiver)
    _metric_filter(logs, group, "lakelab-jd-validation-errors")
    _metric_filter(logs, group, "ErrorsByLevel")  # any name: on the course's group, it goes with the group
    logs.create_log_group(logGroupName="/app/other")
    _metric_filter(logs, "/app/other", "lakelab-jd-validation-errors")  # named as week 8's entry names it
    _metric_filter(logs, "/app/other", "someone-elses")

    assert teardown.teardown(week=3, report=lambda line: None) == []
    lines = []
    removed = teardown.teardown(week=8, report=lines.append)
    assert [(r.kind, r.name) for r in removed] == [
        ("subscription filter", f"lakelab-jd-archive on {group}"), ("metric filter", f"ErrorsByLevel on {group}"),
        ("metric filter", "lakelab-jd-validation-errors on /app/other"),
        ("metric filter", f"lakelab-jd-validation-errors on {group}"),
        ("function", "lakelab-jd-feed-validator"), ("log group", group)]
    assert lines[0] == f"removed subscription filter lakelab-jd-archive on {group} (week 08)"
    assert [(f["logGroupName"], f["filterName"]) for f in logs.describe_metric_filters()["metricFilters"]] == [
        ("/app/other", "someone-elses")]
    assert [g["logGroupName"] for g in logs.describe_log_groups()["logGroups"]] == ["/app/other"]


def test_redshift_workgroups_then_namespaces_then_clusters_and_their_groups(client, learner):
    serverless, redshift, ec2 = client("redshift-serverless"), client("redshift"), client("ec2")
    lower = [{"key": t["Key"], "value": t["Value"]} for t in TAG_LIST]
    serverless.create_namespace(namespaceName="lakelab-jd-warehouse", tags=lower)
    serverless.create_workgroup(workgroupName="lakelab-jd-warehouse", namespaceName="lakelab-jd-warehouse",
                                baseCapacity=8, tags=lower)
    serverless.create_namespace(namespaceName="lakelab-jd-scratch")  # the prefix, untagged: it stays
    subnet = ec2.create_subnet(VpcId=ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"],
                               CidrBlock="10.0.0.0/24")["Subnet"]["SubnetId"]
    redshift.create_cluster_parameter_group(ParameterGroupName="lakelab-jd-params", ParameterGroupFamily="redshift-2.0",
                                            Description="week 8", Tags=TAG_LIST)
    redshift.create_cluster_subnet_group(ClusterSubnetGroupName="lakelab-jd-subnets", Description="week 8",
                                         SubnetIds=[subnet], Tags=TAG_LIST)
    redshift.create_cluster(ClusterIdentifier="lakelab-jd-compare", NodeType="ra3.large", MasterUsername="awsuser",
                            MasterUserPassword="Lakelab-Passw0rd", ClusterParameterGroupName="lakelab-jd-params",
                            ClusterSubnetGroupName="lakelab-jd-subnets", Tags=TAG_LIST)
    redshift.create_cluster(ClusterIdentifier="lakelab-jd-not-ours", NodeType="ra3.large", MasterUsername="awsuser",
                            MasterUserPassword="Lakelab-Passw0rd")

    assert teardown.teardown(week=6, report=lambda line: None) == []
    lines = []
    removed = teardown.teardown(week=8, report=lines.append)
    assert [(r.kind, r.name) for r in removed] == [
        ("redshift workgroup", "lakelab-jd-warehouse"), ("redshift namespace", "lakelab-jd-warehouse"),
        ("redshift cluster", "lakelab-jd-compare"), ("redshift parameter group", "lakelab-jd-params"),
        ("redshift subnet group", "lakelab-jd-subnets")]
    assert lines[:3] == [
        "removed redshift workgroup lakelab-jd-warehouse (week 08) · of namespace lakelab-jd-warehouse",
        "removed redshift namespace lakelab-jd-warehouse (week 08) · its databases with it, no final snapshot",
        "removed redshift cluster lakelab-jd-compare (week 08) · no final snapshot"]
    assert serverless.list_workgroups()["workgroups"] == []
    assert [n["namespaceName"] for n in serverless.list_namespaces()["namespaces"]] == ["lakelab-jd-scratch"]
    assert [c["ClusterIdentifier"] for c in redshift.describe_clusters()["Clusters"]] == ["lakelab-jd-not-ours"]
    assert "lakelab-jd-params" not in [g["ParameterGroupName"] for g in
                                       redshift.describe_cluster_parameter_groups()["ParameterGroups"]]
    assert redshift.describe_cluster_subnet_groups()["ClusterSubnetGroups"] == []


class _SlowServerless:
    """Redshift Serverless as AWS answers it: a workgroup still CREATING, then DELETING a while after delete."""

    class exceptions:  # noqa: N801 - boto3's shape
        class ResourceNotFoundException(Exception):
            pass

    def __init__(self) -> None:
        self.answers = ["CREATING", "CREATING", "AVAILABLE", "AVAILABLE"]
        self.deleted = False

    def get_workgroup(self, workgroupName: str) -> dict:  # noqa: N803 - boto3's parameter name
        if not self.answers:
            raise self.exceptions.ResourceNotFoundException(workgroupName)
        return {"workgroup": {"status": self.answers.pop(0)}}

    def delete_workgroup(self, workgroupName: str) -> None:  # noqa: N803
        assert self.answers == [], "deleted while still CREATING"
        self.deleted, self.answers = True, ["DELETING", "DELETING"]


def test_a_workgroup_being_created_is_waited_for_then_deleted_until_gone(monkeypatch):
    monkeypatch.setattr(sweepers.time, "sleep", lambda seconds: None)
    slow = _SlowServerless()
    assert sweepers_redshift._delete_workgroup(slow, {"workgroupName": "wg", "namespaceName": "ns"}) == \
        "of namespace ns"
    assert slow.deleted and slow.answers == []


def test_the_new_kinds_are_swept_with_what_they_go_with():
    assert [k for k, _ in sweepers.in_dependency_order({"alarm", "log group"})] == [
        "composite alarm", "alarm", "subscription filter", "log group"]
    assert [k for k, _ in sweepers.in_dependency_order({"redshift namespace", "role"})] == [
        "redshift namespace", "redshift cluster", "redshift parameter group", "redshift subnet group", "role"]


# The services LocalStack's host mode starts (tests/localstack): the "Not swept" line its tests assert.
LOCALSTACK_SERVICES = frozenset("s3,sqs,sns,lambda,logs,iam,sts,kms,cloudwatch,events".split(","))
NOT_SWEPT_ON_LOCALSTACK = (
    "Not swept: environment, state machine, trigger, job, application, delivery stream, flow, connector profile, "
    "replication task, endpoint, replication instance, db instance, db snapshot, db parameter group, crawler, "
    "workgroup, trail, redshift workgroup, redshift namespace, redshift cluster, redshift parameter group, redshift "
    "subnet group, lake formation grant, data cells filter, lf-tag, registered location, database, stream (mwaa, "
    "stepfunctions, glue, emr-serverless, firehose, appflow, dms, rds, athena, cloudtrail, redshift-serverless, "
    "redshift, lakeformation, kinesis: not offered by this target, so none were created).")


def test_a_target_without_redshift_says_it_did_not_sweep_it_and_sweeps_cloudwatch_and_logs(client, learner,
                                                                                           monkeypatch):
    from lakelab.targets import localstack_host

    assert frozenset(localstack_host.SERVICES.split(",")) == LOCALSTACK_SERVICES
    monkeypatch.setattr("lakelab.targets.choice._current", targets.Target(
        "localstack", "123456789012", "us-east-1", services=LOCALSTACK_SERVICES))
    _alarm(client("cloudwatch"), "lakelab-jd-ingestion-lag", TAG_LIST)
    lines = []
    removed = teardown.teardown(report=lines.append)
    assert [(r.kind, r.name) for r in removed] == [("alarm", "lakelab-jd-ingestion-lag")]
    assert lines[-2] == NOT_SWEPT_ON_LOCALSTACK
