"""Week 2 · exercise 2.12: a new column arrives in the raw data, and the catalog absorbs it.

Graded by state: the columns of ``shop_export`` (the new one, with the type the Parquet files store,
and the old ones unchanged) and an Athena query over the old and new files whose counts must equal
the answer key computed here from the course's orders.
"""

from __future__ import annotations

from lakelab.checks.framework import exercise, expect
from lakelab.checks.week02_answer_key import orders

WEEK = 2
NEW_COLUMN = "coupon_code"
FIRST_NEW_MONTH = "2024-05"  # the export with the new column starts in May
OLD_COLUMNS = {"order_id": "string", "customer_id": "string", "order_ts": "string", "status": "string",
               "sku": "string", "product_name": "string", "quantity": "bigint", "unit_price": "double",
               "amount": "double", "currency": "string", "country": "string", "channel": "string"}
_DOCS = ("Athena user guide, 'Handle schema updates'; Glue developer guide, "
         "'Preventing a crawler from changing an existing schema'")


def expected_counts() -> dict[str, int]:
    """All orders, those with a coupon (web orders from May), and the old ones (before May, no coupon)."""
    rows = orders()
    later = rows["order_ts"] >= FIRST_NEW_MONTH
    return {"orders": len(rows), "with_coupon": int((later & (rows["channel"] == "web")).sum()),
            "old_without": int((~later).sum())}


@exercise(WEEK, "2.12", "shop_export shows coupon_code, and old and new orders still read",
          hint="the table, not the files, decides what Athena reads: add the column to the table's schema, or let "
               f"the crawler update it (SchemaChangePolicy.UpdateBehavior); see {_DOCS}")
def new_column_absorbed() -> None:
    # Imported here: week02_catalog_athena imports this module to register the check.
    from lakelab.checks.week02_catalog_athena import _answered, _columns, _table

    columns = _columns(_table("shop_export"))
    expect(NEW_COLUMN in columns, expected=f"a column {NEW_COLUMN} in shop_export", found=sorted(columns),
           hint="the crawler's SchemaChangePolicy.UpdateBehavior is LOG: a crawl only logs the new column. Add it "
                f"to the table (ALTER TABLE ... ADD COLUMNS) or let the crawler update the table ({_DOCS})")
    expect(columns[NEW_COLUMN] == "string", expected=f"{NEW_COLUMN} string, the type the Parquet files store",
           found=f"{NEW_COLUMN} {columns[NEW_COLUMN]}",
           hint="read the new file's schema (a crawl's log, or pyarrow) before you declare the column's type")
    kept = {name: columns.get(name) for name in OLD_COLUMNS}
    expect(kept == OLD_COLUMNS, expected=f"the twelve columns the crawler found, unchanged: {OLD_COLUMNS}",
           found=kept, hint="add the new column; do not rename, retype or drop the old ones")
    _, rows = _answered(
        f"SELECT count(*) AS orders, count({NEW_COLUMN}) AS with_coupon, "
        f"sum(CASE WHEN order_ts < '{FIRST_NEW_MONTH}' AND {NEW_COLUMN} IS NULL THEN 1 ELSE 0 END) AS old_without "
        "FROM shop_export", "the query over shop_export")
    found, expected = {key: int(value or 0) for key, value in rows[0].items()}, expected_counts()
    expect(found == expected, expected=f"{expected['orders']:,} orders, {expected['with_coupon']} with a coupon, "
           f"{expected['old_without']:,} before May without one", found=found,
           hint="both files must stay under raw/shop_export/ and the table must keep its location")
