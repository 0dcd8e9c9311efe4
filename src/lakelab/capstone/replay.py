"""A day of fresh data, replayed through the learner's pipeline, then a broken run: what the criteria read.

:func:`day` runs once per grading (the first criterion asks for it; the others reuse its :class:`Day`).
Every step records what it saw and never raises: a half-built capstone gets a Day whose missing parts
say why, and each criterion fails on its own.
"""

from __future__ import annotations

import csv
import io
import json
import os
import time
import uuid
from dataclasses import dataclass, field

import boto3

from lakelab.capstone import pipeline as orchestration
from lakelab.capstone.contract import DB_NAME, DB_USER, Contract, contract
from lakelab.course import datasets

UPDATED, DELETED = ["o-000020", "o-000021", "o-000022"], "o-000023"
NEW_ORDERS = [f"o-9{n:05d}" for n in range(1, 6)]
GOOD_CUSTOMERS = [f"c-9{n:04d}" for n in range(1, 11)]
BAD_CUSTOMERS = {"C_BAD1": "customer_id is not c-NNNNN", "c-99998": "email has no @"}
CLICKS, LATE_CLICKS = 20, 3  # on time, and three days late


@dataclass
class Day:
    run: str = field(default_factory=lambda: uuid.uuid4().hex[:6])  # marks this replay's files and events
    when: float = field(default_factory=time.time)
    pipeline: orchestration.Pipeline | None = None
    found: str = ""
    source: str = ""  # what happened to the source database ("" when the changes were committed)
    raw_files: dict[str, str] = field(default_factory=dict)  # purpose -> key
    malformed_marker: str = ""
    clicks: list[str] = field(default_factory=list)
    late_clicks: list[str] = field(default_factory=list)
    clicks_put_at: float = 0.0
    clicks_error: str = ""
    runs: list[tuple[bool, str]] = field(default_factory=list)
    broken_roles: list[str] = field(default_factory=list)
    alarms_reset: list[str] = field(default_factory=list)  # set to OK before the break: each must fire again
    broken_at: float = 0.0
    broken_run: tuple[bool, str] | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def replayed(self) -> bool:
        return any(ok for ok, _ in self.runs)


_DAYS: dict[str, Day] = {}


def day() -> Day:
    """The replayed day of the emulator in force (replayed on first use)."""
    key = os.environ.get("AWS_ENDPOINT_URL", "") + "|" + os.environ.get("LAKELAB_LEARNER", "")
    if key not in _DAYS:
        _DAYS[key] = replay(contract())
    return _DAYS[key]


def forget() -> None:
    """Replay again at the next :func:`day` (tests grade several states on one emulator)."""
    _DAYS.clear()


def replay(terms: Contract) -> Day:
    seen = Day()
    try:
        seen.pipeline, seen.found = orchestration.find(terms)
    except Exception as error:  # a listing refused: no orchestration to judge, the rest still is
        seen.found = f"the orchestration could not be listed: {type(error).__name__}: {str(error)[:200]}"
    seen.source = _change_the_source(terms)
    seen.raw_files, seen.malformed_marker = _drop_customer_files(terms, seen.run)
    _put_clicks(terms, seen)
    if seen.pipeline is None:
        return seen
    time.sleep(6)  # DMS writes a batch of changes every few seconds here (CdcMaxBatchInterval)
    for attempt in range(3):  # a run may start before DMS wrote the day's changes: run again, as tomorrow would
        seen.runs.append(_run(seen.pipeline))
        if not seen.runs[-1][0] or seen.source or _orders_match(terms):
            break
        time.sleep(8)
    try:
        _break_and_run(terms, seen)
    except Exception as error:
        seen.notes.append(f"the broken run could not be made: {type(error).__name__}: {str(error)[:200]}")
    return seen


def _run(pipeline: orchestration.Pipeline, timeout: float = 120) -> tuple[bool, str]:
    """One run, never raising: (succeeded, what was seen)."""
    try:
        return pipeline.run(timeout)
    except Exception as error:
        return False, f"the run could not be started or followed: {type(error).__name__}: {str(error)[:300]}"


def _orders_match(terms: Contract) -> bool:
    from lakelab.capstone import observe

    return observe.orders_match(terms)[0]


def _change_the_source(terms: Contract) -> str:
    """Three orders returned, one deleted, five new: committed in shop.orders. "" or why not."""
    try:
        import psycopg

        rds = boto3.client("rds")
        endpoint = rds.describe_db_instances(DBInstanceIdentifier=terms.source_instance)["DBInstances"][0]["Endpoint"]
        template = next(csv.DictReader(io.StringIO(datasets.path("orders").read_text(encoding="utf-8"))))
        rows = [(order_id, "c-00042", "2024-07-02 10:00:00", "placed", template["sku"], template["product_name"], 1,
                 template["unit_price"], template["unit_price"], template["currency"], template["country"], "web")
                for order_id in NEW_ORDERS]
        with psycopg.connect(host=endpoint["Address"], port=endpoint["Port"], user=DB_USER,
                             password=terms.source_password, dbname=DB_NAME, autocommit=True, connect_timeout=10) as db:
            with db.transaction():
                db.execute("UPDATE shop.orders SET status = 'returned' WHERE order_id = ANY(%s)", [UPDATED])
                db.execute("DELETE FROM shop.orders WHERE order_id = %s", [DELETED])
                db.cursor().executemany("INSERT INTO shop.orders (order_id, customer_id, order_ts, status, sku, "
                                        "product_name, quantity, unit_price, amount, currency, country, channel) "
                                        "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s) "
                                        "ON CONFLICT (order_id) DO NOTHING", rows)
        return ""
    except Exception as error:  # no instance, no table, wrong password: the orders criterion says so
        return f"could not change shop.orders in {terms.source_instance}: {type(error).__name__}: {str(error)[:200]}"


def customer_rows() -> tuple[list[list[str]], list[list[str]]]:
    """Ten good new customers and two that break the brief's rules."""
    base = next(csv.reader(io.StringIO(datasets.path("customers").read_text(encoding="utf-8").splitlines()[1])))
    good = [[customer_id, *base[1:3], f"new{n}@example.com", *base[4:]] for n, customer_id in enumerate(GOOD_CUSTOMERS)]
    bad = [["C_BAD1", *base[1:3], "bad1@example.com", *base[4:]], ["c-99998", *base[1:3], "no-at-sign", *base[4:]]]
    return good, bad


def _drop_customer_files(terms: Contract, run: str) -> tuple[dict[str, str], str]:
    good, bad = customer_rows()
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(terms.customer_columns)
    writer.writerows(good[:5] + bad[:1] + good[5:] + bad[1:])
    marker = f"grader-malformed-{run}"
    files = {"day": f"raw/customers/customers_{run}.csv", "malformed": f"raw/customers/export_{run}.csv"}
    malformed = f"id;name;{marker}\n1;not a customers file\n"
    try:
        s3 = boto3.client("s3")
        s3.put_object(Bucket=terms.bucket, Key=files["day"], Body=buffer.getvalue().encode())
        s3.put_object(Bucket=terms.bucket, Key=files["malformed"], Body=malformed.encode())
    except Exception as error:
        return {"error": f"{type(error).__name__}: {error}"}, marker
    return files, marker


def _put_clicks(terms: Contract, seen: Day) -> None:
    """Twenty of June's events as happening now, and three that happened three days ago (late)."""
    events = datasets.clickstream(month="2024-06")[:CLICKS + LATE_CLICKS]
    now, then = time.time(), time.time() - 3 * 86400
    seen.clicks = [f"grader-{seen.run}-{n:02d}" for n in range(CLICKS)]
    seen.late_clicks = [f"grader-{seen.run}-late-{n:02d}" for n in range(LATE_CLICKS)]
    stamped = [(event_id, now) for event_id in seen.clicks] + [(event_id, then) for event_id in seen.late_clicks]
    records = [{"Data": json.dumps({**event, "event_id": event_id, "event_ts": _iso(moment)}).encode(),
                "PartitionKey": event["session_id"]} for event, (event_id, moment) in zip(events, stamped)]
    try:
        answer = boto3.client("kinesis").put_records(StreamName=terms.stream, Records=records)
        seen.clicks_put_at = time.time()
        if answer["FailedRecordCount"]:
            seen.clicks_error = f"{answer['FailedRecordCount']} of {len(records)} events refused by {terms.stream}"
    except Exception as error:
        seen.clicks_error = f"could not put events into {terms.stream}: {type(error).__name__}: {str(error)[:200]}"


def _iso(moment: float) -> str:
    """The clickstream's timestamp format: 2024-06-01T10:00:00.000Z."""
    return time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime(moment))


def _break_and_run(terms: Contract, seen: Day) -> None:
    """A new customers file the pipeline's roles may not read, one run (which should fail), then mended.

    The learner's alarms are set to OK first (SetAlarmState, as AWS documents for testing an alarm): one left
    in ALARM by the notebook's own tests would not change state, nor notify, on the grader's failure."""
    good, _ = customer_rows()
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows([terms.customer_columns, good[0]])
    boto3.client("s3").put_object(Bucket=terms.bucket, Key=f"raw/customers/break_{seen.run}.csv",
                                  Body=buffer.getvalue().encode())
    seen.alarms_reset = orchestration.reset_alarms(terms)
    seen.broken_roles = orchestration.break_reading(terms, seen.pipeline)
    seen.broken_at = time.time()
    try:
        seen.broken_run = _run(seen.pipeline, timeout=90)
    finally:
        orchestration.mend(seen.broken_roles)
