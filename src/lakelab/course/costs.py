"""What a lab costs on a real account, from dated published prices (us-east-1, on demand, USD).

Every price names its source and the date it was read; ``confirmed`` is False for a figure only
one secondary source (or none) supports. Check the live pricing page before relying on a number.
"""

from __future__ import annotations

import math
from dataclasses import dataclass


@dataclass(frozen=True)
class Price:
    usd: float
    unit: str
    source: str
    as_of: str
    confirmed: bool = True


PRICES = {
    "s3_standard_gb_month": Price(0.023, "GB-month", "AWS S3 pricing (transcribed)", "2026-03"),
    "s3_put_per_1000": Price(0.005, "1,000 PUT/COPY/POST/LIST requests", "AWS S3 pricing (transcribed)", "2026-03"),
    "s3_get_per_1000": Price(0.0004, "1,000 GET requests", "AWS S3 pricing (transcribed)", "2026-03"),
    "sqs_per_million": Price(0.40, "1M standard-queue requests after the first 1M free", "widely quoted", "2026-11", False),
    "athena_per_tb": Price(5.00, "TB scanned (10 MB minimum per query)", "Athena pricing", "2026-11"),
    "lambda_per_million_requests": Price(0.20, "1M requests (always free: the first 1M a month)",
                                         "AWS whitepaper \"How AWS Pricing Works\" (Lambda); api-evangelist/aws-lambda",
                                         "2026-09-20"),
    "lambda_gb_second_x86": Price(0.0000166667, "GB-second on x86, billed per ms (always free: 400,000 a month)",
                                  "AWS whitepaper \"How AWS Pricing Works\" (Lambda); api-evangelist/aws-lambda",
                                  "2026-09-20"),
    "glue_dpu_hour": Price(0.44, "DPU-hour of a Glue 2.0–5.x Spark job (billed per second, 1-minute minimum)",
                           "AWS Glue pricing page (example: 6 DPU × 15 min = $0.66); AWS Price List CSV", "2024-11-01"),
    "glue6_dpu_hour": Price(0.31, "DPU-hour of a Glue 6.0 Spark job (\"30% lower\", so about 0.44 × 0.7)",
                            "AWS Big Data Blog, \"Introducing AWS Glue 6.0\" (the reduction, not the rate)", "2026-08-24",
                            False),
    "ec2_m5_xlarge_hour": Price(0.192, "m5.xlarge instance-hour on EC2 (4 vCPU, 16 GiB)", "widely quoted; rate not found",
                                "2026-11", False),
    "emr_m5_xlarge_hour": Price(0.048, "m5.xlarge instance-hour of EMR uplift, on top of EC2 (billed per second)",
                                "AWS EMR pricing page (billing model); rate widely quoted, not found", "2026-11", False),
    "emr_serverless_vcpu_hour": Price(0.052624, "vCPU-hour on EMR Serverless", "widely quoted; no source found",
                                      "2026-11", False),
    "emr_serverless_gb_hour": Price(0.0057785, "GB-hour of memory on EMR Serverless", "widely quoted; no source found",
                                    "2026-11", False),
}
_MWAA = "AWS Price List (AmazonMWAA, us-east-1) via infracost's mwaa_environment test; dev.classmethod.jp (2025-11-30)"
_MWAA_ONE = "one transcription of the AWS Price List for us-west-2; no us-east-1 source"
_SFN = "AWS Step Functions pricing page"
_EXPRESS = "AWS Step Functions pricing page (Express example, 100M × 10 s × 64 MB = $482.97)"
PRICES.update({
    "mwaa_micro_hour": Price(0.29, "hour of an mw1.micro environment", _MWAA_ONE, "2026-12-06", False),
    "mwaa_small_hour": Price(0.49, "hour of an mw1.small environment (scheduler, web server, 1 worker)", _MWAA,
                             "2026-12-06"),
    "mwaa_medium_hour": Price(0.74, "hour of an mw1.medium environment", _MWAA, "2026-12-06"),
    "mwaa_large_hour": Price(0.99, "hour of an mw1.large environment", _MWAA, "2026-12-06"),
    "mwaa_xlarge_hour": Price(1.98, "hour of an mw1.xlarge environment", _MWAA_ONE, "2026-12-06", False),
    "mwaa_2xlarge_hour": Price(3.96, "hour of an mw1.2xlarge environment", _MWAA_ONE, "2026-12-06", False),
    # An extra scheduler costs what an extra worker of the same class costs (both sources agree).
    "mwaa_small_worker_hour": Price(0.055, "hour of an extra mw1.small worker or scheduler", _MWAA, "2026-12-06"),
    "mwaa_medium_worker_hour": Price(0.11, "hour of an extra mw1.medium worker or scheduler", _MWAA, "2026-12-06"),
    "mwaa_large_worker_hour": Price(0.22, "hour of an extra mw1.large worker or scheduler", _MWAA, "2026-12-06"),
    "mwaa_database_gb_month": Price(0.10, "GB-month of MWAA metadata database", _MWAA, "2026-12-06"),
    "sfn_standard_per_1000": Price(0.025, "1,000 Standard state transitions (retries count; 4,000 a month free)", _SFN,
                                   "2026-12-06"),
    "sfn_express_per_million": Price(1.00, "1M Express executions started", _SFN, "2026-12-06"),
    "sfn_express_gb_hour_first_1000": Price(0.06, "Express GB-hour, the first 1,000 a month", _EXPRESS, "2026-12-06"),
    "sfn_express_gb_hour_next_4000": Price(0.03, "Express GB-hour, the next 4,000 a month", _EXPRESS, "2026-12-06"),
    "sfn_express_gb_hour_over_5000": Price(0.01642, "Express GB-hour beyond 5,000 a month", _EXPRESS, "2026-12-06"),
})
LAMBDA_FREE_REQUESTS = 1_000_000  # per month, on every account (not the 12-month or credit-based tier)
LAMBDA_FREE_GB_SECONDS = 400_000
GB = 1024**3


@dataclass(frozen=True)
class Line:
    item: str
    quantity: str
    usd: float


def s3_lab(stored_bytes: int, put_requests: int, get_requests: int, days: float = 1.0) -> list[Line]:
    """Storage for ``days`` plus requests: what a lab's bucket costs if left up that long."""
    storage = stored_bytes / GB * PRICES["s3_standard_gb_month"].usd * days / 30
    return [Line("S3 Standard storage", f"{stored_bytes / 1e6:.2f} MB for {days:g} day(s)", storage),
            *s3_requests(put_requests, get_requests)]


def s3_requests(put_requests: int, get_requests: int) -> list[Line]:
    """PUT-class (PUT, COPY, POST, LIST) and GET-class (GET, HEAD) requests; DELETE is free."""
    puts = put_requests / 1000 * PRICES["s3_put_per_1000"].usd
    gets = get_requests / 1000 * PRICES["s3_get_per_1000"].usd
    return [Line("S3 PUT/LIST requests", f"{put_requests:,}", puts), Line("S3 GET requests", f"{get_requests:,}", gets)]


def lambda_invocations(requests: int, billed_ms: int, memory_mb: int, free_requests_left: int = LAMBDA_FREE_REQUESTS,
                       free_gb_seconds_left: float = LAMBDA_FREE_GB_SECONDS) -> list[Line]:
    """Lambda's two meters: requests, and compute in GB-seconds (billed duration × memory), after the free tier."""
    gb_seconds = billed_ms / 1000 * memory_mb / 1024
    requests_usd = max(0, requests - free_requests_left) / 1e6 * PRICES["lambda_per_million_requests"].usd
    compute_usd = max(0.0, gb_seconds - free_gb_seconds_left) * PRICES["lambda_gb_second_x86"].usd
    return [Line("Lambda requests", f"{requests:,} (first 1M a month free)", requests_usd),
            # The quantity leaves the duration out: a measured one changes from run to run.
            Line("Lambda compute (x86)", f"at {memory_mb} MB (400,000 GB-s free)", compute_usd)]


def sqs_requests(requests: int, free_tier_left: int = 1_000_000) -> Line:
    billable = max(0, requests - free_tier_left)
    return Line("SQS requests", f"{requests} (free tier: first 1M a month)",
                billable / 1e6 * PRICES["sqs_per_million"].usd)


def table(lines: list[Line]) -> str:
    """A plain-text bill; totals under a cent are shown as such rather than as $0.00."""
    rows = [f"{line.item:<24} {line.quantity:<38} ${line.usd:.6f}" for line in lines]
    total = sum(line.usd for line in lines)
    shown = "under $0.01" if total < 0.01 else f"${total:.2f}"
    return "\n".join(rows + [f"{'Total':<24} {'':<38} {shown}"])


def sources(*keys: str) -> str:
    return "\n".join(
        f"- {key}: ${_dollars(PRICES[key].usd)} per {PRICES[key].unit} — {PRICES[key].source}, {PRICES[key].as_of}"
        f"{'' if PRICES[key].confirmed else ' (unconfirmed: check the pricing page)'}"
        for key in keys
    )


def _dollars(usd: float) -> str:
    """A price as written on pricing pages: 0.0000166667 (not 1.66667e-05), 5 (not 5.0)."""
    return f"{usd:.10f}".rstrip("0").rstrip(".")


MB = 1024**2
TB = 1024**4


def athena_query(scanned_bytes: int) -> float:
    """Athena's bill for one query: scanned bytes rounded up to the MB, at least 10 MB, at $5 per TB."""
    billed_megabytes = max(10, -(-scanned_bytes // MB))
    return billed_megabytes * MB / TB * PRICES["athena_per_tb"].usd


# One Glue G.1X worker is one DPU: 4 vCPU and 16 GB, the size of an m5.xlarge, so node-hours compare.
WORKER_VCPU, WORKER_GB = 4, 16
HOURS_A_DAY = 24


def glue_daily(workers: int, hours: float, dpu_hour: str = "glue_dpu_hour") -> float:
    """A Glue Spark job on ``workers`` G.1X workers (one DPU each) running ``hours`` a day."""
    return workers * hours * PRICES[dpu_hour].usd


def emr_node_hour(ec2_discount: float = 0.0) -> float:
    """One m5.xlarge node of an EMR cluster: EC2 (less a Spot or Savings Plan discount) plus EMR's uplift."""
    return PRICES["ec2_m5_xlarge_hour"].usd * (1 - ec2_discount) + PRICES["emr_m5_xlarge_hour"].usd


def emr_cluster_daily(workers: int, ec2_discount: float = 0.0) -> float:
    """An always-on EMR cluster: ``workers`` core nodes and one primary node, paid 24 h a day, busy or not."""
    return (workers + 1) * HOURS_A_DAY * emr_node_hour(ec2_discount)


def emr_serverless_worker_hour() -> float:
    """An EMR Serverless worker the size of a G.1X (4 vCPU, 16 GB) for an hour."""
    return WORKER_VCPU * PRICES["emr_serverless_vcpu_hour"].usd + WORKER_GB * PRICES["emr_serverless_gb_hour"].usd


def emr_serverless_daily(workers: int, hours: float) -> float:
    """EMR Serverless workers billed only while the job runs (a 1-minute minimum per run aside)."""
    return workers * hours * emr_serverless_worker_hour()


def break_even_hours(workers: int, dpu_hour: str = "glue_dpu_hour", ec2_discount: float = 0.0) -> float:
    """Hours of work a day above which an always-on EMR cluster costs less than Glue for the same workers."""
    return emr_cluster_daily(workers, ec2_discount) / glue_daily(workers, 1, dpu_hour)


def break_even_limit(dpu_hour: str = "glue_dpu_hour", ec2_discount: float = 0.0) -> float:
    """The break-even for a large cluster, where the one primary node no longer counts."""
    return HOURS_A_DAY * emr_node_hour(ec2_discount) / PRICES[dpu_hour].usd


def minimum_run(workers: int, worker_hour: float) -> float:
    """The least a run can bill: one minute of its workers (Glue and EMR Serverless alike)."""
    return workers * worker_hour / 60


HOURS_A_MONTH = 730  # AWS's pricing examples: 24 × 365 / 12
SFN_FREE_TRANSITIONS = 4000  # per month, on every account, Standard workflows only
MWAA_CLASSES = ("mw1.micro", "mw1.small", "mw1.medium", "mw1.large", "mw1.xlarge", "mw1.2xlarge")


def mwaa_monthly(environment_class: str = "mw1.small", extra_workers: float = 0.0, extra_schedulers: int = 0,
                 hours: float = HOURS_A_MONTH, database_gb: float = 0.0) -> float:
    """What an MWAA environment bills for ``hours``, busy or idle.

    Parameters
    ----------
    environment_class : str
        One of ``MWAA_CLASSES``.
    extra_workers : float
        Workers above the one the environment fee includes, averaged over ``hours`` (auto-scaling
        adds and removes them).
    extra_schedulers : int
        Schedulers above those the fee includes (how many it includes, 1 or 2, is unconfirmed).
    hours : float
        Hours the environment exists; 730 is a month.
    database_gb : float
        Size of the metadata database, billed per GB-month and prorated here over ``hours``.

    Returns
    -------
    float
        US dollars.

    Raises
    ------
    ValueError
        For an unknown class, or extras on a class with no sourced extra price: mw1.micro does not
        scale, and no price was found for mw1.xlarge or mw1.2xlarge workers.
    """
    if environment_class not in MWAA_CLASSES:
        raise ValueError(f"unknown MWAA environment class {environment_class!r}; expected one of {MWAA_CLASSES}")
    size = environment_class.removeprefix("mw1.")
    hourly = PRICES[f"mwaa_{size}_hour"].usd
    if extra_workers or extra_schedulers:
        if f"mwaa_{size}_worker_hour" not in PRICES:
            raise ValueError(f"no sourced price for extra workers or schedulers on {environment_class}")
        hourly += (extra_workers + extra_schedulers) * PRICES[f"mwaa_{size}_worker_hour"].usd
    storage = database_gb * PRICES["mwaa_database_gb_month"].usd * hours / HOURS_A_MONTH
    return hourly * hours + storage


def stepfunctions_monthly(transitions_per_run: int, runs_per_month: int,
                          free_transitions_left: int = SFN_FREE_TRANSITIONS) -> float:
    """A Standard workflow's month: state transitions beyond the free ones, at $0.025 per 1,000.

    Parameters
    ----------
    transitions_per_run : int
        Transitions one execution makes, counted from its history: every state entered, every
        retry, every Map or Parallel iteration.
    runs_per_month : int
        Executions a month.
    free_transitions_left : int
        What remains of the account's 4,000 free transitions this month.

    Returns
    -------
    float
        US dollars.
    """
    billable = max(0, transitions_per_run * runs_per_month - free_transitions_left)
    return billable / 1000 * PRICES["sfn_standard_per_1000"].usd


def express_monthly(requests: int, avg_duration_s: float, memory_mb: float = 64) -> float:
    """An Express workflow's month: requests plus GB-hours, tiered, with no free tier.

    Parameters
    ----------
    requests : int
        Executions started in the month, console tests included.
    avg_duration_s : float
        Average execution time; rounded up to 100 ms as AWS rounds each execution.
    memory_mb : float
        Memory an execution uses (about 50 MB plus the definition and payloads), billed in 64-MB chunks.

    Returns
    -------
    float
        US dollars, with all of the account's Express use this month in ``requests``.
    """
    billed_s = math.ceil(round(avg_duration_s * 10, 6)) / 10
    billed_gb = math.ceil(memory_mb / 64) * 64 / 1024
    gb_hours = requests * billed_s * billed_gb / 3600
    tiers = [(1000, "sfn_express_gb_hour_first_1000"), (4000, "sfn_express_gb_hour_next_4000"),
             (math.inf, "sfn_express_gb_hour_over_5000")]
    duration = 0.0
    for size, key in tiers:
        in_tier = min(gb_hours, size)
        duration += in_tier * PRICES[key].usd
        gb_hours -= in_tier
    return requests / 1e6 * PRICES["sfn_express_per_million"].usd + duration


def orchestration_break_even(transitions_per_run: int, environment_class: str = "mw1.small") -> float:
    """Runs a month at which Standard Step Functions bill as much as an idle MWAA environment.

    Parameters
    ----------
    transitions_per_run : int
        Transitions one execution of the pipeline makes.
    environment_class : str
        The MWAA class compared, with no extra workers, schedulers or database storage.

    Returns
    -------
    float
        Executions a month, the 4,000 free transitions included; below it Step Functions cost less.
    """
    environment = mwaa_monthly(environment_class)
    transitions = environment / PRICES["sfn_standard_per_1000"].usd * 1000 + SFN_FREE_TRANSITIONS
    return transitions / transitions_per_run


# Week 6: streaming into the lake, or a scheduled batch. Kinesis counts a shard's 1 MB/s as 1 MiB and a record's
# size in KiB (1 KB = 1,024 bytes on its pricing page), so sizes here are KiB and volumes GiB (1,048,576 KiB).
_KINESIS = ("AWS Price List (AmazonKinesis, us-east-1) via infracost's kinesis_stream test; "
            "api-evangelist/amazon-kinesis")
_FIREHOSE = ("an AWS sample's README and several cost guides agree; AWS's pricing page names the meter (its rates "
             "load by JavaScript); eu-west-2 Price List via infracost: $0.035")
_CONVERSION = "several cost guides agree; eu-west-2 Price List via infracost: $0.021"
_PARTITIONING = "one cost analysis (per GB, per 1,000 objects, per JQ hour) and one guide; another says $0.019/GB"
PRICES.update({
    "kinesis_shard_hour": Price(0.015, "shard-hour of a provisioned stream (1 MiB/s or 1,000 records/s in)",
                                _KINESIS, "2026-12-06"),
    "kinesis_put_units_per_million": Price(0.014, "1M PUT payload units (a record is one unit per started 25 KB)",
                                           _KINESIS, "2026-12-06"),
    "kinesis_on_demand_stream_hour": Price(0.04, "stream-hour of an on-demand (Standard) stream", _KINESIS,
                                           "2026-12-06"),
    "kinesis_on_demand_gb_in": Price(0.08, "GB written to an on-demand stream (records rounded up to 1 KB)",
                                     f"{_KINESIS}; c3x.dev says $0.04 (conflict)", "2026-12-06"),
    "kinesis_on_demand_gb_out": Price(0.04, "GB read from an on-demand stream by a shared-throughput consumer",
                                      _KINESIS, "2026-12-06"),
    "firehose_gb_first_500tb": Price(0.029, "GB ingested, records rounded up to 5 KB, the first 500 TB a month",
                                     _FIREHOSE, "2026-12-06"),
    "firehose_gb_next_1_5pb": Price(0.025, "GB ingested, the next 1.5 PB a month", "widely quoted; not found",
                                    "2026-12-06", False),
    "firehose_gb_over_2pb": Price(0.020, "GB ingested beyond 2 PB a month", "one guide (\"from $0.029 to $0.02/GB\")",
                                  "2026-12-06", False),
    "firehose_conversion_gb": Price(0.018, "GB converted from JSON to Parquet or ORC (5 KB-rounded, as ingested)",
                                    _CONVERSION, "2026-12-06"),
    "firehose_partitioning_gb": Price(0.020, "GB delivered to S3 with dynamic partitioning", _PARTITIONING,
                                      "2026-12-06", False),
    "firehose_partitioning_per_1000_objects": Price(0.005, "1,000 S3 objects delivered with dynamic partitioning",
                                                    _PARTITIONING, "2026-12-06", False),
    "firehose_jq_hour": Price(0.07, "JQ processing hour (what is counted as an hour is not documented; not modelled)",
                              _PARTITIONING, "2026-12-06", False),
})
KIB_PER_GIB = 1024 * 1024
SECONDS_A_MONTH = HOURS_A_MONTH * 3600
SHARD_RECORDS_PER_SECOND, SHARD_KIB_PER_SECOND = 1000, 1024  # writes, per shard (Kinesis quotas page)
PUT_UNIT_KIB, KINESIS_ON_DEMAND_STEP_KIB, FIREHOSE_STEP_KIB = 25, 1, 5
FIREHOSE_TIERS_GB = ((500 * 1024, "firehose_gb_first_500tb"), (1536 * 1024, "firehose_gb_next_1_5pb"),
                     (math.inf, "firehose_gb_over_2pb"))
# The lab's delivery stream: a 64 MiB / 30 s buffer, partitioned by event date and type: about 5 partitions
# active at once (today's date × 5 event types), each delivering its own object per flush. With dynamic
# partitioning a batch can take 1.5 times the interval to land (Firehose developer guide, "Buffer data for
# dynamic partitioning"): 45 s, inside a one-minute SLA.
FIREHOSE_BUFFER_MIB, FIREHOSE_INTERVAL_S, FIREHOSE_ACTIVE_PARTITIONS = 64, 30, 5
FIREHOSE_PARTITIONED_DELAY = 1.5


def _steps(size_kib: float, step_kib: float) -> int:
    """How many ``step_kib`` a record of ``size_kib`` is billed as (at least one; 25.0 KiB is one 25 KiB step)."""
    return max(1, math.ceil(round(size_kib / step_kib, 9)))


def shards_needed(records_per_second: float, avg_record_kb: float) -> int:
    """Shards a provisioned stream needs for its writes: 1,000 records/s and 1 MiB/s each, at least one.

    Parameters
    ----------
    records_per_second : float
        The steady write rate (size for the peak: a shard throttles past its limits, per second).
    avg_record_kb : float
        Average record size in KiB, partition key included.

    Returns
    -------
    int
        The larger of the two limits' needs. Reads (2 MiB/s, 5 GetRecords calls/s per shard) are
        shared by every consumer without enhanced fan-out, and may need more.
    """
    by_records = math.ceil(round(records_per_second / SHARD_RECORDS_PER_SECOND, 9))
    by_bytes = math.ceil(round(records_per_second * avg_record_kb / SHARD_KIB_PER_SECOND, 9))
    return max(1, by_records, by_bytes)


def kinesis_provisioned_monthly(shards: int, records_per_month: float, avg_record_kb: float) -> float:
    """A provisioned stream's month: every shard-hour (730 h), busy or idle, plus PUT payload units.

    Parameters
    ----------
    shards : int
        Open shards all month (``shards_needed`` for a rate).
    records_per_month : float
        Records written.
    avg_record_kb : float
        Average record size in KiB: each record is one PUT payload unit per started 25 KiB.

    Returns
    -------
    float
        US dollars; extended retention, enhanced fan-out and consumers are not included.
    """
    units = records_per_month * _steps(avg_record_kb, PUT_UNIT_KIB)
    return (shards * HOURS_A_MONTH * PRICES["kinesis_shard_hour"].usd
            + units / 1e6 * PRICES["kinesis_put_units_per_million"].usd)


def kinesis_on_demand_monthly(gb_per_month: float, streams: int = 1) -> float:
    """On-demand streams' month: a fee per stream-hour plus each GB written (records rounded up to 1 KB first).

    Parameters
    ----------
    gb_per_month : float
        GiB written, after rounding each record up to a whole KiB.
    streams : int
        On-demand streams in the account, each billed every hour it exists.

    Returns
    -------
    float
        US dollars; reads ($0.04/GB per shared-throughput consumer) are not included.
    """
    return (streams * HOURS_A_MONTH * PRICES["kinesis_on_demand_stream_hour"].usd
            + gb_per_month * PRICES["kinesis_on_demand_gb_in"].usd)


def firehose_monthly(records_per_month: float, avg_record_kb: float, parquet: bool = False,
                     dynamic_partitioning: bool = False) -> float:
    """A Firehose stream's month (Direct PUT or a Kinesis stream as source) into S3.

    Parameters
    ----------
    records_per_month : float
        Records ingested.
    avg_record_kb : float
        Average record size in KiB. Each record is billed in 5 KB steps: a 1 KB record as 5 KB.
    parquet : bool
        JSON converted to Parquet (or ORC), billed per GB on the same 5 KB-rounded volume.
    dynamic_partitioning : bool
        Partitioning by keys: per GB delivered (taken as the records' own size, an upper bound for
        Parquet) and per 1,000 objects, with the lab's buffer (``FIREHOSE_BUFFER_MIB``,
        ``FIREHOSE_INTERVAL_S``) and ``FIREHOSE_ACTIVE_PARTITIONS``. Both rates are unconfirmed; JQ
        processing hours are not modelled.

    Returns
    -------
    float
        US dollars, with ingestion tiered (500 TB, 1.5 PB, beyond); S3 storage and requests apart.
    """
    billed_gb = records_per_month * _steps(avg_record_kb, FIREHOSE_STEP_KIB) * FIREHOSE_STEP_KIB / KIB_PER_GIB
    usd, left = 0.0, billed_gb
    for size_gb, key in FIREHOSE_TIERS_GB:
        in_tier = min(left, size_gb)
        usd, left = usd + in_tier * PRICES[key].usd, left - in_tier
    if parquet:
        usd += billed_gb * PRICES["firehose_conversion_gb"].usd
    if dynamic_partitioning:
        delivered_gb = records_per_month * avg_record_kb / KIB_PER_GIB
        usd += delivered_gb * PRICES["firehose_partitioning_gb"].usd
        usd += firehose_objects(delivered_gb) / 1000 * PRICES["firehose_partitioning_per_1000_objects"].usd
    return usd


def firehose_objects(delivered_gb: float) -> float:
    """Objects a month with the lab's buffer: each active partition flushes at its interval, or sooner when full."""
    by_interval = FIREHOSE_ACTIVE_PARTITIONS * SECONDS_A_MONTH / FIREHOSE_INTERVAL_S
    by_size = delivered_gb * 1024 / FIREHOSE_BUFFER_MIB
    return max(by_interval, by_size)


def glue_batch_monthly(runs_per_month: int, dpu: float = 2, minutes_per_run: float = 5) -> float:
    """Scheduled Glue Spark runs (Glue 2.0 to 5.x): billed per second, at least one minute a run.

    Parameters
    ----------
    runs_per_month : int
        Runs a month (hourly: 730; daily: 30).
    dpu : float
        DPUs a run uses (at least 2 for a Spark job; a G.1X worker is 1 DPU).
    minutes_per_run : float
        A run's duration; under a minute is billed as one.

    Returns
    -------
    float
        US dollars at $0.44 per DPU-hour; the crawler, S3 requests and Athena are apart.
    """
    billed_minutes = max(1.0, math.ceil(round(minutes_per_run * 60, 6)) / 60)
    return runs_per_month * dpu * billed_minutes / 60 * PRICES["glue_dpu_hour"].usd


STREAM_LATENCY_S = 1  # put-to-get delay "typically less than 1 second" (Kinesis developer guide)
HOURLY_RUNS, DAILY_RUNS = HOURS_A_MONTH, 30


def streaming_decision(events_per_second: float, avg_event_kb: float, latency_sla_seconds: float) -> list[dict]:
    """Each way of landing the events, whether it meets the latency SLA, and what it costs a month.

    Parameters
    ----------
    events_per_second : float
        The steady event rate, all month.
    avg_event_kb : float
        Average event size in KiB.
    latency_sla_seconds : float
        How soon after it happens an event must be usable.

    Returns
    -------
    list of dict
        One per option, with ``option``, ``meets_sla``, ``monthly_usd`` (to the cent) and ``why``.
        Streams are priced alone (a consumer to land the data is extra); Firehose as the lab
        configures it (Parquet, dynamic partitioning, a 30 s buffer); Glue batches as 2-DPU,
        5-minute runs over events already in S3.
    """
    records = events_per_second * SECONDS_A_MONTH
    shards = shards_needed(events_per_second, avg_event_kb)
    gib_in = records * _steps(avg_event_kb, KINESIS_ON_DEMAND_STEP_KIB) / KIB_PER_GIB
    firehose_kb = _steps(avg_event_kb, FIREHOSE_STEP_KIB) * FIREHOSE_STEP_KIB
    options = [
        ("Kinesis Data Streams (provisioned)", STREAM_LATENCY_S,
         kinesis_provisioned_monthly(shards, records, avg_event_kb),
         f"{shards} shard(s) billed every hour plus PUT units; readable in about a second, consumers extra."),
        ("Kinesis on-demand", STREAM_LATENCY_S, kinesis_on_demand_monthly(gib_in),
         f"$29.20 a month per stream plus {gib_in:,.1f} GB written (1 KB steps); reads extra."),
        ("Firehose direct", FIREHOSE_INTERVAL_S * FIREHOSE_PARTITIONED_DELAY,
         firehose_monthly(records, avg_event_kb, True, True),
         f"Each event billed as {firehose_kb:g} KB, converted and partitioned; lands within 1.5 × its "
         f"{FIREHOSE_INTERVAL_S} s buffer."),
        ("Scheduled batch on Glue (hourly)", 3600, glue_batch_monthly(HOURLY_RUNS),
         "730 runs of 2 DPU × 5 min whatever the volume; data is up to an hour old."),
        ("Scheduled batch on Glue (daily)", 86_400, glue_batch_monthly(DAILY_RUNS),
         "30 runs of 2 DPU × 5 min; data is up to a day old."),
    ]
    return [{"option": option, "meets_sla": latency <= latency_sla_seconds, "monthly_usd": round(usd, 2), "why": why}
            for option, latency, usd, why in options]


# Week 8: a warehouse for the dashboard (Athena, Redshift Serverless, a provisioned RA3 cluster) and what watching
# the pipeline costs in CloudWatch. Serverless bills RPU-hours "for each second, with a 60-second minimum" while
# queries run, nothing while idle (Redshift management guide, serverless-express-capacity-billing and
# serverless-billing pages). The AWS pricing pages load their rates by JavaScript: rates come from transcriptions.
_REDSHIFT = ("AWS Redshift pricing page as transcribed by api-evangelist/amazon-redshift (2026-10-07); a public "
             "price table read from the AWS Price List API (2026-10-05)")
_REDSHIFT_NODES = "a public price table read from the AWS Price List API on 2026-10-05 (effective 2026-06-01)"
_CLOUDWATCH = ("several cost guides quoting AWS's CloudWatch pricing page (cloudburn.io 2026-02, c3x.dev 2026-06, "
               "hykell.com, signoz.io 2026-02); the page's paid-tier rates load by JavaScript")
PRICES.update({
    "redshift_serverless_rpu_hour": Price(0.375, "RPU-hour of Redshift Serverless (per second, 60 s minimum)",
                                          _REDSHIFT, "2026-12-06"),
    "redshift_managed_storage_gb_month": Price(0.024, "GB-month of Redshift managed storage (Serverless and RA3)",
                                               _REDSHIFT, "2026-12-06"),
    "redshift_ra3_large_hour": Price(0.543, "node-hour of an on-demand ra3.large",
                                     "api-evangelist/amazon-redshift (\"$0.543 per hour\", the node not named); "
                                     "half of ra3.xlplus's rate", "2026-12-06", False),
    "redshift_ra3_xlplus_hour": Price(1.086, "node-hour of an on-demand ra3.xlplus", _REDSHIFT_NODES, "2026-12-06"),
    "redshift_ra3_4xlarge_hour": Price(3.26, "node-hour of an on-demand ra3.4xlarge", _REDSHIFT_NODES, "2026-12-06"),
    "redshift_spectrum_per_tb": Price(5.00, "TB scanned by Redshift Spectrum from a provisioned cluster",
                                      _REDSHIFT_NODES, "2026-12-06"),
    "cloudwatch_metric_month": Price(0.30, "custom metric a month, the first 10,000",
                                     _CLOUDWATCH, "2026-12-06"),
    "cloudwatch_alarm_metric_month": Price(0.10, "standard-resolution (60 s) alarm metric a month", _CLOUDWATCH,
                                           "2026-12-06"),
    "cloudwatch_high_resolution_alarm_metric_month": Price(0.30, "high-resolution (10 s) alarm metric a month",
                                                           _CLOUDWATCH, "2026-12-06"),
    "cloudwatch_dashboard_month": Price(3.00, "custom dashboard a month", _CLOUDWATCH, "2026-12-06"),
    "logs_ingested_gb": Price(0.50, "GB ingested into a Standard-class log group", _CLOUDWATCH, "2026-12-06"),
    "logs_stored_gb_month": Price(0.03, "GB-month of log storage (archived)", _CLOUDWATCH,
                                  "2026-12-06"),
    "logs_insights_gb_scanned": Price(0.005, "GB scanned by Logs Insights queries", _CLOUDWATCH, "2026-12-06"),
})
DAYS_A_MONTH = HOURS_A_MONTH / HOURS_A_DAY  # 30.42, so a day's use × DAYS_A_MONTH is the 730-hour month
SERVERLESS_MINIMUM_SECONDS = 60
REDSHIFT_NODE_TYPES = ("ra3.large", "ra3.xlplus", "ra3.4xlarge")
# The CloudWatch free tier (AWS's pricing page, read 2026-12-06): 10 custom metrics, 10 standard-resolution alarm
# metrics, 3 dashboards of up to 50 metrics each, and 5 GB of Logs data shared by ingestion, storage and Insights.
CLOUDWATCH_FREE_METRICS, CLOUDWATCH_FREE_ALARM_METRICS, CLOUDWATCH_FREE_DASHBOARDS = 10, 10, 3
LOGS_FREE_GB = 5
CLOUDWATCH_FIRST_TIER_METRICS = 10_000


def check_base_rpu(base_rpu: int) -> int:
    """A base capacity Serverless accepts: 4, or 8 to 512 in steps of 8, or 512 to 1,024 in steps of 32.

    (Redshift management guide, "Compute capacity for Amazon Redshift Serverless": 1,024 only in five Regions,
    us-east-1 among them; older copies of the page start at 8.)
    """
    valid = base_rpu == 4 or (8 <= base_rpu <= 512 and base_rpu % 8 == 0) or (512 < base_rpu <= 1024
                                                                               and base_rpu % 32 == 0)
    if not valid:
        raise ValueError(f"base capacity {base_rpu} RPU is not offered: 4, 8 to 512 in steps of 8, "
                         "or 512 to 1,024 in steps of 32")
    return base_rpu


def redshift_serverless_query(seconds: float, base_rpu: int = 8) -> float:
    """One query run alone on an idle workgroup: billed per second at base capacity, at least 60 seconds.

    Queries that overlap share the same RPU-seconds, so a busy workgroup is priced by its active hours
    (``redshift_serverless_monthly``), not by summing this.
    """
    billed_seconds = max(SERVERLESS_MINIMUM_SECONDS, math.ceil(round(seconds, 6)))
    return check_base_rpu(base_rpu) * billed_seconds / 3600 * PRICES["redshift_serverless_rpu_hour"].usd


def redshift_serverless_monthly(active_hours_per_day: float, base_rpu: int = 8, storage_gb: float = 0) -> float:
    """A Serverless workgroup's month: RPU-hours while queries run, at base capacity, plus managed storage.

    Parameters
    ----------
    active_hours_per_day : float
        Hours a day at least one query runs (0 to 24). Idle time is free.
    base_rpu : int
        The workgroup's base capacity; it may scale above it under load, which is not modelled.
    storage_gb : float
        Data kept in the namespace, at $0.024 per GB-month.

    Returns
    -------
    float
        US dollars for 730 hours; snapshots beyond the recovery points and data transfer are apart.
    """
    if not 0 <= active_hours_per_day <= HOURS_A_DAY:
        raise ValueError(f"active hours a day must be between 0 and 24, not {active_hours_per_day}")
    rpu_hours = active_hours_per_day * DAYS_A_MONTH * check_base_rpu(base_rpu)
    compute = rpu_hours * PRICES["redshift_serverless_rpu_hour"].usd
    return compute + storage_gb * PRICES["redshift_managed_storage_gb_month"].usd


def redshift_provisioned_monthly(node_type: str = "ra3.large", nodes: int = 1, storage_gb: float = 0) -> float:
    """An on-demand RA3 cluster left running all month (busy or idle), plus its managed storage.

    Raises ``ValueError`` for a node type with no sourced price (ra3.16xlarge, DC2) or fewer than one node.
    A paused cluster bills storage only; pausing is not modelled.
    """
    if node_type not in REDSHIFT_NODE_TYPES:
        raise ValueError(f"no sourced price for {node_type!r}; expected one of {REDSHIFT_NODE_TYPES}")
    if nodes < 1:
        raise ValueError("a cluster has at least one node")
    hourly = PRICES[f"redshift_{node_type.replace('.', '_')}_hour"].usd
    return nodes * hourly * HOURS_A_MONTH + storage_gb * PRICES["redshift_managed_storage_gb_month"].usd


def athena_monthly(queries_per_day: float, scanned_bytes_per_query: int) -> float:
    """Athena's month for a steady query load: each query rounded up to the MB, at least 10 MB, $5 per TB."""
    return queries_per_day * DAYS_A_MONTH * athena_query(scanned_bytes_per_query)


def serverless_hours_for(queries_per_day: float, seconds_per_query: float) -> float:
    """Active hours a day if every query is its own burst, billed at least 60 s (an upper bound when they overlap)."""
    billed_seconds = max(SERVERLESS_MINIMUM_SECONDS, math.ceil(round(seconds_per_query, 6)))
    return min(HOURS_A_DAY, queries_per_day * billed_seconds / 3600)


def warehouse_decision(queries_per_day: float, scanned_bytes_per_query: int, seconds_per_query: float,
                       active_hours_per_day: float | None = None, base_rpu: int = 8,
                       storage_gb: float = 0) -> list[dict]:
    """The dashboard's month on Athena, on Redshift Serverless and on an always-on ra3.large.

    Parameters
    ----------
    queries_per_day : float
        Dashboard queries a day, every day.
    scanned_bytes_per_query : int
        Bytes Athena scans for one query (its ``DataScannedInBytes``).
    seconds_per_query : float
        How long one query runs on the warehouse.
    active_hours_per_day : float, optional
        Hours a day the Serverless workgroup is busy, when known (a dashboard refreshing all through the
        working day keeps it busy). By default each query is taken as its own burst, billed at least 60 s:
        an upper bound when queries overlap, which share RPU-seconds.
    base_rpu : int
        Serverless base capacity (8 is the lab's; 4 where offered).
    storage_gb : float
        Data loaded into Redshift, billed as managed storage on both Redshift options (Athena reads S3,
        whose storage is paid either way and left out).

    Returns
    -------
    list of dict
        ``option``, ``monthly_usd`` (to the cent) and ``notes`` for each option, Athena first.
    """
    derived = active_hours_per_day is None
    hours = serverless_hours_for(queries_per_day, seconds_per_query) if derived else active_hours_per_day
    billed_mb = max(10, -(-scanned_bytes_per_query // MB))
    how = (f"{queries_per_day:g} queries × max(60, {seconds_per_query:g}) s, each its own burst" if derived
           else "the active hours given")
    rows = [
        ("Athena", athena_monthly(queries_per_day, scanned_bytes_per_query),
         f"{billed_mb:,} MB billed a query (10 MB minimum) at $5 per TB; nothing when idle."),
        (f"Redshift Serverless ({base_rpu} RPU)", redshift_serverless_monthly(hours, base_rpu, storage_gb),
         f"{hours:.2f} active hours a day ({how}) at ${base_rpu * PRICES['redshift_serverless_rpu_hour'].usd:.2f}"
         f" an hour; storage ${storage_gb * PRICES['redshift_managed_storage_gb_month'].usd:.2f}."),
        ("Redshift provisioned (1 × ra3.large, always on)", redshift_provisioned_monthly("ra3.large", 1, storage_gb),
         "730 node-hours at $0.543 (rate unconfirmed) whether queried or not; pausing bills storage only."),
    ]
    return [{"option": option, "monthly_usd": round(usd, 2), "notes": notes} for option, usd, notes in rows]


def athena_redshift_break_even(scanned_bytes_per_query: int, seconds_per_query: float = 10, base_rpu: int = 8,
                               node_type: str = "ra3.large", nodes: int = 1) -> dict[str, float]:
    """Queries a day above which Redshift costs less than Athena, for Serverless and for a provisioned cluster.

    Parameters
    ----------
    scanned_bytes_per_query : int
        What Athena scans for one query.
    seconds_per_query : float
        How long the query runs on Serverless (each query its own burst, at least 60 s billed).
    base_rpu : int
        Serverless base capacity.
    node_type, nodes : str, int
        The always-on cluster compared.

    Returns
    -------
    dict
        ``serverless`` and ``provisioned``: queries a day. Serverless bursts grow with the queries as
        Athena does, so when a burst costs more than a query on Athena, Athena stays cheaper until the
        workgroup is busy all day (the crossing is then against 24 active hours); when it costs less,
        Serverless wins from the first query (0). Managed storage is left out of both.
    """
    athena_per_day = athena_query(scanned_bytes_per_query) * DAYS_A_MONTH  # a query every day for a month
    burst = redshift_serverless_query(seconds_per_query, base_rpu) * DAYS_A_MONTH
    serverless = 0.0 if burst <= athena_per_day else redshift_serverless_monthly(HOURS_A_DAY, base_rpu) / athena_per_day
    return {"serverless": serverless,
            "provisioned": redshift_provisioned_monthly(node_type, nodes) / athena_per_day}


def cloudwatch_monthly(alarms: int = 0, high_resolution_alarms: int = 0, metric_math_alarm_metrics: int = 0,
                       dashboards: int = 0, custom_metrics: int = 0, log_gb_ingested: float = 0,
                       log_gb_stored: float = 0, insights_gb_scanned: float = 0,
                       free_tier: bool = True) -> list[Line]:
    """CloudWatch's month for a pipeline's monitoring, one ``Line`` per meter (``table`` prints them).

    Parameters
    ----------
    alarms, high_resolution_alarms : int
        Alarms on one metric each, at a 60 s period or longer (standard) or at 10 or 30 s (high resolution).
    metric_math_alarm_metrics : int
        Metrics referenced by standard-resolution metric-math alarms (``100*Errors/Invocations`` is two),
        each billed as one alarm metric (AWS prices "alarm metrics"; per referenced metric is unverified).
    dashboards : int
        Custom dashboards.
    custom_metrics : int
        Metrics you publish (``PutMetricData``, Logs metric filters), up to 10,000: the lower tiers beyond
        it are unsourced, so more raises ``ValueError``. Metrics AWS services publish are free.
    log_gb_ingested, log_gb_stored, insights_gb_scanned : float
        Standard-class log ingestion, storage at the end of the month, Logs Insights scans.
    free_tier : bool
        Take off the always-free allowance: 10 custom metrics, 10 standard alarm metrics, 3 dashboards
        (of up to 50 metrics), 5 GB of Logs data shared by ingestion, storage and scans (taken off in
        that order, the dearest first: the order AWS applies is not documented).

    Returns
    -------
    list of Line
        Metrics, alarms, dashboards, log ingestion, storage and Insights, in US dollars.
    """
    if custom_metrics > CLOUDWATCH_FIRST_TIER_METRICS:
        raise ValueError("only the first 10,000 custom metrics have a sourced price ($0.30 each)")
    free = free_tier
    metrics = max(0, custom_metrics - CLOUDWATCH_FREE_METRICS * free)
    standard = max(0, alarms + metric_math_alarm_metrics - CLOUDWATCH_FREE_ALARM_METRICS * free)
    boards = max(0, dashboards - CLOUDWATCH_FREE_DASHBOARDS * free)
    logs_free = LOGS_FREE_GB * free
    billed_logs = []
    for gigabytes in (log_gb_ingested, log_gb_stored, insights_gb_scanned):
        used = min(gigabytes, logs_free)
        billed_logs.append(gigabytes - used)
        logs_free -= used
    note = " after the free tier" if free else ""
    return [
        Line("Custom metrics", f"{custom_metrics}{note}", metrics * PRICES["cloudwatch_metric_month"].usd),
        Line("Alarm metrics (60 s)", f"{alarms + metric_math_alarm_metrics}{note}",
             standard * PRICES["cloudwatch_alarm_metric_month"].usd),
        Line("Alarm metrics (10 s)", f"{high_resolution_alarms} (never free)",
             high_resolution_alarms * PRICES["cloudwatch_high_resolution_alarm_metric_month"].usd),
        Line("Dashboards", f"{dashboards}{note}", boards * PRICES["cloudwatch_dashboard_month"].usd),
        Line("Logs ingested", f"{log_gb_ingested:g} GB{note}", billed_logs[0] * PRICES["logs_ingested_gb"].usd),
        Line("Logs stored", f"{log_gb_stored:g} GB-month{note}", billed_logs[1] * PRICES["logs_stored_gb_month"].usd),
        Line("Logs Insights scanned", f"{insights_gb_scanned:g} GB{note}",
             billed_logs[2] * PRICES["logs_insights_gb_scanned"].usd),
    ]


# Week 6b: getting a database and a SaaS application into the lake. AWS's DMS, RDS and AppFlow pricing pages load
# their rates by JavaScript, so rates come from a Price List reading (infracost's DMS golden test, us-east-1) or from
# secondary sources; several are unconfirmed. The source database's own bill is common to every option and left out.
_DMS_PRICE_LIST = ("AWS Price List (AWSDatabaseMigrationSvc, us-east-1) via infracost's dms_test golden file "
                   "(dms.t2.micro single-AZ 730 h = $13.14; 20 GB gp2 Multi-AZ = $4.60; 50 GB included)")
_APPFLOW = "several cost guides agree (AWS's AppFlow pricing page loads its rates by JavaScript)"
PRICES.update({
    "dms_t2_micro_hour": Price(0.018, "hour of a single-AZ dms.t2.micro replication instance", _DMS_PRICE_LIST,
                               "2026-12-06"),
    "dms_t3_medium_hour": Price(0.07, "hour of a single-AZ dms.t3.medium replication instance (\"about $0.07\")",
                                "widely quoted (\"about $0.07/h\"); no source found", "2026-12-06", False),
    "dms_storage_gb_month": Price(0.115, "GB-month of replication-instance gp2 storage beyond the included 50 GB, "
                                  "single-AZ (half the Multi-AZ $0.23)", f"derived from {_DMS_PRICE_LIST}; "
                                  "ap-south-1 guide: $0.114", "2026-12-06", False),
    "dms_serverless_dcu_hour": Price(0.1133, "DCU-hour of DMS Serverless, single-AZ (1 DCU = 2 GB of memory)",
                                     "one secondary source, for ap-south-1 ($0.113289353); no us-east-1 rate found",
                                     "2026-12-06", False),
    "rds_snapshot_export_gb": Price(0.013, "GB of snapshot size exported to S3 (the whole snapshot, per export)",
                                    "one cost write-up quoting the RDS for PostgreSQL pricing page's example; Aurora's "
                                    "rate is $0.01 (AWS Price List, us-east-1, via infracost's rds_cluster golden file)",
                                    "2026-12-06", False),
    "appflow_flow_run": Price(0.001, "flow run (every run counts, even one that moves no record)", _APPFLOW,
                              "2026-12-06"),
    "appflow_gb_processed": Price(0.02, "GB of data processed by flows", f"{_APPFLOW}; two others say $0.001 and "
                                  "$0.30 (conflict)", "2026-12-06", False),
})
DMS_INSTANCE_CLASSES = ("dms.t2.micro", "dms.t3.medium")
DMS_INCLUDED_STORAGE_GB = 50  # T2/T3 classes, per the Price List reading above (C and R classes: unverified)
DMS_DEFAULT_BATCH_SECONDS = 60  # CdcMaxBatchInterval's default (DMS S3Settings API reference)
DMS_SERVERLESS_DCUS = (1, 2, 4, 8, 16, 32, 64, 128, 192, 256, 384)  # DMS ComputeConfig API reference
PARQUET_FRACTION = 0.25  # assumption: the Iceberg copy of the table in Parquet, as a fraction of the database size


def dms_instance_monthly(instance_class: str = "dms.t3.medium", storage_gb: float = DMS_INCLUDED_STORAGE_GB,
                         multi_az: bool = False, hours: float = HOURS_A_MONTH) -> float:
    """A replication instance for ``hours``, busy or idle, plus its storage beyond the included 50 GB.

    Multi-AZ doubles both (a standby in a second zone). Raises ``ValueError`` for a class with no sourced price.
    """
    if instance_class not in DMS_INSTANCE_CLASSES:
        raise ValueError(f"no sourced price for {instance_class!r}; expected one of {DMS_INSTANCE_CLASSES}")
    copies = 2 if multi_az else 1
    hourly = PRICES[f"dms_{instance_class.removeprefix('dms.').replace('.', '_')}_hour"].usd
    extra_gb = max(0.0, storage_gb - DMS_INCLUDED_STORAGE_GB)
    storage = extra_gb * PRICES["dms_storage_gb_month"].usd * hours / HOURS_A_MONTH
    return copies * (hourly * hours + storage)


def dms_serverless_monthly(average_dcu: float = 1, hours: float = HOURS_A_MONTH, multi_az: bool = False) -> float:
    """A DMS Serverless replication's DCU-hours: it bills while provisioned, at least 1 DCU, busy or idle.

    ``average_dcu`` is the capacity averaged over the month as it scales between the configured minimum and
    maximum (1, 2, 4 ... 384 DCU). A stopped replication stays provisioned, and billed, for up to 48 hours.
    """
    if average_dcu < DMS_SERVERLESS_DCUS[0]:
        raise ValueError("DMS Serverless runs at 1 DCU at least")
    return (2 if multi_az else 1) * average_dcu * hours * PRICES["dms_serverless_dcu_hour"].usd


def snapshot_exports_monthly(snapshot_gb: float, exports_per_month: float = DAYS_A_MONTH) -> float:
    """Snapshot exports to S3, billed per GB of the whole snapshot each time (tables left out are still billed)."""
    return snapshot_gb * exports_per_month * PRICES["rds_snapshot_export_gb"].usd


def zero_etl_monthly(batches_per_day: float = 96, seconds_per_batch: float = 60, base_rpu: int = 8,
                     storage_gb: float = 0) -> float:
    """A zero-ETL integration into Redshift Serverless: no integration fee (unverified), the target's compute.

    The changes are applied by the target warehouse, so its RPU-seconds are the bill: each batch of changes is taken
    as its own burst at base capacity, at least 60 s (96 batches a day is one every 15 minutes, an assumption), plus
    the replicated data as managed storage. Queries the dashboard runs are apart (``warehouse_decision``).
    """
    billed_seconds = max(SERVERLESS_MINIMUM_SECONDS, math.ceil(round(seconds_per_batch, 6)))
    hours = min(HOURS_A_DAY, batches_per_day * billed_seconds / 3600)
    return redshift_serverless_monthly(hours, base_rpu, storage_gb)


def cdc_lake_monthly(database_gb: float, changes_per_day: float, merges_per_day: float = 24, tables: int = 1) -> float:
    """What the DMS options add in the lake: S3 PUTs of the CDC files and one Athena MERGE per batch.

    DMS writes one file per table per batch interval (60 s: at most 1,440 a day) in which changes arrived, so
    a quiet table writes fewer; each MERGE reads the Iceberg table (``PARQUET_FRACTION`` of the database, an
    assumption) at $5 per TB, and a batch with no change need not run.
    """
    files = min(tables * 86400 / DMS_DEFAULT_BATCH_SECONDS, changes_per_day)
    puts = files * DAYS_A_MONTH / 1000 * PRICES["s3_put_per_1000"].usd
    table_bytes = int(database_gb * PARQUET_FRACTION * GB)
    return puts + min(merges_per_day, changes_per_day) * DAYS_A_MONTH * athena_query(table_bytes)


def ingestion_decision(database_gb: float, changes_per_day: float, dms_instance_class: str = "dms.t3.medium",
                       serverless_average_dcu: float = 1, merges_per_day: float = 24,
                       zero_etl_batches_per_day: float = 96, base_rpu: int = 8) -> list[dict]:
    """A month of getting one PostgreSQL database into the lake (or Redshift) four ways, with what each gives.

    Parameters
    ----------
    database_gb : float
        Size of the database (and of its snapshot, which is what an export bills).
    changes_per_day : float
        Inserts, updates and deletes a day. Below one a minute they thin out DMS's files, the MERGEs and the
        zero-ETL batches; above, DMS and exports bill by the hour or the snapshot whatever the volume.
    dms_instance_class : str
        ``dms.t2.micro`` or ``dms.t3.medium``.
    serverless_average_dcu : float
        Average DMS Serverless capacity (1 DCU at least).
    merges_per_day : float
        Athena MERGE batches a day into the Iceberg table (the DMS options).
    zero_etl_batches_per_day : float
        How often the zero-ETL target applies a batch of changes (each at least 60 s of ``base_rpu``).
    base_rpu : int
        Redshift Serverless base capacity for the zero-ETL target.

    Returns
    -------
    list of dict
        ``option``, ``monthly_usd`` (to the cent), ``latency``, ``history`` and ``notes``; the source database's
        own bill, common to all four, is left out.
    """
    lake = cdc_lake_monthly(database_gb, changes_per_day, merges_per_day)
    zero_etl_batches = min(zero_etl_batches_per_day, changes_per_day)
    redshift_gb = database_gb * PARQUET_FRACTION
    rows = [
        (f"DMS on a replication instance ({dms_instance_class})", dms_instance_monthly(dms_instance_class) + lake,
         "a batch interval (60 s) plus the MERGE schedule", "every change, with Op and its commit time",
         f"730 instance-hours, busy or idle; lake: ${lake:.2f} (CDC PUTs, {merges_per_day:g} MERGEs a day)."),
        (f"DMS Serverless ({serverless_average_dcu:g} DCU average)",
         dms_serverless_monthly(serverless_average_dcu) + lake,
         "a batch interval (60 s) plus the MERGE schedule", "every change, with Op and its commit time",
         "DCU-hours while provisioned (rate unconfirmed: an ap-south-1 figure; one guide says $0.20-0.25); "
         "a stopped replication bills up to 48 h more."),
        ("RDS snapshot export to S3, daily", snapshot_exports_monthly(database_gb),
         "a day, plus the export (the snapshot is restored first)", "one state a day; changes in between are lost",
         f"{database_gb:g} GB × 30.4 exports at ${PRICES['rds_snapshot_export_gb'].usd:g} a GB (unconfirmed); "
         "the whole snapshot is billed each time."),
        (f"zero-ETL to Redshift Serverless ({base_rpu} RPU)",
         zero_etl_monthly(zero_etl_batches, base_rpu=base_rpu, storage_gb=redshift_gb),
         "seconds to minutes (the target's refresh)", "the current state only, in Redshift (not in the lake)",
         f"no integration fee (unverified); {zero_etl_batches:g} batches a day × 60 s of {base_rpu} RPU, "
         f"plus {redshift_gb:g} GB of managed storage."),
    ]
    return [{"option": option, "monthly_usd": round(usd, 2), "latency": latency, "history": history,
             "notes": f"{notes} {changes_per_day:,.0f} changes a day."}
            for option, usd, latency, history, notes in rows]


def appflow_monthly(flow_runs: int, gb_processed: float) -> float:
    """AppFlow's month: every flow run ($0.001, even one that moves nothing) plus the GB processed ($0.02, unconfirmed).

    An incremental flow run every 15 minutes is 2,920 runs a month, $2.92, before any data.
    """
    if flow_runs < 0 or gb_processed < 0:
        raise ValueError("flow runs and GB processed cannot be negative")
    return flow_runs * PRICES["appflow_flow_run"].usd + gb_processed * PRICES["appflow_gb_processed"].usd

# What `lakelab plan` prices that no week's calculator needed: a lab's KMS key, its database's hours, its
# replication instance's hours, and CloudTrail data events (read 2026-12-07).
_KMS = "AWS KMS pricing page (https://aws.amazon.com/kms/pricing/): \"$1/month (prorated hourly)\""
PRICES.update({
    "kms_key_month": Price(1.00, "customer managed KMS key a month, prorated hourly (none while scheduled for "
                           "deletion; AWS managed keys free; 20,000 requests a month free)", _KMS, "2026-12-07"),
    "rds_postgres_t4g_micro_hour": Price(0.016, "hour of a single-AZ db.t4g.micro RDS for PostgreSQL instance "
                                         "(billed per second, 10-minute minimum)",
                                         "one cost guide (infratally.com, 2026); the 10-minute minimum: RDS user "
                                         "guide, On-Demand DB instances", "2026-12-07", False),
    "dms_t3_micro_hour": Price(0.018, "hour of a single-AZ dms.t3.micro replication instance (assumed the "
                               "dms.t2.micro rate)", "unverified: no source found for dms.t3.micro", "2026-12-07",
                               False),
    "cloudtrail_data_events_per_100k": Price(0.10, "100,000 data events delivered by a trail (the first copy of "
                                             "management events is free)", "widely quoted; no source found",
                                             "2026-12-07", False),
})
