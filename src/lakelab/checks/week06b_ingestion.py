"""Week 6 · Ingestion: databases and SaaS — one check per exercise.

The checks judge what the learner built by its state and by the data it holds, against two answer keys:
the course's orders dataset (what the full load must carry) and the source database itself (what the
current-state table must equal, row for row), plus the changes exercise 6b.5 asks for and the CRM edit
the lab makes. They read the database as its master user (the password the kit keeps), DMS's files in
S3, the Iceberg table through Athena (their own queries, in the learner's workgroup), and AppFlow's runs
and files. They change nothing.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation
from typing import Any

import boto3

from lakelab.checks import iam_simulation
from lakelab.checks.framework import exercise, expect
from lakelab.course import datasets, naming

WEEK = "6b"
DB_USER, DB_NAME = "shop_admin", "shop"
CHANGES = "raw/dms/shop/orders/"
TABLE = "orders_current"
ORDER_COLUMNS = ("order_id", "customer_id", "order_ts", "status", "sku", "product_name", "quantity", "unit_price",
                 "amount", "currency", "country", "channel")
ACCOUNT_FIELDS = ("Id", "Name", "Type", "Industry", "BillingCountry", "AnnualRevenue", "Customer_Id__c",
                  "LastModifiedDate")
# Exercise 6b.5's changes (the lab's cell gives them) and the CRM edit the lab makes: the answer key.
RETURNED = ("o-000010", "o-000011", "o-000014", "o-000015")
TEST_ORDER = "o-000012"
NEW_ORDERS = ("o-002001", "o-002002", "o-002003", "o-002004")
SHIPPED = "o-002001"
EDITED_ACCOUNT, EDITED_REVENUE = "Rossi Supplies", Decimal(3_750_000)


def _names() -> naming.Names:
    return naming.for_week(WEEK)


def _tags(arn: str, service: str) -> dict[str, str]:
    if service == "rds":
        listed = boto3.client("rds").list_tags_for_resource(ResourceName=arn)["TagList"]
    else:
        listed = boto3.client("dms").list_tags_for_resource(ResourceArn=arn)["TagList"]
    return {tag["Key"]: tag["Value"] for tag in listed}


def _expect_tagged(tags: dict[str, str], what: str) -> None:
    expect(naming.is_course_resource(tags, WEEK), expected=f"{what} tagged {_names().tags}", found=f"tags {tags}",
           hint=f"pass Tags=names.tag_list when you create {what}")


# --- the answer key: the dataset, normalised as PostgreSQL, DMS and Athena print it ------------------------


def _dataset_orders() -> dict[str, dict[str, str]]:
    rows = csv.DictReader(io.StringIO(datasets.path("orders").read_text(encoding="utf-8")))
    return {row["order_id"]: _normal(row) for row in rows}


def _normal(row: dict[str, Any]) -> dict[str, str]:
    """One order's values as comparable text: timestamps to the second without zone, numbers as decimals."""
    out = {}
    for column in ORDER_COLUMNS:
        value = row.get(column)
        text = "" if value is None else str(value)
        if column == "order_ts" and text:
            text = text.replace("T", " ").removesuffix("Z").removesuffix("+00")[:19]
        elif column in ("unit_price", "amount", "quantity") and text:
            try:
                text = str(Decimal(text).normalize())
            except InvalidOperation:
                pass
        out[column] = text
    return out


def _first_difference(expected: dict[str, dict[str, str]], found: dict[str, dict[str, str]], where: str,
                      columns: Iterable[str] = ORDER_COLUMNS) -> str | None:
    """The first way ``found`` differs from ``expected`` (order id → values), said plainly; None if equal."""
    missing = sorted(set(expected) - set(found))
    extra = sorted(set(found) - set(expected))
    if missing:
        return f"{len(missing)} order(s) missing from {where}, e.g. {missing[0]}"
    if extra:
        return f"{len(extra)} order(s) in {where} that should not be, e.g. {extra[0]}"
    for order_id in sorted(expected):
        for column in columns:
            if expected[order_id][column] != found[order_id][column]:
                return (f"{order_id}'s {column} is {found[order_id][column]!r} in {where}, "
                        f"expected {expected[order_id][column]!r}")
    return None


# --- the source database -----------------------------------------------------------------------------------


def _instance() -> dict[str, Any]:
    return boto3.client("rds").describe_db_instances(DBInstanceIdentifier=_names().resource("source"))["DBInstances"][0]


def _connect():
    import psycopg

    endpoint = _instance().get("Endpoint") or {}
    try:
        return psycopg.connect(host=endpoint.get("Address"), port=endpoint.get("Port"), user=DB_USER,
                               password=_names().password("source"), dbname=DB_NAME, autocommit=True,
                               connect_timeout=10)
    except psycopg.OperationalError as error:
        expect(False, expected=f"to log in to {DB_NAME} as {DB_USER}", found=str(error).strip().splitlines()[0],
               hint=f"create the instance with MasterUsername={DB_USER!r}, MasterUserPassword=DB_PASSWORD "
                    f"(names.password('source')) and DBName={DB_NAME!r}")


def _database_orders() -> dict[str, dict[str, str]]:
    """shop.orders as it is now, order id → values as text."""
    import psycopg

    with _connect() as db:
        try:
            cursor = db.execute("SELECT * FROM shop.orders")
        except psycopg.errors.UndefinedTable:
            expect(False, expected="the table shop.orders", found="no such table",
                   hint="CREATE SCHEMA shop, then CREATE TABLE shop.orders (...)")
        columns = [column.name for column in cursor.description]
        return {row["order_id"]: _normal(row) for row in (dict(zip(columns, values)) for values in cursor)}


def _primary_key() -> list[str]:
    with _connect() as db:
        return [name for (name,) in db.execute(
            "SELECT a.attname FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid "
            "AND a.attnum = ANY(i.indkey) WHERE i.indrelid = 'shop.orders'::regclass AND i.indisprimary")]


@exercise(WEEK, "6b.1", "the source database runs with logical replication and holds the shop's orders",
          hint="create the parameter group with rds.logical_replication = 1, the instance with it, then "
               "shop.orders with order_id as its primary key, loaded from datasets.path('orders')")
def source_database() -> None:
    names, rds = _names(), boto3.client("rds")
    group_name = names.resource("source-postgres")
    try:
        groups = rds.describe_db_parameter_groups(DBParameterGroupName=group_name)["DBParameterGroups"]
    except rds.exceptions.DBParameterGroupNotFoundFault:
        groups = []
    expect(groups, expected=f"the DB parameter group {group_name}", found="no such group",
           hint="rds.create_db_parameter_group(DBParameterGroupName=PARAMETER_GROUP, DBParameterGroupFamily='postgres17', ...)")
    _expect_tagged(_tags(groups[0]["DBParameterGroupArn"], "rds"), f"the parameter group {group_name}")
    pages = rds.get_paginator("describe_db_parameters").paginate(DBParameterGroupName=group_name, Source="user")
    user_set = {p["ParameterName"]: p.get("ParameterValue") for page in pages for p in page["Parameters"]}
    expect(user_set.get("rds.logical_replication") == "1", expected="rds.logical_replication = 1 in the group",
           found=f"rds.logical_replication = {user_set.get('rds.logical_replication', '(not set)')}",
           hint="modify_db_parameter_group with rds.logical_replication = 1 (ApplyMethod='pending-reboot')")
    instance = _instance()
    _expect_tagged(_tags(instance["DBInstanceArn"], "rds"), f"the instance {instance['DBInstanceIdentifier']}")
    expect(instance["Engine"] == "postgres", expected="engine postgres", found=f"engine {instance['Engine']}")
    expect(instance["DBInstanceStatus"] == "available", expected="the instance available",
           found=instance["DBInstanceStatus"], hint="wait with rds.get_waiter('db_instance_available')")
    (group,) = instance["DBParameterGroups"]
    expect(group["DBParameterGroupName"] == group_name, expected=f"the instance using {group_name}",
           found=f"it uses {group['DBParameterGroupName']}",
           hint="create the instance with DBParameterGroupName=PARAMETER_GROUP, or modify it and reboot")
    expect(group["ParameterApplyStatus"] == "in-sync", expected="the group's parameters applied (in-sync)",
           found=group["ParameterApplyStatus"],
           hint="rds.logical_replication is static: reboot the instance (reboot_db_instance) to apply it")
    with _connect() as db:
        wal_level = db.execute("SHOW wal_level").fetchone()[0]
    expect(wal_level == "logical", expected="wal_level = logical", found=f"wal_level = {wal_level}")
    found = _database_orders()
    key = _primary_key()
    expect(key == ["order_id"], expected="shop.orders' primary key on order_id",
           found=f"primary key {key}" if key else "no primary key",
           hint="declare order_id text PRIMARY KEY: DMS needs it to say which row an update or delete changed")
    dataset = _dataset_orders()
    expected = {order_id: values for order_id, values in dataset.items() if order_id != TEST_ORDER}
    kept = {order_id: values for order_id, values in found.items() if order_id in dataset}
    if TEST_ORDER in kept:  # exercise 6b.5 deletes it later; its other changes alter only statuses
        expected[TEST_ORDER] = dataset[TEST_ORDER]
    problem = _first_difference(expected, kept, "shop.orders",
                                columns=[c for c in ORDER_COLUMNS if c != "status"])
    expect(problem is None, expected=f"the dataset's {len(dataset):,} orders, each once, values as in the file",
           found=problem, hint="COPY the file into a temporary table, then INSERT … ON CONFLICT (order_id) DO NOTHING; "
                               "order_ts is a timestamp (the file's times are UTC)")


# --- the CRM flow --------------------------------------------------------------------------------------------


def _flow() -> dict[str, Any]:
    return boto3.client("appflow").describe_flow(flowName=_names().resource("crm-accounts"))


def _runs() -> list[dict[str, Any]]:
    """The flow's runs, oldest first."""
    flow = _names().resource("crm-accounts")
    runs = boto3.client("appflow").describe_flow_execution_records(flowName=flow)["flowExecutions"]
    return sorted(runs, key=lambda run: run["startedAt"])


def _run_records(execution_id: str) -> list[dict[str, Any]]:
    s3, bucket = boto3.client("s3"), _names().bucket("lake")
    keys = [item["Key"] for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix="raw/crm/")
            for item in page.get("Contents", []) if execution_id in item["Key"]]
    records = []
    for key in keys:
        body = s3.get_object(Bucket=bucket, Key=key)["Body"].read().decode()
        records += [json.loads(line) for line in body.splitlines() if line.strip()]
    return records


@exercise(WEEK, "6b.2", "a scheduled, incremental flow copied every CRM account to raw/crm/",
          hint="create the Salesforce connector profile and the flow (Scheduled, rate(1minutes), Incremental on "
               "LastModifiedDate, Account to s3://BUCKET/raw/crm as JSON), then start_flow")
def crm_flow() -> None:
    names = _names()
    flow = _flow()
    _expect_tagged(flow.get("tags", {}), f"the flow {flow['flowName']}")
    trigger = flow["triggerConfig"]
    scheduled = trigger.get("triggerProperties", {}).get("Scheduled", {})
    expect(trigger["triggerType"] == "Scheduled" and scheduled.get("dataPullMode") == "Incremental",
           expected="a Scheduled trigger pulling Incremental(ly)",
           found=f"{trigger['triggerType']} trigger, dataPullMode {scheduled.get('dataPullMode', '(none)')}",
           hint="AppFlow pulls incrementally only on a schedule: triggerType 'Scheduled', dataPullMode 'Incremental'")
    source = flow["sourceFlowConfig"]
    incremental = source.get("incrementalPullConfig", {}).get("datetimeTypeFieldName")
    expect(source.get("sourceConnectorProperties", {}).get("Salesforce", {}).get("object") == "Account"
           and incremental == "LastModifiedDate", expected="Salesforce Account, incremental on LastModifiedDate",
           found=f"object {source.get('sourceConnectorProperties')}, incremental field {incremental}")
    (destination,) = flow["destinationFlowConfigList"]
    s3_config = destination.get("destinationConnectorProperties", {}).get("S3", {})
    expect(s3_config.get("bucketName") == names.bucket("lake") and s3_config.get("bucketPrefix", "").strip("/")
           == "raw/crm", expected=f"S3 destination {names.bucket('lake')}/raw/crm",
           found=f"{s3_config.get('bucketName')}/{s3_config.get('bucketPrefix')}")
    runs = _runs()
    expect(runs, expected="at least one run", found="no run", hint="start_flow activates a scheduled flow")
    first = runs[0]
    expect(first["executionStatus"] == "Successful", expected="the first run Successful",
           found=f"{first['executionStatus']}: {first.get('executionResult', {}).get('errorInfo', {})}",
           hint="AppFlow writes to the bucket as appflow.amazonaws.com: the bucket policy must allow it "
                "(APPFLOW_WRITES), for your account (aws:SourceAccount)")
    accounts = {row["Id"]: row for row in csv.DictReader(io.StringIO(
        datasets.path("crm_accounts").read_text(encoding="utf-8")))}
    records = _run_records(first["executionId"])
    got = {record.get("Id") for record in records}
    expect(got == set(accounts), expected=f"the first run's file(s) holding the CRM's {len(accounts)} accounts",
           found=f"{len(got)} account(s)" + (f"; missing {sorted(set(accounts) - got)[0]}" if set(accounts) - got else ""))
    fields = set(records[0]) if records else set()
    expect(set(ACCOUNT_FIELDS) <= fields, expected=f"each record with the fields {', '.join(ACCOUNT_FIELDS)}",
           found=f"fields {', '.join(sorted(fields))}", hint="map every field of ACCOUNT_FIELDS (Filter PROJECTION + Map)")


# --- DMS ------------------------------------------------------------------------------------------------------


def _task() -> dict[str, Any]:
    name = _names().resource("orders-cdc")
    dms = boto3.client("dms")
    try:
        tasks = dms.describe_replication_tasks(
            Filters=[{"Name": "replication-task-id", "Values": [name]}])["ReplicationTasks"]
    except dms.exceptions.ResourceNotFoundFault:  # what DMS answers when no task matches
        tasks = []
    task = next((t for t in tasks if t["ReplicationTaskIdentifier"] == name), None)
    expect(task, expected=f"the replication task {name}", found="no such task",
           hint="create_replication_task(ReplicationTaskIdentifier=TASK, MigrationType='full-load-and-cdc', ...)")
    return task


def _failure(task: dict[str, Any]) -> str:
    return f"; DMS says: {task['LastFailureMessage']}" if task.get("LastFailureMessage") else ""


def _keys(prefix: str) -> list[str]:
    s3 = boto3.client("s3")
    return sorted(item["Key"] for page in s3.get_paginator("list_objects_v2").paginate(
        Bucket=_names().bucket("lake"), Prefix=prefix) for item in page.get("Contents", []))


def _dms_rows(key: str) -> list[list[str]]:
    body = boto3.client("s3").get_object(Bucket=_names().bucket("lake"), Key=key)["Body"].read().decode()
    return list(csv.reader(io.StringIO(body)))


@exercise(WEEK, "6b.3", "DMS copied shop.orders into raw/dms/ and follows its changes",
          hint="a full-load-and-cdc task selecting shop.orders, to an S3 endpoint with folder raw/dms, "
               "IncludeOpForFullLoad and TimestampColumnName, started and running")
def full_load() -> None:
    names, dms = _names(), boto3.client("dms")
    iam_simulation.expect_least_privilege_role(
        names.resource("dms-s3-target"), WEEK, {"dms.amazonaws.com"},
        needed=[("s3:PutObject", f"arn:aws:s3:::{names.bucket('lake')}/{CHANGES}LOAD00000001.csv")],
        forbidden=[("s3:PutObject", f"arn:aws:s3:::{names.bucket('lake')}/curated/orders/part-0.parquet"),
                   ("s3:GetObject", f"arn:aws:s3:::{names.bucket('lake')}/raw/orders/orders.csv"),
                   ("s3:DeleteBucket", f"arn:aws:s3:::{names.bucket('lake')}")],
        allowed_hint="allow s3:PutObject (and s3:DeleteObject) on arn:aws:s3:::BUCKET/raw/dms/*",
        denied_hint="allow writes under raw/dms/ only: DMS needs nothing else of the lake")
    task = _task()
    _expect_tagged(_tags(task["ReplicationTaskArn"], "dms"), f"the task {task['ReplicationTaskIdentifier']}")
    expect(task["MigrationType"] == "full-load-and-cdc", expected="MigrationType full-load-and-cdc",
           found=task["MigrationType"], hint="full-load copies the table once; cdc alone misses the rows already there")
    expect(task["Status"] == "running", expected="the task running (following changes)",
           found=f"{task['Status']}{_failure(task)}",
           hint="start_replication_task(StartReplicationTaskType='start-replication'), or 'resume-processing' "
                "for a stopped task")
    statistics = dms.describe_table_statistics(ReplicationTaskArn=task["ReplicationTaskArn"])["TableStatistics"]
    tables = sorted(f"{s['SchemaName']}.{s['TableName']}" for s in statistics)
    expect(tables == ["shop.orders"], expected="the task replicating shop.orders only", found=tables or "no table",
           hint="one selection rule: schema-name 'shop', table-name 'orders'")
    target = dms.describe_endpoints(Filters=[{"Name": "endpoint-arn", "Values": [task["TargetEndpointArn"]]}])[
        "Endpoints"][0].get("S3Settings", {})
    expect(target.get("IncludeOpForFullLoad") and target.get("TimestampColumnName"),
           expected="the S3 target with IncludeOpForFullLoad and a TimestampColumnName",
           found=f"IncludeOpForFullLoad={target.get('IncludeOpForFullLoad')}, "
                 f"TimestampColumnName={target.get('TimestampColumnName') or '(none)'}",
           hint="without Op and a commit time on every row, the MERGE cannot order the changes")
    key = f"{CHANGES}LOAD00000001.csv"
    expect(key in _keys(CHANGES), expected=f"s3://{names.bucket('lake')}/{key}", found=f"{_keys('raw/dms/')[:3]}",
           hint="BucketFolder 'raw/dms': DMS adds <schema>/<table>/ itself")
    rows = _dms_rows(key)
    expect(all(row[:1] == ["I"] for row in rows), expected="every full-load row starting with Op I",
           found=f"first row {rows[0][:3] if rows else '(empty file)'}", hint="IncludeOpForFullLoad=True")
    loaded = {row[2]: _normal(dict(zip(ORDER_COLUMNS, row[2:]))) for row in rows if len(row) == 2 + len(ORDER_COLUMNS)}
    expected = _dataset_orders()
    problem = _first_difference(expected, loaded, key, columns=[c for c in ORDER_COLUMNS if c != "status"])
    expect(problem is None, expected=f"the full load holding the dataset's {len(expected):,} orders",
           found=problem or "", hint="load every order into shop.orders before the task starts")
    full_load_rows = statistics[0]["FullLoadRows"]
    expect(full_load_rows == len(expected), expected=f"FullLoadRows {len(expected):,}", found=full_load_rows)


# --- the Iceberg table ------------------------------------------------------------------------------------------


def _athena(statement: str) -> list[list[str | None]]:
    """Run one statement in the learner's workgroup and database; the rows (header dropped), or the failure."""
    import time

    names, athena = _names(), boto3.client("athena")
    query_id = athena.start_query_execution(QueryString=statement, WorkGroup=names.resource("ingestion"),
                                            QueryExecutionContext={"Database": names.database("ingestion")})[
        "QueryExecutionId"]
    while (execution := athena.get_query_execution(QueryExecutionId=query_id)["QueryExecution"])[
            "Status"]["State"] in ("QUEUED", "RUNNING"):
        time.sleep(0.1)
    state = execution["Status"]
    expect(state["State"] == "SUCCEEDED", expected=f"Athena to run: {statement[:80]}",
           found=f"{state['State']}: {state.get('StateChangeReason')}")
    pages = athena.get_paginator("get_query_results").paginate(QueryExecutionId=query_id)
    rows = [[field.get("VarCharValue") for field in row["Data"]] for page in pages for row in page["ResultSet"]["Rows"]]
    return rows[1:]


def _glue_table() -> dict[str, Any]:
    names, glue = _names(), boto3.client("glue")
    try:
        return glue.get_table(DatabaseName=names.database("ingestion"), Name=TABLE)["Table"]
    except glue.exceptions.EntityNotFoundException:
        expect(False, expected=f"the table {names.database('ingestion')}.{TABLE}", found="no such table",
               hint="CREATE TABLE IF NOT EXISTS orders_current (...) ... TBLPROPERTIES ('table_type'='ICEBERG')")


def _table_orders(version: str = "") -> dict[str, dict[str, str]]:
    columns = ", ".join(ORDER_COLUMNS)
    rows = _athena(f"SELECT {columns} FROM {TABLE}{version}")
    ids = [row[0] for row in rows]
    duplicated = sorted({order_id for order_id in ids if ids.count(order_id) > 1})
    expect(not duplicated, expected=f"one row per order in {TABLE}", found=f"{len(duplicated)} order(s) twice, e.g. "
           f"{duplicated[0] if duplicated else ''}",
           hint="keep the newest change per order_id (row_number() OVER (PARTITION BY order_id ORDER BY cdc_ts DESC))")
    return {row[0]: _normal(dict(zip(ORDER_COLUMNS, row))) for row in rows}


def _expect_equals_database(where: str) -> None:
    found, expected = _table_orders(), _database_orders()
    problem = _first_difference(expected, found, where)
    hint = None
    if problem and "should not be" in problem:
        hint = "a D change deletes: WHEN MATCHED AND s.op = 'D' THEN DELETE (and a D never inserts)"
    elif problem and "status" in problem:
        hint = "apply the newest change per order: ORDER BY cdc_ts DESC, and update every column on a match"
    elif problem and "missing" in problem:
        hint = "insert what the table does not have yet: WHEN NOT MATCHED AND s.op <> 'D' THEN INSERT"
    expect(problem is None, expected=f"{TABLE} equal to shop.orders ({len(expected):,} orders), row for row",
           found=problem, hint=hint)


@exercise(WEEK, "6b.4", "an Iceberg table holds the current state of shop.orders",
          hint="CREATE TABLE orders_current (...) PARTITIONED BY (country) ... ('table_type'='ICEBERG'), then "
               "apply_changes(): one MERGE INTO from orders_changes, newest change per order, newer than the watermark")
def current_state() -> None:
    table = _glue_table()
    parameters = {key.lower(): str(value).upper() for key, value in table.get("Parameters", {}).items()}
    expect(parameters.get("table_type") == "ICEBERG", expected=f"{TABLE} an Iceberg table (table_type ICEBERG)",
           found=f"table_type {parameters.get('table_type', '(none)')}",
           hint="TBLPROPERTIES ('table_type'='ICEBERG'), with CREATE TABLE (not CREATE EXTERNAL TABLE)")
    types = {c["Name"]: c["Type"].lower() for c in table["StorageDescriptor"]["Columns"]}
    wanted = {"order_ts": "timestamp", "cdc_ts": "timestamp", "quantity": "int", "amount": "decimal(10,2)"}
    wrong = {name: types.get(name, "(missing)") for name, kind in wanted.items() if types.get(name) != kind}
    expect(not wrong, expected="typed columns: " + ", ".join(f"{n} {k}" for n, k in wanted.items()),
           found=", ".join(f"{n} {k}" for n, k in wrong.items()), hint="type the columns: DMS's strings are cast in the MERGE")
    partitions = _athena(f'SELECT partition FROM "{TABLE}$partitions"')
    expect(partitions and all("country" in str(p[0]) for p in partitions), expected=f"{TABLE} partitioned by country",
           found=f"partitions {partitions[:2]}", hint="PARTITIONED BY (country)")
    _expect_equals_database(TABLE)


@exercise(WEEK, "6b.5", "the changes reached S3 as CDC rows and the table, once each",
          hint="commit the changes in PostgreSQL, wait for DMS's next batch (describe_table_statistics), then "
               "apply_changes() — twice: the second must change nothing")
def changes_applied() -> None:
    found = _database_orders()
    expect(all(found.get(o, {}).get("status") == "returned" for o in RETURNED) and TEST_ORDER not in found
           and all(o in found for o in NEW_ORDERS) and found.get(SHIPPED, {}).get("status") == "shipped",
           expected=f"in shop.orders: {', '.join(RETURNED)} returned, {TEST_ORDER} deleted, "
                    f"{', '.join(NEW_ORDERS)} inserted, {SHIPPED} shipped",
           found="; ".join(f"{o}: {found[o]['status'] if o in found else 'absent'}"
                           for o in (*RETURNED, TEST_ORDER, *NEW_ORDERS)),
           hint="run exercise 6b.5's statements in one transaction (with db.transaction():), then the shipment")
    changes = [row for key in _keys(CHANGES) if not key.endswith("/LOAD00000001.csv") for row in _dms_rows(key)]
    ops = {(row[0], row[2]) for row in changes if len(row) > 2}
    wanted = {("U", o) for o in RETURNED} | {("D", TEST_ORDER)} | {("I", o) for o in NEW_ORDERS} | {("U", SHIPPED)}
    expect(wanted <= ops, expected=f"CDC files under {CHANGES} with every change (Op I, U, D)",
           found=f"{len(changes)} CDC row(s); missing " + ", ".join(f"{op} {o}" for op, o in sorted(wanted - ops)),
           hint="the task must be running (full-load-and-cdc) when the changes commit; DMS writes each batch "
                "after CdcMaxBatchInterval seconds")
    _expect_equals_database(f"{TABLE} after the changes")


@exercise(WEEK, "6b.6", "the first snapshot is the full load, and OPTIMIZE compacted the small files",
          hint="read FOR VERSION AS OF the first snapshot's id; run OPTIMIZE orders_current REWRITE DATA USING BIN_PACK "
               "(with 'optimize_rewrite_data_file_threshold'='2' on the table)")
def time_travel_and_compaction() -> None:
    snapshots = _athena(f'SELECT snapshot_id, operation FROM "{TABLE}$snapshots" ORDER BY committed_at')
    expect(len(snapshots) >= 2, expected="at least two snapshots (the full load, then the changes)",
           found=f"{len(snapshots)} snapshot(s)", hint="apply the full load, then the changes: one MERGE per batch")
    first_id = snapshots[0][0]
    expected = _dataset_orders()
    as_loaded = _table_orders(f" FOR VERSION AS OF {first_id}")
    problem = _first_difference(expected, as_loaded, f"the first snapshot ({first_id})")
    expect(problem is None, expected=f"the first snapshot holding the full load: the dataset's {len(expected):,} "
                                     f"orders as loaded", found=problem,
           hint="apply the full load on its own (exercise 6b.4) before the changes (exercise 6b.5)")
    operations = [operation for _, operation in snapshots]
    expect("replace" in operations, expected="a replace snapshot (OPTIMIZE's)", found=", ".join(operations),
           hint="OPTIMIZE orders_current REWRITE DATA USING BIN_PACK; it rewrites a partition only from "
                "optimize_rewrite_data_file_threshold files (5 by default): set it to 2 in the table's TBLPROPERTIES")
    files = _athena(f'SELECT partition, file_count FROM "{TABLE}$partitions"')
    crowded = [(partition, count) for partition, count in files if int(count) > 1]
    expect(not crowded, expected="one data file per partition after OPTIMIZE",
           found=f"{len(crowded)} partition(s) with more, e.g. {crowded[0][0] if crowded else ''}: "
                 f"{crowded[0][1] if crowded else ''} files",
           hint="Athena compacts a partition from optimize_rewrite_data_file_threshold files (5 by default): "
                "set it to 2 in the table's TBLPROPERTIES, then OPTIMIZE again")


@exercise(WEEK, "6b.7", "the flow's next run brought the edited account, alone, and the flow is stopped",
          hint="wait for a run after the first that processed a record, read its file under raw/crm/, then stop_flow")
def crm_edit_arrived() -> None:
    runs = _runs()
    later = [run for run in runs[1:] if run["executionStatus"] == "Successful"]
    moved = [run for run in later if run.get("executionResult", {}).get("recordsProcessed")]
    expect(moved, expected="a run after the first that processed the edited record",
           found=f"{len(later)} later successful run(s), none with a record",
           hint="a scheduled flow runs every minute: wait for the run after the edit")
    most = max(run["executionResult"]["recordsProcessed"] for run in moved)
    expect(most == 1, expected="each run after the first moving only what changed since the run before (1 record)",
           found=f"a run moved {most} records", hint="dataPullMode 'Incremental' with incrementalPullConfig on LastModifiedDate")
    (record,) = _run_records(moved[-1]["executionId"]) or [{}]
    revenue = record.get("AnnualRevenue")
    expect(record.get("Name") == EDITED_ACCOUNT and revenue is not None and Decimal(str(revenue)) == EDITED_REVENUE,
           expected=f"{EDITED_ACCOUNT} with AnnualRevenue {EDITED_REVENUE:,}",
           found=f"{record.get('Name')} with AnnualRevenue {revenue}")
    status = _flow()["flowStatus"]
    expect(status != "Active", expected="the flow stopped (Suspended)", found=f"flowStatus {status}",
           hint="stop_flow: a scheduled flow bills every run, even one that moves nothing")

