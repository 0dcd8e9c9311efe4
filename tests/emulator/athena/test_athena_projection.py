"""Partition projection: partitions computed from ``projection.*`` table properties, pruned by the WHERE clause."""

from test_athena_helpers import LAKE, athena  # noqa: F401 (fixture)


def _monthly(athena, name: str, properties: str, folder: str = "monthly") -> None:
    for month in ("2024-01", "2024-02", "2024-03"):
        athena.put(f"{folder}/month={month}/part.csv", "".join(f"{month}-{d:02d},{d}\n" for d in range(1, 11)))
    athena.ok(f"CREATE EXTERNAL TABLE {name} (day string, n int) PARTITIONED BY (month string) "
              f"ROW FORMAT DELIMITED FIELDS TERMINATED BY ',' LOCATION 's3://{LAKE}/{folder}/' "
              f"TBLPROPERTIES ({properties})")


def test_a_date_projection_reads_without_registered_partitions_and_prunes(athena):
    _monthly(athena, "projected", "'projection.enabled'='true', 'projection.month.type'='date', "
             "'projection.month.range'='2023-11,2024-12', 'projection.month.format'='yyyy-MM', "
             "'projection.month.interval'='1', 'projection.month.interval.unit'='MONTHS'")
    assert athena.glue.get_partitions(DatabaseName="lab", TableName="projected")["Partitions"] == []
    assert athena.rows("SELECT month, count(*) FROM projected GROUP BY month ORDER BY month") == [
        ["2024-01", "10"], ["2024-02", "10"], ["2024-03", "10"]]
    whole = athena.ok("SELECT count(*) FROM projected")["Statistics"]["DataScannedInBytes"]
    one = athena.ok("SELECT count(*) FROM projected WHERE month = '2024-02'")["Statistics"]["DataScannedInBytes"]
    size = athena.s3.head_object(Bucket=LAKE, Key="monthly/month=2024-02/part.csv")["ContentLength"]
    assert one == size and whole == 3 * size


def test_months_outside_the_range_are_not_read(athena):
    _monthly(athena, "narrow", "'projection.enabled'='true', 'projection.month.type'='date', "
             "'projection.month.range'='2024-02,2024-03', 'projection.month.format'='yyyy-MM'", folder="narrow")
    assert athena.rows("SELECT DISTINCT month FROM narrow ORDER BY month") == [["2024-02"], ["2024-03"]]


def test_enum_integer_and_a_location_template(athena):
    for region in ("eu", "us"):
        for hour in (1, 2):
            athena.put(f"logs/{region}/h{hour:02d}/part.csv", f"{region}-{hour}\n")
    athena.ok(f"""CREATE EXTERNAL TABLE logs (line string) PARTITIONED BY (region string, hour int)
        ROW FORMAT DELIMITED FIELDS TERMINATED BY ',' LOCATION 's3://{LAKE}/logs/'
        TBLPROPERTIES ('projection.enabled'='true', 'projection.region.type'='enum', 'projection.region.values'='eu,us',
                       'projection.hour.type'='integer', 'projection.hour.range'='0,23', 'projection.hour.digits'='2',
                       'storage.location.template'='s3://{LAKE}/logs/${{region}}/h${{hour}}/')""")
    assert athena.rows("SELECT line FROM logs WHERE region = 'us' AND hour = 2") == [["us-2"]]
    assert athena.value("SELECT count(*) FROM logs") == "4"


def test_an_injected_key_needs_an_equality_filter(athena):
    athena.put("tenants/acme/part.csv", "1\n2\n")
    athena.ok(f"""CREATE EXTERNAL TABLE tenants (n int) PARTITIONED BY (tenant string)
        ROW FORMAT DELIMITED FIELDS TERMINATED BY ',' LOCATION 's3://{LAKE}/tenants/'
        TBLPROPERTIES ('projection.enabled'='true', 'projection.tenant.type'='injected',
                       'storage.location.template'='s3://{LAKE}/tenants/${{tenant}}/')""")
    assert athena.value("SELECT sum(n) FROM tenants WHERE tenant = 'acme'") == "3"
    assert athena.failure("SELECT sum(n) FROM tenants").startswith(
        "CONSTRAINT_VIOLATION: For the injected projected partition column tenant")


def test_a_missing_projection_property_fails_with_its_name(athena):
    _monthly(athena, "broken", "'projection.enabled'='true', 'projection.month.type'='date'", folder="broken")
    assert "'projection.month.format' is missing" in athena.failure("SELECT count(*) FROM broken")
