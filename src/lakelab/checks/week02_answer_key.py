"""Week 2's answer key: what each exercise's answer must be, computed from the course datasets with pandas."""

from __future__ import annotations

import pandas as pd

from lakelab.course import datasets


def orders() -> pd.DataFrame:
    return pd.read_csv(datasets.path("orders"))


def revenue_by_country(status: str | None = "delivered", month: str | None = None) -> dict[str, float]:
    rows = orders()
    if status:
        rows = rows[rows["status"] == status]
    if month:
        rows = rows[rows["order_ts"].str[:7] == month]
    return {country: round(total, 2) for country, total in rows.groupby("country")["amount"].sum().items()}


def orders_by_month() -> dict[str, int]:
    return {month: int(n) for month, n in orders()["order_ts"].str[:7].value_counts().sort_index().items()}


def _dms_changes() -> pd.DataFrame:
    return pd.concat(
        pd.read_csv(path, header=None, names=list(datasets.DMS_COLUMNS), dtype=str)
        for path in [datasets.path("dms_full_load"), *datasets.cdc_files()]
    )


def dms_changes_by_op() -> dict[str, tuple[int, float]]:
    """Per Op: how many changes, and the sum of their amounts (the answer key of exercise 2.7)."""
    changes = _dms_changes()
    amounts = pd.to_numeric(changes["amount"], errors="coerce")
    return {op: (int((changes["Op"] == op).sum()), round(float(amounts[changes["Op"] == op].sum()), 2))
            for op in sorted(changes["Op"].unique())}


def current_order_count() -> int:
    """Orders alive after applying the DMS full load and every change, newest change per order."""
    latest = _dms_changes().sort_values("cdc_ts").groupby("order_id").tail(1)
    return int((latest["Op"] != "D").sum())
