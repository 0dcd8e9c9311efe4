import pytest

from lakelab.course import contracts, datasets

ORDERS_HEADER = ",".join(contracts.CONTRACTS["orders"]["columns"])
ORDER = "o-1,c-1,2024-03-05T14:22:05Z,placed,SKU-1001,Enamel Mug,2,14.50,29.00,EUR,DE,web"


def orders(*rows: str, header: str = ORDERS_HEADER) -> bytes:
    return "\n".join([header, *rows, ""]).encode("utf-8")


@pytest.mark.parametrize("table", ["orders", "customers"])
def test_the_course_datasets_keep_their_contract(table):
    assert list(contracts.CONTRACTS[table]["columns"]) == list(getattr(datasets, f"{table[:-1].upper()}_COLUMNS"))
    assert contracts.problem(table, datasets.path(table).read_bytes()) is None


def test_a_header_only_file_keeps_the_contract():
    assert contracts.problem("orders", orders()) is None


@pytest.mark.parametrize("body, reason", [
    (b"", "empty file (0 bytes)"),
    (orders(ORDER).replace(b"Enamel", "Émail".encode("cp1252")), f"not UTF-8: byte 0xc9 at offset {len(ORDERS_HEADER) + 1 + ORDER.index('Enamel')}"),
    (orders(header=ORDERS_HEADER.replace(",amount", "")), "header does not match the orders contract: missing amount"),
    (orders(header=ORDERS_HEADER + ",note"), "header does not match the orders contract: unexpected note"),
    (orders(header=ORDERS_HEADER.replace("order_id,customer_id", "customer_id,order_id")),
     "header does not match the orders contract: columns in another order"),
    (orders(ORDER, ORDER.replace(",c-1,", ",,")), "row 2: customer_id is required"),
    (orders(ORDER.replace("29.00", '"29,00"')), "row 1: amount '29,00' does not parse as decimal"),
    (orders(ORDER.replace("2024-03-05", "2024-02-30")), "row 1: order_ts '2024-02-30T14:22:05Z' does not parse as timestamp"),
    (orders(ORDER.replace(",web", "")), "row 1: 11 fields, the header has 12"),
])
def test_the_first_problem_is_the_reason(body, reason):
    assert contracts.problem("orders", body) == reason


def test_empty_optional_fields_are_allowed_and_reasons_stay_ascii():
    assert contracts.problem("orders", orders(ORDER.replace(",web", ","))) is None
    reason = contracts.problem("orders", orders(ORDER.replace(",2,", ",zwei½,")))
    assert reason == "row 1: quantity 'zwei\\xbd' does not parse as integer" and reason.isascii()
