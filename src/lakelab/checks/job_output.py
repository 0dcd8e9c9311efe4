"""What week 4's ETL job leaves behind, read back from AWS: its logged counts and its Parquet files.

The job prints one JSON line, ``{"read": …, "written": …, "malformed": …}``. A check believes it
only once the Parquet files under the target hold exactly ``written`` rows, by month, compressed.
"""

from __future__ import annotations

import io
import json
import re

import boto3

from lakelab.checks.framework import expect

# The answer key: the 2,000 seeded orders (datasets/orders.csv) and the 6 rows of the late file the lab lands in
# raw/orders/, 4 of them malformed (a non-ISO timestamp, a decimal comma, an empty customer, 13 fields).
SEEDED_ORDERS, LATE_ROWS, LATE_MALFORMED = 2000, 6, 4
EXPECTED_COUNTS = {"read": SEEDED_ORDERS + LATE_ROWS, "written": SEEDED_ORDERS + LATE_ROWS - LATE_MALFORMED,
                   "malformed": LATE_MALFORMED}
MONTHS = [f"2024-{month:02d}" for month in range(1, 7)]
# Hive-style partition folders: order_month=2024-03/, or year=2024/month=3/
_MONTH_IN_KEY = re.compile(r"/(?:order_month=(\d{4})-(\d{2})|year=(\d{4})/month=(\d{1,2}))/[^/]+\.parquet$")


def summary(lines: list[str]) -> dict | None:
    """The job's last JSON line with ``read``, ``written`` and ``malformed``, if it printed one."""
    found = None
    for line in lines:
        try:
            parsed = json.loads(line)
        except ValueError:
            continue
        if isinstance(parsed, dict) and {"read", "written", "malformed"} <= parsed.keys():
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
    """The logged counts add up, and are the answer key's: every row read, the late file's malformed ones dropped."""
    expect(counts, expected=f'a line {{"read": …, "written": …, "malformed": …}} in {log}', found="none",
           hint="end the script with print(json.dumps({'read': ..., 'written': ..., 'malformed': ...}))")
    logged = {key: counts[key] for key in EXPECTED_COUNTS}
    expect(all(isinstance(value, int) for value in logged.values()), expected="three whole numbers", found=logged)
    expect(logged["read"] == logged["written"] + logged["malformed"], expected="read = written + malformed",
           found=logged)
    expect(logged == EXPECTED_COUNTS, expected=f"{EXPECTED_COUNTS} (the seeded orders and the late file)",
           found=logged, hint="land the late file (before Exercise 4.2), read all of raw/orders/, count before "
           "filtering, and keep only rows that split into 12 fields and whose required values all parse")


def expect_curated(counts: dict | None, bucket: str, prefix: str, log: str) -> None:
    """The logged counts hold, and match the Snappy Parquet under ``prefix``, one folder per month."""
    expect_counts(counts, log)
    files = parquet_footers(bucket, prefix)
    months = sorted({month_of(key) for key in files})
    expect(months == MONTHS, expected=f"Parquet under {prefix}order_month=2024-01/ … 2024-06/",
           found=months or "none")
    rows = sum(footer.num_rows for footer in files.values())
    expect(rows == counts["written"], expected=f"{counts['written']} rows in the Parquet files, as logged", found=rows)
    codecs = {footer.row_group(g).column(c).compression for footer in files.values()
              for g in range(footer.num_row_groups) for c in range(footer.num_columns)}
    expect(codecs == {"SNAPPY"}, expected="Snappy compression", found=sorted(codecs))
    schema = next(iter(files.values())).schema.to_arrow_schema()
    types = {name: str(schema.field(name).type) for name in ("order_ts", "amount") if name in schema.names}
    expect(types.get("order_ts", "").startswith("timestamp") and types.get("amount", "").startswith("decimal"),
           expected="order_ts a timestamp and amount a decimal", found=types)
