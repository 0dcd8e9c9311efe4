"""The course's seeded synthetic datasets: orders, customers, clickstream, DMS change files and a CRM.

Every value comes from one ``random.Random(seed)`` drawn in a fixed order; money is computed in
integer cents and times with UTC arithmetic, so a seed and a row count give the same bytes on
every machine. Rows are streamed to disk and only the orders that change data capture (CDC)
will touch are kept in memory, which keeps ``generate(rows=1_000_000)`` practical. This module
writes the files; :mod:`lakelab.course.synthetic` draws what goes in them.
"""

from __future__ import annotations

import csv
import io
import json
import random
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

from tqdm import tqdm

from lakelab.course import synthetic
from lakelab.course.synthetic import Change

DATASET_DIR = Path(__file__).resolve().parents[3] / "datasets"
DEFAULT_ROWS = 2_000
DEFAULT_SEED = 20240601

_DMS_DIR = "dms/sales/orders"
# DMS names a CDC file after the moment it wrote it: here, the end of each batch window below.
_CDC_FILE_STAMPS = ("20240701-120000123", "20240702-120000456", "20240703-120000789")
FILES: dict[str, str] = {
    "orders": "orders.csv",
    "customers": "customers.csv",
    "clickstream": "clickstream.jsonl",
    "dms_full_load": f"{_DMS_DIR}/LOAD00000001.csv",
    **{f"dms_cdc_{n}": f"{_DMS_DIR}/{stamp}.csv" for n, stamp in enumerate(_CDC_FILE_STAMPS, 1)},
    "crm_accounts": "crm/Account.csv",
    "crm_opportunities": "crm/Opportunity.csv",
}
CRM_SEED = 20240701  # the CRM's own generator: adding it changed none of the other files

ORDER_COLUMNS = ("order_id", "customer_id", "order_ts", "status", "sku", "product_name",
                 "quantity", "unit_price", "amount", "currency", "country", "channel")
CUSTOMER_COLUMNS = ("customer_id", "first_name", "last_name", "email", "phone", "street_address",
                    "city", "country", "date_of_birth", "signup_date", "marketing_opt_in",
                    "segment")
# DMS files have no header row (AddColumnName=false), so this order is the only schema they carry.
DMS_COLUMNS = ("Op", "cdc_ts", *ORDER_COLUMNS)


def path(name: str) -> Path:
    """Path of a committed dataset file; ``name`` is a key of ``FILES``, e.g. ``"orders"``."""
    if name not in FILES:
        raise ValueError(f"unknown dataset {name!r}; valid names: {', '.join(FILES)}")
    return DATASET_DIR / FILES[name]


def orders_on(day: str) -> str:
    """The orders placed on ``day`` (``YYYY-MM-DD``), as a CSV file of their own, header first: one
    day's delivery for the daily pipelines of week 5 (11 orders a day in the committed file)."""
    lines = path("orders").read_text(encoding="utf-8").splitlines(keepends=True)
    rows = [row for row in csv.reader(io.StringIO("".join(lines[1:]))) if row and row[2].startswith(day)]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(ORDER_COLUMNS)
    writer.writerows(rows)
    return out.getvalue()


PARTNER_ROWS = 40  # the partner's July file: its first 40 orders of the course's orders, renumbered


def partner_orders() -> tuple[str, dict[int, str]]:
    """A partner's monthly file for week 8's COPY: 40 orders of July 2024 as CSV (header first, the
    course's order columns), three of them broken as partners' files are. Returns the file's text and
    the broken rows' line numbers in it (the header is line 1), each with what is wrong."""
    lines = path("orders").read_text(encoding="utf-8").splitlines()
    rows = list(csv.reader(io.StringIO("\n".join(lines[1:PARTNER_ROWS + 1]))))
    for number, row in enumerate(rows, 1):
        row[0] = f"p-{number:06d}"
        row[2] = "2024-07" + row[2][7:]
    broken = {6: "amount written with a decimal comma", 19: "order_ts is not a time", 33: "one column too many"}
    rows[4][8] = rows[4][8].replace(".", ",")
    rows[17][2] = "yesterday"
    rows[31].append("gift-wrapped")
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(ORDER_COLUMNS)
    writer.writerows(rows)
    return out.getvalue(), broken


def clickstream(month: str | None = None) -> list[dict]:
    """The clickstream's events, in time order; ``month`` (``YYYY-MM``) keeps one month's (week 6
    replays June 2024's 489)."""
    events = [json.loads(line) for line in path("clickstream").read_text(encoding="utf-8").splitlines() if line]
    return [event for event in events if month is None or event["event_ts"].startswith(month)]


def broken_clicks() -> list[bytes]:
    """What an old version of the shop's app sends beside good events (week 6): a record cut short
    (not JSON), one without its event type, one whose time is not a timestamp."""
    return [
        b'{"event_id":"broken-1","event_ts":"2024-06-30T23:59:58.000Z","event_type":"page_view","sess',
        json.dumps({"event_id": "broken-2", "event_ts": "2024-06-30T23:59:59.000Z", "session_id": "s-0ld4pp",
                    "user": {"customer_id": None}, "page": {"url": "https://shop.example.com/"}}).encode(),
        json.dumps({"event_id": "broken-3", "event_ts": "yesterday", "event_type": "search", "session_id": "s-0ld4pp",
                    "user": {"customer_id": None}, "page": {"url": "https://shop.example.com/search?q=tent"}}).encode(),
    ]


def readable_click(data: bytes) -> dict | None:
    """The clickstream's contract: a record is a JSON object with an ``event_id``, an ``event_type``
    and an ISO ``event_ts``; the event, or None for a record that breaks it."""
    from datetime import datetime

    try:
        event = json.loads(data)
        datetime.fromisoformat(event["event_ts"].replace("Z", "+00:00"))
    except (ValueError, TypeError, KeyError, AttributeError):
        return None
    return event if isinstance(event.get("event_id"), str) and isinstance(event.get("event_type"), str) else None


FLASH_SALE_SKU = "SKU-1006"


def flash_sale(views: int = 4_000) -> list[dict]:
    """A flash sale (week 6): ``views`` product views of one SKU within a minute, from 800 sessions;
    event ids are fixed, so the same sale is the answer key wherever it is made."""
    rng = random.Random(DEFAULT_SEED + 6)
    sessions = [f"s-flash{n:04d}" for n in range(800)]
    events = []
    for n in range(views):
        millis = n * 60_000 // views
        events.append({
            "event_id": f"flash-{n:05d}", "event_ts": f"2024-06-28T12:00:{millis // 1000:02d}.{millis % 1000:03d}Z",
            "event_type": "product_view", "session_id": rng.choice(sessions),
            "user": {"customer_id": None}, "page": {"url": f"https://shop.example.com/p/{FLASH_SALE_SKU}"},
            "items": [{"sku": FLASH_SALE_SKU, "quantity": 1, "price": 32.5}], "properties": {"campaign": "flash"}})
    return events


def cdc_files(root: Path = DATASET_DIR) -> list[Path]:
    """The DMS CDC files under ``root``, oldest first: the order to apply them in."""
    return [Path(root) / FILES[name] for name in FILES if name.startswith("dms_cdc_")]


def generate(out: Path, rows: int = DEFAULT_ROWS, seed: int = DEFAULT_SEED,
             progress: bool = True) -> dict[str, Path]:
    """Write every dataset file under ``out``, scaled to ``rows`` orders.

    Parameters
    ----------
    out : Path
        Folder to write into; the layout below it is ``FILES``.
    rows : int
        Number of orders (at least 100). Customers are 15 % of it, clickstream events 150 %,
        CDC changes about 10 %.
    seed : int
        Seed of the one random generator: the same seed and rows give byte-identical files.
    progress : bool
        Show a tqdm progress bar.

    Returns
    -------
    dict[str, Path]
        The written files, keyed like ``FILES``.
    """
    if rows < 100:
        raise ValueError(f"rows must be at least 100 (got {rows}): CDC changes a share of them")
    written = {name: Path(out) / relative for name, relative in FILES.items()}
    for target in written.values():
        target.parent.mkdir(parents=True, exist_ok=True)
    rng, customers, events = random.Random(seed), rows * 3 // 20, rows * 3 // 2
    with tqdm(total=customers + rows + events, unit="row", desc="datasets",
              disable=not progress) as bar:
        countries = _write_customers(rng, written["customers"], customers, bar.update)
        changes = _write_orders(rng, written, rows, countries, bar.update)
        _write_cdc(changes, written)
        _write_clickstream(rng, written["clickstream"], events, customers, bar.update)
    write_crm(written, seed)
    return written


def write_crm(written: dict[str, Path], seed: int = DEFAULT_SEED) -> None:
    """Write the CRM's ``Account.csv`` and ``Opportunity.csv`` (AppFlow's stand-in Salesforce, week 6)
    from the business customers in ``written["customers"]``; see :mod:`lakelab.course.crm`."""
    from lakelab.course import crm

    rng = random.Random(CRM_SEED + seed - DEFAULT_SEED)
    with open(written["customers"], encoding="utf-8", newline="") as handle:
        business = [row for row in list(csv.reader(handle))[1:] if row[-1] == "business"]
    accounts = crm.accounts(rng, business)
    for name, header, rows in (("crm_accounts", crm.ACCOUNT_FIELDS, accounts),
                               ("crm_opportunities", crm.OPPORTUNITY_FIELDS, crm.opportunities(rng, accounts))):
        with _csv_rows(written[name], header) as write:
            for row in rows:
                write(row)


@contextmanager
def _csv_rows(target: Path, header: tuple[str, ...] | None) -> Iterator[Callable]:
    # "\n" row endings (DMS's default row delimiter) keep the bytes the same on every platform.
    with open(target, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        if header:
            writer.writerow(header)
        yield writer.writerow


def _write_customers(rng: random.Random, target: Path, count: int, tick: Callable) -> list[str]:
    """Write customers.csv; return each customer's country, which their orders ship to."""
    countries, width = [], max(5, len(str(count)))
    with _csv_rows(target, CUSTOMER_COLUMNS) as write:
        for number in range(1, count + 1):
            row = synthetic.customer(rng, f"c-{number:0{width}d}", number)
            countries.append(row[7])
            write(row)
            tick()
    return countries


def _write_orders(rng: random.Random, written: dict[str, Path], rows: int, countries: list[str],
                  tick: Callable) -> list[Change]:
    """Stream orders.csv and the DMS full load (the same rows); return the CDC changes."""
    inserts = rows // 50
    width = max(6, len(str(rows + inserts)))
    operation, touched = synthetic.pick_changed_orders(rng, rows), []
    with _csv_rows(written["orders"], ORDER_COLUMNS) as write_order, \
            _csv_rows(written["dms_full_load"], None) as write_load:
        for index in range(rows):
            seconds = int((index + rng.random()) * synthetic.ORDERS_SECONDS / rows)  # ids follow time
            row = synthetic.order(rng, f"o-{index + 1:0{width}d}", seconds, countries)
            write_order(row)
            placed = synthetic.at(synthetic.ORDERS_START, synthetic.DB_TIME, seconds=seconds)
            dms_row = [*row[:2], placed, *row[3:]]
            write_load(["I", synthetic.at(synthetic.FULL_LOAD_START, microseconds=index * 250), *dms_row])
            if index in operation:
                touched.append((operation[index], dms_row))
            tick()
    new_orders = [f"o-{number:0{width}d}" for number in range(rows + 1, rows + inserts + 1)]
    return synthetic.cdc_changes(rng, touched, new_orders, countries)


def _write_cdc(changes: list[Change], written: dict[str, Path]) -> None:
    with ExitStack() as stack:
        writers = [stack.enter_context(_csv_rows(written[name], None))
                   for name in written if name.startswith("dms_cdc_")]
        for moment, op, row in changes:
            batch = next(n for n, end in enumerate(synthetic.CDC_BATCH_ENDS) if moment < end)
            writers[batch]([op, synthetic.at(synthetic.CDC_START, microseconds=moment), *row])


def _write_clickstream(rng: random.Random, target: Path, count: int, customers: int,
                       tick: Callable) -> None:
    width, written = max(5, len(str(customers))), 0
    # Sessions start in time order; an hour's margin keeps their last events inside June.
    span_ms = (synthetic.ORDERS_SECONDS - 3_600) * 1_000
    with open(target, "w", encoding="utf-8", newline="\n") as handle:
        while written < count:
            anonymous = rng.random() < 0.35
            customer_id = None if anonymous else f"c-{rng.randrange(customers) + 1:0{width}d}"
            session = synthetic.session(rng, customer_id, written * span_ms // count)[: count - written]
            for event in session:
                handle.write(json.dumps(event, separators=(",", ":")) + "\n")
                tick()
            written += len(session)
