"""Lake Formation's cost: a governed Athena query against the same query left to IAM, and one decision.

``athena-governed``: the 2M-row sales table of ``service_cases.py`` (its GROUP BY), queried by one
analyst role three ways, alternating: left to IAM (``IAMAllowedPrincipals``, the analyst reads the
bucket with IAM); governed by a column grant (every column but ``note``); governed by a data cells
filter (the same columns, and a row filter every row passes, so all three answer the same rows and
the ratio is the enforcement's cost alone). ``lf-decision``: Lake Formation's decision for one
principal and one table with 1,000 grants and 100 LF-tags defined (tag-policy, column and data
filter grants over 50 tables and 100 roles), first uncached then cached. ``lf-teardown``: teardown's
Lake Formation sweepers listing, then removing, 1,000 grants to course roles and the course's filters,
LF-tags and locations among others. Each prints one JSON line.
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from service_cases import GROUP_BY, _athena_round_trip, _emulator, _sales_parquet  # noqa: E402

ACCOUNT = "123456789012"
TRUST = {"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"}, "Action": "sts:AssumeRole"}]}
ANALYST = {"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Action": ["athena:*", "glue:Get*", "lakeformation:GetDataAccess", "s3:*"], "Resource": "*"}]}


def _role(iam, name: str, policy: dict = ANALYST) -> str:
    arn = iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(TRUST))["Role"]["Arn"]
    iam.put_role_policy(RoleName=name, PolicyName="work", PolicyDocument=json.dumps(policy))
    return arn


def _athena_as(role_arn: str):
    import boto3

    credentials = boto3.client("sts").assume_role(RoleArn=role_arn, RoleSessionName="bench")["Credentials"]
    return boto3.client("athena", aws_access_key_id=credentials["AccessKeyId"],
                        aws_secret_access_key=credentials["SecretAccessKey"],
                        aws_session_token=credentials["SessionToken"])


def _sales(athena_root, table: str, folder: str) -> None:
    _athena_round_trip(athena_root, f"CREATE EXTERNAL TABLE {table} (id bigint, category string, amount double, "
                                    f"qty bigint, note string) STORED AS PARQUET LOCATION 's3://bench-lake/{folder}/'")


def athena_governed(runs: int = 7) -> dict:
    import boto3

    _emulator()
    local = os.path.join(tempfile.mkdtemp(), "sales.parquet")
    _sales_parquet(local)
    s3, glue, iam, lf = (boto3.client(s) for s in ("s3", "glue", "iam", "lakeformation"))
    s3.create_bucket(Bucket="bench-lake")
    for folder in ("open", "governed"):  # the same file in a location left to IAM and in a registered one
        s3.upload_file(local, "bench-lake", f"{folder}/sales/sales.parquet")
    glue.create_database(DatabaseInput={"Name": "bench"})
    root = boto3.client("athena")
    _sales(root, "sales", "open/sales")
    _sales(root, "sales_by_column", "governed/sales")
    _sales(root, "sales_by_filter", "governed/sales")
    lf.register_resource(ResourceArn="arn:aws:s3:::bench-lake/governed", UseServiceLinkedRole=True)
    analyst = _role(iam, "analyst")
    for table in ("sales_by_column", "sales_by_filter"):
        lf.revoke_permissions(Principal={"DataLakePrincipalIdentifier": "IAM_ALLOWED_PRINCIPALS"},
                              Resource={"Table": {"DatabaseName": "bench", "Name": table}}, Permissions=["ALL"])
    lf.grant_permissions(Principal={"DataLakePrincipalIdentifier": analyst}, Permissions=["SELECT"], Resource={
        "TableWithColumns": {"DatabaseName": "bench", "Name": "sales_by_column",
                             "ColumnWildcard": {"ExcludedColumnNames": ["note"]}}})
    lf.create_data_cells_filter(TableData={
        "TableCatalogId": ACCOUNT, "DatabaseName": "bench", "TableName": "sales_by_filter", "Name": "all_quantities",
        "RowFilter": {"FilterExpression": "qty BETWEEN 1 AND 9"}, "ColumnWildcard": {"ExcludedColumnNames": ["note"]}})
    lf.grant_permissions(Principal={"DataLakePrincipalIdentifier": analyst}, Permissions=["SELECT"], Resource={
        "DataCellsFilter": {"TableCatalogId": ACCOUNT, "DatabaseName": "bench", "TableName": "sales_by_filter",
                            "Name": "all_quantities"}})
    athena = _athena_as(analyst)
    queries = {name: GROUP_BY.replace("FROM sales", f"FROM {name}")
               for name in ("sales", "sales_by_column", "sales_by_filter")}
    for query in queries.values():
        _athena_round_trip(athena, query)  # warm-up: engine imports, footer cache, decisions
    answers = {name: _rows(athena, query) for name, query in queries.items()}
    if not answers["sales"] == answers["sales_by_column"] == answers["sales_by_filter"]:
        raise SystemExit(json.dumps({k: v[:3] for k, v in answers.items()}))
    timings: dict[str, list[float]] = {name: [] for name in queries}
    for _ in range(runs):  # alternate, so that machine noise hits all three alike
        for name, query in queries.items():
            timings[name].append(_athena_round_trip(athena, query))
    found = {name: statistics.median(values) for name, values in timings.items()}
    return {"iam_only_s": found["sales"], "column_grant_s": found["sales_by_column"],
            "data_filter_s": found["sales_by_filter"]}


def _rows(athena, query: str) -> list:
    query_id = athena.start_query_execution(QueryString=f"{query} ORDER BY category",
                                            QueryExecutionContext={"Database": "bench"},
                                            ResultConfiguration={"OutputLocation": "s3://bench-lake/results/"})[
        "QueryExecutionId"]
    while athena.get_query_execution(QueryExecutionId=query_id)["QueryExecution"]["Status"]["State"] in (
            "QUEUED", "RUNNING"):
        time.sleep(0.01)
    rows = athena.get_query_results(QueryExecutionId=query_id, MaxResults=1000)["ResultSet"]["Rows"]
    assert len(rows) == 51, rows[:2]  # the header and 50 categories
    # sums of doubles differ in their last digits with the engine's thread order: compare them rounded
    return [[_rounded(d.get("VarCharValue")) for d in row["Data"]] for row in rows]


def _rounded(value: str | None) -> str | None:
    try:
        return f"{float(value):.6f}" if value is not None and "." in value else value
    except ValueError:
        return value


def lf_decision(runs: int = 200) -> dict:
    import boto3

    from lakelab.emulator.context import Principal
    from lakelab.emulator.identity import role_session
    from lakelab.emulator.services.lakeformation import decisions, store

    _emulator()
    glue, iam, lf = boto3.client("glue"), boto3.client("iam"), boto3.client("lakeformation")
    glue.create_database(DatabaseInput={"Name": "bench"})
    columns = [{"Name": f"c{i}", "Type": "string"} for i in range(20)]
    for t in range(50):
        glue.create_table(DatabaseName="bench", TableInput={"Name": f"t{t}", "StorageDescriptor": {
            "Columns": columns, "Location": f"s3://bench-lake/governed/t{t}/"}})
    lf.register_resource(ResourceArn="arn:aws:s3:::bench-lake/governed", UseServiceLinkedRole=True)
    roles = [_role(iam, f"r{i}") for i in range(100)]
    for key in range(100):
        lf.create_lf_tag(TagKey=f"k{key}", TagValues=[f"v{v}" for v in range(5)])
    for t in range(50):
        lf.add_lf_tags_to_resource(Resource={"Table": {"DatabaseName": "bench", "Name": f"t{t}"}},
                                   LFTags=[{"TagKey": f"k{(t + k) % 100}", "TagValues": [f"v{k}"]} for k in range(5)])
        lf.add_lf_tags_to_resource(Resource={"TableWithColumns": {"DatabaseName": "bench", "Name": f"t{t}",
                                                                  "ColumnNames": ["c0", "c1"]}},
                                   LFTags=[{"TagKey": f"k{t % 100}", "TagValues": ["v4"]}])
        lf.revoke_permissions(Principal={"DataLakePrincipalIdentifier": "IAM_ALLOWED_PRINCIPALS"},
                              Resource={"Table": {"DatabaseName": "bench", "Name": f"t{t}"}}, Permissions=["ALL"])
        lf.create_data_cells_filter(TableData={"TableCatalogId": ACCOUNT, "DatabaseName": "bench", "TableName": f"t{t}",
                                               "Name": "f", "RowFilter": {"FilterExpression": "c2 = 'x' OR c3 > 'm'"},
                                               "ColumnNames": ["c2", "c3", "c4"]})
    # 999 distinct grants, and IAMAllowedPrincipals' on the database: 1,000
    entries = [_grant_entry(n, roles[n % 100]) for n in range(999)]
    for start in range(0, len(entries), 20):
        answer = lf.batch_grant_permissions(Entries=entries[start:start + 20])
        assert not answer["Failures"], answer["Failures"][:1]
    lake = store.lake(ACCOUNT, "us-east-1")
    granted = len(lake.grants)
    who = role_session(roles[7], "bench")
    assert isinstance(who, Principal)
    uncached, cached = [], []
    for _ in range(runs):
        decisions.forget()
        started = time.perf_counter()
        decisions.decide(lake, who, "bench", "t8")
        uncached.append(time.perf_counter() - started)
        started = time.perf_counter()
        access = decisions.decide(lake, who, "bench", "t8")
        cached.append(time.perf_counter() - started)
    return {"grants": granted, "lf_tags": len(lake.lf_tags), "tables": 50,
            "visible_columns": len(access.columns) if access else 0,
            "decision_uncached_ms": statistics.median(uncached) * 1000,
            "decision_cached_ms": statistics.median(cached) * 1000}


def _grant_entry(n: int, role: str) -> dict:
    """The role's (n // 100)th grant: a tag expression, a column, or the data filter of a table."""
    i, j = n % 100, n // 100
    kind, t = j % 3, (i + j) % 50
    if kind == 0:
        resource = {"LFTagPolicy": {"ResourceType": "TABLE",
                                    "Expression": [{"TagKey": f"k{(i + j) % 100}", "TagValues": [f"v{j % 5}"]}]}}
    elif kind == 1:
        resource = {"TableWithColumns": {"DatabaseName": "bench", "Name": f"t{t}", "ColumnNames": [f"c{j}"]}}
    else:
        resource = {"DataCellsFilter": {"TableCatalogId": ACCOUNT, "DatabaseName": "bench", "TableName": f"t{t}",
                                        "Name": "f"}}
    return {"Id": str(n), "Principal": {"DataLakePrincipalIdentifier": role}, "Resource": resource,
            "Permissions": ["SELECT"]}


def lf_teardown(runs: int = 5) -> dict:
    """Teardown's Lake Formation sweepers on an account holding 1,000 grants to 100 course roles, 100
    LF-tags (10 the course's), 50 data cells filters (10 the course's) and 20 registered locations (10 in
    a course bucket): listing them (median of ``runs``), then revoking and deleting the course's."""
    import boto3

    from lakelab.lab import sweepers, teardown

    _emulator()
    # as a lab's kernel runs (MWAA's "api." host prefix would not resolve against the emulator)
    os.environ.update(LAKELAB_LEARNER="learner", AWS_DISABLE_HOST_PREFIX_INJECTION="true")
    course = [{"Key": "course", "Value": "lakelab"}, {"Key": "learner", "Value": "learner"},
              {"Key": "week", "Value": "07"}]
    glue, iam, lf = boto3.client("glue"), boto3.client("iam"), boto3.client("lakeformation")
    glue.create_database(DatabaseInput={"Name": "lakelab_learner_governed"},
                         Tags={t["Key"]: t["Value"] for t in course})
    columns = [{"Name": f"c{i}", "Type": "string"} for i in range(20)]
    for t in range(50):
        glue.create_table(DatabaseName="lakelab_learner_governed", TableInput={"Name": f"t{t}", "StorageDescriptor": {
            "Columns": columns, "Location": f"s3://lakelab-learner-lake/governed/t{t}/"}})
    roles = []
    for i in range(100):
        roles.append(iam.create_role(RoleName=f"lakelab-learner-r{i}", AssumeRolePolicyDocument=json.dumps(TRUST),
                                     Tags=course)["Role"]["Arn"])
    for key in range(100):
        lf.create_lf_tag(TagKey=f"lakelab-learner-k{key}" if key < 10 else f"k{key}", TagValues=["v"])
    for n in range(20):
        bucket = "lakelab-learner-lake" if n < 10 else "another-lake"
        lf.register_resource(ResourceArn=f"arn:aws:s3:::{bucket}/zone{n}", UseServiceLinkedRole=True)
    for t in range(50):
        lf.create_data_cells_filter(TableData={
            "TableCatalogId": ACCOUNT, "DatabaseName": "lakelab_learner_governed", "TableName": f"t{t}",
            "Name": f"lakelab-learner-f{t}" if t < 10 else "f", "RowFilter": {"AllRowsWildcard": {}},
            "ColumnWildcard": {}})
    entries = [{"Id": str(n), "Principal": {"DataLakePrincipalIdentifier": roles[n % 100]}, "Permissions": ["SELECT"],
                "Resource": {"TableWithColumns": {"DatabaseName": "lakelab_learner_governed", "Name": f"t{n // 100}",
                                                  "ColumnNames": [f"c{n % 20}"]}}} for n in range(1000)]
    for start in range(0, len(entries), 20):
        answer = lf.batch_grant_permissions(Entries=entries[start:start + 20])
        assert not answer["Failures"], answer["Failures"][:1]
    prefix, kinds = "lakelab-learner-", ("lake formation grant", "data cells filter", "lf-tag", "registered location")
    lf_sweepers = [sweeper for kind, sweeper in sweepers.ORDER if kind in kinds]
    listings = []
    for _ in range(runs):
        started = time.perf_counter()
        found = [item for sweeper in lf_sweepers for item in sweeper(prefix)]
        listings.append(time.perf_counter() - started)
    started = time.perf_counter()
    removed = [r for r in teardown.teardown(week=7, report=lambda line: None) if r.kind in kinds]
    removing = time.perf_counter() - started
    assert len(found) == len(removed) == 1030, (len(found), len(removed))
    left = [p for p in lf.list_permissions()["PrincipalResourcePermissions"]
            if "lakelab-learner-" in p["Principal"]["DataLakePrincipalIdentifier"]]
    assert not left, left[:1]
    return {"rows": [
        ["teardown: list LF grants, filters, tags, locations", statistics.median(listings),
         "1,000 grants, 50 filters, 100 LF-tags, 20 locations in the account"],
        ["teardown: revoke 1,000 grants, remove 30 more", removing,
         f"{removing / 1030 * 1000:.1f} ms per resource (the whole teardown, its database and roles included)"]]}


CASES = {"athena-governed": athena_governed, "lf-decision": lf_decision, "lf-teardown": lf_teardown}

if __name__ == "__main__":
    print(json.dumps(CASES[sys.argv[1]]()))
    os._exit(0)  # skip the slow interpreter teardown of the emulator's threads and workers
