"""What came out: reading the source database, the curated tables (as the account and as a persona), the
quarantine, the trail's files, alarms and logs. Each reader answers data or raises with what went wrong."""

from __future__ import annotations

import base64
import gzip
import json
import time

import boto3

from lakelab.capstone.contract import DB_NAME, DB_USER, Contract


class Unseen(Exception):
    """What a criterion needed to see could not be seen; the message says what and why."""


def athena_rows(sql: str, terms: Contract, session: boto3.Session | None = None, workgroup: str | None = None,
                timeout: float = 60) -> list[dict[str, str | None]]:
    """Rows of one query in the curated database (as the account, or as ``session``'s principal)."""
    client = (session or boto3).client("athena")
    options = {"WorkGroup": workgroup} if workgroup else {
        "WorkGroup": "primary",
        "ResultConfiguration": {"OutputLocation": f"s3://{terms.bucket}/athena-results/grader/"}}
    try:
        query = client.start_query_execution(QueryString=sql, QueryExecutionContext={"Database": terms.database},
                                             **options)["QueryExecutionId"]
    except client.exceptions.ClientError as error:
        raise Unseen(f"{error.response['Error']['Code']}: {error.response['Error']['Message']}") from None
    deadline = time.monotonic() + timeout
    while (state := client.get_query_execution(QueryExecutionId=query)["QueryExecution"]["Status"])["State"] in (
            "QUEUED", "RUNNING"):
        if time.monotonic() > deadline:
            raise Unseen(f"the query still ran after {timeout:g} s: {sql[:80]}")
        time.sleep(0.2)
    if state["State"] != "SUCCEEDED":
        raise Unseen(f"{sql[:80]} → {state['State']}: {state.get('StateChangeReason', '')[:300]}")
    pages = client.get_paginator("get_query_results").paginate(QueryExecutionId=query)
    rows = [[cell.get("VarCharValue") for cell in row["Data"]] for page in pages for row in page["ResultSet"]["Rows"]]
    return [dict(zip(rows[0], row)) for row in rows[1:]] if rows else []


def source_orders(terms: Contract) -> dict[str, str]:
    """order_id -> status in shop.orders, read in the source database."""
    import psycopg

    endpoint = boto3.client("rds").describe_db_instances(
        DBInstanceIdentifier=terms.source_instance)["DBInstances"][0]["Endpoint"]
    with psycopg.connect(host=endpoint["Address"], port=endpoint["Port"], user=DB_USER, password=terms.source_password,
                         dbname=DB_NAME, autocommit=True, connect_timeout=10) as db:
        return dict(db.execute("SELECT order_id, status FROM shop.orders").fetchall())


def curated_orders(terms: Contract) -> dict[str, str]:
    rows = athena_rows("SELECT order_id, status FROM orders", terms)
    return {row["order_id"]: row["status"] for row in rows}


def orders_match(terms: Contract) -> tuple[bool, str]:
    """Whether curated orders equal shop.orders row for row (order_id and status), and the difference."""
    try:
        source, curated = source_orders(terms), curated_orders(terms)
    except Unseen as error:
        return False, str(error)
    except Exception as error:
        return False, f"{type(error).__name__}: {str(error)[:300]}"
    missing = sorted(set(source) - set(curated))
    extra = sorted(set(curated) - set(source))
    stale = sorted(k for k in set(source) & set(curated) if source[k] != curated[k])
    if not (missing or extra or stale):
        return True, f"{len(curated):,} orders, equal to shop.orders"
    return False, (f"shop.orders has {len(source):,} rows, curated orders {len(curated):,}; missing {missing[:5]}, "
                   f"still present after a delete {extra[:5]}, stale status {stale[:5]}")


def objects_under(bucket: str, prefix: str, since: float = 0) -> dict[str, bytes]:
    """The objects under ``prefix`` written since ``since`` (epoch seconds), with their bytes (gunzipped)."""
    s3 = boto3.client("s3")
    found = {}
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
        for item in page.get("Contents", []):
            if item["LastModified"].timestamp() >= since - 1:
                body = s3.get_object(Bucket=bucket, Key=item["Key"])["Body"].read()
                found[item["Key"]] = gzip.decompress(body) if body[:2] == b"\x1f\x8b" else body
    return found


def text_under(bucket: str, prefixes: tuple[str, ...], since: float = 0) -> str:
    """Everything written under ``prefixes`` since ``since``, as text, with Firehose's error records' base64
    ``rawData`` decoded (a failed record is kept there, not in plain text)."""
    parts = []
    for prefix in prefixes:
        for body in objects_under(bucket, prefix, since).values():
            text = body.decode("utf-8", errors="replace")
            parts.append(text)
            for line in text.splitlines():
                try:
                    raw = json.loads(line).get("rawData")
                    parts.append(base64.b64decode(raw).decode("utf-8", errors="replace") if raw else "")
                except (ValueError, AttributeError, TypeError):
                    continue
    return "\n".join(parts)


def assume(role_name: str) -> boto3.Session:
    sts = boto3.client("sts")
    account = sts.get_caller_identity()["Account"]
    credentials = sts.assume_role(RoleArn=f"arn:aws:iam::{account}:role/{role_name}",
                                  RoleSessionName="capstone-grader")["Credentials"]
    return boto3.Session(aws_access_key_id=credentials["AccessKeyId"],
                         aws_secret_access_key=credentials["SecretAccessKey"],
                         aws_session_token=credentials["SessionToken"], region_name=boto3.Session().region_name)


def trail_records(bucket: str, since: float) -> list[dict]:
    """CloudTrail records in the files delivered to ``bucket`` since ``since``."""
    records = []
    for body in objects_under(bucket, "AWSLogs/", since).values():
        try:
            records += json.loads(body).get("Records", [])
        except ValueError:
            continue
    return records


def log_events_since(prefix: str, since: float) -> list[tuple[str, str]]:
    """(log group, message) of every event since ``since`` in the log groups whose names contain ``prefix``."""
    logs = boto3.client("logs")
    groups = [group["logGroupName"] for page in logs.get_paginator("describe_log_groups").paginate()
              for group in page["logGroups"] if prefix in group["logGroupName"]]
    events = []
    for group in groups:
        pages = logs.get_paginator("filter_log_events").paginate(logGroupName=group, startTime=int(since * 1000) - 1000)
        for page in pages:
            events += [(group, event["message"]) for event in page["events"]]
    return events
