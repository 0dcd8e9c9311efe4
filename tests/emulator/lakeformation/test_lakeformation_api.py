"""Lake Formation's API as a learner calls it: what it keeps, and the bad input it refuses."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from lakeformation_helpers import ACCOUNT, LAKE, columns, lake, table  # noqa: F401 (fixture)


def _error(call, **kwargs) -> tuple[str, str]:
    with pytest.raises(ClientError) as raised:
        call(**kwargs)
    return raised.value.response["Error"]["Code"], raised.value.response["Error"]["Message"]


def _filter(name: str, expression: str, **cells) -> dict:
    return {"TableCatalogId": ACCOUNT, "DatabaseName": "lake", "TableName": "customers", "Name": name,
            "RowFilter": {"FilterExpression": expression}, **(cells or {"ColumnWildcard": {}})}


@pytest.mark.parametrize("expression", ["country =", "country = 'FR' AND", "upper(country) = 'FR'",
                                        "country = name", "nope = 1", "country = 'FR'; DROP TABLE x"])
def test_a_row_filter_lake_formation_cannot_take_is_refused_at_create(lake, expression):
    code, message = _error(lake.lf.create_data_cells_filter, TableData=_filter("bad", expression))
    assert code == "InvalidInputException" and "row filter expression" in message
    assert lake.lf.list_data_cells_filter()["DataCellsFilters"] == []


def test_a_grant_on_what_does_not_exist_is_refused(lake):
    analyst = lake.role("analyst")
    grant = lake.lf.grant_permissions
    who = {"DataLakePrincipalIdentifier": analyst}
    assert _error(grant, Principal=who, Resource=table("nope"), Permissions=["SELECT"]) == (
        "EntityNotFoundException", "Table nope not found.")
    assert _error(grant, Principal=who, Resource={"Database": {"Name": "nope"}}, Permissions=["DESCRIBE"]) == (
        "EntityNotFoundException", "Database nope not found.")
    code, message = _error(grant, Principal=who, Resource=columns(names=("id", "phone")), Permissions=["SELECT"])
    assert code == "InvalidInputException" and "phone" in message
    ghost = f"arn:aws:iam::{ACCOUNT}:role/ghost"
    assert _error(grant, Principal={"DataLakePrincipalIdentifier": ghost}, Resource=table(),
                  Permissions=["SELECT"]) == ("InvalidInputException", f"Invalid principal, arn: {ghost}")
    code, _ = _error(grant, Principal=who, Resource={"Database": {"Name": "lake"}}, Permissions=["SELECT"])
    assert code == "InvalidInputException"
    assert lake.lf.list_permissions(Principal=who, Resource=table())["PrincipalResourcePermissions"] == []


def test_a_revoke_of_what_was_never_granted_is_refused(lake):
    analyst = lake.role("analyst")
    assert _error(lake.lf.revoke_permissions, Principal={"DataLakePrincipalIdentifier": analyst}, Resource=table(),
                  Permissions=["SELECT"]) == ("InvalidInputException",
                                              "Grantee has no permissions and no grantable permissions on resource")


def test_grants_merge_list_and_batch(lake):
    analyst, engineer = lake.role("analyst"), lake.role("engineer")
    lake.grant(analyst, table(), ("SELECT",))
    lake.grant(analyst, table(), ("DESCRIBE",), PermissionsWithGrantOption=["DESCRIBE"])
    answer = lake.lf.batch_grant_permissions(Entries=[
        {"Id": "1", "Principal": {"DataLakePrincipalIdentifier": engineer}, "Resource": {"Database": {"Name": "lake"}},
         "Permissions": ["CREATE_TABLE"]},
        {"Id": "2", "Principal": {"DataLakePrincipalIdentifier": engineer}, "Resource": table("nope"),
         "Permissions": ["SELECT"]}])
    assert [f["RequestEntry"]["Id"] for f in answer["Failures"]] == ["2"]
    assert answer["Failures"][0]["Error"]["ErrorCode"] == "EntityNotFoundException"
    mine = lake.lf.list_permissions(Principal={"DataLakePrincipalIdentifier": analyst},
                                    Resource=table())["PrincipalResourcePermissions"]
    assert [(p["Permissions"], p["PermissionsWithGrantOption"]) for p in mine] == [
        (["DESCRIBE", "SELECT"], ["DESCRIBE"])]
    databases = lake.lf.list_permissions(ResourceType="DATABASE")["PrincipalResourcePermissions"]
    assert {p["Principal"]["DataLakePrincipalIdentifier"] for p in databases} == {"IAM_ALLOWED_PRINCIPALS", engineer}
    lake.lf.batch_revoke_permissions(Entries=[{"Id": "1", "Principal": {"DataLakePrincipalIdentifier": analyst},
                                               "Resource": table(), "Permissions": ["SELECT"]}])
    mine = lake.lf.list_permissions(Principal={"DataLakePrincipalIdentifier": analyst}, Resource=table())
    assert mine["PrincipalResourcePermissions"][0]["Permissions"] == ["DESCRIBE"]
    assert _error(lake.lf.list_permissions, Principal={"DataLakePrincipalIdentifier": analyst})[0] == \
        "InvalidInputException"


def test_only_an_administrator_or_a_holder_of_the_grant_option_may_grant(lake):
    may_call = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "lakeformation:*",
                                                        "Resource": "*"}]}
    engineer, analyst = lake.role("engineer", may_call), lake.role("analyst")
    as_engineer = lake.session(engineer, "lakeformation")
    request = {"Principal": {"DataLakePrincipalIdentifier": analyst}, "Resource": table(), "Permissions": ["SELECT"]}
    assert _error(as_engineer.grant_permissions, **request) == (
        "AccessDeniedException", "Resource does not exist or requester is not authorized to access requested "
                                 "permissions.")
    lake.grant(engineer, table(), ("SELECT",), PermissionsWithGrantOption=["SELECT"])
    as_engineer.grant_permissions(**request)
    listed = lake.lf.list_permissions(Principal={"DataLakePrincipalIdentifier": analyst}, Resource=table())
    assert listed["PrincipalResourcePermissions"][0]["LastUpdatedBy"].endswith(":assumed-role/engineer/persona")


def test_registered_locations_and_data_location_permissions(lake):
    loader = lake.role("loader")
    arn = f"arn:aws:s3:::{LAKE}/curated"
    lake.lf.register_resource(ResourceArn=arn, RoleArn=loader, HybridAccessEnabled=True)
    assert _error(lake.lf.register_resource, ResourceArn=arn, UseServiceLinkedRole=True)[0] == "AlreadyExistsException"
    assert lake.lf.list_resources()["ResourceInfoList"][0]["RoleArn"] == loader
    assert lake.lf.describe_resource(ResourceArn=arn)["ResourceInfo"]["HybridAccessEnabled"] is True
    lake.grant(loader, {"DataLocation": {"ResourceArn": arn}}, ("DATA_LOCATION_ACCESS",))
    assert _error(lake.lf.grant_permissions, Principal={"DataLakePrincipalIdentifier": loader},
                  Resource={"DataLocation": {"ResourceArn": f"arn:aws:s3:::{LAKE}/raw"}},
                  Permissions=["DATA_LOCATION_ACCESS"])[0] == "EntityNotFoundException"
    listed = lake.lf.list_permissions(ResourceType="DATA_LOCATION")["PrincipalResourcePermissions"]
    assert [p["Permissions"] for p in listed] == [["DATA_LOCATION_ACCESS"]]
    lake.lf.deregister_resource(ResourceArn=arn)
    assert lake.lf.list_resources()["ResourceInfoList"] == []
    assert lake.lf.list_permissions(ResourceType="DATA_LOCATION")["PrincipalResourcePermissions"] == []
    assert _error(lake.lf.describe_resource, ResourceArn=arn)[0] == "EntityNotFoundException"


def test_hybrid_access_mode_governs_only_the_principals_opted_in(lake):
    policy = {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": ["athena:*", "glue:Get*", "s3:*", "lakeformation:GetDataAccess"],
         "Resource": "*"}]}
    analyst, newcomer = lake.role("analyst", policy), lake.role("newcomer", policy)
    lake.lf.register_resource(ResourceArn=f"arn:aws:s3:::{LAKE}/curated", UseServiceLinkedRole=True,
                              HybridAccessEnabled=True)
    lake.lf.revoke_permissions(Principal={"DataLakePrincipalIdentifier": "IAM_ALLOWED_PRINCIPALS"}, Resource=table(),
                               Permissions=["ALL"])
    assert lake.querier(analyst).rows("SELECT count(*) FROM customers") == [["_col0"], ["5"]]  # IAM decides
    lake.lf.create_lake_formation_opt_in(Principal={"DataLakePrincipalIdentifier": newcomer},
                                         Resource={"Database": {"Name": "lake"}})
    listed = lake.lf.list_lake_formation_opt_ins()["LakeFormationOptInsInfoList"]
    assert [o["Principal"]["DataLakePrincipalIdentifier"] for o in listed] == [newcomer]
    assert "Insufficient Lake Formation permission(s)" in lake.querier(newcomer).failure("SELECT * FROM customers")
    lake.grant(newcomer, columns(names=("id",)))
    assert lake.querier(newcomer).rows("SELECT * FROM customers ORDER BY id")[:2] == [["id"], ["1"]]
    assert lake.querier(analyst).rows("SELECT * FROM customers ORDER BY id")[0] == ["id", "name", "email", "country"]
    lake.lf.delete_lake_formation_opt_in(Principal={"DataLakePrincipalIdentifier": newcomer},
                                         Resource={"Database": {"Name": "lake"}})
    assert lake.querier(newcomer).rows("SELECT * FROM customers ORDER BY id")[0] == ["id", "name", "email", "country"]


def test_data_cells_filters_are_kept_updated_and_deleted(lake):
    lake.lf.create_data_cells_filter(TableData=_filter("france", "country = 'FR'", ColumnNames=["id", "country"]))
    assert _error(lake.lf.create_data_cells_filter, TableData=_filter("france", "country = 'DE'"))[0] == \
        "AlreadyExistsException"
    code, message = _error(lake.lf.create_data_cells_filter,
                           TableData={**_filter("x", "id > 1"), "TableName": "nope"})
    assert (code, message) == ("EntityNotFoundException", "Table nope not found.")
    lake.lf.update_data_cells_filter(TableData=_filter("france", "country IN ('FR', 'BE') AND id BETWEEN 1 AND 9",
                                                       ColumnWildcard={"ExcludedColumnNames": ["email"]}))
    found = lake.lf.get_data_cells_filter(TableCatalogId=ACCOUNT, DatabaseName="lake", TableName="customers",
                                          Name="france")["DataCellsFilter"]
    assert found["RowFilter"]["FilterExpression"].startswith("country IN") and found["VersionId"] == "1"
    assert found["ColumnWildcard"] == {"ExcludedColumnNames": ["email"]}
    listed = lake.lf.list_data_cells_filter(Table={"CatalogId": ACCOUNT, "DatabaseName": "lake", "Name": "customers"})
    assert [f["Name"] for f in listed["DataCellsFilters"]] == ["france"]
    lake.lf.delete_data_cells_filter(TableCatalogId=ACCOUNT, DatabaseName="lake", TableName="customers",
                                     Name="france")
    assert lake.lf.list_data_cells_filter()["DataCellsFilters"] == []


def test_lf_tags_are_kept_updated_and_refused_when_unknown(lake):
    lake.lf.create_lf_tag(TagKey="domain", TagValues=["sales", "hr"])
    lake.lf.update_lf_tag(TagKey="domain", TagValuesToAdd=["ops"], TagValuesToDelete=["hr"])
    assert lake.lf.get_lf_tag(TagKey="domain")["TagValues"] == ["sales", "ops"]
    failures = lake.lf.add_lf_tags_to_resource(Resource=table(), LFTags=[{"TagKey": "domain", "TagValues": ["hr"]}])
    assert failures["Failures"][0]["Error"]["ErrorCode"] == "EntityNotFoundException"
    lake.lf.add_lf_tags_to_resource(Resource=table(), LFTags=[{"TagKey": "domain", "TagValues": ["sales"]}])
    assert lake.lf.get_resource_lf_tags(Resource=table())["LFTagsOnTable"][0]["TagValues"] == ["sales"]
    lake.lf.remove_lf_tags_from_resource(Resource=table(), LFTags=[{"TagKey": "domain", "TagValues": ["sales"]}])
    assert lake.lf.get_resource_lf_tags(Resource=table())["LFTagsOnTable"] == []
    assert _error(lake.lf.grant_permissions, Principal={"DataLakePrincipalIdentifier": lake.role("analyst")},
                  Resource={"LFTagPolicy": {"ResourceType": "TABLE",
                                            "Expression": [{"TagKey": "domain", "TagValues": ["hr"]}]}},
                  Permissions=["SELECT"])[0] == "EntityNotFoundException"
    lake.lf.delete_lf_tag(TagKey="domain")
    assert lake.lf.list_lf_tags()["LFTags"] == []
    assert _error(lake.lf.get_lf_tag, TagKey="domain")[0] == "EntityNotFoundException"


def test_a_dropped_table_takes_its_grants_with_it(lake):
    analyst = lake.role("analyst")
    lake.grant(analyst, table())
    lake.glue.delete_table(DatabaseName="lake", Name="customers")
    lake.put_table("customers")
    listed = lake.lf.list_permissions(Resource=table())["PrincipalResourcePermissions"]
    assert [p["Principal"]["DataLakePrincipalIdentifier"] for p in listed] == ["IAM_ALLOWED_PRINCIPALS"]


def test_a_deleted_roles_grant_stays_listed_under_its_arn_and_can_be_revoked(lake):
    analyst = lake.role("analyst")
    lake.grant(analyst, table(), ("SELECT", "DESCRIBE"))
    lake.iam.delete_role_policy(RoleName="analyst", PolicyName="work")
    lake.iam.delete_role(RoleName="analyst")
    who = {"DataLakePrincipalIdentifier": analyst}
    listed = lake.lf.list_permissions(Principal=who, Resource=table())["PrincipalResourcePermissions"]
    assert [p["Permissions"] for p in listed] == [["DESCRIBE", "SELECT"]]
    assert _error(lake.lf.grant_permissions, Principal=who, Resource=table(), Permissions=["ALTER"]) == (
        "InvalidInputException", f"Invalid principal, arn: {analyst}")  # granting still needs the role
    lake.lf.revoke_permissions(Principal=who, Resource=table(), Permissions=["SELECT", "DESCRIBE"])
    assert lake.lf.list_permissions(Principal=who, Resource=table())["PrincipalResourcePermissions"] == []


def test_a_table_in_a_registered_location_needs_data_location_access(lake):
    may_create = {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": ["athena:*", "glue:*", "s3:*"], "Resource": "*"}]}
    engineer = lake.role("engineer", may_create)
    arn = f"arn:aws:s3:::{LAKE}/curated"
    lake.lf.register_resource(ResourceArn=arn, UseServiceLinkedRole=True)
    glue = lake.session(engineer, "glue")
    orders = {"Name": "orders", "StorageDescriptor": {"Columns": [{"Name": "id", "Type": "bigint"}],
                                                      "Location": f"s3://{LAKE}/curated/orders/"}}
    assert _error(glue.create_table, DatabaseName="lake", TableInput=orders) == (
        "AccessDeniedException", f"Insufficient Lake Formation permission(s) on s3://{LAKE}/curated/orders/")
    from lakeformation_helpers import Querier

    reason = Querier(lake.session(engineer, "athena")).failure(
        f"CREATE EXTERNAL TABLE orders (id bigint) STORED AS PARQUET LOCATION 's3://{LAKE}/curated/orders/'")
    assert "Insufficient Lake Formation permission(s) on s3://" in reason and reason.startswith("FAILED: Execution")
    glue.create_table(DatabaseName="lake", TableInput={**orders, "Name": "raw_orders", "StorageDescriptor": {
        **orders["StorageDescriptor"], "Location": f"s3://{LAKE}/raw/orders/"}})  # not registered: IAM decides
    lake.grant(engineer, {"DataLocation": {"ResourceArn": arn}}, ("DATA_LOCATION_ACCESS",))
    glue.create_table(DatabaseName="lake", TableInput=orders)


def test_an_lf_tag_creator_needs_create_lf_tag_on_the_catalog(lake):
    steward = lake.role("steward", {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "lakeformation:*", "Resource": "*"}]})
    as_steward = lake.session(steward, "lakeformation")
    assert _error(as_steward.create_lf_tag, TagKey="pii", TagValues=["true"])[0] == "AccessDeniedException"
    lake.grant(steward, {"Catalog": {}}, ("CREATE_LF_TAG",))
    as_steward.create_lf_tag(TagKey="pii", TagValues=["true"])
    assert [t["TagKey"] for t in lake.lf.list_lf_tags()["LFTags"]] == ["pii"]


def test_select_with_grant_option_on_a_table_lets_its_holder_grant_columns(lake):
    may_call = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "lakeformation:*",
                                                        "Resource": "*"}]}
    owner, analyst = lake.role("owner", may_call), lake.role("analyst")
    lake.grant(owner, table(), ("SELECT",), PermissionsWithGrantOption=["SELECT"])
    lake.session(owner, "lakeformation").grant_permissions(
        Principal={"DataLakePrincipalIdentifier": analyst}, Resource=columns(names=("id",)), Permissions=["SELECT"])
    listed = lake.lf.list_permissions(Principal={"DataLakePrincipalIdentifier": analyst}, Resource=table())
    assert listed["PrincipalResourcePermissions"][0]["Resource"]["TableWithColumns"]["ColumnNames"] == ["id"]


def test_a_refused_grant_is_in_the_trail_with_lake_formations_error(lake, emulator, client):
    import json

    ghost = f"arn:aws:iam::{ACCOUNT}:role/ghost"
    _error(lake.lf.grant_permissions, Principal={"DataLakePrincipalIdentifier": ghost}, Resource=table(),
           Permissions=["SELECT"])
    emulator.drain()
    events = client("cloudtrail").lookup_events(
        LookupAttributes=[{"AttributeKey": "EventName", "AttributeValue": "GrantPermissions"}])["Events"]
    record = json.loads(events[0]["CloudTrailEvent"])
    assert record["eventSource"] == "lakeformation.amazonaws.com"
    assert (record["errorCode"], record["errorMessage"]) == (
        "InvalidInputException", f"Invalid principal, arn: {ghost}")


def test_search_tables_and_databases_by_lf_tags(lake):
    lake.lf.create_lf_tag(TagKey="pii", TagValues=["true", "false"])
    lake.lf.add_lf_tags_to_resource(Resource={"Database": {"Name": "lake"}},
                                    LFTags=[{"TagKey": "pii", "TagValues": ["false"]}])
    lake.lf.add_lf_tags_to_resource(Resource=columns(names=("email",)),
                                    LFTags=[{"TagKey": "pii", "TagValues": ["true"]}])
    found = lake.lf.search_tables_by_lf_tags(Expression=[{"TagKey": "pii", "TagValues": ["true"]}])["TableList"]
    assert [(t["Table"]["Name"], [c["Name"] for c in t["LFTagsOnColumns"]]) for t in found] == [
        ("customers", ["email"])]
    databases = lake.lf.search_databases_by_lf_tags(Expression=[{"TagKey": "pii", "TagValues": ["false"]}])
    assert [d["Database"]["Name"] for d in databases["DatabaseList"]] == ["lake"]
