"""The seeded CRM behind the course's stand-in for Salesforce: accounts and opportunities.

Accounts are the shop's business customers (``Customer_Id__c`` names the row in ``customers.csv``)
and a few prospects that have not ordered yet; opportunities are deals with them. Field names,
record Id prefixes (``001`` Account, ``006`` Opportunity) and the datetime format
(``2024-03-05T14:22:05.000+0000``) are Salesforce's, so an AppFlow flow reading them looks as it
would against a real org. Every value comes from one ``random.Random(seed)`` drawn in a fixed order.
"""

from __future__ import annotations

import datetime as dt
import random

ACCOUNT_FIELDS = ("Id", "Name", "Type", "Industry", "BillingCity", "BillingCountry", "Phone",
                  "NumberOfEmployees", "AnnualRevenue", "Customer_Id__c", "CreatedDate", "LastModifiedDate")
OPPORTUNITY_FIELDS = ("Id", "AccountId", "Name", "StageName", "Amount", "Probability", "CloseDate",
                      "CreatedDate", "LastModifiedDate")
PROSPECTS = 6
_SUFFIXES = ("Outfitters", "Trading", "Supplies", "Retail", "& Co", "Expeditions")
_INDUSTRIES = ("Retail", "Hospitality", "Education", "Recreation", "Consulting")
_STAGES = (("Prospecting", 10), ("Qualification", 20), ("Proposal/Price Quote", 60), ("Negotiation/Review", 80),
           ("Closed Won", 100), ("Closed Lost", 0))
_DEALS = ("Team kit", "Spring restock", "Event tents", "Staff uniforms", "Gift cards")
_START = dt.datetime(2024, 1, 1, tzinfo=dt.timezone.utc)
_SPAN_SECONDS = 181 * 86_400  # to 2024-06-30, the orders' span


def salesforce_datetime(moment: dt.datetime) -> str:
    """Salesforce's datetime text, to the millisecond: ``2024-03-05T14:22:05.000+0000`` (UTC)."""
    utc = moment.astimezone(dt.timezone.utc)
    return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}+0000"


def record_id(prefix: str, number: int) -> str:
    """An 18-character Salesforce-shaped Id: a 3-character key prefix, then digits (fictional)."""
    return f"{prefix}5g00000{number:08d}"


def _moment(rng: random.Random, after: dt.datetime | None = None) -> dt.datetime:
    start = after or _START
    remaining = max(1, int((_START + dt.timedelta(seconds=_SPAN_SECONDS) - start).total_seconds()))
    return start + dt.timedelta(seconds=rng.randrange(remaining))


def accounts(rng: random.Random, business_customers: list[list[str]]) -> list[list]:
    """One account per business customer (``customers.csv`` rows), then the prospects."""
    rows = []
    for number, customer in enumerate(business_customers, 1):
        rows.append(_account(rng, number, customer[2], customer[6], customer[7], customer[4], customer[0], "Customer"))
    for number in range(len(rows) + 1, len(rows) + PROSPECTS + 1):
        rows.append(_account(rng, number, f"Prospect {number}", "", "", "", "", "Prospect"))
    return rows


def _account(rng: random.Random, number: int, name: str, city: str, country: str, phone: str, customer_id: str,
             kind: str) -> list:
    created = _moment(rng)
    modified = _moment(rng, created)
    return [record_id("001", number), f"{name} {rng.choice(_SUFFIXES)}", kind, rng.choice(_INDUSTRIES), city,
            country, phone, rng.choice((5, 12, 25, 40, 80, 150)), rng.randrange(2, 400) * 10_000, customer_id,
            salesforce_datetime(created), salesforce_datetime(modified)]


def opportunities(rng: random.Random, account_rows: list[list]) -> list[list]:
    """Zero to four deals per account, each created after its account."""
    rows: list[list] = []
    for account in account_rows:
        account_created = dt.datetime.strptime(account[10], "%Y-%m-%dT%H:%M:%S.000+0000").replace(tzinfo=dt.timezone.utc)
        for _ in range(rng.choice((0, 1, 2, 2, 3, 4))):
            stage, probability = rng.choice(_STAGES)
            created = _moment(rng, account_created)
            modified = _moment(rng, created)
            close = (created + dt.timedelta(days=rng.randrange(14, 90))).date().isoformat()
            rows.append([record_id("006", len(rows) + 1), account[0], f"{account[1]} - {rng.choice(_DEALS)}", stage,
                         f"{rng.randrange(5, 500) * 100}.00", probability, close, salesforce_datetime(created),
                         salesforce_datetime(modified)])
    return rows
