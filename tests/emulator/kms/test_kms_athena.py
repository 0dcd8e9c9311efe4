"""Athena reads an SSE-KMS table as its caller: without kms:Decrypt on the key, the query fails."""

from __future__ import annotations

import json

from kms_helpers import LAKE, allow, keys  # noqa: F401

RESULTS = "lakelab-results"
ANALYST = {"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Action": ["athena:*", "glue:Get*", "s3:*"], "Resource": "*"}]}


def _run(athena, sql: str) -> dict:
    execution_id = athena.start_query_execution(
        QueryString=sql, QueryExecutionContext={"Database": "lake"},
        ResultConfiguration={"OutputLocation": f"s3://{RESULTS}/athena/"})["QueryExecutionId"]
    while True:
        execution = athena.get_query_execution(QueryExecutionId=execution_id)["QueryExecution"]
        if execution["Status"]["State"] in ("SUCCEEDED", "FAILED", "CANCELLED"):
            return execution


def test_an_athena_query_needs_kms_decrypt_on_the_tables_key(keys, client):
    key = keys.key()
    keys.encrypt_bucket(key["KeyId"])
    keys.s3.create_bucket(Bucket=RESULTS)
    keys.s3.put_object(Bucket=LAKE, Key="curated/customers/part-0.csv", Body=b"1,Ana\n2,Ben\n")
    client("glue").create_database(DatabaseInput={"Name": "lake"})
    root = client("athena")
    created = _run(root, "CREATE EXTERNAL TABLE customers (id bigint, name string) ROW FORMAT DELIMITED "
                         f"FIELDS TERMINATED BY ',' LOCATION 's3://{LAKE}/curated/customers/'")
    assert created["Status"]["State"] == "SUCCEEDED"
    analyst = keys.role("analyst", ANALYST)
    failed = _run(keys.session(analyst, "athena"), "SELECT count(*) FROM customers")
    assert failed["Status"]["State"] == "FAILED"
    reason = failed["Status"]["StateChangeReason"]
    assert "Permission denied on S3 path: s3://lakelab-lake/curated/customers/part-0.csv" in reason
    assert f"kms:Decrypt on resource: {key['Arn']}" in reason
    keys.iam.put_role_policy(RoleName="analyst", PolicyName="key", PolicyDocument=json.dumps(
        allow("kms:Decrypt", key["Arn"])))
    assert _run(keys.session(analyst, "athena"), "SELECT count(*) FROM customers")["Status"]["State"] == "SUCCEEDED"


def test_a_governed_table_is_decrypted_as_the_role_lake_formation_reads_it_with(keys, client):
    key = keys.key()
    keys.encrypt_bucket(key["KeyId"])
    keys.s3.create_bucket(Bucket=RESULTS)
    keys.s3.put_object(Bucket=LAKE, Key="curated/customers/part-0.csv", Body=b"1,Ana\n2,Ben\n")
    client("glue").create_database(DatabaseInput={"Name": "lake"})
    _run(client("athena"), "CREATE EXTERNAL TABLE customers (id bigint, name string) ROW FORMAT DELIMITED "
                           f"FIELDS TERMINATED BY ',' LOCATION 's3://{LAKE}/curated/customers/'")
    reader = keys.role("lake-reader", allow(["s3:ListBucket", "s3:GetObject"]))
    analyst = keys.role("analyst", {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": ["athena:*", "glue:Get*", "lakeformation:GetDataAccess"], "Resource": "*"},
        {"Effect": "Allow", "Action": "s3:*", "Resource": [f"arn:aws:s3:::{RESULTS}", f"arn:aws:s3:::{RESULTS}/*"]}]})
    lf = client("lakeformation")
    lf.register_resource(ResourceArn=f"arn:aws:s3:::{LAKE}/curated", RoleArn=reader)
    table = {"Table": {"DatabaseName": "lake", "Name": "customers"}}
    lf.revoke_permissions(Principal={"DataLakePrincipalIdentifier": "IAM_ALLOWED_PRINCIPALS"}, Resource=table,
                          Permissions=["ALL"])
    lf.grant_permissions(Principal={"DataLakePrincipalIdentifier": analyst}, Resource=table, Permissions=["SELECT"])
    failed = _run(keys.session(analyst, "athena"), "SELECT count(*) FROM customers")
    assert "assumed-role/lake-reader/AWSLakeFormation is not authorized to perform: kms:Decrypt" in (
        failed["Status"]["StateChangeReason"])
    keys.iam.put_role_policy(RoleName="lake-reader", PolicyName="key", PolicyDocument=json.dumps(
        allow("kms:Decrypt", key["Arn"])))  # the location's role, not the analyst, needs the key
    assert _run(keys.session(analyst, "athena"), "SELECT count(*) FROM customers")["Status"]["State"] == "SUCCEEDED"
