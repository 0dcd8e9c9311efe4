"""The values inside the course's datasets: who the customers are, what they order, how orders change.

Every draw takes the one ``random.Random`` it is given, in a fixed order, so ``datasets.generate``
writes the same bytes for the same seed. Money is integer cents and times UTC arithmetic.
"""

from __future__ import annotations

import random
import unicodedata
import uuid
from datetime import date, datetime, timedelta, timezone
from itertools import accumulate
from urllib.parse import quote_plus

ISO = "%Y-%m-%dT%H:%M:%SZ"  # orders.csv
DB_TIME = "%Y-%m-%d %H:%M:%S"  # a source-database TIMESTAMP, as DMS writes it out as text
DMS_TIME = "%Y-%m-%d %H:%M:%S.%f"  # DMS's own timestamp column (TimestampColumnName)
ORDERS_START = datetime(2024, 1, 1, tzinfo=timezone.utc)
ORDERS_SECONDS = 182 * 86_400  # 2024-01-01 up to the end of 2024-06-30
FULL_LOAD_START = datetime(2024, 7, 1, tzinfo=timezone.utc)
CDC_START = datetime(2024, 7, 1, 1, tzinfo=timezone.utc)
CDC_BATCH_ENDS = tuple(hours * 3_600_000_000 for hours in (11, 35, 59))  # µs after CDC_START

_COUNTRIES = {  # country: (currency, cities, weight)
    "US": ("USD", ("Springfield", "Portland", "Austin", "Denver"), 34),
    "GB": ("GBP", ("Leeds", "Bristol", "Manchester"), 16),
    "DE": ("EUR", ("Berlin", "Hamburg", "Leipzig"), 15),
    "FR": ("EUR", ("Lyon", "Nantes", "Lille"), 11),
    "NL": ("EUR", ("Utrecht", "Rotterdam"), 8),
    "ES": ("EUR", ("Valencia", "Sevilla"), 8),
    "IE": ("EUR", ("Cork", "Galway"), 8),
}
_COUNTRY_CUM = tuple(accumulate(weight for _, _, weight in _COUNTRIES.values()))
_PRICE_PERCENT = {"EUR": 100, "USD": 108, "GBP": 86}  # of the EUR list price
_PRODUCTS = (  # sku, name, EUR list price in cents; some names need CSV quoting on purpose
    ("SKU-1001", "Enamel Mug", 1450), ("SKU-1002", 'Poster "Lake at Dawn", A2', 2400),
    ("SKU-1003", "Trail Mix, Salted", 650), ("SKU-1004", '12" Cast Iron Skillet', 3999),
    ("SKU-1005", "Merino Beanie", 2900), ("SKU-1006", "Insulated Bottle", 3250),
    ("SKU-1007", "Camping Lantern", 4475), ("SKU-1008", "Trekking Poles (pair)", 6900),
    ("SKU-1009", "Field Notebook", 890), ("SKU-1010", "Rain Jacket", 11900),
    ("SKU-1011", "Hammock, Double", 5400), ("SKU-1012", "Wool Socks", 1699),
)
_PRODUCT_CUM = tuple(accumulate((9, 4, 8, 3, 6, 7, 4, 3, 9, 2, 3, 8)))
_QUANTITY_CUM = (50, 75, 88, 95, 100)  # mostly single items
_DISCOUNT_PERCENT = (100, 100, 100, 100, 90, 80)
_CHANNELS, _CHANNEL_CUM = ("web", "app", "store"), (50, 90, 100)
_SEGMENTS, _SEGMENT_CUM = ("consumer", "business", "vip"), (80, 95, 100)
# Accented names and an apostrophe on purpose: files are UTF-8 and learners should notice.
_FIRST_NAMES = ("Ada Alan Amara Ben Chloé Dmitri Elena Farid Grace Hana Inés Jonas Kofi Lena "
                "Luca Maya Mei Noah Olga Priya Rafael Sofia Tomás Yuki Zoë").split()
_LAST_NAMES = ("Andersen Baker Costa Dubois Eriksen Fischer García Hughes Ivanova Jensen "
               "Kowalski Lambert Meyer Nakamura O'Brien Patel Quinn Rossi Schmidt Tanaka Usman "
               "Varga Walsh Young Zimmermann").split()
_STREETS = ("Example Street", "Sample Lane", "Placeholder Road", "Test Avenue", "Demo Way",
            "Mock Court", "Fictional Row")
_SHOP = "https://shop.example.com"
_REFERRERS = (None, None, "https://www.example.org/search?q=outdoor+gear",
              "https://social.example.net/p/8812", "https://news.example.com/gift-guide")
_QUERIES = ("mug", "rain jacket", "socks, wool", 'skillet 12"', "lantern", "gift for hiker")
_DEVICES = (("desktop", "Windows", "Chrome"), ("desktop", "macOS", "Safari"),
            ("desktop", "Linux", "Firefox"), ("mobile", "iOS", "Safari"),
            ("mobile", "Android", "Chrome"), ("tablet", "iPadOS", "Safari"))
_PAYMENT_METHODS = ("card", "card", "paypal", "gift_card")

Change = tuple[int, str, list]  # (µs after CDC_START, Op, row as DMS writes it)


def customer(rng: random.Random, customer_id: str, number: int) -> list:
    first, last = rng.choice(_FIRST_NAMES), rng.choice(_LAST_NAMES)
    country = rng.choices(tuple(_COUNTRIES), cum_weights=_COUNTRY_CUM)[0]
    local = unicodedata.normalize("NFKD", f"{first}.{last}").encode("ascii", "ignore").decode()
    local = local.lower().replace("'", "")
    domain = rng.choice(("example.com", "example.org", "example.net"))
    return [customer_id, first, last, f"{local}.{number}@{domain}",
            f"+1-555-01{rng.randrange(100):02d}",  # 555-0100..0199 is reserved for fiction
            f"{rng.randint(1, 250)} {rng.choice(_STREETS)}", rng.choice(_COUNTRIES[country][1]),
            country, _random_day(rng, date(1950, 1, 1), date(2005, 12, 31)),
            _random_day(rng, date(2022, 1, 1), date(2023, 12, 31)),
            "true" if rng.random() < 0.4 else "false",
            rng.choices(_SEGMENTS, cum_weights=_SEGMENT_CUM)[0]]


def pick_changed_orders(rng: random.Random, rows: int) -> dict[int, str]:
    """Order index -> "U" or "D"; updates lean to recent orders, which are still moving along."""
    recent = rows - rows * 4 // 100  # about the last week of June
    updated = rng.sample(range(recent, rows), rows * 3 // 100)
    older = rng.sample(range(recent), rows * 2 // 100)
    corrected, deleted = older[: rows // 100], older[rows // 100:]
    return dict.fromkeys(updated + corrected, "U") | dict.fromkeys(deleted, "D")


def order(rng: random.Random, order_id: str, seconds: int, countries: list[str]) -> list:
    customer = rng.randrange(len(countries))
    country = countries[customer]
    currency = _COUNTRIES[country][0]
    sku, name, list_cents = rng.choices(_PRODUCTS, cum_weights=_PRODUCT_CUM)[0]
    unit_cents = list_cents * _PRICE_PERCENT[currency] // 100 * rng.choice(_DISCOUNT_PERCENT) // 100
    quantity = rng.choices((1, 2, 3, 4, 5), cum_weights=_QUANTITY_CUM)[0]
    customer_id = f"c-{customer + 1:0{max(5, len(str(len(countries))))}d}"
    return [order_id, customer_id, at(ORDERS_START, ISO, seconds=seconds),
            _status(rng, (ORDERS_SECONDS - seconds) // 86_400), sku, name, quantity,
            _money(unit_cents), _money(unit_cents * quantity), currency, country,
            rng.choices(_CHANNELS, cum_weights=_CHANNEL_CUM)[0]]


def _status(rng: random.Random, age_days: int) -> str:
    """Older orders have moved further along: placed, then shipped, then delivered."""
    roll = rng.random()
    if roll < 0.04:
        return "cancelled"
    if age_days < 2:
        return "placed"
    if age_days < 6:
        return "shipped" if roll < 0.7 else "placed"
    return "returned" if roll > 0.96 else "delivered"


def cdc_changes(rng: random.Random, touched: list[tuple[str, list]], new_orders: list[str],
                countries: list[str]) -> list[Change]:
    """The CDC changes in commit order.

    Some orders change twice, in different files, and new orders are updated after their
    insert: only applying the files in order, latest change per key winning, gives the
    right final table.
    """
    changes: list[Change] = []
    for op, row in touched:
        if op == "D":
            changes.append((rng.randrange(CDC_BATCH_ENDS[-1]), "D", row))
        else:
            changes += _updates(rng, row)
    for order_id in new_orders:
        first, later = _two_moments(rng)
        row = order(rng, order_id, 0, countries)
        row[2], row[3] = at(CDC_START, DB_TIME, microseconds=first), "placed"
        changes.append((first, "I", row))
        if rng.random() < 0.5:
            changes.append((later, "U", [*row[:3], "shipped", *row[4:]]))
    return sorted(changes, key=lambda change: change[0])


def _updates(rng: random.Random, row: list) -> list[Change]:
    """An order's next status (maybe two steps), or for a finished order a quantity fix."""
    first, later = _two_moments(rng)
    if row[3] in ("cancelled", "returned"):
        quantity = row[6] - 1 if row[6] > 1 else row[6] + 1
        amount = _money(int(row[7].replace(".", "")) * quantity)
        return [(first, "U", [*row[:6], quantity, row[7], amount, *row[9:]])]
    step = {"placed": "shipped", "shipped": "delivered", "delivered": "returned"}[row[3]]
    changes = [(first, "U", [*row[:3], step, *row[4:]])]
    if step == "shipped" and rng.random() < 0.5:
        changes.append((later, "U", [*row[:3], "delivered", *row[4:]]))
    return changes


def _two_moments(rng: random.Random) -> tuple[int, int]:
    """Two distinct commit times, earliest first, so one order's changes never tie."""
    first = rng.randrange(CDC_BATCH_ENDS[-1] - 1)
    return first, first + 1 + rng.randrange(CDC_BATCH_ENDS[-1] - 1 - first)


def session(rng: random.Random, customer_id: str | None, start_ms: int) -> list[dict]:
    device = dict(zip(("type", "os", "browser"), rng.choice(_DEVICES)))
    session_id, referrer, moment = f"s-{rng.getrandbits(64):016x}", rng.choice(_REFERRERS), start_ms
    events = []
    for event_type, url, items, properties in _session_steps(rng):
        moment += rng.randint(2_000, 90_000)
        event_ts = ORDERS_START + timedelta(milliseconds=moment)
        events.append({
            "event_id": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
            "event_ts": event_ts.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            "event_type": event_type, "session_id": session_id,
            "user": {"customer_id": customer_id, "device": device},
            "page": {"url": url, "referrer": referrer}, "items": items, "properties": properties,
        })
        referrer = url
    return events


def _session_steps(rng: random.Random) -> list[tuple[str, str, list, dict]]:
    """A shopping funnel: home, maybe a search, product pages, then fewer carts and purchases."""
    steps: list[tuple[str, str, list, dict]] = [("page_view", f"{_SHOP}/", [], {})]
    if rng.random() < 0.3:
        query = rng.choice(_QUERIES)
        steps.append(("search", f"{_SHOP}/search?q={quote_plus(query)}", [], {"query": query}))
    viewed = rng.sample(_PRODUCTS, rng.randint(1, 3))
    steps += [("page_view", f"{_SHOP}/p/{sku}", [], {}) for sku, _, _ in viewed]
    if rng.random() < 0.35:
        cart = [{"sku": sku, "quantity": rng.choices((1, 2, 3), cum_weights=(70, 90, 100))[0],
                 "price": cents / 100} for sku, _, cents in viewed[: rng.randint(1, len(viewed))]]
        source = rng.choice(("product_page", "search", "recommendation"))
        steps.append(("add_to_cart", f"{_SHOP}/p/{viewed[0][0]}", cart, {"source": source}))
        if rng.random() < 0.5:
            steps.append(("checkout", f"{_SHOP}/checkout", cart, {}))
            if rng.random() < 0.8:
                payment = {"payment_method": rng.choice(_PAYMENT_METHODS)}
                steps.append(("purchase", f"{_SHOP}/checkout/complete", cart, payment))
    return steps


def at(start: datetime, form: str = DMS_TIME, **offset: float) -> str:
    """``start`` plus an offset (timedelta keywords) as text: UTC arithmetic, never local time."""
    return (start + timedelta(**offset)).strftime(form)


def _random_day(rng: random.Random, first: date, last: date) -> str:
    return date.fromordinal(rng.randint(first.toordinal(), last.toordinal())).isoformat()


def _money(cents: int) -> str:
    return f"{cents // 100}.{cents % 100:02d}"
