"""Lake Formation decides what an analyst's Athena queries read: columns, rows, tags, revokes, the trail."""

from __future__ import annotations

import json

import pytest

from lakeformation_helpers import ACCOUNT, CUSTOMERS, LAKE, OUTPUT, RESULTS, columns, lake, table  # noqa: F401


def test_a_new_table_is_left_to_iam_until_iam_allowed_principals_is_removed(lake):
    analyst = lake.role("analyst")
    listed = lake.lf.list_permissions(Resource=table())["PrincipalResourcePermissions"]
    assert [(p["Principal"]["DataLakePrincipalIdentifier"], p["Permissions"]) for p in listed] == [
        ("IAM_ALLOWED_PRINCIPALS", ["ALL"])]
    reason = lake.querier(analyst).failure("SELECT * FROM customers")
    assert "Permission denied on S3 path" in reason  # IAM alone decides, and the analyst may not read the bucket
    lake.govern()
    assert "Insufficient Lake Formation permission(s) on customers" in lake.querier(analyst).failure(
        "SELECT id FROM customers")


def test_without_iam_allowed_principals_in_the_defaults_new_tables_are_governed(lake):
    analyst = lake.role("analyst")
    lake.lf.register_resource(ResourceArn=f"arn:aws:s3:::{LAKE}/curated", UseServiceLinkedRole=True)
    settings = lake.lf.get_data_lake_settings()["DataLakeSettings"]
    settings.update(CreateDatabaseDefaultPermissions=[], CreateTableDefaultPermissions=[])
    lake.lf.put_data_lake_settings(DataLakeSettings=settings)
    lake.glue.create_database(DatabaseInput={"Name": "sales"})
    lake.admin.rows(f"CREATE EXTERNAL TABLE sales.orders (id bigint) STORED AS PARQUET "
                    f"LOCATION 's3://{LAKE}/curated/orders/'")
    listed = lake.lf.list_permissions(Resource={"Table": {"DatabaseName": "sales", "Name": "orders"}})
    assert listed["PrincipalResourcePermissions"] == []  # only explicit grants count now
    assert "Insufficient Lake Formation permission(s) on orders" in lake.querier(analyst).failure(
        "SELECT * FROM sales.orders")
    # a table created before the change keeps IAMAllowedPrincipals, as on AWS
    assert lake.lf.list_permissions(Resource=table())["PrincipalResourcePermissions"][0]["Principal"] == {
        "DataLakePrincipalIdentifier": "IAM_ALLOWED_PRINCIPALS"}


def test_a_column_grant_narrows_select_star_and_refuses_a_named_column(lake):
    analyst = lake.role("analyst")
    lake.govern()
    lake.grant(analyst, columns(excluded=("email",)))
    querier = lake.querier(analyst)
    assert querier.rows("SELECT * FROM customers ORDER BY id")[:2] == [["id", "name", "country"], ["1", "Ana", "FR"]]
    reason = querier.failure("SELECT id, email FROM customers")
    assert reason.startswith("line 1:12: Insufficient Lake Formation permission(s) on column 'email' of customers")
    joined = """WITH fr AS (SELECT * FROM customers WHERE country = 'FR')
                SELECT fr.id, c.name FROM fr JOIN customers c ON fr.id = c.id ORDER BY fr.id"""
    assert querier.rows(joined) == [["id", "name"], ["1", "Ana"], ["3", "Cai"]]
    assert "email" in querier.failure("SELECT c.email FROM customers c")


def test_a_view_reads_its_tables_with_the_callers_grants(lake):
    analyst = lake.role("analyst")
    lake.admin.rows("CREATE VIEW everyone AS SELECT * FROM customers")
    lake.govern()
    lake.grant(analyst, columns(names=("id", "country")))
    querier = lake.querier(analyst)
    assert querier.rows("SELECT * FROM everyone ORDER BY id")[0] == ["id", "country"]
    assert lake.admin.rows("SELECT * FROM everyone ORDER BY id")[0] == ["id", "name", "email", "country"]


def test_data_cells_filters_apply_their_rows_and_cells_as_a_union(lake):
    analyst = lake.role("analyst")
    lake.govern()
    for name, expression, cells in (("france", "country = 'FR'", {"ColumnNames": ["id", "name", "email"]}),
                                    ("usa", "country IN ('US') AND id > 1", {"ColumnNames": ["id", "name"]})):
        lake.lf.create_data_cells_filter(TableData={"TableCatalogId": ACCOUNT, "DatabaseName": "lake",
                                                    "TableName": "customers", "Name": name,
                                                    "RowFilter": {"FilterExpression": expression}, **cells})
        lake.grant(analyst, {"DataCellsFilter": {"TableCatalogId": ACCOUNT, "DatabaseName": "lake",
                                                 "TableName": "customers", "Name": name}})
    assert lake.querier(analyst).rows("SELECT * FROM customers ORDER BY id") == [
        ["id", "name", "email"], ["1", "Ana", "ana@x.io"], ["3", "Cai", "cai@x.io"], ["4", "Dee", None]]
    assert lake.querier(analyst).rows("SELECT count(*) FROM customers") == [["_col0"], ["3"]]


def test_an_lf_tag_expression_grants_the_columns_whose_tags_match(lake):
    analyst = lake.role("analyst")
    lake.govern()
    lake.lf.create_lf_tag(TagKey="pii", TagValues=["true", "false"])
    lake.lf.add_lf_tags_to_resource(Resource={"Database": {"Name": "lake"}},
                                    LFTags=[{"TagKey": "pii", "TagValues": ["false"]}])
    lake.lf.add_lf_tags_to_resource(Resource=columns(names=("email", "name")),
                                    LFTags=[{"TagKey": "pii", "TagValues": ["true"]}])
    tags = lake.lf.get_resource_lf_tags(Resource=table())
    assert tags["LFTagsOnTable"] == [{"CatalogId": ACCOUNT, "TagKey": "pii", "TagValues": ["false"]}]  # inherited
    assert {c["Name"]: c["LFTags"][0]["TagValues"] for c in tags["LFTagsOnColumns"]} == {
        "id": ["false"], "name": ["true"], "email": ["true"], "country": ["false"]}
    lake.grant(analyst, {"LFTagPolicy": {"ResourceType": "TABLE",
                                         "Expression": [{"TagKey": "pii", "TagValues": ["false"]}]}})
    assert lake.querier(analyst).rows("SELECT * FROM customers ORDER BY id")[0] == ["id", "country"]


def test_a_revoke_takes_effect_on_the_next_query(lake):
    analyst = lake.role("analyst")
    lake.govern()
    lake.grant(analyst, table())
    querier = lake.querier(analyst)
    assert querier.rows("SELECT count(*) FROM customers") == [["_col0"], ["5"]]
    lake.revoke(analyst, table())
    assert "Insufficient Lake Formation permission(s)" in querier.failure("SELECT count(*) FROM customers")


def test_a_denied_query_writes_no_result_file_and_is_recorded_as_denied(lake, emulator, client):
    analyst = lake.role("analyst")
    lake.govern()
    execution = lake.querier(analyst).run("SELECT * FROM customers")
    assert execution["Status"]["State"] == "FAILED"
    assert not [k for k in lake.result_files() if execution["QueryExecutionId"] in k]
    emulator.drain()
    events = client("cloudtrail").lookup_events(
        LookupAttributes=[{"AttributeKey": "EventName", "AttributeValue": "GetDataAccess"}])["Events"]
    record = json.loads(events[0]["CloudTrailEvent"])
    assert record["eventSource"] == "lakeformation.amazonaws.com" and record["errorCode"] == "AccessDenied"
    assert record["userIdentity"]["arn"].endswith(":assumed-role/analyst/persona")
    assert record["userIdentity"]["invokedBy"] == "athena.amazonaws.com"
    assert record["requestParameters"]["tableArn"] == f"arn:aws:glue:us-east-1:{ACCOUNT}:table/lake/customers"
    assert "Insufficient Lake Formation permission(s) on customers" in record["errorMessage"]


def test_a_table_wildcard_grant_covers_every_table_of_the_database(lake):
    analyst = lake.role("analyst")
    lake.govern()
    lake.grant(analyst, {"Table": {"DatabaseName": "lake", "TableWildcard": {}}})
    assert lake.querier(analyst).rows("SELECT count(*) FROM customers") == [["_col0"], ["5"]]


def test_a_data_lake_administrator_gets_no_data_without_grants(lake):
    steward = lake.role("steward", {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": ["athena:*", "glue:Get*", "lakeformation:*", "s3:*"], "Resource": "*"}]})
    settings = lake.lf.get_data_lake_settings()["DataLakeSettings"]
    settings["DataLakeAdmins"] = [{"DataLakePrincipalIdentifier": steward}]
    lake.lf.put_data_lake_settings(DataLakeSettings=settings)
    lake.govern()
    assert "Insufficient Lake Formation permission(s)" in lake.querier(steward).failure("SELECT * FROM customers")
    analyst = lake.role("analyst")
    lake.session(steward, "lakeformation").grant_permissions(
        Principal={"DataLakePrincipalIdentifier": analyst}, Resource=table(), Permissions=["SELECT"])
    assert lake.querier(analyst).rows("SELECT count(*) FROM customers") == [["_col0"], ["5"]]


@pytest.mark.parametrize("ctas_approach", [False, True])
def test_awswrangler_reads_through_athena_with_the_callers_grants(lake, ctas_approach):
    import awswrangler as wr
    import boto3

    analyst = lake.role("analyst", {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": ["athena:*", "glue:*", "lakeformation:GetDataAccess"], "Resource": "*"},
        {"Effect": "Allow", "Action": "s3:*", "Resource": [f"arn:aws:s3:::{RESULTS}", f"arn:aws:s3:::{RESULTS}/*"]}]})
    lake.govern()
    lake.grant(analyst, columns(names=("id", "country")))
    credentials = boto3.client("sts", region_name="us-east-1", endpoint_url=lake.endpoint).assume_role(
        RoleArn=analyst, RoleSessionName="wrangler")["Credentials"]
    session = boto3.Session(aws_access_key_id=credentials["AccessKeyId"], region_name="us-east-1",
                            aws_secret_access_key=credentials["SecretAccessKey"],
                            aws_session_token=credentials["SessionToken"])
    found = wr.athena.read_sql_query("SELECT * FROM customers ORDER BY id", database="lake", boto3_session=session,
                                     ctas_approach=ctas_approach, s3_output=OUTPUT)
    assert list(found.columns) == ["id", "country"] and len(found) == 5


def test_reading_a_registered_location_needs_get_data_access_in_iam(lake):
    analyst = lake.role("analyst", {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": ["athena:*", "glue:Get*", "s3:*"], "Resource": "*"}]})
    lake.govern()
    lake.grant(analyst, table())
    reason = lake.querier(analyst).failure("SELECT count(*) FROM customers")
    assert "not authorized to perform: lakeformation:GetDataAccess" in reason


def test_athena_metadata_shows_the_granted_columns_or_all_with_describe(lake):
    analyst = lake.role("analyst")
    lake.put_table("orders", CUSTOMERS[["id", "country"]])
    lake.govern()
    lake.govern("orders")
    lake.grant(analyst, columns(names=("id", "country")))
    querier = lake.querier(analyst)
    assert querier.rows("SHOW COLUMNS IN customers") == [["id"], ["country"]]
    assert [r[0].strip() for r in querier.rows("DESCRIBE customers")] == ["id", "country"]
    listed = querier.rows("SELECT table_name, column_name FROM information_schema.columns "
                          "WHERE table_schema = 'lake' ORDER BY table_name, ordinal_position")
    assert listed[1:] == [["customers", "id"], ["customers", "country"]]  # orders: nothing granted, not listed
    assert "Insufficient Lake Formation permission(s) on orders" in querier.failure("DESCRIBE orders")
    lake.grant(analyst, table(), ("DESCRIBE",))
    assert querier.rows("SHOW COLUMNS IN customers") == [["id"], ["name"], ["email"], ["country"]]


def test_a_table_function_reading_files_around_the_catalog_is_refused(lake):
    analyst = lake.role("analyst")
    lake.govern()
    lake.grant(analyst, columns(names=("id",)))
    path = f"lakelab://{ACCOUNT}/{LAKE}/curated/customers/part-0.parquet"
    for sql in (f"SELECT * FROM read_parquet('{path}')", f"SELECT * FROM customers, LATERAL read_parquet('{path}')"):
        assert lake.querier(analyst).failure(sql).startswith("NOT_SUPPORTED: Table function 'read_parquet'")


def test_an_unregistered_location_needs_a_grant_but_is_read_whole_with_iam(lake):
    analyst = lake.role("analyst", {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": ["athena:*", "glue:Get*", "s3:*"], "Resource": "*"}]})
    lake.revoke("IAM_ALLOWED_PRINCIPALS", table(), ("ALL",))
    assert "Insufficient Lake Formation permission(s)" in lake.querier(analyst).failure("SELECT * FROM customers")
    lake.grant(analyst, columns(names=("id",)))
    assert lake.querier(analyst).rows("SELECT * FROM customers ORDER BY id")[0] == ["id", "name", "email", "country"]


def test_a_governed_table_is_read_as_the_role_its_location_was_registered_with(lake):
    analyst = lake.role("analyst")
    reader = lake.role("lake-reader", {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "s3:ListBucket", "Resource": f"arn:aws:s3:::{LAKE}"}]})
    lake.lf.register_resource(ResourceArn=f"arn:aws:s3:::{LAKE}/curated", RoleArn=reader)
    lake.govern()
    lake.grant(analyst, table())
    reason = lake.querier(analyst).failure("SELECT count(*) FROM customers")
    assert "assumed-role/lake-reader/AWSLakeFormation is not authorized to perform: s3:GetObject" in reason
    lake.iam.put_role_policy(RoleName="lake-reader", PolicyName="work", PolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": ["s3:ListBucket", "s3:GetObject"],
                                                "Resource": [f"arn:aws:s3:::{LAKE}", f"arn:aws:s3:::{LAKE}/*"]}]}))
    assert lake.querier(analyst).rows("SELECT count(*) FROM customers") == [["_col0"], ["5"]]


WRITER_POLICY = {"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Action": ["athena:*", "glue:*", "lakeformation:GetDataAccess", "s3:*"], "Resource": "*"}]}


def test_changing_a_governed_table_needs_insert_alter_and_drop_granted_not_only_iam(lake):
    """IAM lets the writer do anything; once Lake Formation governs the table, each change needs its permission."""
    writer = lake.role("writer", WRITER_POLICY)
    querier = lake.querier(writer)
    querier.rows("INSERT INTO customers VALUES (6, 'Fay', 'fay@x.io', 'FR')")  # left to IAM: allowed
    lake.govern()
    lake.grant(writer, table())  # SELECT only
    for change in ("INSERT INTO customers VALUES (7, 'Gil', 'gil@x.io', 'DE')",
                   "ALTER TABLE customers ADD COLUMNS (phone string)", "DROP TABLE customers"):
        assert "Insufficient Lake Formation permission(s) on customers" in querier.failure(change), change
    assert querier.rows("SELECT count(*) FROM customers") == [["_col0"], ["6"]], "a refused change changes nothing"
    lake.grant(writer, table(), ("INSERT",))
    querier.rows("INSERT INTO customers VALUES (7, 'Gil', 'gil@x.io', 'DE')")
    assert querier.rows("SELECT count(*) FROM customers") == [["_col0"], ["7"]]
    assert "Insufficient Lake Formation permission(s)" in querier.failure("DROP TABLE customers")
    lake.grant(writer, table(), ("ALTER",))
    querier.rows("ALTER TABLE customers ADD COLUMNS (phone string)")
    lake.grant(writer, {"Table": {"DatabaseName": "lake", "TableWildcard": {}}}, ("ALL",))
    querier.rows("DROP TABLE customers")
    assert "customers" not in [t["Name"] for t in lake.glue.get_tables(DatabaseName="lake")["TableList"]]


def test_a_table_creator_holds_all_on_its_table_and_no_one_else_does(lake):
    """"Table creators have all permissions on tables that they create" (Implicit Lake Formation permissions);
    a table of the same name created again by someone else is not theirs."""
    maker, other = lake.role("maker", WRITER_POLICY), lake.role("other", WRITER_POLICY)
    lake.lf.register_resource(ResourceArn=f"arn:aws:s3:::{LAKE}/curated", UseServiceLinkedRole=True)
    settings = lake.lf.get_data_lake_settings()["DataLakeSettings"]
    settings.update(CreateDatabaseDefaultPermissions=[], CreateTableDefaultPermissions=[])
    lake.lf.put_data_lake_settings(DataLakeSettings=settings)
    lake.glue.create_database(DatabaseInput={"Name": "sales"})  # born under the new defaults
    lake.grant(maker, {"Database": {"Name": "sales"}}, ("CREATE_TABLE",))
    lake.grant(maker, {"DataLocation": {"ResourceArn": f"arn:aws:s3:::{LAKE}/curated"}}, ("DATA_LOCATION_ACCESS",))
    create = f"CREATE EXTERNAL TABLE sales.made (id bigint, name string) STORED AS PARQUET LOCATION 's3://{LAKE}/curated/made/'"
    lake.querier(maker).rows(create)
    assert lake.lf.list_permissions(Resource={"Table": {"DatabaseName": "sales", "Name": "made"}})["PrincipalResourcePermissions"] == []  # nothing granted
    lake.querier(maker).rows("INSERT INTO sales.made VALUES (1, 'Ana')")
    assert lake.querier(maker).rows("SELECT * FROM sales.made") == [["id", "name"], ["1", "Ana"]]
    for sql in ("SELECT * FROM sales.made", "INSERT INTO sales.made VALUES (2, 'Ben')", "DROP TABLE sales.made"):
        assert "Insufficient Lake Formation permission(s) on made" in lake.querier(other).failure(sql), sql
    lake.admin.rows("DROP TABLE sales.made")
    lake.admin.rows(create)  # the same name, created by the account's root: the maker's rights went with the old one
    assert "Insufficient Lake Formation permission(s) on made" in lake.querier(maker).failure("SELECT * FROM sales.made")


def test_creating_a_table_in_a_governed_database_needs_create_table_or_being_its_creator(lake):
    """A database born without IAMAllowedPrincipals takes tables only from principals holding CREATE_TABLE on
    it, or from its creator (implicit permissions); a database left to IAM takes them from anyone IAM allows."""
    maker, other = lake.role("maker", WRITER_POLICY), lake.role("other", WRITER_POLICY)
    lake.querier(other).rows("CREATE EXTERNAL TABLE lake.anyone (id bigint) STORED AS PARQUET "
                             f"LOCATION 's3://{LAKE}/raw/anyone/'")  # "lake" is left to IAM
    settings = lake.lf.get_data_lake_settings()["DataLakeSettings"]
    settings.update(CreateDatabaseDefaultPermissions=[], CreateTableDefaultPermissions=[])
    lake.lf.put_data_lake_settings(DataLakeSettings=settings)
    lake.session(maker, "glue").create_database(DatabaseInput={"Name": "mine"})
    lake.glue.create_database(DatabaseInput={"Name": "theirs"})
    create = "CREATE EXTERNAL TABLE {db}.t (id bigint) STORED AS PARQUET LOCATION 's3://" + LAKE + "/raw/{db}/'"
    lake.querier(maker).rows(create.format(db="mine"))  # its creator
    for querier, db in ((lake.querier(maker), "theirs"), (lake.querier(other), "mine")):
        reason = querier.failure(create.format(db=db).replace(".t (", ".x ("))
        assert f"Insufficient Lake Formation permission(s) on {db} (Database name: {db})" in reason, reason
    with pytest.raises(lake.glue.exceptions.AccessDeniedException):
        lake.session(other, "glue").create_table(DatabaseName="mine", TableInput={"Name": "api"})
    lake.grant(other, {"Database": {"Name": "mine"}}, ("CREATE_TABLE",))
    lake.querier(other).rows(create.format(db="mine").replace("mine.t", "mine.u"))
    assert sorted(t["Name"] for t in lake.glue.get_tables(DatabaseName="mine")["TableList"]) == ["t", "u"]
