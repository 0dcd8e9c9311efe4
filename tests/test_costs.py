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
