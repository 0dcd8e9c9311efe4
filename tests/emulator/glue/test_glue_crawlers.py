"""Glue crawlers crawl: schemas, tables, partitions, policies, state, metrics and logs."""

import io
import threading
import time
from decimal import Decimal

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from botocore.exceptions import ClientError

BUCKET = "lakelab-crawl"
DATABASE = "lake"


@pytest.fixture
def lake(client, service_role):
    s3, glue = client("s3"), client("glue")
    service_role("glue", "LakeCrawler")  # a crawl reads S3 as its role
    s3.create_bucket(Bucket=BUCKET)
    glue.create_database(DatabaseInput={"Name": DATABASE})
    return s3, glue


def _put(s3, objects):
    for key, body in objects.items():
        s3.put_object(Bucket=BUCKET, Key=key, Body=body)


def _create(glue, path, name="lake-crawler", **options):
    glue.create_crawler(
        Name=name, Role="arn:aws:iam::123456789012:role/LakeCrawler", DatabaseName=DATABASE,
        Targets={"S3Targets": [{"Path": f"s3://{BUCKET}/{path}", **options.pop("target", {})}]}, **options,
    )


def _run(glue, name="lake-crawler", timeout=10.0):
    glue.start_crawler(Name=name)
    return _wait_ready(glue, name, timeout)


def _wait_ready(glue, name, timeout=10.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        crawler = glue.get_crawler(Name=name)["Crawler"]
        if crawler["State"] == "READY" and "LastCrawl" in crawler:
            return crawler
        time.sleep(0.02)
    raise AssertionError(f"crawler {name} not READY after {timeout} s")


def _tables(glue):
    return {table["Name"]: table for table in glue.get_tables(DatabaseName=DATABASE)["TableList"]}


def _columns(table):
    return {column["Name"]: column["Type"] for column in table["StorageDescriptor"]["Columns"]}


def _partitions(glue, table):
    found = glue.get_partitions(DatabaseName=DATABASE, TableName=table)["Partitions"]
    return sorted((partition["Values"], partition["StorageDescriptor"]["Location"]) for partition in found)


def _log(client, name="lake-crawler"):
    events = client("logs").get_log_events(logGroupName="/aws-glue/crawlers", logStreamName=name)["events"]
    return "\n".join(event["message"] for event in events)


SALES_CSV = b"id,customer,amount,paid,sold_at,day\n1,ann,12.5,true,2024-05-01 10:00:00,2024-05-01\n2,bob,3,false,2024-05-02T08:00:00Z,2024-05-02\n"


def test_csv_with_header_is_typed_as_glue_types_it(lake):
    s3, glue = lake
    _put(s3, {"raw/sales/part-0.csv": SALES_CSV, "raw/sales/_SUCCESS": b"", "raw/": b""})
    _create(glue, "raw/")
    assert _run(glue)["LastCrawl"]["Status"] == "SUCCEEDED"

    table = _tables(glue)["sales"]
    # Glue's CSV classifier types bigint/double/boolean; dates and timestamps stay strings.
    assert _columns(table) == {
        "id": "bigint", "customer": "string", "amount": "double", "paid": "boolean", "sold_at": "string", "day": "string"
    }
    storage = table["StorageDescriptor"]
    assert storage["Location"] == f"s3://{BUCKET}/raw/sales/"
    assert storage["InputFormat"] == "org.apache.hadoop.mapred.TextInputFormat"
    assert storage["OutputFormat"] == "org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat"
    assert storage["SerdeInfo"] == {
        "SerializationLibrary": "org.apache.hadoop.hive.serde2.lazy.LazySimpleSerDe", "Parameters": {"field.delim": ","}
    }
    parameters = table["Parameters"]
    assert parameters["skip.header.line.count"] == "1"
    assert (parameters["classification"], parameters["compressionType"], parameters["typeOfData"]) == ("csv", "none", "file")
    assert (parameters["recordCount"], parameters["objectCount"], parameters["sizeKey"]) == ("2", "1", str(len(SALES_CSV)))
    assert parameters["UPDATED_BY_CRAWLER"] == "lake-crawler"
    assert table["TableType"] == "EXTERNAL_TABLE"


def test_csv_delimiters_quotes_and_headerless_files(lake):
    s3, glue = lake
    _put(s3, {
        "raw/tabbed/a.tsv": b"id\tscore\n1\t0.5\n2\t0.7\n",
        "raw/piped/a.txt": b"id|city\n1|Oslo\n2|Lima\n",
        "raw/semi/a.csv": b"id;total\n1;10\n2;20\n",
        "raw/quoted/a.csv": b'id,name\n1,"Smith, Ann"\n2,"Lee, Bo"\n',
        "raw/strings/a.csv": b"name,city\nann,oslo\nbob,lima\n",
    })
    _create(glue, "raw/")
    _run(glue)
    tables = _tables(glue)

    delimiters = {name: tables[name]["StorageDescriptor"]["SerdeInfo"]["Parameters"].get("field.delim") for name in ("tabbed", "piped", "semi")}
    assert delimiters == {"tabbed": "\t", "piped": "|", "semi": ";"}
    quoted = tables["quoted"]
    assert quoted["StorageDescriptor"]["SerdeInfo"] == {
        "SerializationLibrary": "org.apache.hadoop.hive.serde2.OpenCSVSerde",
        "Parameters": {"quoteChar": '"', "separatorChar": ","},
    }
    assert quoted["Parameters"]["areColumnsQuoted"] == "true"
    # All-string data: Glue cannot tell the header from the data, so the first row is data.
    assert _columns(tables["strings"]) == {"col0": "string", "col1": "string"}
    assert "skip.header.line.count" not in tables["strings"]["Parameters"]


def test_json_lines_nested_objects_become_structs_and_arrays(lake):
    s3, glue = lake
    _put(s3, {"raw/events/e.json": (
        b'{"eventId": 1, "user": {"name": "ann", "age": 30}, "tags": ["a", "b"], "ts": 1714550400000, "score": 0.5}\n'
        b'{"eventId": 2, "user": {"name": "bob"}, "tags": [], "ts": 1714550500000, "score": null, "ok": true}\n'
    )})
    _create(glue, "raw/")
    _run(glue)

    table = _tables(glue)["events"]
    assert _columns(table) == {
        "eventid": "int", "user": "struct<name:string,age:int>", "tags": "array<string>",
        "ts": "bigint", "score": "double", "ok": "boolean",
    }
    serde = table["StorageDescriptor"]["SerdeInfo"]
    assert serde["SerializationLibrary"] == "org.openx.data.jsonserde.JsonSerDe"
    assert serde["Parameters"]["paths"] == "eventId,ok,score,tags,ts,user"
    assert (table["Parameters"]["classification"], table["Parameters"]["recordCount"]) == ("json", "2")


def test_parquet_schema_maps_to_glue_types(lake):
    s3, glue = lake
    data = pa.table({
        "small": pa.array([1], pa.int32()), "big": pa.array([2], pa.int64()), "name": ["x"], "ratio": [0.5],
        "price": pa.array([Decimal("9.99")], pa.decimal128(10, 2)), "at": pa.array([0], pa.timestamp("ms")),
        "day": pa.array([0], pa.date32()), "flag": [True], "items": [[1, 2]], "point": [{"x": 1.0, "label": "p"}],
    })
    buffer = io.BytesIO()
    pq.write_table(data, buffer)
    _put(s3, {"curated/items/part-0.parquet": buffer.getvalue()})
    _create(glue, "curated/items/")
    _run(glue)

    table = _tables(glue)["items"]
    assert _columns(table) == {
        "small": "int", "big": "bigint", "name": "string", "ratio": "double", "price": "decimal(10,2)",
        "at": "timestamp", "day": "date", "flag": "boolean", "items": "array<bigint>",
        "point": "struct<x:double,label:string>",
    }
    storage = table["StorageDescriptor"]
    assert storage["SerdeInfo"]["SerializationLibrary"] == "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe"
    assert storage["InputFormat"] == "org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat"
    assert storage["OutputFormat"] == "org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat"
    assert (table["Parameters"]["classification"], table["Parameters"]["recordCount"]) == ("parquet", "1")


def test_hive_folders_become_partition_keys_and_partitions(lake):
    s3, glue = lake
    months = [("2024", "04"), ("2024", "05"), ("2025", "01")]
    _put(s3, {f"raw/sales/year={y}/month={m}/part-0.csv": SALES_CSV for y, m in months})
    _create(glue, "raw/sales/", TablePrefix="raw_")
    crawler = _run(glue)

    assert list(_tables(glue)) == ["raw_sales"]  # the include path itself is the table root
    table = _tables(glue)["raw_sales"]
    assert table["PartitionKeys"] == [{"Name": "year", "Type": "string"}, {"Name": "month", "Type": "string"}]
    assert "year" not in _columns(table)
    assert _partitions(glue, "raw_sales") == [
        ([y, m], f"s3://{BUCKET}/raw/sales/year={y}/month={m}/") for y, m in months
    ]
    assert crawler["LastCrawl"]["Status"] == "SUCCEEDED"


def test_plain_folders_become_numbered_partitions(lake):
    s3, glue = lake
    _put(s3, {
        "raw/sales/2024/05/a.csv": SALES_CSV, "raw/sales/2024/06/a.csv": SALES_CSV,
        # Two sibling datasets with the same columns: Glue makes them partitions of one table.
        "twins/a/x.csv": b"k,v\na,1\nb,2\n", "twins/b/x.csv": b"k,v\nc,3\nd,4\n",
    })
    _create(glue, "raw/sales/")
    _create(glue, "twins/", name="twins-crawler")
    _run(glue)
    _run(glue, "twins-crawler")

    tables = _tables(glue)
    assert [key["Name"] for key in tables["sales"]["PartitionKeys"]] == ["partition_0", "partition_1"]
    assert [values for values, _ in _partitions(glue, "sales")] == [["2024", "05"], ["2024", "06"]]
    assert [key["Name"] for key in tables["twins"]["PartitionKeys"]] == ["partition_0"]
    assert [values for values, _ in _partitions(glue, "twins")] == [["a"], ["b"]]


def test_recrawl_adds_new_partition_and_new_column(lake):
    s3, glue = lake
    _put(s3, {"raw/orders/dt=2024-05-01/a.csv": b"id,amount\n1,2.5\n2,3.5\n"})
    _create(glue, "raw/")
    _run(glue)
    _put(s3, {"raw/orders/dt=2024-05-02/a.csv": b"id,amount,channel\n3,1.5,web\n4,2.0,shop\n"})
    _run(glue)

    table = _tables(glue)["orders"]
    assert _columns(table) == {"id": "bigint", "amount": "double", "channel": "string"}
    assert [values for values, _ in _partitions(glue, "orders")] == [["2024-05-01"], ["2024-05-02"]]
    metrics = glue.get_crawler_metrics(CrawlerNameList=["lake-crawler"])["CrawlerMetricsList"][0]
    assert (metrics["TablesCreated"], metrics["TablesUpdated"], metrics["TablesDeleted"]) == (0, 1, 0)


def test_update_behavior_log_keeps_the_schema_but_adds_partitions(lake, client):
    s3, glue = lake
    _put(s3, {"raw/orders/dt=2024-05-01/a.csv": b"id,amount\n1,2.5\n2,3.5\n"})
    _create(glue, "raw/", SchemaChangePolicy={"UpdateBehavior": "LOG", "DeleteBehavior": "LOG"})
    _run(glue)
    _put(s3, {"raw/orders/dt=2024-05-02/a.csv": b"id,amount,channel\n3,1.5,web\n4,2.0,shop\n"})
    _run(glue)

    assert _columns(_tables(glue)["orders"]) == {"id": "bigint", "amount": "double"}
    assert len(_partitions(glue, "orders")) == 2
    assert "not applied because SchemaChangePolicy.UpdateBehavior is LOG" in _log(client)


def _parquet(columns):
    buffer = io.BytesIO()
    pq.write_table(pa.table(columns), buffer)
    return buffer.getvalue()


def test_parquet_new_column_is_logged_under_log_and_merged_under_update(lake, client):
    s3, glue = lake
    # similar schemas (4 of 5 columns shared) in one folder are one table, their columns merged
    old = {"id": [1, 2], "amount": [2.5, 3.5], "country": ["FR", "DE"], "channel": ["web", "app"]}
    _put(s3, {"raw/export/a.parquet": _parquet(old)})
    _create(glue, "raw/export/", SchemaChangePolicy={"UpdateBehavior": "LOG", "DeleteBehavior": "LOG"})
    _run(glue)
    new = {"id": [3], "amount": [1.5], "country": ["FR"], "channel": ["web"], "coupon": ["WEB10"]}
    _put(s3, {"raw/export/b.parquet": _parquet(new)})
    _run(glue)
    assert list(_tables(glue)) == ["export"]
    assert _columns(_tables(glue)["export"]) == {"id": "bigint", "amount": "double", "country": "string", "channel": "string"}
    assert "not applied because SchemaChangePolicy.UpdateBehavior is LOG" in _log(client)

    glue.update_crawler(Name="lake-crawler", SchemaChangePolicy={"UpdateBehavior": "UPDATE_IN_DATABASE",
                                                                 "DeleteBehavior": "LOG"})
    _run(glue)
    table = _tables(glue)["export"]
    assert [(c["Name"], c["Type"]) for c in table["StorageDescriptor"]["Columns"]] == [
        ("id", "bigint"), ("amount", "double"), ("country", "string"), ("channel", "string"), ("coupon", "string")]
    assert table["Parameters"]["recordCount"] == "3"


@pytest.mark.parametrize("behavior", ["DELETE_FROM_DATABASE", "DEPRECATE_IN_DATABASE", "LOG"])
def test_delete_behavior_for_data_that_vanished(lake, behavior):
    s3, glue = lake
    _put(s3, {"raw/orders/a.csv": SALES_CSV, "raw/customers/a.json": b'{"id": 1}\n'})
    _create(glue, "raw/", SchemaChangePolicy={"UpdateBehavior": "UPDATE_IN_DATABASE", "DeleteBehavior": behavior})
    _run(glue)
    s3.delete_object(Bucket=BUCKET, Key="raw/customers/a.json")
    _run(glue)

    tables = _tables(glue)
    metrics = glue.get_crawler_metrics()["CrawlerMetricsList"][0]
    if behavior == "DELETE_FROM_DATABASE":
        assert "customers" not in tables and metrics["TablesDeleted"] == 1
    elif behavior == "DEPRECATE_IN_DATABASE":
        assert tables["customers"]["Parameters"]["DEPRECATED_BY_CRAWLER"].isdigit()
        assert metrics["TablesDeleted"] == 1
    else:
        assert "DEPRECATED_BY_CRAWLER" not in tables["customers"]["Parameters"]
        assert metrics["TablesDeleted"] == 0
    assert "DEPRECATED_BY_CRAWLER" not in tables["orders"]["Parameters"]


def test_crawl_new_folders_only_reads_new_folders_only(lake, client):
    s3, glue = lake
    _put(s3, {"raw/orders/dt=1/a.csv": b"id,amount\n1,2.5\n2,3.5\n"})
    _create(glue, "raw/", RecrawlPolicy={"RecrawlBehavior": "CRAWL_NEW_FOLDERS_ONLY"},
            SchemaChangePolicy={"UpdateBehavior": "LOG", "DeleteBehavior": "LOG"})
    _run(glue)
    _put(s3, {
        "raw/orders/dt=1/b.csv": bytes(range(256)),  # in a folder crawled before: not read again
        "raw/orders/dt=2/a.csv": b"id,amount,channel\n3,1.5,web\n4,2.0,shop\n",
    })
    _run(glue)

    assert [values for values, _ in _partitions(glue, "orders")] == [["1"], ["2"]]
    assert list(_columns(_tables(glue)["orders"])) == ["id", "amount"]
    log = _log(client)
    assert "raw/orders/dt=1/b.csv" not in log
    assert "Crawling new folders only: 1 folders crawled before are not read again" in log


def test_malformed_files_are_skipped_and_logged(lake, client):
    s3, glue = lake
    _put(s3, {
        "raw/good/a.csv": SALES_CSV,
        "raw/junk/blob.bin": bytes(range(256)) * 8,
        "raw/empty/nothing.csv": b"",
        "raw/ragged/r.csv": b"a,b,c\n1,2\n3,4,5,6\n",
        "raw/broken/p.parquet": b"PAR1" + b"\x00garbage" * 50,
    })
    _create(glue, "raw/")
    crawler = _run(glue)

    assert crawler["LastCrawl"]["Status"] == "SUCCEEDED"
    assert list(_tables(glue)) == ["good"]
    log = _log(client)
    for key in ("raw/junk/blob.bin", "raw/empty/nothing.csv", "raw/ragged/r.csv", "raw/broken/p.parquet"):
        assert f"WARN : Skipping s3://{BUCKET}/{key}" in log
    assert client("s3").list_buckets()["Buckets"]  # the emulator still answers


def test_nothing_readable_fails_the_crawl(lake):
    s3, glue = lake
    _put(s3, {"raw/junk/blob.bin": bytes(range(256))})
    _create(glue, "raw/")
    last = _run(glue)["LastCrawl"]

    assert last["Status"] == "FAILED"
    assert "could be classified" in last["ErrorMessage"]
    assert _tables(glue) == {}


def test_missing_bucket_fails_the_crawl(lake):
    _, glue = lake
    glue.create_crawler(
        Name="lake-crawler", Role="r", DatabaseName=DATABASE, Targets={"S3Targets": [{"Path": "s3://no-such-bucket/raw/"}]}
    )
    last = _run(glue)["LastCrawl"]

    assert last["Status"] == "FAILED"
    assert "s3://no-such-bucket/raw/" in last["ErrorMessage"]


def test_empty_include_path_succeeds_without_tables(lake, client):
    _, glue = lake
    _create(glue, "nothing-here/")
    crawler = _run(glue)

    assert crawler["LastCrawl"]["Status"] == "SUCCEEDED"
    assert _tables(glue) == {}
    assert "No data files were found" in _log(client)


def test_exclusions_and_hidden_files_are_not_crawled(lake):
    s3, glue = lake
    _put(s3, {
        "raw/sales/a.csv": SALES_CSV, "raw/sales/b.tmp": SALES_CSV, "raw/sales/.meta.csv": SALES_CSV,
        "raw/sales/_temporary/c.csv": SALES_CSV, "raw/sales/old/d.csv": SALES_CSV,
    })
    _create(glue, "raw/", target={"Exclusions": ["**.tmp", "sales/old/**"]})
    _run(glue)

    assert _tables(glue)["sales"]["Parameters"]["objectCount"] == "1"


@pytest.fixture
def held_crawl(monkeypatch):
    """Crawls wait at their first file until the test releases them."""
    from lakelab.emulator.services.glue import crawler_run

    gate = threading.Event()
    classify = crawler_run.infer_file

    def held(*args):
        gate.wait(10)
        return classify(*args)

    monkeypatch.setattr(crawler_run, "infer_file", held)
    yield gate
    gate.set()


def test_start_while_running_is_refused_and_stop_cancels(lake, held_crawl):
    s3, glue = lake
    _put(s3, {"raw/sales/a.csv": SALES_CSV})
    _create(glue, "raw/")
    glue.start_crawler(Name="lake-crawler")
    assert glue.get_crawler(Name="lake-crawler")["Crawler"]["State"] == "RUNNING"
    with pytest.raises(ClientError) as refused:
        glue.start_crawler(Name="lake-crawler")
    assert refused.value.response["Error"]["Code"] == "CrawlerRunningException"

    with pytest.raises(ClientError) as refused:
        glue.update_crawler(Name="lake-crawler", TablePrefix="x_")
    assert refused.value.response["Error"]["Code"] == "CrawlerRunningException"

    glue.stop_crawler(Name="lake-crawler")
    assert glue.get_crawler(Name="lake-crawler")["Crawler"]["State"] == "STOPPING"
    held_crawl.set()
    crawler = _wait_ready(glue, "lake-crawler")

    assert crawler["LastCrawl"]["Status"] == "CANCELLED"
    assert _tables(glue) == {}
    assert glue.list_crawls(CrawlerName="lake-crawler")["Crawls"][0]["State"] == "STOPPED"


def test_stop_when_not_running_is_refused(lake):
    _, glue = lake
    _create(glue, "raw/")
    with pytest.raises(ClientError) as refused:
        glue.stop_crawler(Name="lake-crawler")
    assert refused.value.response["Error"]["Code"] == "CrawlerNotRunningException"


def test_update_crawler_changes_the_next_crawl(lake):
    s3, glue = lake
    _put(s3, {"raw/sales/a.csv": SALES_CSV})
    _create(glue, "raw/")
    glue.update_crawler(Name="lake-crawler", TablePrefix="bronze_", SchemaChangePolicy={"DeleteBehavior": "LOG"})
    crawler = _run(glue)

    assert (crawler["TablePrefix"], crawler["Version"]) == ("bronze_", 2)
    assert crawler["SchemaChangePolicy"] == {"DeleteBehavior": "LOG"}
    assert list(_tables(glue)) == ["bronze_sales"]


def test_last_crawl_metrics_and_logs_are_reported(lake, client):
    s3, glue = lake
    _put(s3, {"raw/sales/year=2024/a.csv": SALES_CSV})
    _create(glue, "raw/")
    crawler = _run(glue)

    last = crawler["LastCrawl"]
    assert (last["Status"], last["LogGroup"], last["LogStream"]) == ("SUCCEEDED", "/aws-glue/crawlers", "lake-crawler")
    assert last["MessagePrefix"] and "StartTime" in last
    metrics = glue.get_crawler_metrics(CrawlerNameList=["lake-crawler"])["CrawlerMetricsList"][0]
    assert (metrics["TablesCreated"], metrics["TablesUpdated"], metrics["TablesDeleted"]) == (1, 0, 0)
    assert metrics["StillEstimating"] is False and metrics["TimeLeftSeconds"] == 0
    assert 0 < metrics["LastRuntimeSeconds"] == metrics["MedianRuntimeSeconds"]
    log = _log(client)
    assert f"[{last['MessagePrefix']}] INFO : Created table sales in database {DATABASE}" in log
    assert "Created partitions with values [[2024]] for table sales" in log
    assert log.endswith("Crawler has finished running and is in state READY")


def test_a_hundred_partitions_crawl_into_a_hundred_partitions(lake):
    """How fast is measured by ``make bench`` (crawler-100-partitions), not here."""
    s3, glue = lake
    _put(s3, {f"raw/events/day={day:03d}/part-0.csv": SALES_CSV for day in range(100)})
    _create(glue, "raw/events/")
    _run(glue, timeout=60)

    assert len(_partitions(glue, "events")) == 100
