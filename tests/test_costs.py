import pytest

from lakelab import costs


def test_athena_bills_ten_megabytes_at_least():
    assert costs.athena_query(0) == costs.athena_query(10 * costs.MB)
    assert costs.athena_query(1) == pytest.approx(10 / 1024 / 1024 * 5)


def test_athena_rounds_up_to_the_megabyte_and_charges_five_dollars_a_terabyte():
    assert costs.athena_query(costs.TB) == pytest.approx(5.0)
    assert costs.athena_query(11 * costs.MB + 1) == costs.athena_query(12 * costs.MB)
    assert costs.athena_query(12 * costs.MB) > costs.athena_query(11 * costs.MB)


def test_s3_bill_adds_storage_and_requests():
    lines = costs.s3_lab(stored_bytes=costs.GB, put_requests=1000, get_requests=1000, days=30)
    assert [round(line.usd, 6) for line in lines] == [0.023, 0.005, 0.0004]
    assert costs.table(lines).endswith("$0.03")
    assert costs.table(costs.s3_lab(0, 1, 1)).endswith("under $0.01")


def test_every_price_names_its_source_and_date():
    for key, price in costs.PRICES.items():
        assert price.source and price.as_of[:4].isdigit(), key
    assert "unconfirmed" in costs.sources("sqs_per_million")


def test_lambda_bills_requests_and_gb_seconds_beyond_the_free_tier():
    requests, compute = costs.lambda_invocations(3_000_000, billed_ms=3_000_000 * 200, memory_mb=256)
    assert requests.usd == pytest.approx(2 * 0.20)  # 2M billable requests after the free 1M
    assert compute.usd == 0.0  # 150,000 GB-s is inside the free 400,000
    _, compute = costs.lambda_invocations(1, billed_ms=1_000_000_000, memory_mb=1024, free_gb_seconds_left=0)
    assert compute.usd == pytest.approx(1_000_000 * 0.0000166667)


def test_a_lab_of_lambda_invocations_costs_nothing_inside_the_free_tier():
    lines = costs.lambda_invocations(15, billed_ms=900, memory_mb=256)
    assert [line.usd for line in lines] == [0.0, 0.0]
    assert costs.table(lines).endswith("under $0.01")
    assert "$0.0000166667 per GB-second" in costs.sources("lambda_per_million_requests", "lambda_gb_second_x86")


def test_sources_write_prices_as_pricing_pages_do():
    assert "$5 per TB" in costs.sources("athena_per_tb") and "$0.0004 per" in costs.sources("s3_get_per_1000")
