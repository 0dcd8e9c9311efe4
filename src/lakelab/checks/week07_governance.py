"""Week 7 · Governance: Lake Formation, least privilege and an audit trail — one check per exercise.

The checks act as each persona — they assume its role through STS and query, as its people would —
and judge what comes back against the answer key (the course's customers and orders datasets), then
read Lake Formation's and CloudTrail's own answers. They never change a grant, a tag or a filter.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import time
from collections import Counter
from typing import Any

import boto3

from lakelab.checks.framework import exercise, expect
from lakelab.course import datasets, naming

WEEK = 7
PII = ("first_name", "last_name", "email", "phone", "street_address", "date_of_birth")
PUBLIC = tuple(column for column in datasets.CUSTOMER_COLUMNS if column not in PII)
REGION = "DE"
REFUSED = "Insufficient Lake Formation permission(s)"


def _names() -> naming.Names:
    return naming.for_week(WEEK)


def _account() -> str:
    return boto3.client("sts").get_caller_identity()["Account"]


def _customers() -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(datasets.path("customers").read_text(encoding="utf-8"))))


def _session(purpose: str) -> Any:
    """A session of the persona's role (None: the role does not exist or cannot be assumed)."""
    names = _names()
    sts = boto3.client("sts")
    try:
        credentials = sts.assume_role(RoleArn=f"arn:aws:iam::{_account()}:role/{names.resource(purpose)}",
                                      RoleSessionName="lakelab-check")["Credentials"]
    except sts.exceptions.ClientError:
        return None
    return boto3.Session(aws_access_key_id=credentials["AccessKeyId"], aws_secret_access_key=credentials["SecretAccessKey"],
                         aws_session_token=credentials["SessionToken"], region_name=names.region)


def _persona(purpose: str) -> Any:
    session = _session(purpose)
    expect(session is not None, expected=f"a role {_names().resource(purpose)} people of this account may assume",
           found="no such role, or its trust policy does not let this account assume it",
           hint="create_or_update_role(...) in 7.1: its trust policy names the account root as principal")
    return session


def _query(session: Any, sql: str) -> tuple[list[list[str | None]] | None, str]:
    """(header and rows, "") or (None, why it failed) for ``sql`` run in the week's workgroup as ``session``."""
    names = _names()
    athena = session.client("athena") if session else boto3.client("athena")
    try:
        execution = athena.start_query_execution(
            QueryString=sql, WorkGroup=names.resource("governance"),
            QueryExecutionContext={"Database": names.database("governed")})["QueryExecutionId"]
    except athena.exceptions.ClientError as error:
        return None, f"{error.response['Error']['Code']}: {error.response['Error'].get('Message', '')}"
    while True:
        state = athena.get_query_execution(QueryExecutionId=execution)["QueryExecution"]["Status"]
        if state["State"] not in ("QUEUED", "RUNNING"):
            break
        time.sleep(0.2)
    if state["State"] != "SUCCEEDED":
        return None, state.get("StateChangeReason", state["State"])
    pages = athena.get_paginator("get_query_results").paginate(QueryExecutionId=execution)
    return [[cell.get("VarCharValue") for cell in row["Data"]] for page in pages for row in page["ResultSet"]["Rows"]], ""


def _denied_code(call: Any) -> str:
    """The error code ``call()`` fails with ("" when it succeeds)."""
    try:
        call()
    except boto3.client("s3").exceptions.ClientError as error:
        return error.response["Error"]["Code"]
    return ""


# --- 7.1 ---------------------------------------------------------------------------------------------


@exercise(WEEK, "7.1", "each persona's role does its job and reaches nothing else",
          hint="the analysts' policy allows Athena in the workgroup, Glue's catalog reads, lakeformation:GetDataAccess "
               "and S3 only under athena-results/governance/; the auditor's only cloudtrail:LookupEvents (IAM user "
               "guide: 'Grant least privilege'; Lake Formation developer guide: 'Lake Formation personas and IAM "
               "permissions reference')")
def personas_least_privilege() -> None:
    names = _names()
    bucket = names.bucket("lake")
    for purpose in ("analyst", "regional-analyst"):
        session = _persona(purpose)
        s3 = session.client("s3")
        for key in ("raw/customers/customers.csv", "curated/governed/customers/part-0000.parquet"):
            code = _denied_code(lambda: s3.get_object(Bucket=bucket, Key=key))
            expect(code in ("AccessDenied", "403"), expected=f"the {purpose} refused s3:GetObject on {key}",
                   found=f"the {purpose} read s3://{bucket}/{key}" if not code else f"{code}",
                   hint="no s3:GetObject on the lake's data for the analysts: a role that can read the files reads "
                        "every column whatever Lake Formation grants; allow S3 only under athena-results/governance/")
        rows, why = _query(session, "SELECT 1 AS ok")
        expect(rows is not None, expected=f"the {purpose} able to run a query in the workgroup",
               found=why, hint="allow athena:StartQueryExecution, GetQueryExecution, GetQueryResults on the workgroup's "
                               "ARN, and s3:PutObject/GetObject under athena-results/governance/ for its results")
        trail_code = _denied_code(lambda: session.client("cloudtrail").lookup_events(MaxResults=1))
        expect(trail_code, expected=f"the {purpose} refused the audit trail", found="it read CloudTrail's event history",
               hint="cloudtrail:LookupEvents belongs to the auditor only")
    session = _persona("auditor")
    code = _denied_code(lambda: session.client("cloudtrail").lookup_events(MaxResults=1))
    expect(not code, expected="the auditor able to read the event history", found=code,
           hint="allow cloudtrail:LookupEvents (it has no resource type: \"Resource\": \"*\")")
    raw = _denied_code(lambda: session.client("s3").get_object(Bucket=bucket, Key="raw/customers/customers.csv"))
    athena = _denied_code(lambda: session.client("athena").start_query_execution(
        QueryString="SELECT 1", WorkGroup=names.resource("governance")))
    expect(raw and athena, expected="the auditor refused the lake's files and Athena",
           found=", ".join(what for what, code in (("it read raw/customers/customers.csv", raw),
                                                   ("it started a query", athena)) if not code),
           hint="the auditor's policy allows cloudtrail:LookupEvents and nothing else")


# --- 7.2 ---------------------------------------------------------------------------------------------


@exercise(WEEK, "7.2", "Lake Formation governs the curated tables: a location registered, IAMAllowedPrincipals gone",
          hint="lakeformation.register_resource(ResourceArn=GOVERNED, UseServiceLinkedRole=True), then for each table "
               "revoke_permissions(Principal={'DataLakePrincipalIdentifier': 'IAM_ALLOWED_PRINCIPALS'}, Resource="
               "{'Table': {...}}, Permissions=['ALL']) (Lake Formation developer guide: 'Changing the default settings "
               "for your data lake', 'Registering an Amazon S3 location')")
def lake_formation_governs() -> None:
    names, lakeformation = _names(), boto3.client("lakeformation")
    governed = f"arn:aws:s3:::{names.bucket('lake')}/curated/governed"
    registered, token = [], None
    while True:  # ListResources has a NextToken but no boto3 paginator
        page = lakeformation.list_resources(**({"NextToken": token} if token else {}))
        registered += [resource["ResourceArn"] for resource in page.get("ResourceInfoList", [])]
        token = page.get("NextToken")
        if not token:
            break
    covering = [arn for arn in registered if governed == arn.rstrip("/") or governed.startswith(arn.rstrip("/") + "/")]
    expect(covering, expected=f"{governed} registered with Lake Formation (or a location that contains it)",
           found=", ".join(registered) or "no registered locations")
    database = names.database("governed")
    open_to_iam = []
    for table in ("customers", "orders"):
        permissions = lakeformation.list_permissions(
            Principal={"DataLakePrincipalIdentifier": "IAM_ALLOWED_PRINCIPALS"},
            Resource={"Table": {"DatabaseName": database, "Name": table}})["PrincipalResourcePermissions"]
        if permissions:
            open_to_iam.append(table)
    expect(not open_to_iam, expected="no IAM_ALLOWED_PRINCIPALS grant on customers and orders",
           found=f"IAM_ALLOWED_PRINCIPALS still granted on {', '.join(open_to_iam)}",
           hint="while IAMAllowedPrincipals holds ALL on a table, IAM alone decides who reads it: revoke ['ALL'] from "
                "IAM_ALLOWED_PRINCIPALS on each table")
    rows, why = _query(_persona("regional-analyst"), "SELECT count(*) FROM orders")
    expect(rows is None and REFUSED in why, expected="a principal without a grant on orders refused by Lake Formation",
           found=f"the regional analyst read {rows[1][0]} orders" if rows else why)


# --- 7.3 ---------------------------------------------------------------------------------------------


def _expect_no_pii(session: Any, header: list[str | None], who: str, hint: str) -> None:
    """No PII column in ``header`` (a SELECT * of customers), and each PII column refused when named."""
    visible = [column for column in header if column in PII]
    expect(not visible, expected="no PII column in SELECT *", found=f"visible: {', '.join(visible)}", hint=hint)
    named = [column for column in PII if _query(session, f"SELECT {column} FROM customers LIMIT 1")[0] is not None]
    expect(not named, expected="a query naming a PII column refused", found=f"{who} read {', '.join(named)}",
           hint=hint)


@exercise(WEEK, "7.3", "the analyst reads every customer, and no personal data",
          hint="an LF-tag TAG with values public and pii; the database tagged public, the PII columns of customers "
               "tagged pii; SELECT (and DESCRIBE) granted to the analyst's role ARN on the LFTagPolicy TAG=public "
               "(Lake Formation developer guide: 'Lake Formation tag-based access control')")
def pii_hidden_from_the_analyst() -> None:
    session = _persona("analyst")
    rows, why = _query(session, "SELECT * FROM customers")
    expect(rows is not None, expected="the analyst's SELECT * FROM customers answered", found=why,
           hint="grant the analyst SELECT on the tag expression TAG=public, with resource type TABLE")
    header, body = rows[0], rows[1:]
    _expect_no_pii(session, header, "the analyst", "tag each PII column pii (TableWithColumns with ColumnNames=PII): a "
                   "column keeps its table's inherited public tag until it gets its own")
    missing = [column for column in PUBLIC if column not in header]
    expect(not missing, expected=f"the public columns {', '.join(PUBLIC)}", found=f"missing: {', '.join(missing)}",
           hint="tag the database public, so its tables and their other columns inherit it")
    expect(len(body) == len(_customers()), expected=f"all {len(_customers())} customers", found=f"{len(body)} rows",
           hint="a column grant hides columns, never rows: the analyst needs no row filter")


# --- 7.4 ---------------------------------------------------------------------------------------------


@exercise(WEEK, "7.4", "the regional analyst reads Germany's customers only, without personal data",
          hint="create_data_cells_filter(TableData={..., 'RowFilter': {'FilterExpression': \"country = 'DE'\"}, "
               "'ColumnWildcard': {'ExcludedColumnNames': PII}}) and grant SELECT on it to the regional analyst's "
               "role ARN (Lake Formation developer guide: 'Data filtering and cell-level security')")
def regional_rows_only() -> None:
    session = _persona("regional-analyst")
    rows, why = _query(session, "SELECT * FROM customers")
    expect(rows is not None, expected="the regional analyst's SELECT * FROM customers answered", found=why,
           hint="grant SELECT on the data cells filter (Resource={'DataCellsFilter': {...}}) to the regional role")
    header, body = rows[0], rows[1:]
    expected = Counter(row["country"] for row in _customers() if row["country"] == REGION)
    found = Counter(dict(zip(header, row)).get("country") for row in body)
    expect(found == expected, expected=f"{expected[REGION]} customers, all in {REGION}",
           found=", ".join(f"{count} in {country}" for country, count in found.most_common(4)) or "no rows",
           hint="the row filter keeps the rows where it is true: country = 'DE' (values are case-sensitive)")
    _expect_no_pii(session, header, "the regional analyst",
                   "the filter's columns: ColumnWildcard with ExcludedColumnNames=PII")


# --- 7.5 ---------------------------------------------------------------------------------------------


@exercise(WEEK, "7.5", "orders are confidential: the analyst is refused them, and still reads customers",
          hint="update_lf_tag(TagKey=TAG, TagValuesToAdd=['confidential']) and tag the orders table confidential with "
               "add_lf_tags_to_resource: the analyst's grant on TAG=public no longer matches it (Lake Formation "
               "developer guide: 'Assigning LF-Tags to Data Catalog resources')")
def orders_confidential() -> None:
    names, lakeformation = _names(), boto3.client("lakeformation")
    session = _persona("analyst")
    rows, why = _query(session, "SELECT count(*) FROM orders")
    expect(rows is None and REFUSED in why, expected="the analyst's query on orders refused by Lake Formation",
           found=f"it read {rows[1][0]} orders" if rows else why)
    rows, why = _query(session, "SELECT count(*) FROM customers")
    expect(rows is not None, expected="the analyst still reading customers", found=why,
           hint="change the orders table's tag, not the analyst's grant: revoking the tag policy takes customers away too")
    tags = lakeformation.get_resource_lf_tags(
        Resource={"Table": {"DatabaseName": names.database("governed"), "Name": "orders"}}).get("LFTagsOnTable", [])
    values = {value for tag in tags if tag["TagKey"] == names.resource("classification") for value in tag["TagValues"]}
    expect(values == {"confidential"}, expected="orders tagged confidential", found=sorted(values) or "no tag",
           hint="a table's own LF-tag replaces the value it inherited from its database")


# --- 7.6 ---------------------------------------------------------------------------------------------


@exercise(WEEK, "7.6", "the lake's objects are encrypted with its own rotating key, a Bucket Key, and still governed",
          hint="a customer managed key with the alias alias/<prefix>lake-key, rotation on, whose key policy lets the "
               "account decide through IAM and lets Lake Formation's service-linked role decrypt; the bucket's default "
               "encryption aws:kms with it and BucketKeyEnabled; the tables' objects rewritten with copy_object (AWS KMS "
               "developer guide: 'Key policies'; S3 user guide: 'Reducing the cost of SSE-KMS with Amazon S3 Bucket "
               "Keys')")
def lake_key_in_use() -> None:
    names, kms, s3 = _names(), boto3.client("kms"), boto3.client("s3")
    alias, bucket = f"alias/{names.resource('lake-key')}", names.bucket("lake")
    try:
        metadata = kms.describe_key(KeyId=alias)["KeyMetadata"]
    except kms.exceptions.NotFoundException:
        expect(False, expected=f"a key with the alias {alias}", found="no such alias")
    expect(metadata.get("KeyManager") == "CUSTOMER" and metadata.get("KeyState") == "Enabled",
           expected="an enabled customer managed key", found=f"{metadata.get('KeyManager')}, {metadata.get('KeyState')}")
    rotation = kms.get_key_rotation_status(KeyId=metadata["KeyId"])
    expect(rotation.get("KeyRotationEnabled"), expected="automatic rotation on", found="rotation off",
           hint="kms.enable_key_rotation(KeyId=key_id, RotationPeriodInDays=365): the key material changes yearly, "
                "old objects stay readable")
    rules = s3.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"]["Rules"]
    default = rules[0].get("ApplyServerSideEncryptionByDefault", {}) if rules else {}
    named = default.get("KMSMasterKeyID", "")
    expect(default.get("SSEAlgorithm") == "aws:kms" and named in (metadata["Arn"], metadata["KeyId"], alias),
           expected=f"the bucket's default encryption aws:kms with {alias}",
           found=f"{default.get('SSEAlgorithm')} {named}".strip())
    expect(rules[0].get("BucketKeyEnabled"), expected="the bucket's default encryption with a Bucket Key",
           found="BucketKeyEnabled off", hint="without a Bucket Key S3 calls KMS for every object written and read: "
                                              "each call is a KMS request, billed; BucketKeyEnabled=True")
    for table in ("customers", "orders"):
        key = f"curated/governed/{table}/part-0000.parquet"
        head = s3.head_object(Bucket=bucket, Key=key)
        expect(head.get("SSEKMSKeyId") == metadata["Arn"] and head.get("BucketKeyEnabled"),
               expected=f"{key} encrypted with the key and a Bucket Key",
               found=f"{head.get('ServerSideEncryption')} {head.get('SSEKMSKeyId', '')}, Bucket Key "
                     f"{bool(head.get('BucketKeyEnabled'))}".replace("  ", " "),
               hint="default encryption applies to new objects only: copy_object each table's object onto itself with "
                    "ServerSideEncryption='aws:kms', SSEKMSKeyId and BucketKeyEnabled=True")
    rows, why = _query(_persona("analyst"), "SELECT count(*) FROM customers")
    expect(rows is not None, expected="the analyst's governed query still answered", found=why,
           hint="Lake Formation reads the registered location as its service-linked role: the key policy must allow "
                "that role kms:Decrypt (AWSServiceRoleForLakeFormationDataAccess)")


# --- 7.7 ---------------------------------------------------------------------------------------------


def _refusals(until: Any) -> Counter:
    """(role name, table) of every GetDataAccess CloudTrail recorded as refused up to ``until``, counted."""
    found: Counter = Counter()
    pages = boto3.client("cloudtrail").get_paginator("lookup_events").paginate(
        LookupAttributes=[{"AttributeKey": "EventName", "AttributeValue": "GetDataAccess"}], EndTime=until)
    for page in pages:
        for event in page["Events"]:
            record = json.loads(event["CloudTrailEvent"])
            if record.get("errorCode"):
                who = record["userIdentity"].get("arn", "").split("assumed-role/")[-1].split("/")[0]
                found[(who, record.get("requestParameters", {}).get("tableArn", "").rsplit("/", 1)[-1])] += 1
    return found


@exercise(WEEK, "7.7", "the auditor's report lists every refused data access, and only those",
          hint="lookup_events with LookupAttributes EventName=GetDataAccess, every page, keeping the events whose "
               "CloudTrailEvent has an errorCode; 'who' is the role name in userIdentity.arn after assumed-role/ "
               "(CloudTrail user guide: 'Viewing events with CloudTrail Event history')")
def auditor_found_the_refusals() -> None:
    names, s3 = _names(), boto3.client("s3")
    bucket, key = names.bucket("lake"), "audit/governance/denied.json"
    try:
        stored = s3.get_object(Bucket=bucket, Key=key)
    except s3.exceptions.NoSuchKey:
        expect(False, expected=f"s3://{bucket}/{key}", found="no such object", hint="run the exercise's cell to its end")
    try:
        report = json.loads(stored["Body"].read())
        listed = Counter((entry["who"], entry["table"]) for entry in report)
    except (ValueError, KeyError, TypeError) as error:
        expect(False, expected="a list of {when, who, table, error}", found=f"unreadable: {error}")
    # The report's time is its object's LastModified, to the second: refusals within two seconds of it may be
    # on either side (the lab's next cell queries at once), so each comparison leaves that window out.
    margin = dt.timedelta(seconds=2)
    truth, settled = _refusals(stored["LastModified"] + margin), _refusals(stored["LastModified"] - margin)
    expect(truth, expected="refused data accesses in the trail (the lab's queries make some)", found="none",
           hint="run sections 3 to 6 as the personas: their refused queries are what the auditor looks for")
    extra = listed - truth
    expect(not extra, expected="only refused accesses in the report",
           found=f"{sum(extra.values())} entries CloudTrail does not record as refused, e.g. {min(extra)}" if extra else "",
           hint="keep only the events whose CloudTrailEvent has an errorCode: the others were allowed")
    missing = settled - listed
    expect(not missing, expected=f"all {sum(settled.values())} refusals recorded until the report was written",
           found=f"{sum(missing.values())} missing, e.g. {min(missing)}" if missing else "",
           hint="read every page (get_paginator('lookup_events')), and take the role name from userIdentity.arn")
    analyst = names.resource("analyst")
    expect(any(who == analyst for who, _ in listed), expected=f"the analyst ({analyst}) among those refused",
           found=sorted({who for who, _ in listed}))
