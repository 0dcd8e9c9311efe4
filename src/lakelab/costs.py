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
}
GB = 1024**3


@dataclass(frozen=True)
class Line:
    item: str
    quantity: str
    usd: float


def s3_lab(stored_bytes: int, put_requests: int, get_requests: int, days: float = 1.0) -> list[Line]:
    """Storage for ``days`` plus requests: what a lab's bucket costs if left up that long."""
    storage = stored_bytes / GB * PRICES["s3_standard_gb_month"].usd * days / 30
    puts = put_requests / 1000 * PRICES["s3_put_per_1000"].usd
    gets = get_requests / 1000 * PRICES["s3_get_per_1000"].usd
    return [
        Line("S3 Standard storage", f"{stored_bytes / 1e6:.2f} MB for {days:g} day(s)", storage),
        Line("S3 PUT/LIST requests", f"{put_requests}", puts),
        Line("S3 GET requests", f"{get_requests}", gets),
    ]


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
        f"- {key}: ${PRICES[key].usd} per {PRICES[key].unit} — {PRICES[key].source}, {PRICES[key].as_of}"
        f"{'' if PRICES[key].confirmed else ' (unconfirmed: check the pricing page)'}"
        for key in keys
    )


MB = 1024**2
TB = 1024**4


def athena_query(scanned_bytes: int) -> float:
    """Athena's bill for one query: scanned bytes rounded up to the MB, at least 10 MB, at $5 per TB."""
    billed_megabytes = max(10, -(-scanned_bytes // MB))
    return billed_megabytes * MB / TB * PRICES["athena_per_tb"].usd
