"""Week 6b · Ingestion: databases and SaaS: every check passes on the solution and on a correct alternative,
and fails with its hint on the untouched lab and on a plausible wrong answer; teardown after the solution
leaves nothing of the lab.

A run of the solution takes about 20 seconds (the source database starts in about 2; DMS writes a batch
every 5 s; the flow's schedule minute lasts 3 s in test runs, see ``notebooks.execution``). Wrong answers
share runs where they do not mask each other: a source database without logical replication stops DMS and
with it everything downstream, so it runs on its own; the MERGE without its DELETE clause and the one without
its newest-change filter edit the same statement, whose failures would hide each other.
"""

from __future__ import annotations

from lab_runs import Patch, assert_alternatives_pass, assert_wrong_answers_fail, run_patched_then_check

WEEK = "6b"

from every_week import *  # noqa: E402,F401,F403  (the five tests every week passes)

INDEPENDENT_WRONG_ANSWERS = [
    Patch("6b.2", '"dataPullMode": "Incremental"}}}', '"dataPullMode": "Complete"}}}',
          says=("dataPullMode Complete", "Incremental"), name="6b.2: every run pulls every account"),
    Patch("6b.3", '''    {"Sid": "WriteTheChanges", "Effect": "Allow", "Action": ["s3:PutObject", "s3:DeleteObject"],
     "Resource": f"arn:aws:s3:::{BUCKET}/raw/dms/*"},''', '''    {"Sid": "WriteTheChanges", "Effect": "Allow", "Action": "s3:*",
     "Resource": [f"arn:aws:s3:::{BUCKET}", f"arn:aws:s3:::{BUCKET}/*"]},''',
          says=("also allowed", "raw/dms/"), name="6b.3: the DMS role may do anything to the lake"),
    Patch("6b.5", "  WHERE newest = 1\n", "",
          says=("twice", "row_number"), name="6b.5: every change of a batch merged, not the newest per order"),
    Patch("6b.6", "TBLPROPERTIES ('table_type'='ICEBERG', 'optimize_rewrite_data_file_threshold'='2')",
          "TBLPROPERTIES ('table_type'='ICEBERG')",
          says=("replace", "optimize_rewrite_data_file_threshold"), name="6b.6: compaction's default threshold"),
]
MERGE_AND_FLOW_WRONG_ANSWERS = [
    Patch("6b.4", "WHEN MATCHED AND s.op = 'D' THEN DELETE\n", "",
          says=("should not be", "THEN DELETE"), name="6b.4: deletes merged as updates"),
    Patch("6b.7", "appflow.stop_flow(flowName=FLOW)\n", "",
          says=("flowStatus Active", "stop_flow"), name="6b.7: the flow left running"),
]
SOURCE_WRONG_ANSWERS = [
    Patch("6b.1", "MasterUserPassword=DB_PASSWORD, DBName=DB_NAME, DBParameterGroupName=PARAMETER_GROUP,",
          "MasterUserPassword=DB_PASSWORD, DBName=DB_NAME,",
          says=("using lakelab-learner-source-postgres", "DBParameterGroupName"),
          name="6b.1: the instance on the default parameter group"),
]

ALTERNATIVES = [
    Patch("6b.1", 'DBParameterGroupFamily="postgres17"', 'DBParameterGroupFamily="postgres16"',
          name="6b.1: PostgreSQL 16 (family)"),
    Patch("6b.1", 'Engine="postgres", EngineVersion="17.6"', 'Engine="postgres", EngineVersion="16.10"',
          name="6b.1: PostgreSQL 16 (engine)"),
    Patch("6b.2", '''    tasks=[{"taskType": "Filter", "sourceFields": ACCOUNT_FIELDS, "connectorOperator": {"Salesforce": "PROJECTION"}}]
    + [{"taskType": "Map", "sourceFields": [field], "destinationField": field,
        "connectorOperator": {"Salesforce": "NO_OP"}, "taskProperties": {}} for field in ACCOUNT_FIELDS])''',
          '''    tasks=[{"taskType": "Map_all", "sourceFields": [], "connectorOperator": {"Salesforce": "NO_OP"},
            "taskProperties": {}}])''', name="6b.2: every field, with Map_all"),
    Patch("6b.3", '"object-locator": {"schema-name": "shop", "table-name": "orders"},',
          '"object-locator": {"schema-name": "shop", "table-name": "%"},',
          name="6b.3: every table of the shop schema (it has one)"),
    Patch("6b.4", "WHEN NOT MATCHED AND s.op <> 'D' THEN INSERT (order_id, customer_id, order_ts, status, sku, product_name, "
                  "quantity,\n  unit_price, amount, currency, country, channel, cdc_ts)\n  VALUES",
          "WHEN NOT MATCHED AND s.op <> 'D' THEN INSERT\n  VALUES", name="6b.4: INSERT without its column list"),
    Patch("6b.5", "apply_changes()  # a replayed batch: nothing is newer than the watermark any more\n", "",
          name="6b.5: the batch applied once"),
    Patch("6b.6", 'sql("OPTIMIZE orders_current REWRITE DATA USING BIN_PACK")',
          'sql("OPTIMIZE orders_current REWRITE DATA USING BIN_PACK WHERE country IS NOT NULL")',
          name="6b.6: OPTIMIZE with a WHERE on the partition column"),
    Patch("6b.7", '''arrived = pd.read_json(io.BytesIO(s3.get_object(Bucket=BUCKET, Key=key)["Body"].read()), lines=True, dtype=False)''',
          '''arrived = pd.DataFrame([json.loads(line) for line in
                        s3.get_object(Bucket=BUCKET, Key=key)["Body"].read().decode().splitlines()])''',
          name="6b.7: the JSON lines read one by one"),
]


def test_plausible_wrong_answers_fail_naming_what_is_wrong(attached, solution_path):
    for patches in (INDEPENDENT_WRONG_ANSWERS, MERGE_AND_FLOW_WRONG_ANSWERS, SOURCE_WRONG_ANSWERS):
        outcomes = run_patched_then_check(attached, solution_path, WEEK, patches)
        assert_wrong_answers_fail(WEEK, outcomes, patches)


def test_correct_alternatives_pass(solution_run):
    _, outcomes, _ = solution_run  # the solution ran with ALTERNATIVES applied: see every_week.py
    assert_alternatives_pass(WEEK, outcomes, ALTERNATIVES)
