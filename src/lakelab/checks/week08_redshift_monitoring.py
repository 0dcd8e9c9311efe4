"""Week 8 · Redshift for BI and CloudWatch monitoring — one check per exercise.

The checks read the warehouse through the Redshift Data API (their own statements, as the account's
administrator) and judge the tables, the view and the export against the answer key (the course's
orders and customers datasets, and the partner's file); they judge the alarms by what happened to them
while the lab broke the pipeline (their history and their notifications), the metric filter by the
validator's own log lines, and the dashboard by the data its widgets show. They change nothing.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import time
from collections import Counter
from decimal import Decimal
from typing import Any

import boto3

from lakelab.checks import iam_simulation
from lakelab.checks.framework import exercise, expect
from lakelab.course import datasets, naming

WEEK = 8
DATABASE = "dev"
BASE_CAPACITY_AT_MOST = 8  # RPU: the smallest base capacity in most regions (4 where offered)
SKEWED_BELOW = 100  # distinct values: fewer, and a distribution key crowds a real warehouse's slices
NOT_REVENUE = ("cancelled", "returned")


def _names() -> naming.Names:
    return naming.for_week(WEEK)


# --- the answer key ------------------------------------------------------------------------------------


def _rows(name: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(datasets.path(name).read_text(encoding="utf-8"))))


def answer_key() -> dict[tuple[str, str, str], tuple[int, Decimal]]:
    """(month ``YYYY-MM``, country, segment) → (orders, revenue) for orders neither cancelled nor returned."""
    segment = {row["customer_id"]: row["segment"] for row in _rows("customers")}
    key: dict[tuple[str, str, str], list] = {}
    for order in _rows("orders"):
        if order["status"] in NOT_REVENUE:
            continue
        cell = key.setdefault((order["order_ts"][:7], order["country"], segment[order["customer_id"]]), [0, Decimal(0)])
        cell[0] += 1
        cell[1] += Decimal(order["amount"])
    return {group: (count, revenue) for group, (count, revenue) in key.items()}


def _compare(found: dict[tuple[str, str, str], tuple[int, Decimal]], where: str) -> None:
    """Inside a check: ``found`` (the learner's groups) is the answer key; else the first difference, named."""
    expected = answer_key()
    missing = sorted(set(expected) - set(found))
    extra = sorted(set(found) - set(expected))
    expect(not missing and not extra, expected=f"{len(expected)} groups (month, country, segment) in {where}",
           found=f"{len(found)} groups" + (f"; missing {' '.join(missing[0])}" if missing else "")
           + (f"; unexpected {' '.join(map(str, extra[0]))}" if extra else ""),
           hint="group by the first day of the order's month (DATE_TRUNC('month', order_ts)), the order's country and "
                "the customer's segment (join customers on customer_id)")
    for group in sorted(expected):
        count, revenue = expected[group]
        got_count, got_revenue = found[group]
        expect(got_count == count and abs(Decimal(str(got_revenue)) - revenue) < Decimal("0.01"),
               expected=f"{' '.join(group)}: {count} orders, revenue {revenue:,.2f}",
               found=f"{got_count} orders, revenue {Decimal(str(got_revenue)):,.2f} in {where}",
               hint="count only the orders whose status is neither 'cancelled' nor 'returned', and sum their amount")


# --- reading the warehouse -------------------------------------------------------------------------------


def _sql(statement: str) -> list[list[Any]] | str:
    """The rows ``statement`` answers in the week's workgroup, or why it failed (a string)."""
    api = boto3.client("redshift-data")
    try:
        statement_id = api.execute_statement(WorkgroupName=_names().resource("bi"), Database=DATABASE,
                                             Sql=statement)["Id"]
    except api.exceptions.ClientError as error:
        return f"{error.response['Error']['Code']}: {error.response['Error'].get('Message', '')}"
    deadline = time.time() + 60
    while (described := api.describe_statement(Id=statement_id))["Status"] not in ("FINISHED", "FAILED", "ABORTED"):
        if time.time() > deadline:
            return "the statement did not finish within 60 s"
        time.sleep(0.1)
    if described["Status"] != "FINISHED":
        return str(described.get("Error") or described["Status"])
    if not described.get("HasResultSet"):
        return []
    rows = []
    for page in api.get_paginator("get_statement_result").paginate(Id=statement_id):
        rows += [[None if field.get("isNull") else next(iter(field.values())) for field in record]
                 for record in page["Records"]]
    return rows


def _query(statement: str, hint: str) -> list[list[Any]]:
    rows = _sql(statement)
    expect(not isinstance(rows, str), expected=f"an answer to {statement.split(' FROM ')[-1].split()[0]}",
           found=rows, hint=hint)
    return rows  # type: ignore[return-value]


def _workgroup_exists() -> None:
    names = _names()
    client = boto3.client("redshift-serverless")
    try:
        client.get_workgroup(workgroupName=names.resource("bi"))
    except client.exceptions.ResourceNotFoundException:
        expect(False, expected=f"the workgroup {names.resource('bi')}", found="no such workgroup",
               hint="do exercise 8.1 first: the warehouse's tables live in its namespace")


# --- 8.1 -----------------------------------------------------------------------------------------------


@exercise(WEEK, "8.1", "a Serverless workgroup at the smallest capacity, loading as a least-privilege role",
          hint="create_namespace(namespaceName=NAMESPACE, dbName='dev', adminUsername='admin', manageAdminPassword=True, "
               "iamRoles=[loader_arn], defaultIamRoleArn=loader_arn, tags=...), then create_workgroup(workgroupName="
               "WORKGROUP, namespaceName=NAMESPACE, baseCapacity=8, tags=...) (Redshift management guide: 'Amazon "
               "Redshift Serverless capacity'; 'Authorizing Amazon Redshift to access AWS services on your behalf')")
def warehouse_ready() -> None:
    names = _names()
    client = boto3.client("redshift-serverless")
    _workgroup_exists()
    workgroup = client.get_workgroup(workgroupName=names.resource("bi"))["workgroup"]
    expect(workgroup["namespaceName"] == names.resource("warehouse") and workgroup["status"] == "AVAILABLE",
           expected=f"the workgroup AVAILABLE on the namespace {names.resource('warehouse')}",
           found=f"{workgroup['status']} on {workgroup['namespaceName']}")
    capacity = int(workgroup["baseCapacity"])
    expect(capacity <= BASE_CAPACITY_AT_MOST, expected=f"a base capacity of at most {BASE_CAPACITY_AT_MOST} RPU",
           found=f"{capacity} RPU: ${capacity * 0.375:,.2f} for every hour queries run",
           hint="baseCapacity=8 at create_workgroup (update_workgroup for an existing one): the default is 128 RPU")
    namespace = client.get_namespace(namespaceName=names.resource("warehouse"))["namespace"]
    default = namespace.get("defaultIamRoleArn") or ""
    expect(default and default in (namespace.get("iamRoles") or []),
           expected="the loader role in the namespace's iamRoles and as its defaultIamRoleArn",
           found=f"default {default or 'none'}; roles {namespace.get('iamRoles') or 'none'}",
           hint="IAM_ROLE default in a COPY means the namespace's defaultIamRoleArn: set both at create_namespace "
                "(or update_namespace)")
    for kind, arn in (("namespace", namespace["namespaceArn"]), ("workgroup", workgroup["workgroupArn"])):
        tags = {tag["key"]: tag["value"] for tag in client.list_tags_for_resource(resourceArn=arn).get("tags", [])}
        expect(naming.is_course_resource(tags, WEEK), expected=f"the {kind} tagged {names.tags}", found=f"tags {tags}",
               hint="tags=[{'key': k, 'value': v} for k, v in names.tags.items()] at create_namespace/create_workgroup")
    bucket = f"arn:aws:s3:::{names.bucket('lake')}"
    iam_simulation.expect_least_privilege_role(
        default.rsplit("/", 1)[-1], WEEK, {"redshift.amazonaws.com"},
        needed=[("s3:GetObject", f"{bucket}/curated/sales/orders/part-0000.parquet"), ("s3:ListBucket", bucket),
                ("s3:PutObject", f"{bucket}/exports/monthly_revenue/country=DE/0000_part_00.parquet")],
        forbidden=[("s3:GetObject", f"{bucket}/raw/customers/customers.csv"),
                   ("s3:PutObject", f"{bucket}/curated/sales/orders/part-0000.parquet"),
                   ("s3:DeleteObject", f"{bucket}/curated/sales/orders/part-0000.parquet"),
                   ("s3:GetObject", "arn:aws:s3:::another-teams-bucket/data.csv")],
        allowed_hint="s3:GetObject on curated/sales/*, s3:ListBucket on the bucket, s3:PutObject on exports/*",
        denied_hint="name the prefixes: read curated/sales/* only, write exports/* only — never s3:* or the whole bucket",
        trust_hint="the role's trust policy names the service redshift.amazonaws.com")


# --- 8.2 -----------------------------------------------------------------------------------------------


@exercise(WEEK, "8.2", "orders and customers loaded once, with keys chosen for the dashboard",
          hint="orders: DISTKEY (customer_id) SORTKEY (order_ts); customers: DISTSTYLE ALL; DROP TABLE IF EXISTS before "
               "CREATE, then one COPY ... FORMAT AS PARQUET each (Redshift database developer guide: 'Choose the best "
               "distribution style', 'Choose the best sort key')")
def tables_loaded_for_the_dashboard() -> None:
    _workgroup_exists()
    orders, customers = _rows("orders"), _rows("customers")
    for table, expected in (("orders", len(orders)), ("customers", len(customers))):
        count = _query(f"SELECT COUNT(*) FROM {table}",
                       hint=f"CREATE TABLE {table} (...) then COPY {table} FROM 's3://.../curated/sales/{table}/' "
                            "IAM_ROLE default FORMAT AS PARQUET")[0][0]
        expect(int(count) == expected, expected=f"{expected:,} rows in {table}", found=f"{int(count):,} rows",
               hint="COPY appends: drop (or TRUNCATE) the table before loading it again" if int(count) > expected
               else f"COPY every file under curated/sales/{table}/")
    total = _query("SELECT SUM(amount) FROM orders", hint="amount as DECIMAL(12,2)")[0][0]
    key = sum(Decimal(order["amount"]) for order in orders)
    expect(total is not None and abs(Decimal(str(total)) - key) < Decimal("0.01"),
           expected=f"the orders' amounts summing to {key:,.2f}", found=f"{total}",
           hint="amount DECIMAL(12,2): a REAL or an INTEGER column loses cents")
    info = {row[0]: (row[1] or "", row[2] or "") for row in _query(
        'SELECT "table", diststyle, sortkey1 FROM svv_table_info', hint="")}
    order_style, order_sort = info.get("orders", ("", ""))
    customer_style, _ = info.get("customers", ("", ""))
    expect(order_sort.strip('"').lower() == "order_ts", expected="orders sorted on order_ts (sortkey1)",
           found=f"sortkey1 {order_sort or 'none'}",
           hint="the dashboard filters and groups on order_ts: SORTKEY (order_ts) lets zone maps skip the other months")
    if order_style.upper().startswith("KEY("):
        column = order_style[4:-1].strip('"').lower()
        distinct = int(_query(f'SELECT COUNT(DISTINCT "{column}") FROM orders', hint="")[0][0])
        expect(distinct >= SKEWED_BELOW, expected=f"a distribution key with many distinct values (at least {SKEWED_BELOW})",
               found=f"DISTKEY ({column}): {distinct} distinct values — every row on one of {distinct} slices at most",
               hint="distribute orders on the join column customer_id (about 300 values), or EVEN/AUTO")
        collocated = column == "customer_id" and customer_style.upper() in ("KEY(CUSTOMER_ID)", "ALL")
    else:
        collocated = False
    expect(collocated or customer_style.upper().startswith("ALL"),
           expected="the join on customer_id local to each slice: customers DISTSTYLE ALL, or both tables "
                    "distributed on customer_id",
           found=f"orders {order_style or 'not loaded'}, customers {customer_style or 'not loaded'}",
           hint="customers is small (300 rows): DISTSTYLE ALL copies it to every node, so the join moves no data")


# --- 8.3 -----------------------------------------------------------------------------------------------


@exercise(WEEK, "8.3", "the partner's good rows loaded, the bad ones rejected",
          hint="CREATE TABLE partner_orders (LIKE orders); COPY partner_orders FROM 's3://.../curated/sales/partner/"
               "orders_2024-07.csv' IAM_ROLE default FORMAT AS CSV IGNOREHEADER 1 TIMEFORMAT 'auto' MAXERROR 5 "
               "(Redshift database developer guide: 'COPY — data load parameters', 'SYS_LOAD_ERROR_DETAIL')")
def partner_file_loaded() -> None:
    _workgroup_exists()
    text, broken = datasets.partner_orders()
    lines = text.splitlines()
    bad_ids = {next(csv.reader([lines[number - 1]]))[0] for number in broken}
    good_ids = {row[0] for row in csv.reader(lines[1:])} - bad_ids
    loaded = [row[0] for row in _query("SELECT order_id FROM partner_orders",
                                       hint="CREATE TABLE partner_orders (LIKE orders), then COPY the file into it")]
    expect(loaded, expected=f"{len(good_ids)} rows in partner_orders", found="no rows: the COPY failed or did not run",
           hint="with MAXERROR 0 (the default) the first bad row fails the whole COPY: allow a few (MAXERROR 5), "
                "and read the file from curated/sales/partner/, where the role may read")
    repeated = [order for order, times in Counter(loaded).items() if times > 1]
    expect(not repeated, expected="each partner order once", found=f"{len(repeated)} orders loaded more than once",
           hint="drop (or TRUNCATE) partner_orders before loading again: COPY appends")
    expect(not set(loaded) & bad_ids, expected="none of the broken rows loaded",
           found=f"{', '.join(sorted(set(loaded) & bad_ids))} loaded", hint="")
    expect(set(loaded) == good_ids, expected=f"the {len(good_ids)} good rows",
           found=f"{len(set(loaded) & good_ids)} of them, and {len(set(loaded) - good_ids)} others",
           hint="IGNOREHEADER 1 skips the header; TIMEFORMAT 'auto' reads the ISO times")


# --- 8.4 -----------------------------------------------------------------------------------------------


def _view_groups(rows: list[list[Any]]) -> dict[tuple[str, str, str], tuple[int, Decimal]]:
    found: dict[tuple[str, str, str], tuple[int, Decimal]] = {}
    for month, country, segment, orders, revenue in rows:
        group = (str(month)[:7], str(country).strip(), str(segment))
        count, total = found.get(group, (0, Decimal(0)))
        found[group] = (count + int(orders), total + Decimal(str(revenue)))
    return found


@exercise(WEEK, "8.4", "the dashboard's answer in a materialized view",
          hint="CREATE MATERIALIZED VIEW monthly_revenue AS SELECT DATE_TRUNC('month', o.order_ts) AS month, o.country, "
               "c.segment, COUNT(*) AS orders, SUM(o.amount) AS revenue FROM orders o JOIN customers c ON c.customer_id "
               "= o.customer_id WHERE o.status NOT IN ('cancelled', 'returned') GROUP BY 1, 2, 3 (Redshift database "
               "developer guide: 'Materialized views in Amazon Redshift')")
def dashboard_view_served() -> None:
    _workgroup_exists()
    views = _query("SELECT name FROM svv_mv_info WHERE name = 'monthly_revenue'", hint="")
    expect(views, expected="a materialized view monthly_revenue", found="no materialized view of that name",
           hint="CREATE MATERIALIZED VIEW monthly_revenue AS SELECT ... (a plain view recomputes at every refresh)")
    rows = _query("SELECT month, country, segment, orders, revenue FROM monthly_revenue",
                  hint="the view's columns are month, country, segment, orders and revenue")
    _compare(_view_groups(rows), "monthly_revenue")


# --- 8.5 -----------------------------------------------------------------------------------------------


@exercise(WEEK, "8.5", "the dashboard unloaded to exports/ as Parquet, partitioned by country",
          hint="UNLOAD ('SELECT * FROM monthly_revenue') TO 's3://BUCKET/exports/monthly_revenue/' IAM_ROLE default "
               "FORMAT AS PARQUET PARTITION BY (country) CLEANPATH (Redshift database developer guide: 'UNLOAD')")
def dashboard_unloaded() -> None:
    import pyarrow.parquet as pq

    names = _names()
    s3, bucket, prefix = boto3.client("s3"), names.bucket("lake"), "exports/monthly_revenue/"
    keys = [item["Key"] for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix)
            for item in page.get("Contents", []) if not item["Key"].endswith("/")]
    expect(keys, expected=f"files under s3://{bucket}/{prefix}", found="none", hint=None)
    data = [key for key in keys if not key.endswith("manifest")]
    folders = {key[len(prefix):].split("/")[0] for key in data}
    expect(all(folder.startswith("country=") for folder in folders),
           expected="one folder per country (country=DE/...)", found=", ".join(sorted(folders))[:200],
           hint="PARTITION BY (country) writes Hive-style folders that Athena and Spark prune")
    rows = []
    for key in data:
        body = s3.get_object(Bucket=bucket, Key=key)["Body"].read()
        expect(body[:4] == b"PAR1", expected="Parquet files", found=f"{key} is not Parquet", hint="FORMAT AS PARQUET")
        table = pq.read_table(io.BytesIO(body)).to_pylist()
        country = key[len(prefix):].split("/")[0].split("=", 1)[1]
        for row in table:
            rows.append([row.get("month"), country, row.get("segment"), row.get("orders"), row.get("revenue")])
    _compare(_view_groups(rows), prefix)


# --- 8.6 -----------------------------------------------------------------------------------------------


def _alarm(name: str) -> dict[str, Any]:
    alarms = boto3.client("cloudwatch").describe_alarms(AlarmNames=[name])["MetricAlarms"]
    expect(alarms, expected=f"the alarm {name}", found="no such alarm",
           hint="cloudwatch.put_metric_alarm(AlarmName=..., ...) in exercise 8.6")
    return alarms[0]


def _history(name: str) -> list[dict[str, Any]]:
    client = boto3.client("cloudwatch")
    return [item for page in client.get_paginator("describe_alarm_history").paginate(AlarmName=name)
            for item in page["AlarmHistoryItems"]]


def _expect_fired(alarm: dict[str, Any], what: str) -> None:
    names = _names()
    topic = names.arn("sns", names.resource("pipeline-alarms"))
    for actions in ("AlarmActions", "OKActions"):
        expect(topic in alarm.get(actions, []), expected=f"{alarm['AlarmName']} notifying {topic} in {actions}",
               found=alarm.get(actions) or "no such action",
               hint=f"{actions}=[topic_arn]: the team hears when it breaks and when it is fixed")
    history = _history(alarm["AlarmName"])
    fired = [item for item in history if item["HistoryItemType"] == "StateUpdate"
             and json.loads(item["HistoryData"]).get("newState", {}).get("stateValue") == "ALARM"]
    reasons = [json.loads(item["HistoryData"])["newState"].get("stateReason", "") for item in fired]
    on_missing = [reason for reason in reasons if "[Breaching]" in reason]
    expect(not on_missing, expected=f"{alarm['AlarmName']} never in ALARM for want of data",
           found=on_missing[0] if on_missing else "", hint="TreatMissingData='notBreaching': no data is not " + what)
    expect(fired, expected=f"{alarm['AlarmName']} in ALARM while the pipeline was broken",
           found=f"never in ALARM; now {alarm['StateValue']}: {alarm['StateReason']}", hint=None)
    notified = [item for item in history if item["HistoryItemType"] == "Action" and topic in item["HistorySummary"]
                and item["HistorySummary"].startswith("Successfully")]
    expect(notified, expected=f"a notification to {topic}", found="no action executed",
           hint="AlarmActions=[topic_arn]")


@exercise(WEEK, "8.6", "alarms on the feed's lag and the validator's error rate fired to SNS when the pipeline broke",
          hint="LAG_ALARM: AWS/Firehose DeliveryToS3.DataFreshness, DeliveryStreamName=FEED, Maximum, Period 60, > 20; "
               "ERROR_ALARM: Metrics=[errors (Sum of Errors), invocations (Sum of Invocations), "
               "{'Expression': '100 * errors / invocations'}] > 5; both TreatMissingData='notBreaching', AlarmActions "
               "and OKActions [topic_arn] (CloudWatch user guide: 'Using Amazon CloudWatch alarms', 'Create a "
               "CloudWatch alarm based on a metric math expression')")
def alarms_fired() -> None:
    names = _names()
    lag = _alarm(names.resource("feed-lag"))
    watched = (lag.get("Namespace"), lag.get("MetricName"),
               {d["Name"]: d["Value"] for d in lag.get("Dimensions", [])}.get("DeliveryStreamName"))
    expect(watched == ("AWS/Firehose", "DeliveryToS3.DataFreshness", names.resource("orders-feed")),
           expected=f"{lag['AlarmName']} on AWS/Firehose DeliveryToS3.DataFreshness of {names.resource('orders-feed')}",
           found=f"on {' '.join(str(part) for part in watched)}", hint=None)
    _expect_fired(lag, "lag")
    errors = _alarm(names.resource("validator-error-rate"))
    metrics = errors.get("Metrics") or []
    stats = {query["MetricStat"]["Metric"]["MetricName"]: query for query in metrics if "MetricStat" in query}
    expressions = [query["Expression"] for query in metrics if query.get("Expression") and query.get("ReturnData", True)]
    expect({"Errors", "Invocations"} <= set(stats) and expressions,
           expected=f"{errors['AlarmName']} on an expression over the validator's Errors and Invocations (a rate)",
           found=(f"an alarm on {errors.get('MetricName')} alone" if errors.get("MetricName")
                  else f"metrics {sorted(stats)}, expression {expressions or 'none'}"),
           hint="a count of errors says nothing without the invocations: alarm on 100 * errors / invocations")
    _expect_fired(errors, "an error")


# --- 8.7 -----------------------------------------------------------------------------------------------


@exercise(WEEK, "8.7", "a metric filter counting each rejected order, and nothing else",
          hint="logs.put_metric_filter(logGroupName=LOG_GROUP, filterName='rejected-orders', filterPattern="
               "'{ $.level = \"ERROR\" }', metricTransformations=[{'metricName': 'RejectedOrders', 'metricNamespace': "
               "'LakeLabs/Pipeline', 'metricValue': '1'}]) (CloudWatch Logs user guide: 'Filter pattern syntax')")
def rejected_orders_metric() -> None:
    names = _names()
    group = f"/aws/lambda/{names.resource('feed-validator')}"
    logs = boto3.client("logs")
    try:
        filters = logs.describe_metric_filters(logGroupName=group)["metricFilters"]
    except logs.exceptions.ResourceNotFoundException:
        filters = []
    publishing = [f for f in filters for t in f["metricTransformations"]
                  if (t["metricNamespace"], t["metricName"]) == ("LakeLabs/Pipeline", "RejectedOrders")]
    expect(publishing, expected=f"a metric filter on {group} publishing LakeLabs/Pipeline RejectedOrders",
           found=", ".join(f"{f['filterName']} → {[t['metricName'] for t in f['metricTransformations']]}" for f in filters)
           or "no metric filter", hint=None)
    since = min(f["creationTime"] for f in publishing)
    rejected = 0
    for page in logs.get_paginator("filter_log_events").paginate(logGroupName=group, startTime=since):
        for event in page["events"]:
            try:
                rejected += json.loads(event["message"]).get("level") == "ERROR"
            except (ValueError, AttributeError):
                pass
    expect(rejected, expected="rejected orders in the validator's log since the filter was created",
           found="none: run the cell that breaks the pipeline after creating the filter",
           hint="a metric filter counts only the events logged after it exists")
    start = dt.datetime.fromtimestamp(since / 1000, dt.timezone.utc) - dt.timedelta(minutes=1)
    points = boto3.client("cloudwatch").get_metric_statistics(
        Namespace="LakeLabs/Pipeline", MetricName="RejectedOrders", StartTime=start,
        EndTime=dt.datetime.now(dt.timezone.utc) + dt.timedelta(minutes=1), Period=60, Statistics=["Sum"])["Datapoints"]
    counted = sum(point["Sum"] for point in points)
    expect(counted == rejected, expected=f"RejectedOrders summing to {rejected} (the rejected orders' JSON lines)",
           found=f"{counted:g}",
           hint="the JSON pattern { $.level = \"ERROR\" } matches the validator's rejections only: a bare term ERROR "
                "also matches the runtime's [ERROR] crash lines; metricValue '1' counts one per line")


# --- 8.8 -----------------------------------------------------------------------------------------------


def _series(widgets: list[dict[str, Any]]) -> list[tuple[str, str, dict[str, str], str]]:
    """(namespace, metric, dimensions, stat) for every metric row of every metric widget ('.' repeats)."""
    found = []
    for widget in widgets:
        properties = widget.get("properties", {})
        if widget.get("type") != "metric":
            continue
        previous: list[Any] = []
        for row in properties.get("metrics", []):
            if not row or isinstance(row[0], dict):
                continue
            options = row[-1] if isinstance(row[-1], dict) else {}
            parts = [part for part in row if not isinstance(part, dict)]
            parts = [previous[i] if part == "." and i < len(previous) else part for i, part in enumerate(parts)]
            previous = parts
            dimensions = dict(zip(parts[2::2], parts[3::2]))
            found.append((parts[0], parts[1], dimensions, options.get("stat") or properties.get("stat", "Average")))
    return found


@exercise(WEEK, "8.8", "a pipeline-health dashboard whose widgets show the pipeline's data and both alarms",
          hint="cloudwatch.put_dashboard(DashboardName=DASHBOARD, DashboardBody=json.dumps({'widgets': [metric widgets "
               "for the feed's DeliveryToS3.DataFreshness, the validator's Errors and Invocations, LakeLabs/Pipeline "
               "RejectedOrders, and {'type': 'alarm', 'properties': {'alarms': [both ARNs]}}]})) (CloudWatch API "
               "reference: 'Dashboard Body Structure and Syntax')")
def pipeline_dashboard() -> None:
    names = _names()
    client = boto3.client("cloudwatch")
    try:
        body = json.loads(client.get_dashboard(DashboardName=names.resource("pipeline-health"))["DashboardBody"])
    except client.exceptions.ClientError:
        body = None
    expect(body is not None, expected=f"the dashboard {names.resource('pipeline-health')}", found="no such dashboard",
           hint=None)
    widgets = body.get("widgets", [])
    series = _series(widgets)
    feed, validator = names.resource("orders-feed"), names.resource("feed-validator")
    wanted = [("AWS/Firehose", "DeliveryToS3.DataFreshness", "DeliveryStreamName", feed),
              ("AWS/Lambda", "Errors", "FunctionName", validator),
              ("AWS/Lambda", "Invocations", "FunctionName", validator),
              ("LakeLabs/Pipeline", "RejectedOrders", None, None)]
    end = dt.datetime.now(dt.timezone.utc) + dt.timedelta(minutes=1)
    for namespace, metric, dimension, value in wanted:
        rows = [row for row in series if row[:2] == (namespace, metric)]
        expect(rows, expected=f"a metric widget showing {namespace} {metric}",
               found="widgets show " + (", ".join(sorted({row[1] for row in series})) or "no metric"), hint=None)
        shown = rows[0]
        query = {"Id": "m", "MetricStat": {"Metric": {"Namespace": namespace, "MetricName": metric, "Dimensions": [
            {"Name": name, "Value": str(v)} for name, v in shown[2].items()]}, "Period": 60, "Stat": shown[3]}}
        values = client.get_metric_data(MetricDataQueries=[query], StartTime=end - dt.timedelta(hours=3),
                                        EndTime=end)["MetricDataResults"][0]["Values"]
        where = ", ".join(f"{name}={v}" for name, v in shown[2].items()) or "no dimensions"
        expect(values, expected=f"data in the widget for {namespace} {metric}" + (f" ({dimension}={value})" if value else ""),
               found=f"no datapoints for {metric} with {where}",
               hint="a metric is its namespace, name and exact dimensions: name the stream and the function exactly")
    alarms = {arn for widget in widgets if widget.get("type") == "alarm"
              for arn in widget.get("properties", {}).get("alarms", [])}
    arns = {alarm["AlarmArn"] for alarm in client.describe_alarms(
        AlarmNames=[names.resource("feed-lag"), names.resource("validator-error-rate")])["MetricAlarms"]}
    expect(arns and arns <= alarms, expected="an alarm widget showing both alarms",
           found=f"alarm widgets show {sorted(alarms) or 'nothing'}",
           hint="{'type': 'alarm', 'properties': {'title': ..., 'alarms': [the two alarms' AlarmArn]}}")
