"""Week 6b's calculators: DMS (instance and Serverless), snapshot exports, zero-ETL and AppFlow."""

import pytest

from lakelab.course import costs

INGESTION_KEYS = ("dms_t2_micro_hour", "dms_t3_medium_hour", "dms_storage_gb_month", "dms_serverless_dcu_hour",
                  "rds_snapshot_export_gb", "appflow_flow_run", "appflow_gb_processed")


def test_every_ingestion_price_names_a_source_and_a_date():
    for key in INGESTION_KEYS:
        price = costs.PRICES[key]
        assert price.source.strip() and price.unit.strip(), f"{key} has no source or unit"
        assert price.as_of == "2026-12-06", key


def test_ingestion_prices_no_source_supports_are_marked_unconfirmed():
    unconfirmed = ("dms_t3_medium_hour", "dms_storage_gb_month", "dms_serverless_dcu_hour", "rds_snapshot_export_gb",
                   "appflow_gb_processed")
    assert all(not costs.PRICES[key].confirmed for key in unconfirmed)
    assert costs.PRICES["dms_t2_micro_hour"].confirmed and costs.PRICES["appflow_flow_run"].confirmed
    assert costs.sources(*unconfirmed).count("(unconfirmed: check the pricing page)") == len(unconfirmed)
    assert "$0.001 per flow run" in costs.sources("appflow_flow_run")


def test_a_replication_instance_matches_the_price_list_reading():
    # infracost's golden test, read from the AWS Price List for us-east-1: $13.14, and $26.28 + $4.60 Multi-AZ.
    assert costs.dms_instance_monthly("dms.t2.micro", storage_gb=20) == pytest.approx(13.14)
    assert costs.dms_instance_monthly("dms.t2.micro", storage_gb=70, multi_az=True) == pytest.approx(30.88)


def test_a_replication_instance_bills_idle_hours_and_refuses_unpriced_classes():
    assert costs.dms_instance_monthly("dms.t3.medium") == pytest.approx(0.07 * 730)
    assert costs.dms_instance_monthly("dms.t3.medium", hours=10) == pytest.approx(0.7)
    with pytest.raises(ValueError, match="no sourced price"):
        costs.dms_instance_monthly("dms.r5.large")


def test_dms_serverless_bills_one_dcu_at_least_all_month():
    assert costs.dms_serverless_monthly() == pytest.approx(0.1133 * 730)
    assert costs.dms_serverless_monthly(2, multi_az=True) == pytest.approx(4 * 0.1133 * 730)
    with pytest.raises(ValueError, match="1 DCU"):
        costs.dms_serverless_monthly(0.5)


def test_a_snapshot_export_bills_the_whole_snapshot_each_time():
    assert costs.snapshot_exports_monthly(100, exports_per_month=1) == pytest.approx(1.30)
    assert costs.snapshot_exports_monthly(5) == pytest.approx(5 * 0.013 * 730 / 24)


def test_zero_etl_bills_the_target_warehouse_sixty_seconds_a_batch():
    # 96 batches × 60 s = 1.6 h a day at 8 RPU × $0.375 = $4.80 a day.
    assert costs.zero_etl_monthly(96) == pytest.approx(4.8 * 730 / 24)
    assert costs.zero_etl_monthly(96, seconds_per_batch=5) == costs.zero_etl_monthly(96)
    assert costs.zero_etl_monthly(0, storage_gb=100) == pytest.approx(2.4)


def test_the_lake_side_counts_files_only_for_minutes_with_changes():
    busy, quiet = costs.cdc_lake_monthly(5, 50_000), costs.cdc_lake_monthly(5, 10)
    assert busy > quiet
    # 1,440 files a day, and 24 MERGEs each reading 1.25 GB, for 30.4 days.
    merges = 24 * (730 / 24) * costs.athena_query(int(1.25 * costs.GB))
    assert busy == pytest.approx(1440 * 730 / 24 / 1000 * 0.005 + merges)


def test_the_ingestion_decision_prices_each_option_and_says_what_it_keeps():
    rows = costs.ingestion_decision(5, 50_000)
    assert [row["monthly_usd"] for row in rows] == [55.77, 87.38, 1.98, 146.03]
    assert rows[2]["history"].startswith("one state a day") and "every change" in rows[0]["history"]
    assert all(row["latency"] and "50,000 changes a day" in row["notes"] for row in rows)


def test_appflow_bills_every_run_and_every_gigabyte():
    assert costs.appflow_monthly(2920, 0) == pytest.approx(2.92)
    assert costs.appflow_monthly(30, 1) == pytest.approx(0.03 + 0.02)
    with pytest.raises(ValueError):
        costs.appflow_monthly(-1, 0)
