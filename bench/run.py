"""Lake Labs benchmarks: one run, ratios against a baseline measured in the same run.

Timings on a shared machine are noisy, so each figure is the median of several alternating
runs, and goals are stated as ratios, never as absolute seconds.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))

import cases  # noqa: E402


def median_seconds(command: list[str], runs: int) -> float:
    return statistics.median(cases.seconds_from_child(command) for _ in range(runs))


def emulator_start(runs: int) -> list[tuple[str, float, str]]:
    bare = median_seconds([sys.executable, str(ROOT / "bench" / "cases.py"), "bare-moto-start"], runs)
    ours = median_seconds([sys.executable, str(ROOT / "bench" / "cases.py"), "lakelab-start"], runs)
    return [("bare moto server: start to first answer", bare, "baseline"),
            ("Lake Labs emulator: start to first answer", ours, f"{ours / bare:.2f}× bare moto (goal ≤ 1.0×)")]


def week01_solution() -> list[tuple[str, float, str]]:
    seconds = cases.seconds_from_child([sys.executable, str(ROOT / "bench" / "cases.py"), "week01-solution"])
    return [("week 1 solution, top to bottom (fresh kernel)", seconds, "")]


def grading(emulator_start_s: float) -> list[tuple[str, float, str]]:
    per_core = cases.seconds_from_child([sys.executable, str(ROOT / "bench" / "cases.py"), "grade-week01"])
    above = per_core - emulator_start_s
    return [(f"grading, per submission per core ({cases.GRADED_COPIES}, --jobs {cases.GRADING_JOBS})",
             per_core, f"{above:.1f} s above the emulator's start (goal ≤ 10 s)")]


def glue_jobs() -> list[tuple[str, float, str]]:
    case = [sys.executable, str(ROOT / "bench" / "cases.py")]
    spark = cases.seconds_from_child(case + ["glue-spark-job"])
    shell = cases.seconds_from_child(case + ["glue-python-shell-job"])
    return [("Glue Spark job, 20k CSV rows -> partitioned Parquet", spark, "StartJobRun to SUCCEEDED (goal ≤ 30 s)"),
            ("Glue Python shell job, same data with awswrangler", shell, "StartJobRun to SUCCEEDED")]


def _service_figures(case: str) -> dict:
    output = subprocess.run([sys.executable, str(ROOT / "bench" / "service_cases.py"), case],
                            check=True, capture_output=True, text=True).stdout
    return json.loads(output.strip().splitlines()[-1])


def services() -> list[tuple[str, float, str]]:
    athena = _service_figures("athena-group-by")
    crawl = _service_figures("crawler-100-partitions")
    handler = _service_figures("lambda-latency")
    ratio = athena["athena_api_s"] / athena["duckdb_local_s"]
    return [
        (f"DuckDB on the local file: 2M-row GROUP BY ({athena['parquet_mb']:.0f} MB Parquet)",
         athena["duckdb_local_s"], "baseline"),
        ("the same query through the Athena API, end to end", athena["athena_api_s"], f"{ratio:.2f}× DuckDB (goal ≤ 2×)"),
        (f"Glue crawler over {crawl['partitions']} Hive partitions", crawl["crawl_s"], "StartCrawler to READY"),
        ("Lambda invoke, cold (new worker)", handler["cold_invoke_s"], ""),
        ("Lambda invoke, warm", handler["warm_invoke_s"], "goal ≤ 0.3 s"),
        ("S3 PUT -> Lambda handler done (warm)", handler["put_to_done_s"], ""),
    ]


def _figures(script: str, *arguments: str) -> dict:
    output = subprocess.run([sys.executable, str(ROOT / "bench" / script), *arguments],
                            check=True, capture_output=True, text=True).stdout
    return json.loads(output.strip().splitlines()[-1])


def platform() -> list[tuple[str, float, str]]:
    """Who is calling: identity, IAM evaluation and CloudTrail on every request, and Event history."""
    cost = _figures("platform_cases.py", "request-cost")
    ratio = cost["on_s_per_call"] / cost["off_s_per_call"]
    trail = _figures("trail_cases.py")
    iam = _figures("iam_cases.py")
    return [
        ("S3 Put/Get as an assumed role: IAM + CloudTrail off", cost["off_s_per_call"], "baseline, per call"),
        ("the same, IAM enforced and CloudTrail recording", cost["on_s_per_call"], f"{ratio:.2f}× off (goal ≤ 1.15×)"),
        ("the same against moto's own server (no Lake Labs layer)", cost["moto_s_per_call"],
         f"{cost['on_s_per_call'] / cost['moto_s_per_call']:.2f}× of it with everything on"),
        ("IAM: one request evaluated, warm cache", iam["warm_us_per_call"] / 1e6, "3 attached policies + bucket policy"),
        ("IAM: one request evaluated, after an IAM change", iam["cold_us_per_call"] / 1e6, "policies compiled again"),
        (f"LookupEvents by EventName over {trail['events']:,} events, in-process", trail["lookup_in_process_s"],
         "goal ≤ 0.5 s"),
        ("the same through boto3", trail["lookup_boto3_s"], "goal ≤ 0.5 s"),
        (f"memory of {trail['events']:,} recorded events", trail["memory_mb"],
         f"MB ({trail['memory_mb'] * 1e6 / trail['events']:,.0f} bytes per event)"),
    ]


def lake_formation() -> list[tuple[str, float, str]]:
    """Athena with Lake Formation enforcing a column grant and a data cells filter, against IAM alone."""
    query = _figures("lakeformation_cases.py", "athena-governed")
    decision = _figures("lakeformation_cases.py", "lf-decision")
    base = query["iam_only_s"]
    return [
        ("Athena 2M-row GROUP BY as a role, left to IAM", base, "baseline"),
        ("the same, Lake Formation: column grant", query["column_grant_s"],
         f"{query['column_grant_s'] / base:.2f}× IAM alone (goal ≤ 1.2×)"),
        ("the same, Lake Formation: data cells filter", query["data_filter_s"],
         f"{query['data_filter_s'] / base:.2f}× IAM alone (goal ≤ 1.2×)"),
        (f"Lake Formation decision, {decision['grants']:,} grants, {decision['lf_tags']} LF-tags",
         decision["decision_uncached_ms"] / 1000, f"uncached; {decision['decision_cached_ms'] * 1000:.0f} µs cached"),
    ]


def localstack() -> list[tuple[str, float, str]]:
    """LocalStack 4.14.0 in host mode beside the local emulator, in one run (skipped where not installed)."""
    figures = _figures("localstack_cases.py", "3")
    if "skipped" in figures:
        print(f"LocalStack rows skipped: {figures['skipped']}")
        return []
    return [
        ("local emulator: start to first answer", figures["emulator_start_s"], "baseline"),
        ("LocalStack host mode: start to healthy", figures["localstack_start_s"], ""),
        ("LocalStack: start to first S3 answer", figures["localstack_first_answer_s"],
         f"{figures['start_ratio']:.2f}× the emulator"),
        ("week 1 solution on the local emulator (its start included)", figures["week01_local_s"], "baseline"),
        ("week 1 solution on a running LocalStack", figures["week01_localstack_s"],
         f"{figures['week01_ratio']:.2f}× local"),
    ]


def test_suite() -> list[tuple[str, float, str]]:
    started = time.perf_counter()
    subprocess.run(["make", "-s", "test"], cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
    seconds = time.perf_counter() - started
    return [("make test (environment already installed)", seconds, f"{seconds / 60:.1f} min (CI budget: 20 min)")]


def main() -> int:
    options = argparse.ArgumentParser(description="Lake Labs benchmarks")
    options.add_argument("--runs", type=int, default=5, help="alternating runs per start-up figure")
    options.add_argument("--skip-suite", action="store_true", help="do not time make test")
    args = options.parse_args()
    rows = emulator_start(args.runs) + platform() + week01_solution() + services() + glue_jobs()
    rows += lake_formation() + grading(rows[1][1]) + localstack()
    rows += [tuple(row) for row in _figures("lakeformation_cases.py", "lf-teardown")["rows"]]
    rows += [tuple(row) for row in _figures("stepfunctions_cases.py")["rows"]]
    rows += [tuple(row) for row in _figures("mwaa_cases.py")["rows"]]
    rows += [tuple(row) for row in _figures("firehose_cases.py")["rows"]]
    rows += [tuple(row) for row in _figures("kinesis_cases.py")["rows"]]
    rows += [tuple(row) for row in _figures("stream_to_lake_cases.py")["rows"]]
    rows += [tuple(row) for row in _figures("kms_cases.py")["rows"]]
    rows += [tuple(row) for row in _figures("redshift_cases.py")["rows"]]
    rows += [tuple(row) for row in _figures("iceberg_cases.py")["rows"]]
    rows += [tuple(row) for row in _figures("rds_dms_cases.py")["rows"]]
    rows += [tuple(row) for row in _figures("appflow_cases.py")["rows"]]
    rows += [tuple(row) for row in _figures("cloudwatch_cases.py")["rows"]]
    rows += [tuple(row) for row in _figures("teardown_cases.py")["rows"]]
    rows += [tuple(row) for row in _figures("teardown_rds_dms_cases.py")["rows"]]
    rows += [tuple(row) for row in _figures("classreport_cases.py")["rows"]]
    rows += [tuple(row) for row in _figures("site_cases.py")["rows"]]  # make site; make lab in headless Chromium
    rows += [tuple(row) for row in _figures("capstone_cases.py")["rows"]]  # grading a capstone, per submission
    rows += [tuple(row) for row in _figures("user_code_cases.py")["rows"]]
    rows += [tuple(row) for row in _figures("plan_cases.py")["rows"]]  # lakelab plan, every lab (two runs each)
    rows += [tuple(row) for row in _figures("warm_spark_cases.py")["rows"]]
    if not args.skip_suite:
        rows += test_suite()
    print(f"{'benchmark':<50} {'seconds':>9}  note")
    for name, seconds, note in rows:
        print(f"{name:<50} {seconds:>9.3f}  {note}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
