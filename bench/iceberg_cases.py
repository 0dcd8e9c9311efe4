"""Iceberg: MERGE of 10,000 changes into a 1M-row Iceberg table through Athena, against the same MERGE
done in DuckDB on local Parquet.

Run as ``python bench/iceberg_cases.py``; prints one JSON object on its last line, whose ``rows`` are
the table lines ``bench/run.py`` prints. The data is generated with numpy (seeded, about a second):
1M rows (id, category, amount, note) and 10,000 changes, half of them updates of existing ids and
half new ids. Each run starts from a fresh Iceberg table (a CTAS, not timed). The Athena figure is
end to end, as a learner's code pays it: StartQueryExecution, GetQueryExecution until SUCCEEDED.
The baseline is DuckDB in the same process: load the local Parquet file, ``MERGE INTO`` it from the
changes file, write it back as Parquet (what a copy-on-write Iceberg commit does to one data file).
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(__file__))

from service_cases import _emulator  # noqa: E402

ROWS, CHANGES = 1_000_000, 10_000
OUTPUT = {"OutputLocation": "s3://bench-iceberg/results/"}
MERGE = """MERGE INTO {target} t USING {changes} s ON t.id = s.id
WHEN MATCHED THEN UPDATE SET amount = s.amount, note = s.note
WHEN NOT MATCHED THEN INSERT (id, category, amount, note) VALUES (s.id, s.category, s.amount, s.note)"""
COLUMNS = "(id bigint, category string, amount double, note string)"


def _frames(folder: str) -> tuple[str, str]:
    import numpy as np
    import pyarrow as pa
    import pyarrow.parquet as pq

    generator = np.random.default_rng(20240601)
    base = pa.table({"id": np.arange(ROWS, dtype=np.int64),
                     "category": pa.array(generator.integers(0, 50, ROWS).astype(str)),
                     "amount": generator.random(ROWS) * 100,
                     "note": pa.array(generator.integers(0, 10**9, ROWS).astype(str))})
    ids = np.concatenate([generator.choice(ROWS, CHANGES // 2, replace=False),
                          np.arange(ROWS, ROWS + CHANGES // 2)]).astype(np.int64)
    changes = pa.table({"id": ids, "category": pa.array(generator.integers(0, 50, CHANGES).astype(str)),
                        "amount": generator.random(CHANGES) * 100,
                        "note": pa.array(generator.integers(0, 10**9, CHANGES).astype(str))})
    paths = os.path.join(folder, "base.parquet"), os.path.join(folder, "changes.parquet")
    pq.write_table(base, paths[0], compression="snappy")
    pq.write_table(changes, paths[1], compression="snappy")
    return paths


def _query(athena, sql: str) -> float:
    started = time.perf_counter()
    execution = athena.start_query_execution(QueryString=sql, QueryExecutionContext={"Database": "bench"},
                                             ResultConfiguration=OUTPUT)["QueryExecutionId"]
    while (found := athena.get_query_execution(QueryExecutionId=execution)["QueryExecution"])["Status"]["State"] \
            not in ("SUCCEEDED", "FAILED", "CANCELLED"):
        time.sleep(0.01)
    if found["Status"]["State"] != "SUCCEEDED":
        raise SystemExit(f"the benchmark query ended {found['Status']}")
    return time.perf_counter() - started


def main(runs: int = 3) -> dict:
    import boto3
    import duckdb

    _emulator()
    folder = tempfile.mkdtemp()
    base, changes = _frames(folder)
    s3, athena = boto3.client("s3"), boto3.client("athena")
    s3.create_bucket(Bucket="bench-iceberg")
    s3.upload_file(base, "bench-iceberg", "base/base.parquet")
    s3.upload_file(changes, "bench-iceberg", "changes/changes.parquet")
    boto3.client("glue").create_database(DatabaseInput={"Name": "bench"})
    for name in ("base", "changes"):
        _query(athena, f"CREATE EXTERNAL TABLE {name} {COLUMNS} STORED AS PARQUET "
                       f"LOCATION 's3://bench-iceberg/{name}/'")
    connection = duckdb.connect()
    through, direct = [], []
    for run in range(runs):  # alternate, so that machine noise hits both alike
        _query(athena, f"CREATE TABLE target_{run} WITH (table_type = 'ICEBERG', is_external = false, "
                       f"location = 's3://bench-iceberg/iceberg/target_{run}/') AS SELECT * FROM base")
        through.append(_query(athena, MERGE.format(target=f"target_{run}", changes="changes")))
        started = time.perf_counter()
        connection.execute(f"CREATE OR REPLACE TABLE target AS SELECT * FROM read_parquet('{base}')")
        connection.execute(MERGE.format(target="target", changes=f"read_parquet('{changes}')"))
        connection.execute(f"COPY target TO '{os.path.join(folder, 'merged.parquet')}' (FORMAT parquet)")
        direct.append(time.perf_counter() - started)
    rows = _check(athena, connection, runs)
    local, merged = statistics.median(direct), statistics.median(through)
    return {"rows": [
        ("DuckDB: MERGE 10k changes into 1M Parquet rows (load, merge, write)", local, "baseline"),
        ("the same MERGE INTO an Iceberg table through Athena", merged,
         f"{merged / local:.2f}× DuckDB ({rows} rows after)"),
    ]}


def _check(athena, connection, runs: int) -> int:
    """Both sides end with the same row count (1,005,000)."""
    expected = connection.execute("SELECT count(*) FROM target").fetchone()[0]
    execution = athena.start_query_execution(QueryString=f"SELECT count(*) FROM target_{runs - 1}",
                                             QueryExecutionContext={"Database": "bench"}, ResultConfiguration=OUTPUT)
    while athena.get_query_execution(QueryExecutionId=execution["QueryExecutionId"])["QueryExecution"]["Status"][
            "State"] not in ("SUCCEEDED", "FAILED", "CANCELLED"):
        time.sleep(0.01)
    found = athena.get_query_results(QueryExecutionId=execution["QueryExecutionId"])["ResultSet"]["Rows"][1]
    counted = int(found["Data"][0]["VarCharValue"])
    if counted != expected:
        raise SystemExit(f"the Iceberg table has {counted} rows after the MERGE, DuckDB {expected}")
    return counted


if __name__ == "__main__":
    print(json.dumps(main()))
    os._exit(0)  # skip the slow interpreter teardown of the emulator's threads and workers
