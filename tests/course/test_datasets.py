"""The committed datasets: reproducible byte for byte, consistent with each other, as documented."""

from __future__ import annotations

import csv
import json
import re
import time
from decimal import Decimal
from pathlib import Path

import pandas as pd
import pytest

from lakelab.course import datasets
from lakelab.course.datasets import CUSTOMER_COLUMNS, DMS_COLUMNS, FILES, ORDER_COLUMNS


@pytest.fixture(scope="module")
def larger(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """5,000 orders: larger than the committed files, fast enough for every run."""
    return datasets.generate(tmp_path_factory.mktemp("larger"), rows=5_000, progress=False)


def _bytes(written: dict[str, Path]) -> dict[str, bytes]:
    return {name: written[name].read_bytes() for name in FILES}


def _dms_rows(*paths: Path) -> list[dict[str, str]]:
    rows = []
    for source in paths:
        with open(source, encoding="utf-8", newline="") as handle:
            rows += [dict(zip(DMS_COLUMNS, row, strict=True)) for row in csv.reader(handle)]
    return rows


def test_committed_files_are_exactly_what_the_generator_writes(tmp_path):
    fresh = datasets.generate(tmp_path, progress=False)
    stale = [name for name in FILES if fresh[name].read_bytes() != datasets.path(name).read_bytes()]
    assert not stale, f"datasets/ is out of date for {stale}: run datasets.generate(DATASET_DIR)"


def test_same_seed_gives_same_bytes_and_another_seed_differs(tmp_path, larger):
    again = datasets.generate(tmp_path / "again", rows=5_000, progress=False)
    other = datasets.generate(tmp_path / "other", rows=5_000, seed=7, progress=False)
    assert _bytes(again) == _bytes(larger)
    assert all(other[name].read_bytes() != larger[name].read_bytes() for name in FILES)


def test_output_does_not_depend_on_the_local_time_zone(tmp_path, monkeypatch):
    if not hasattr(time, "tzset"):
        pytest.skip("time.tzset is only available on Unix")
    monkeypatch.setenv("TZ", "LAKE-14")  # POSIX form of UTC+14, needs no tz database
    time.tzset()
    try:
        shifted = datasets.generate(tmp_path, rows=300, progress=False)
    finally:
        monkeypatch.undo()
        time.tzset()
    assert _bytes(shifted) == _bytes(datasets.generate(tmp_path / "utc", rows=300, progress=False))


def test_rows_scale_every_file(larger):
    assert len(pd.read_csv(larger["orders"])) == 5_000
    assert len(pd.read_csv(larger["customers"])) == 750
    assert len(larger["clickstream"].read_text(encoding="utf-8").splitlines()) == 7_500
    assert len(_dms_rows(larger["dms_full_load"])) == 5_000


def test_too_few_rows_is_refused(tmp_path):
    with pytest.raises(ValueError, match="at least 100"):
        datasets.generate(tmp_path, rows=10, progress=False)


def test_path_names_every_file_and_rejects_unknown_names():
    assert datasets.path("orders") == datasets.DATASET_DIR / "orders.csv"
    assert all(datasets.path(name).is_file() for name in FILES)
    with pytest.raises(ValueError, match="valid names: orders, customers"):
        datasets.path("order")


def test_cdc_files_are_listed_in_the_order_to_apply_them():
    files = datasets.cdc_files()
    assert [f.name for f in files] == sorted(f.name for f in files)
    assert len(files) == 3 and all(re.fullmatch(r"\d{8}-\d{9}\.csv", f.name) for f in files)


def test_orders_have_documented_columns_and_types():
    orders = pd.read_csv(datasets.path("orders"))
    assert tuple(orders.columns) == ORDER_COLUMNS
    assert orders["order_id"].is_unique and len(orders) == 2_000
    assert pd.api.types.is_integer_dtype(orders["quantity"])
    assert pd.api.types.is_float_dtype(orders["unit_price"])
    placed = pd.to_datetime(orders["order_ts"], format="%Y-%m-%dT%H:%M:%SZ", utc=True)
    assert placed.is_monotonic_increasing
    assert placed.min() >= pd.Timestamp("2024-01-01", tz="UTC")
    assert placed.max() < pd.Timestamp("2024-07-01", tz="UTC")
    per_month = placed.dt.month.value_counts()
    assert sorted(per_month.index) == [1, 2, 3, 4, 5, 6] and per_month.min() > 250
    assert set(orders["status"]) == {"placed", "shipped", "delivered", "cancelled", "returned"}
    assert set(orders["currency"]) == {"EUR", "USD", "GBP"}
    assert set(orders["channel"]) == {"web", "app", "store"}
    assert orders["country"].str.fullmatch(r"[A-Z]{2}").all()


def test_amount_is_quantity_times_unit_price_to_the_cent():
    orders = pd.read_csv(datasets.path("orders"), dtype=str)
    assert orders["unit_price"].str.fullmatch(r"\d+\.\d\d").all()
    assert orders["amount"].str.fullmatch(r"\d+\.\d\d").all()
    for quantity, price, amount in orders[["quantity", "unit_price", "amount"]].itertuples(index=False):
        assert Decimal(quantity) * Decimal(price) == Decimal(amount)


def test_quoting_is_exercised_and_round_trips():
    raw = datasets.path("orders").read_text(encoding="utf-8")
    assert '"Poster ""Lake at Dawn"", A2"' in raw
    names = set(pd.read_csv(datasets.path("orders"))["product_name"])
    assert {'Poster "Lake at Dawn", A2', "Trail Mix, Salted", '12" Cast Iron Skillet'} <= names


def test_customers_have_documented_columns_and_look_synthetic():
    customers = pd.read_csv(datasets.path("customers"))
    assert tuple(customers.columns) == CUSTOMER_COLUMNS
    assert customers["customer_id"].is_unique and len(customers) == 300
    assert pd.api.types.is_bool_dtype(customers["marketing_opt_in"])
    assert customers["email"].str.fullmatch(r"[a-z.]+\.\d+@example\.(com|org|net)").all()
    assert customers["email"].is_unique
    assert customers["phone"].str.fullmatch(r"\+1-555-01\d\d").all()
    born = pd.to_datetime(customers["date_of_birth"], format="%Y-%m-%d")
    signed_up = pd.to_datetime(customers["signup_date"], format="%Y-%m-%d")
    assert born.dt.year.between(1950, 2005).all() and (signed_up < "2024-01-01").all()


def test_orders_refer_to_existing_customers_in_the_same_country(larger):
    for source in (datasets.DATASET_DIR, larger["orders"].parent):
        customers = pd.read_csv(source / FILES["customers"]).set_index("customer_id")
        orders = pd.read_csv(source / FILES["orders"])
        assert orders["customer_id"].isin(customers.index).all()
        ships_to = orders["customer_id"].map(customers["country"])
        assert (orders["country"] == ships_to).all()


def test_clickstream_lines_are_nested_json_that_refers_to_known_customers_and_products():
    customers = set(pd.read_csv(datasets.path("customers"))["customer_id"])
    skus = set(pd.read_csv(datasets.path("orders"))["sku"])
    lines = datasets.path("clickstream").read_text(encoding="utf-8").splitlines()
    events = [json.loads(line) for line in lines]
    assert len(events) == 3_000 and len({e["event_id"] for e in events}) == 3_000
    assert {e["event_type"] for e in events} == {
        "page_view", "search", "add_to_cart", "checkout", "purchase"}
    for event in events:
        assert set(event["user"]["device"]) == {"type", "os", "browser"}
        assert event["user"]["customer_id"] is None or event["user"]["customer_id"] in customers
        assert "2024-01-01T" <= event["event_ts"] < "2024-07-01T" and event["event_ts"].endswith("Z")
        for item in event["items"]:
            assert set(item) == {"sku", "quantity", "price"} and item["sku"] in skus
        if event["event_type"] in ("page_view", "search"):
            assert event["items"] == []
        else:
            assert event["items"], f"{event['event_type']} without items"
    assert any(e["user"]["customer_id"] is None for e in events)
    assert all("query" in e["properties"] for e in events if e["event_type"] == "search")


def test_dms_full_load_is_the_orders_table_without_a_header():
    loaded = _dms_rows(datasets.path("dms_full_load"))
    orders = pd.read_csv(datasets.path("orders"), dtype=str, keep_default_na=False)
    assert {row["Op"] for row in loaded} == {"I"}
    assert [row["order_id"] for row in loaded] == list(orders["order_id"])
    first = loaded[0]
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{6}", first["cdc_ts"])
    assert first["order_ts"].replace(" ", "T") + "Z" == orders["order_ts"][0]
    assert [first[column] for column in ORDER_COLUMNS if column != "order_ts"] == [
        orders[column][0] for column in ORDER_COLUMNS if column != "order_ts"]


@pytest.mark.parametrize("source", ["committed", "larger"])
def test_cdc_changes_refer_to_existing_orders_and_apply_cleanly(source, larger):
    root = datasets.DATASET_DIR if source == "committed" else larger["orders"].parent
    table = {row["order_id"]: row for row in _dms_rows(root / FILES["dms_full_load"])}
    loaded, changes = len(table), _dms_rows(*datasets.cdc_files(root))
    assert [c["cdc_ts"] for c in changes] == sorted(c["cdc_ts"] for c in changes)
    assert {c["Op"] for c in changes} == {"I", "U", "D"}
    for change in changes:
        key, op = change["order_id"], change["Op"]
        assert (key in table) == (op != "I"), f"{op} for {key}, which is {'' if key in table else 'not '}there"
        if op == "D":
            del table[key]
        else:
            table[key] = change
    inserted = sum(c["Op"] == "I" for c in changes)
    deleted = sum(c["Op"] == "D" for c in changes)
    assert len(table) == loaded + inserted - deleted
    changed_twice = pd.Series([c["order_id"] for c in changes if c["Op"] == "U"]).value_counts()
    assert changed_twice.max() >= 2, "no order changes twice: applying in order would not matter"


def test_readme_documents_every_file_and_column():
    readme = (datasets.DATASET_DIR / "README.md").read_text(encoding="utf-8")
    documented = set(re.findall(r"`([a-z_]+)`", readme))
    missing = [c for c in (*ORDER_COLUMNS, *CUSTOMER_COLUMNS, "cdc_ts") if c not in documented]
    assert not missing, f"datasets/README.md does not describe {missing}"
    assert all(Path(relative).name in readme for relative in FILES.values())
    assert str(datasets.DEFAULT_SEED) in readme and "lakelab data generate" in readme


def test_no_stray_files_in_the_dataset_folder():
    root = datasets.DATASET_DIR
    committed = {p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()}
    assert committed == {*FILES.values(), "README.md"}


def test_dataset_dir_is_the_repositorys_datasets_folder():
    assert (datasets.DATASET_DIR.parent / "pyproject.toml").is_file()
