"""What a lab's run costs on a real account, from the dated prices in ``course.costs``.

Two kinds of charge: what bills by the hour while it exists (a stream's shards, an MWAA environment,
a database, a KMS key) for the lab's duration as its reading states it (``Lab N minutes``), and what
bills by the request (Athena queries, Glue job runs and crawls, S3 requests, AppFlow runs), counted
from the run. Free tiers that every account has (Lambda, SQS, SNS, Step Functions transitions, KMS
requests, CloudWatch's first alarms and dashboards) are named as such. Sizes AWS does not report to
a plan (how long a Glue job or a crawl runs there, the bytes a query scans) are stated assumptions.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from lakelab.course import costs

PRICES = costs.PRICES
GLUE_JOB_DPU_HOURS = 2 * 2 / 60  # assumed: 2 DPU for 2 minutes a run (billed per second, 1-minute minimum)
CRAWL_DPU_HOURS = 10 / 60  # a crawl bills at least 10 minutes; assumed one DPU
EMR_SERVERLESS_WORKER_HOURS = 2 / 60  # assumed: one 4 vCPU / 16 GB worker for 2 minutes a run
REDSHIFT_SECONDS_A_STATEMENT = costs.SERVERLESS_MINIMUM_SECONDS  # an upper bound: every statement its own burst


@dataclass(frozen=True)
class Charge:
    item: str
    quantity: str
    usd: float
    confirmed: bool = True


def lab_minutes(lab: str) -> int:
    """The lab's duration from its reading's first lines (``Lab 60 minutes``); 60 when it says none."""
    from lakelab.plan.planner import repository

    try:
        head = (repository() / "weeks" / f"{lab}.md").read_text(encoding="utf-8")[:2000]
    except OSError:
        return 60
    found = re.search(r"Lab (\d+) minutes", head)
    return int(found.group(1)) if found else 60


def estimate(made: dict) -> tuple[list[Charge], int]:
    """The charges of one run of the lab, and the minutes they assume its resources live."""
    minutes = lab_minutes(made["lab"])
    hours = minutes / 60
    charges = [charge for kind, name, size in made["resources"] for charge in _hourly(kind, name, size, hours)]
    charges += _requests(made["requests"], hours)
    return [charge for charge in charges if charge is not None], minutes


def _price(key: str) -> tuple[float, bool]:
    price = PRICES[key]
    return price.usd, price.confirmed


def _hourly(kind: str, name: str, size: str, hours: float) -> list[Charge]:
    number = int(re.match(r"\d+", size).group()) if re.match(r"\d+", size or "") else 1
    rates = {
        "stream": ("kinesis_shard_hour", number, f"{number} shard(s) × {hours:g} h"),
        "environment": (f"mwaa_{size.removeprefix('mw1.')}_hour" if size else "mwaa_small_hour", 1,
                        f"{size or 'mw1.small'} × {hours:g} h"),
        "db instance": ("rds_postgres_t4g_micro_hour", 1, f"{size or 'db.t4g.micro'} × {hours:g} h"),
        "replication instance": ("dms_t3_micro_hour" if "t3" in size else "dms_t2_micro_hour", 1,
                                 f"{size or 'dms.t2.micro'} × {hours:g} h"),
    }
    if kind == "key":  # prorated hourly; nothing once scheduled for deletion (the Clean up does so)
        usd, confirmed = _price("kms_key_month")
        return [Charge(f"KMS key {name}", f"{hours:g} h of a month", usd * hours / costs.HOURS_A_MONTH, confirmed)]
    if kind not in rates or (kind == "environment" and f"mwaa_{size.removeprefix('mw1.')}_hour" not in PRICES):
        return []
    key, quantity, described = rates[kind]
    usd, confirmed = _price(key)
    return [Charge(f"{kind} {name}", described, usd * quantity * hours, confirmed)]


def _requests(counted: dict[str, int], hours: float) -> list[Charge]:
    charges = []

    def add(item: str, actions: tuple[str, ...], price_of_one: float, confirmed: bool, unit: str) -> None:
        count = sum(counted.get(action, 0) for action in actions)
        if count:
            charges.append(Charge(item, f"{count} {unit}", count * price_of_one, confirmed))

    glue, glue_ok = _price("glue_dpu_hour")
    add("Athena queries (10 MB minimum each, assumed)", ("athena:StartQueryExecution",),
        costs.athena_query(0), True, "queries")
    add("Glue job runs (2 DPU × 2 min each, assumed)", ("glue:StartJobRun",), glue * GLUE_JOB_DPU_HOURS, glue_ok, "runs")
    add("Glue crawls (10-minute minimum, 1 DPU assumed)", ("glue:StartCrawler",), glue * CRAWL_DPU_HOURS, False, "crawls")
    add("EMR Serverless job runs (one worker × 2 min, assumed)", ("emr-serverless:StartJobRun",),
        costs.emr_serverless_worker_hour() * EMR_SERVERLESS_WORKER_HOURS, False, "runs")
    put, _ = _price("s3_put_per_1000")
    get, _ = _price("s3_get_per_1000")
    add("S3 PUT, COPY, POST and LIST requests", ("s3:PutObject", "s3:ListBucket", "s3:ListBucketVersions"),
        put / 1000, True, "requests")
    add("S3 GET requests", ("s3:GetObject", "s3:GetObjectVersion"), get / 1000, True, "requests")
    run, run_ok = _price("appflow_flow_run")
    add("AppFlow flow runs started (scheduled runs add one a minute while active)", ("appflow:StartFlow",), run,
        run_ok, "runs")
    rpu, rpu_ok = _price("redshift_serverless_rpu_hour")
    statements = sum(counted.get(action, 0) for action in ("redshift-data:ExecuteStatement",
                                                            "redshift-data:BatchExecuteStatement"))
    if statements:
        active = min(hours, statements * REDSHIFT_SECONDS_A_STATEMENT / 3600)
        charges.append(Charge("Redshift Serverless, 8 RPU (upper bound: each statement a 60 s burst)",
                              f"{active * 60:.0f} active min", active * 8 * rpu, rpu_ok))
    return charges


FREE = ("Lambda, SQS, SNS, Step Functions Standard transitions, KMS requests (20,000 a month), CloudWatch's first "
        "10 alarm metrics and 3 dashboards, Glue Data Catalog (first million objects and requests), IAM, STS, "
        "Lake Formation and CloudTrail's event history cost nothing at a lab's volume (each within its always-free "
        "allowance)")


def total(charges: list[Charge]) -> float:
    return sum(charge.usd for charge in charges)
