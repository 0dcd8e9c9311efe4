"""What a lab costs on a real account, from dated published prices (us-east-1, on demand, USD).

Every price names its source and the date it was read; ``confirmed`` is False for a figure only
one secondary source (or none) supports. Check the live pricing page before relying on a number.
"""

from __future__ import annotations

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
}
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
