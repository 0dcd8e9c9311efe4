"""Week 4 · Glue Spark ETL and EMR: every check passes on the solution and on a correct alternative, and fails
with its hint on the untouched lab and on a plausible wrong answer; teardown after the solution leaves nothing of
the week (earlier weeks' resources, which Setup rebuilds, go with the teardown of all weeks)."""

from __future__ import annotations

from lab_runs import Patch, assert_alternatives_pass, assert_wrong_answers_fail, run_patched_then_check


WEEK = 4

from every_week import *  # noqa: E402,F401,F403  (the five tests every week passes)

# --- plausible wrong answers and correct alternatives (each group is one run of the solution: Spark is slow) -------

UNCONDITIONAL_AWSGLUE = '''try:
    from awsglue.utils import getResolvedOptions  # on Glue
except ImportError:  # EMR has no awsglue: read the same --name value arguments
    import argparse

    def getResolvedOptions(argv, options):'''

# Wrong answers that leave every run working, so each check fails for its own exercise's mistake.
WRONG_ANSWERS = [
    Patch("4.1", '"Resource": [f"{BUCKET_ARN}/curated/orders*", f"{BUCKET_ARN}/quarantine/orders*"]',
          '"Resource": f"{BUCKET_ARN}/*"',
          says=("also allowed", "s3:PutObject on arn:aws:s3:::lakelab-learner-lake/raw/orders/orders.csv"),
          name="4.1: the ETL role may write the whole bucket, raw/ included"),
    Patch("4.2", UNCONDITIONAL_AWSGLUE,
          "from awsglue.utils import getResolvedOptions  # EMR has none: the run there fails\n"
          "import argparse\n\nif False:\n    def getResolvedOptions(argv, options):",
          says=("unconditional awsglue import", "line"), name="4.2: awsglue imported unconditionally"),
    Patch("4.3", "    Timeout=30,\n", "", says=("2880 minutes",), name="4.3: the default two-day timeout"),
    Patch("4.4", '        F.when(copies > 1, "duplicate order_id: every copy is rejected"),\n', "",
          says=("'rejected': 3", "'rejected': 5"), name="4.4: an order id sent twice is curated twice"),
    Patch("4.5", "DatabaseName=DATABASE, Tags=names.tags,\n", "DatabaseName=DATABASE,\n",
          says=("crawler/lakelab-learner-curated-crawler tagged",), name="4.5: an untagged crawler"),
    Patch("4.6", """month="order_month = '2024-03'\"""", """month="order_month = '2024-04'\"""",
          says=("none answering alike",), name="4.6: the Parquet query asks about another month"),
    Patch("4.7", '"Resource": [f"{BUCKET_ARN}/curated/emr_orders*", f"{BUCKET_ARN}/quarantine/emr_orders*"]',
          '"Resource": [f"{BUCKET_ARN}/curated/*", f"{BUCKET_ARN}/quarantine/emr_orders*"]',
          says=("also allowed", "curated/orders/order_month=2024-01"),
          name="4.7: the EMR role may overwrite the Glue job's output"),
    Patch("4.9", "if rejects > MAX_REJECTED_SHARE * read:",
          'write_by_month(judged.where(F.col("reject_reason").isNull()).drop("reject_reason", "_corrupt"), '
          'args["target"])\nif rejects > MAX_REJECTED_SHARE * read:',
          says=("written or deleted while the gated run ran", "before write_by_month"),
          name="4.9: the gate checked after the write"),
    Patch("4.10", 'reprocessed = [run_job({"--months": "2024-06"}) for attempt in range(2)]',
          "reprocessed = [run_job() for attempt in range(2)]",
          says=("2024-01's files as the first run wrote them", "written since the corrected file landed"),
          name="4.10: the whole job run again, every month rewritten"),
]
# These break the Glue run (a 403), so they get their own run.
WRONG_ANSWERS_BREAKING_GLUE = [
    Patch("4.1", 'f"{BUCKET_ARN}/validated/orders*"]},\n    {"Sid": "ReplaceCuratedAndQuarantinedOrders"',
          'f"{BUCKET_ARN}/validated/orders/*"]},\n    {"Sid": "ReplaceCuratedAndQuarantinedOrders"',
          says=("s3:GetObject on arn:aws:s3:::lakelab-learner-lake/validated/orders (implicitDeny)",),
          name="4.1: validated/orders/* misses the HEAD of validated/orders"),
    Patch("4.8", '"entryPointArguments": ["--source", SOURCE, "--target", EMR_TARGET,',
          '"entryPointArguments": ["--source", SOURCE + "orders.csv", "--target", EMR_TARGET,',
          says=("--source", "orders.csv"), name="4.8: the EMR run reads one file, not the folder"),
]
ALTERNATIVES = [
    Patch("4.1", '"Resource": [f"{BUCKET_ARN}/{SCRIPT_KEY}", f"{BUCKET_ARN}/validated/orders*"]},\n    {"Sid": "ReplaceCuratedAnd',
          '"Resource": [f"{BUCKET_ARN}/scripts/*", f"{BUCKET_ARN}/validated/orders*"]},\n    {"Sid": "ReplaceCuratedAnd',
          name="4.1: every script readable"),
    Patch("4.2", UNCONDITIONAL_AWSGLUE, "import argparse\n\n\nif True:\n    def resolved(argv, options):",
          name="4.2: argparse alone, no awsglue"),
    Patch("4.2", 'args = getResolvedOptions(sys.argv, ["source", "target", "quarantine"] + optional)',
          'args = resolved(sys.argv, ["source", "target", "quarantine"] + optional)',
          name="4.2: argparse alone, called"),
    Patch("4.3", "    Role=etl_role_arn,\n    Command", "    Role=names.resource(\"glue-etl\"),\n    Command",
          name="4.3: the role by name"),
    Patch("4.4", '     .repartition("order_month")\n', "", name="4.4: several files per month"),
    Patch("4.5", 'Targets={"S3Targets": [{"Path": TARGET}]}', 'Targets={"S3Targets": [{"Path": TARGET.rstrip("/")}]}',
          name="4.5: the target without its slash"),
    Patch("4.6", "month=\"substr(order_ts, 1, 7) = '2024-03'\"", "month=\"substr(order_ts, 1, 7) = '2024-05'\"",
          name="4.6: May on the CSV"),
    Patch("4.6", "month=\"order_month = '2024-03'\"", "month=\"order_month = '2024-05'\"", name="4.6: May on the Parquet"),
    Patch("4.7", 'releaseLabel="emr-7.8.0",', 'releaseLabel="emr-7.12.0",', name="4.7: emr-7.12.0 (Spark 3.5.6)"),
    Patch("4.8", '"entryPointArguments": ["--source", SOURCE, "--target", EMR_TARGET, "--quarantine", EMR_QUARANTINE]',
          '"entryPointArguments": ["--quarantine", EMR_QUARANTINE, "--target", EMR_TARGET, "--source", SOURCE]',
          name="4.8: arguments in another order"),
    Patch("4.9", '"amount is not quantity x unit_price"),\n        F.when(copies > 1, "duplicate order_id: every copy is rejected"),',
          '"amount differs from quantity times unit_price"),\n        F.when(copies > 1, "order_id is not unique"),',
          name="4.9: reasons in other words"),
    Patch("4.9", "if rejects > MAX_REJECTED_SHARE * read:", "if read and rejects / read > MAX_REJECTED_SHARE:",
          name="4.9: the gate as a share"),
    Patch("4.10", 'reprocessed = [run_job({"--months": "2024-06"}) for attempt in range(2)]',
          'reprocessed = [run_job({"--source": SOURCE, "--months": "2024-06",\n'
          '                        "--conf": "spark.sql.sources.partitionOverwriteMode=dynamic"}) for attempt in range(3)]',
          name="4.10: three runs, the source and the overwrite mode named"),
]


def test_plausible_wrong_answers_fail_naming_what_is_wrong(attached, solution_path):
    outcomes = run_patched_then_check(attached, solution_path, WEEK, WRONG_ANSWERS)
    assert_wrong_answers_fail(WEEK, outcomes, WRONG_ANSWERS)


def test_wrong_answers_that_break_the_glue_run_fail_naming_what_is_wrong(attached, solution_path):
    outcomes = run_patched_then_check(attached, solution_path, WEEK, WRONG_ANSWERS_BREAKING_GLUE)
    assert_wrong_answers_fail(WEEK, outcomes, WRONG_ANSWERS_BREAKING_GLUE)


def test_correct_alternatives_pass(solution_run):
    _, outcomes, _ = solution_run  # the solution ran with ALTERNATIVES applied: see every_week.py
    assert_alternatives_pass(WEEK, outcomes, ALTERNATIVES)


def test_awsglue_imports_are_safe_only_behind_an_import_error_handler():
    import ast

    from lakelab.checks.job_scripts import unguarded_awsglue_imports

    script = ("try:\n    from awsglue.utils import getResolvedOptions\nexcept ImportError:\n    import argparse\n"
              "try:\n    import awsglue.context\nexcept KeyError:\n    pass\n"
              "def main():\n    from awsglue.job import Job\n")
    assert unguarded_awsglue_imports(ast.parse(script)) == [6, 10]
