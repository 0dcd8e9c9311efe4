"""Capstone: the grader's rubric, ten criteria of 10 points each (``weeks/week09_capstone.md`` states them).

Each criterion judges behaviour: the first replays a day through the learner's pipeline
(:mod:`lakelab.capstone.replay`); the others read what came out. They run in order, the teardown last.
"""

from __future__ import annotations

import json
import time

import boto3

from lakelab.capstone import observe, replay
from lakelab.capstone.contract import CEILING_USD, COST_ESTIMATE_KEY, PII, PIPELINE_TAG, contract
from lakelab.checks.framework import exercise, expect

WEEK = 9
# Read by `lakelab progress` and the Setup cell, which then run none of these criteria: they commit changes in
# the source database, break the pipeline's roles for a run and tear everything down.
GRADER_ONLY = ("judged by behaviour, not cell by cell: `lakelab check labs/week09_capstone.ipynb` runs your "
               "notebook on a fresh emulator, replays a day through it and scores the brief's ten criteria")


def _on_the_graders_emulator() -> None:
    """Refuse to judge a target a notebook or `lakelab progress` activated: the learner's own lake."""
    from lakelab import targets

    expect(targets.current() is None, expected="to be judged by lakelab check or lakelab grade, on a fresh emulator",
           found=f"called against your own target ({targets.current() and targets.current().kind}), whose data the "
                 "grader would change and whose resources it would tear down",
           hint="run `lakelab check labs/week09_capstone.ipynb` instead")
CLICK_LATENCY_S = 90  # locally; the brief's requirement on AWS is 5 minutes
ALARM_WAIT_S = 90  # a 60 s period, evaluated at its end, plus delivery


@exercise(WEEK, "1", "the orchestration runs the day", hint=(
    "tag your state machine or MWAA environment component=pipeline (and only one); a run must process what "
    "arrived since the last one and succeed"))
def orchestration_runs_the_day():
    _on_the_graders_emulator()
    day = replay.day()
    expect(day.pipeline, expected=f"one orchestration tagged {'='.join(PIPELINE_TAG)}", found=day.found)
    expect(day.replayed, expected=f"a run of {day.found} started by the grader to succeed",
           found="; ".join(seen for _, seen in day.runs) or "no run")
    return f"{day.found}: " + "; ".join(seen for _, seen in day.runs)


@exercise(WEEK, "2", "orders are current after CDC", hint=(
    "replicate shop.orders with DMS (full load and CDC) and apply each run's changes to curated orders, "
    "newest change per order, deletes included"))
def orders_current():
    _on_the_graders_emulator()
    day, terms = replay.day(), contract()
    expect(not day.source, expected="the grader to commit changes in shop.orders", found=day.source,
           hint=f"the source is the RDS instance {terms.source_instance}, user shop_admin, database shop, "
                "password from names.password('shop'), table shop.orders")
    expect(day.replayed, expected="a successful pipeline run after the changes", found=day.found if not day.pipeline
           else "; ".join(seen for _, seen in day.runs))
    matched, seen = observe.orders_match(terms)
    expect(matched, found=seen,
           expected=f"{terms.database}.orders equal to shop.orders after the run (3 returned, 1 deleted, 5 new)")
    return f"{seen} after 3 orders returned, 1 deleted and 5 placed in the source"


@exercise(WEEK, "3", "bad customer rows and files are quarantined", hint=(
    "validate every file under raw/customers/: good rows reach curated customers, rows breaking the brief's rules "
    "and files that are not customer files go under quarantine/"))
def customers_validated():
    _on_the_graders_emulator()
    day, terms = replay.day(), contract()
    expect(day.replayed, expected="a successful pipeline run after the day's files arrived",
           found=day.found if not day.pipeline else "; ".join(seen for _, seen in day.runs))
    good, bad = replay.customer_rows()
    try:
        curated = {row["customer_id"] for row in observe.athena_rows("SELECT customer_id FROM customers", terms)}
    except observe.Unseen as error:
        expect(False, expected=f"{terms.database}.customers to answer", found=error)
    arrived = [row[0] for row in good if row[0] in curated]
    leaked = [row[0] for row in bad if row[0] in curated]
    expect(len(arrived) == len(good), expected=f"the day's {len(good)} good customers in customers",
           found=f"{len(arrived)} of them")
    expect(not leaked, expected="no rule-breaking row in customers", found=f"{leaked} in customers")
    quarantined = b"\n".join(observe.objects_under(terms.bucket, "quarantine/", day.when).values())
    missing = [row[0] for row in bad if row[0].encode() not in quarantined]
    expect(not missing, expected="the day's bad rows under quarantine/", found=f"{missing} not found there")
    expect(day.malformed_marker.encode() in quarantined, found="not there",
           expected=f"the malformed file {day.raw_files.get('malformed')} under quarantine/")
    return (f"{len(good)} good customers in customers; {len(bad)} bad rows and the malformed file "
            f"{day.raw_files.get('malformed')} under quarantine/")


@exercise(WEEK, "4", "the clickstream is queryable within minutes, late events kept apart", hint=(
    "deliver the stream named in the contract into the lake (Firehose) and catalog it as curated clickstream, "
    "one row per event with its event_id; events more than a day older than their arrival stay out of it, kept "
    "under quarantine/ or errors/"))
def clickstream_queryable():
    _on_the_graders_emulator()
    day, terms = replay.day(), contract()
    expect(not day.clicks_error, expected=f"the grader's {len(day.clicks)} events accepted by {terms.stream}",
           found=day.clicks_error)
    wanted, found, error = set(day.clicks), set(), ""
    while time.time() < day.clicks_put_at + CLICK_LATENCY_S:
        try:
            found = {row["event_id"] for row in observe.athena_rows(
                f"SELECT event_id FROM clickstream WHERE event_id LIKE 'grader-{day.run}-%'", terms)}
            error = ""
        except observe.Unseen as problem:
            error = str(problem)
        if found >= wanted:
            break
        time.sleep(3)
    expect(found >= wanted, expected=f"the {len(wanted)} events in {terms.database}.clickstream within "
           f"{CLICK_LATENCY_S} s", found=error or f"{len(found & wanted)} of them")
    leaked = sorted(found & set(day.late_clicks))
    expect(not leaked, expected="no late event (three days old on arrival) in clickstream", found=f"{leaked} in it")
    kept = observe.text_under(terms.bucket, ("quarantine/", "errors/"), day.when)
    missing = [event_id for event_id in day.late_clicks if event_id not in kept]
    expect(not missing, expected=f"the {len(day.late_clicks)} late events kept under quarantine/ or errors/",
           found=f"{missing} not found there")
    return (f"{len(wanted)} events queryable within {CLICK_LATENCY_S} s; the {len(day.late_clicks)} late ones "
            "kept apart")


@exercise(WEEK, "5", "the analyst sees no personal data", hint=(
    "govern the curated tables with Lake Formation: the analyst role may query orders and customers, "
    f"but never {', '.join(PII)}"))
def pii_hidden():
    _on_the_graders_emulator()
    terms = contract()
    try:
        boto3.client("iam").get_role(RoleName=terms.analyst_role)
    except Exception as error:
        expect(False, expected=f"the analyst's role {terms.analyst_role}", found=f"{type(error).__name__}: {error}")
    try:
        analyst = observe.assume(terms.analyst_role)
    except Exception as error:
        expect(False, expected=f"the role {terms.analyst_role} assumable by the account", found=error)
    try:
        rows = observe.athena_rows("SELECT * FROM customers LIMIT 5", terms, analyst, terms.workgroup)
        orders = observe.athena_rows("SELECT count(*) AS n FROM orders", terms, analyst, terms.workgroup)
    except observe.Unseen as error:
        expect(False, expected=f"the analyst's queries of customers and orders in {terms.workgroup} to answer",
               found=error)
    columns = set(rows[0]) if rows else set()
    expect(rows and "customer_id" in columns, expected="customers' rows with customer_id for the analyst",
           found=f"{len(rows)} rows, columns {sorted(columns)}")
    shown = sorted(columns & set(PII))
    expect(not shown, expected="no PII column in the analyst's SELECT *", found=f"{shown} shown")
    named = {}
    for column in ("email", "phone"):
        try:
            observe.athena_rows(f"SELECT {column} FROM customers LIMIT 1", terms, analyst, terms.workgroup)
            named[column] = "answered"
        except observe.Unseen:
            pass
    expect(not named, expected="the analyst's query naming a PII column to fail", found=f"{sorted(named)} answered")
    expect(orders and int(orders[0]["n"]) > 0, expected="the analyst to count orders", found=orders)
    return f"the analyst sees customers' {', '.join(sorted(columns))}; email and phone refused; {orders[0]['n']} orders"


@exercise(WEEK, "6", "the trail records the data access", hint=(
    "a CloudTrail trail named with your prefix, logging into a bucket: the analyst's queries (Athena and Lake "
    "Formation's GetDataAccess) must be in its files"))
def trail_records_access():
    _on_the_graders_emulator()
    terms = contract()
    cloudtrail = boto3.client("cloudtrail")
    trails = [t for t in cloudtrail.describe_trails()["trailList"] if t["Name"].startswith(terms.prefix)]
    expect(trails, expected=f"a trail named {terms.prefix}…", found="none")
    logging = [t for t in trails if cloudtrail.get_trail_status(Name=t["TrailARN"]).get("IsLogging")]
    expect(logging, expected="the trail logging", found=f"{[t['Name'] for t in trails]} stopped")
    since = time.time()
    try:
        analyst = observe.assume(terms.analyst_role)
        observe.athena_rows("SELECT count(*) AS n FROM orders", terms, analyst, terms.workgroup)
    except Exception as error:
        expect(False, expected="an analyst query for the trail to record", found=error,
               hint="the analyst role and its access to orders (criterion 5) come first")
    deadline, seen = time.time() + 30, []
    while time.time() < deadline:
        records = [r for t in logging for r in observe.trail_records(t["S3BucketName"], since)]
        seen = [r for r in records if r.get("eventName") in ("GetDataAccess", "StartQueryExecution")
                and terms.analyst_role in json.dumps(r.get("userIdentity", {}))]
        if seen:
            return f"{seen[0]['eventName']} by {terms.analyst_role} in {logging[0]['Name']}'s files"
        time.sleep(2)
    expect(False, expected="the analyst's StartQueryExecution or GetDataAccess in the trail's files within 30 s",
           found="not delivered")


@exercise(WEEK, "7", "the warehouse serves, within the cost ceiling", hint=(
    "a Redshift Serverless workgroup named with your prefix, an orders table loaded in its dev database, and "
    f"s3://<lake>/{COST_ESTIMATE_KEY} with monthly_usd per service and total_monthly_usd ≤ {CEILING_USD:g}"))
def warehouse_and_cost():
    _on_the_graders_emulator()
    terms = contract()
    serverless, data_api = boto3.client("redshift-serverless"), boto3.client("redshift-data")
    groups = [w["workgroupName"] for w in serverless.list_workgroups()["workgroups"]
              if w["workgroupName"].startswith(terms.prefix)]
    expect(groups, expected=f"a Redshift Serverless workgroup named {terms.prefix}…", found="none")
    statement = data_api.execute_statement(WorkgroupName=groups[0], Database="dev", Sql="SELECT count(*) FROM orders")
    deadline = time.monotonic() + 30
    while (described := data_api.describe_statement(Id=statement["Id"]))["Status"] not in (
            "FINISHED", "FAILED", "ABORTED"):
        expect(time.monotonic() < deadline, expected="the warehouse to answer within 30 s", found=described["Status"])
        time.sleep(0.3)
    expect(described["Status"] == "FINISHED", expected=f"SELECT count(*) FROM orders in {groups[0]}",
           found=described.get("Error", described["Status"]))
    count = int(next(iter(data_api.get_statement_result(Id=statement["Id"])["Records"][0][0].values())))
    expect(count >= 2000, expected="the warehouse's orders with the full load (2,000 rows or more)",
           found=f"{count:,} rows")
    try:
        estimate = json.loads(boto3.client("s3").get_object(Bucket=terms.bucket, Key=COST_ESTIMATE_KEY)["Body"].read())
        services, total = estimate["monthly_usd"], float(estimate["total_monthly_usd"])
        summed = sum(float(usd) for usd in services.values())
    except Exception as error:
        expect(False, expected=f"s3://{terms.bucket}/{COST_ESTIMATE_KEY} with monthly_usd and total_monthly_usd",
               found=f"{type(error).__name__}: {str(error)[:200]}")
    expect(len(services) >= 4 and abs(summed - total) <= 1, expected="four services or more, summing to the total",
           found=f"{len(services)} services summing to {summed:.2f}, total {total:.2f}")
    expect(0 < total <= CEILING_USD, expected=f"a monthly total within the ceiling of ${CEILING_USD:g}",
           found=f"${total:.2f}")
    return f"{count:,} orders in {groups[0]}; estimate ${total:.2f} a month over {len(services)} services"


@exercise(WEEK, "8", "a failed run alarms and is found in the logs", hint=(
    "an alarm (named with your prefix, with an action) must go to ALARM when a pipeline run fails, the failure "
    "must be in a log group named with your prefix, and a dashboard named with your prefix must show the pipeline"))
def failure_alarmed():
    _on_the_graders_emulator()
    day, terms = replay.day(), contract()
    expect(day.broken_run is not None, expected="the grader's broken run (the pipeline's roles may not read "
           "raw/customers/)", found=day.found if not day.pipeline else "; ".join(day.notes) or "no broken run")
    expect(not day.broken_run[0], expected="the run to fail when its roles cannot read raw/customers/",
           found=f"{day.broken_run[1]} (roles denied: {day.broken_roles})")
    cloudwatch = boto3.client("cloudwatch")

    def alarms_and_fired():
        alarms = [a for page in cloudwatch.get_paginator("describe_alarms").paginate(AlarmNamePrefix=terms.prefix)
                  for a in page["MetricAlarms"] + page["CompositeAlarms"]]
        return alarms, [a["AlarmName"] for a in alarms if a["StateValue"] == "ALARM" and a.get("AlarmActions")
                        and a["StateUpdatedTimestamp"].timestamp() >= day.broken_at - 1]

    alarms, fired = alarms_and_fired()
    while alarms and not fired and time.time() < day.broken_at + ALARM_WAIT_S:  # no alarm at all: at once
        time.sleep(3)
        alarms, fired = alarms_and_fired()
    expect(fired, expected=f"an alarm named {terms.prefix}… with an action in ALARM within {ALARM_WAIT_S} s of the "
           "failed run", found=f"alarms: {[(a['AlarmName'], a['StateValue']) for a in alarms] or 'none'}")
    events = observe.log_events_since(terms.prefix, day.broken_at)
    failures = [group for group, message in events if "accessdenied" in message.lower().replace(" ", "")]
    expect(failures, expected="the failure (AccessDenied reading raw/customers/) in a log group named with your prefix",
           found=f"{len(events)} log events since the failed run, none saying AccessDenied")
    listed = cloudwatch.list_dashboards(DashboardNamePrefix=terms.prefix)["DashboardEntries"]
    dashboards = [d["DashboardName"] for d in listed]
    bodies = "".join(cloudwatch.get_dashboard(DashboardName=name)["DashboardBody"] for name in dashboards)
    expect(terms.prefix in bodies, expected=f"a dashboard named {terms.prefix}… showing the pipeline's resources",
           found=f"dashboards {dashboards or 'none'}")
    return (f"broken run: {day.broken_run[1][:80]}; {', '.join(fired)} in ALARM; AccessDenied in "
            f"{sorted(set(failures))[0]}; dashboards {', '.join(dashboards)}")


@exercise(WEEK, "9", "every resource is tagged", hint=(
    "tag everything you create with names.tags (course, week, lab, learner): teardown finds the course's "
    "resources by those tags"))
def everything_tagged():
    _on_the_graders_emulator()
    from lakelab.capstone import inventory

    day = replay.day()
    expect(day.pipeline, expected="a built capstone (its orchestration found)", found=day.found)
    resources = inventory.prefixed()
    untagged = [f"{kind} {name}" for kind, name, tagged in resources if not tagged]
    expect(not untagged, expected="the course's tags on every resource named with your prefix",
           found=f"{len(untagged)} untagged: {', '.join(untagged[:8])}")
    return f"{len(resources)} resources named with your prefix, every one tagged"


@exercise(WEEK, "10", "teardown leaves nothing", hint=(
    "name everything with your prefix and tag it: lab.clean_up() must then remove it all"))
def teardown_leaves_nothing():
    _on_the_graders_emulator()
    from lakelab.capstone import inventory

    day = replay.day()
    expect(day.pipeline, expected="a built capstone (its orchestration found)", found=day.found)
    left, outside, swept = inventory.tear_down()
    expect(not left, expected="nothing named with your prefix after lab.clean_up()",
           found=f"{len(left)} left: {', '.join(left[:8])}")
    expect(not outside, expected="nothing tagged for the course without your prefix (teardown cannot find it)",
           found=f"{', '.join(outside[:8])}")
    return "nothing of the course left after lab.clean_up()" + (
        f" and the sweep by prefix, which removed {len(swept)} untagged: {', '.join(swept[:5])}" if swept else "")
