"""What week 4's ETL job leaves behind, read back from AWS: its logged counts and its Parquet files.

The job prints one JSON line, ``{"read": …, "written": …, "rejected": …}``. A check believes it
only once the Parquet files under the target hold the answer key's rows, month by month, compressed.
"""

from __future__ import annotations

import io
import json
import re

import boto3

from lakelab.checks.framework import expect

# The answer key: the 2,000 seeded orders (datasets/orders.csv; by month below) and the 7 rows of the late file the
# lab lands in validated/orders/, 5 of them rejected (a wrong amount, an unknown status, quantity 0, an id sent twice).
SEEDED_ORDERS, LATE_ROWS, LATE_REJECTED = 2000, 7, 5
SEEDED_BY_MONTH = {"2024-01": 340, "2024-02": 320, "2024-03": 340, "2024-04": 330, "2024-05": 340, "2024-06": 330}
EXPECTED_COUNTS = {"read": SEEDED_ORDERS + LATE_ROWS, "written": SEEDED_ORDERS + LATE_ROWS - LATE_REJECTED,
                   "rejected": LATE_REJECTED}
FIRST_JUNE = SEEDED_BY_MONTH["2024-06"] + LATE_ROWS - LATE_REJECTED  # 332: the late file's two good orders
CORRECTED_JUNE = SEEDED_BY_MONTH["2024-06"] + 6  # 336 once exercise 4.10 curates the corrected late file
MONTHS = list(SEEDED_BY_MONTH)
# Hive-style partition folders: order_month=2024-03/, or year=2024/month=3/
_MONTH_IN_KEY = re.compile(r"/(?:order_month=(\d{4})-(\d{2})|year=(\d{4})/month=(\d{1,2}))/[^/]+\.parquet$")


def summary(lines: list[str]) -> dict | None:
    """The job's last JSON line with ``read``, ``written`` and ``rejected``, if it printed one."""
    found = None
    for line in lines:
        try:
            parsed = json.loads(line)
        except ValueError:
            continue
        if isinstance(parsed, dict) and {"read", "written", "rejected"} <= parsed.keys():
            found = parsed
    return found


def parquet_footers(bucket: str, prefix: str) -> dict[str, object]:
    """Every Parquet file under ``prefix``: key -> its footer (row counts, codecs, schema)."""
    import pyarrow.parquet as pq

    s3, found = boto3.client("s3"), {}
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
        for item in page.get("Contents", []):
            hidden = any(part.startswith(("_", ".")) for part in item["Key"][len(prefix):].split("/"))
            if item["Key"].endswith(".parquet") and not hidden:  # Spark skips _temporary/ and .files too
                body = s3.get_object(Bucket=bucket, Key=item["Key"])["Body"].read()
                found[item["Key"]] = pq.ParquetFile(io.BytesIO(body)).metadata
    return found


def month_of(key: str) -> str:
    match = _MONTH_IN_KEY.search(key)
    if not match:
        return "no month partition"
    year, month = (match.group(1), match.group(2)) if match.group(1) else (match.group(3), match.group(4))
    return f"{year}-{int(month):02d}"


def expect_counts(counts: dict | None, log: str) -> None:
    """The logged counts add up, and are the answer key's: every row read, the late file's bad ones rejected."""
    expect(counts, expected=f'a line {{"read": …, "written": …, "rejected": …}} in {log}', found="none",
           hint="print(json.dumps({'read': ..., 'written': ..., 'rejected': ...})) once the rows are written")
    logged = {key: counts[key] for key in EXPECTED_COUNTS}
    expect(all(isinstance(value, int) for value in logged.values()), expected="three whole numbers", found=logged)
    expect(logged["read"] == logged["written"] + logged["rejected"], expected="read = written + rejected",
           found=logged)
    expect(logged == EXPECTED_COUNTS, expected=f"{EXPECTED_COUNTS} (the seeded orders and the late file)",
           found=logged, hint="land the late file (before Exercise 4.2) in validated/orders/, read the whole folder, "
           "count before rejecting, and reject exactly the rows that break a rule (see with_reject_reason)")


def expect_curated(counts: dict | None, bucket: str, prefix: str, log: str,
                   june: tuple[int, ...] = (FIRST_JUNE,)) -> None:
    """The logged counts hold, and the Snappy Parquet under ``prefix`` holds the answer key's rows, month by month
    (June as the first run wrote it, or as a later run curated it: ``june``)."""
    expect_counts(counts, log)
    files = parquet_footers(bucket, prefix)
    months = sorted({month_of(key) for key in files})
    expect(months == MONTHS, expected=f"Parquet under {prefix}order_month=2024-01/ … 2024-06/",
           found=months or "none")
    rows = {month: sum(footer.num_rows for key, footer in files.items() if month_of(key) == month) for month in MONTHS}
    wanted = {**SEEDED_BY_MONTH, "2024-06": june[0]}
    expect(all(rows[month] == wanted[month] for month in MONTHS[:-1]) and rows["2024-06"] in june,
           expected=f"rows by month {wanted} ({counts['written']} in all, as logged)", found=rows)
    codecs = {footer.row_group(g).column(c).compression for footer in files.values()
              for g in range(footer.num_row_groups) for c in range(footer.num_columns)}
    expect(codecs == {"SNAPPY"}, expected="Snappy compression", found=sorted(codecs))
    schema = next(iter(files.values())).schema.to_arrow_schema()
    types = {name: str(schema.field(name).type) for name in ("order_ts", "amount") if name in schema.names}
    expect(types.get("order_ts", "").startswith("timestamp") and types.get("amount", "").startswith("decimal"),
           expected="order_ts a timestamp and amount a decimal", found=types)
