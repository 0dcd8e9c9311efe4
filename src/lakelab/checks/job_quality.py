"""What week 4's job does with bad rows and repeated runs, read back from S3: its quarantine, what it
wrote during a run, and which files each month holds.

The answer key: the late file's rejected rows (exercise 4.4) and the second partner's batch in cents
(exercise 4.9), order by order, each with the rule it breaks.
"""

from __future__ import annotations

import io
import json
from collections import Counter
from datetime import datetime

import boto3

from lakelab.checks.framework import expect
from lakelab.checks.job_output import month_of

# order_id -> the rule each of its rejected rows breaks (o-002002 came twice: both copies are rejected).
LATE_REJECTS = {"o-002002": ["duplicate", "duplicate"], "o-002003": ["amount"], "o-002004": ["status"],
                "o-002005": ["quantity"]}
PARTNER_REJECTS = {f"o-{3000 + number:06d}": ["amount"] for number in range(1, 151)}  # amounts in cents
GATED_REJECTS = {**LATE_REJECTS, **PARTNER_REJECTS}
# A reason names its rule in its own words: the first rule whose words it contains.
RULE_WORDS = (("duplicate", ("duplicate", "more than once", "twice", "repeated", "unique")),
              ("status", ("status",)), ("amount", ("amount",)), ("quantity", ("quantity",)))


def rule_of(reason: object) -> str:
    text = str(reason or "").lower()
    return next((rule for rule, words in RULE_WORDS if any(word in text for word in words)), f"unknown: {reason!r}")


def quarantined_rows(bucket: str, prefix: str) -> list[dict]:
    """Every row in the JSON-lines (or Parquet) files under ``prefix``."""
    s3, rows = boto3.client("s3"), []
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
        for item in page.get("Contents", []):
            name = item["Key"].rsplit("/", 1)[-1]
            if name.startswith(("_", ".")) or not name.endswith((".json", ".parquet")):
                continue
            body = s3.get_object(Bucket=bucket, Key=item["Key"])["Body"].read()
            rows += _parquet_rows(body) if name.endswith(".parquet") else _json_rows(body)
    return rows


def _json_rows(body: bytes) -> list[dict]:
    rows = []
    for line in body.decode("utf-8", errors="replace").splitlines():
        try:
            parsed = json.loads(line) if line.strip() else None
        except ValueError:
            parsed = {"reject_reason": f"unreadable line {line[:40]!r}"}
        if parsed is not None:
            rows.append(parsed if isinstance(parsed, dict) else {"reject_reason": f"not an object: {parsed!r}"})
    return rows


def _parquet_rows(body: bytes) -> list[dict]:
    import pyarrow.parquet as pq

    try:
        return pq.read_table(io.BytesIO(body)).to_pylist()
    except Exception:  # a half-written or foreign file: counted as one unreadable row, never a traceback
        return [{"reject_reason": "unreadable Parquet file"}]


def expect_quarantine(bucket: str, prefix: str, expected: dict[str, list[str]]) -> None:
    """The quarantine holds exactly the expected rows, each with a reason that names its rule."""
    rows = quarantined_rows(bucket, prefix)
    found: dict[str, list[str]] = {}
    for row in rows:
        found.setdefault(str(row.get("order_id")), []).append(rule_of(row.get("reject_reason", row.get("reason"))))
    wrong = sorted(order for order in expected.keys() | found.keys()
                   if sorted(expected.get(order, [])) != sorted(found.get(order, [])))
    by_rule = Counter(rule for rules in expected.values() for rule in rules)
    expect(not wrong, expected=f"{sum(by_rule.values())} rows in s3://{bucket}/{prefix} with a reject_reason naming "
           f"the rule each breaks ({dict(by_rule)})",
           found=f"{len(rows)} rows; " + (", ".join(f"{order}: {found.get(order, 'absent')} instead of "
                                                   f"{expected.get(order, 'not rejected')}" for order in wrong[:4])))


def changes_during(bucket: str, prefix: str, started: datetime, ended: datetime) -> list[str]:
    """Keys under ``prefix`` written or deleted between ``started`` and ``ended`` (S3 keeps whole seconds)."""
    s3, changed = boto3.client("s3"), []
    since = started.replace(microsecond=0)
    for page in s3.get_paginator("list_object_versions").paginate(Bucket=bucket, Prefix=prefix):
        for version in page.get("Versions", []) + page.get("DeleteMarkers", []):
            if since <= version["LastModified"] <= ended:
                changed.append(version["Key"])
    return sorted(set(changed))


def files_by_month(bucket: str, prefix: str) -> dict[str, list[dict]]:
    """The Parquet files under ``prefix`` (Spark's hidden folders aside), by month: their listing entries."""
    s3, found = boto3.client("s3"), {}
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
        for item in page.get("Contents", []):
            hidden = any(part.startswith(("_", ".")) for part in item["Key"][len(prefix):].split("/"))
            if item["Key"].endswith(".parquet") and not hidden:
                found.setdefault(month_of(item["Key"]), []).append(item)
    return found


def order_ids(bucket: str, items: list[dict]) -> list[str]:
    """The order_id of every row in these Parquet files."""
    import pyarrow.parquet as pq

    s3, ids = boto3.client("s3"), []
    for item in items:
        body = s3.get_object(Bucket=bucket, Key=item["Key"])["Body"].read()
        try:
            ids += pq.read_table(io.BytesIO(body), columns=["order_id"]).column("order_id").to_pylist()
        except Exception:  # no order_id column, or not Parquet: its rows cannot count as orders
            continue
    return ids
