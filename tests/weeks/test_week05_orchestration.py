"""Week 5 · Orchestration: every check passes on the solution and on a correct alternative, and fails with its
hint on the untouched lab and on a plausible wrong answer; teardown after the solution leaves nothing of the week.

Each group of patches is one run of the solution (an MWAA environment and four Spark runs: about two minutes),
so the wrong answers are chosen to leave the pipeline running and fail only their own exercise's check."""

from __future__ import annotations

from lab_runs import Patch, assert_alternatives_pass, assert_wrong_answers_fail, run_patched_then_check


WEEK = 5

from every_week import *  # noqa: E402,F401,F403  (the five tests every week passes)

WRONG_ANSWERS = [
    Patch("5.1", '"Action": ["s3:GetObject*", "s3:GetBucket*", "s3:List*"],', '"Action": "s3:*",',
          says=("also allowed", "s3:PutObject on arn:aws:s3:::lakelab-learner-airflow/dags/lake_daily.py"),
          name="5.1: the execution role may write its own DAGs"),
    Patch("5.2", '"TaskLogs": {"Enabled": True, "LogLevel": "INFO"}', '"TaskLogs": {"Enabled": False, "LogLevel": "INFO"}',
          says=("TaskLogs enabled at INFO",), name="5.2: no task logs"),
    Patch("5.3", '"retry_delay": timedelta(seconds=5), "execution_timeout": timedelta(minutes=10)}',
          '"retry_delay": timedelta(seconds=5)}', says=("execution_timeout on every task", "wait_for_file"),
          name="5.3: no timeout on any task"),
    Patch("5.4", "backfill = wait_for([trigger(day) for day in BACKFILL])",
          "backfill = wait_for([trigger(day) for day in BACKFILL[:2]])",
          says=("a run bf-2024-06-30",), name="5.4: two of the three days backfilled"),
    Patch("5.5", '        sqs.delete_message(QueueUrl=inbox_url, ReceiptHandle=message["ReceiptHandle"])\n', "",
          says=("still there", "delete_message"), name="5.5: alerts read but never deleted"),
    Patch("5.6", '"Transform": {"Type": "Task", "Resource": "arn:aws:states:::glue:startJobRun.sync",',
          '"Transform": {"Type": "Task", "Resource": "arn:aws:states:::glue:startJobRun",',
          says=("glue:startJobRun.sync",), name="5.6: the job started, not waited for"),
]

ALTERNATIVES = [
    Patch("5.1", '"Action": ["s3:GetObject*", "s3:GetBucket*", "s3:List*"],',
          '"Action": ["s3:GetObject", "s3:GetObjectVersion", "s3:GetBucketLocation", "s3:GetBucketVersioning", '
          '"s3:ListBucket"],', name="5.1: the source bucket's read actions named one by one"),
    Patch("5.3", '    schedule="@daily",\n', '    schedule="0 0 * * *",\n', name="5.3: @daily as a cron expression"),
    Patch("5.4", "backfill = wait_for([trigger(day) for day in BACKFILL])",
          "backfill = {}\nfor day in BACKFILL:  # one day after the other, each waited for\n"
          "    backfill.update(wait_for([trigger(day)]))", name="5.4: one day at a time"),
    Patch("5.6", '''        "Validate": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
                     "Parameters": {"FunctionName": VALIDATOR, "Payload": {
                         "bucket": BUCKET, "key.$": "States.Format('raw/daily/dt={}/orders.csv', $.ds)", "ds.$": "$.ds"}},
                     "ResultSelector": {"rows.$": "$.Payload.rows"}, "ResultPath": "$.validated",''',
          '''        "Validate": {"Type": "Task", "Resource": names.arn("lambda", f"function:{VALIDATOR}"),
                     "Parameters": {"bucket": BUCKET, "key.$": "States.Format('raw/daily/dt={}/orders.csv', $.ds)",
                                    "ds.$": "$.ds"},
                     "ResultSelector": {"rows.$": "$.rows"}, "ResultPath": "$.validated",''',
          name="5.6: the function's ARN as the resource (the payload is the parameters)"),
]


def test_plausible_wrong_answers_fail_naming_what_is_wrong(attached, solution_path):
    outcomes = run_patched_then_check(attached, solution_path, WEEK, WRONG_ANSWERS)
    assert_wrong_answers_fail(WEEK, outcomes, WRONG_ANSWERS)


def test_correct_alternatives_pass(solution_run):
    _, outcomes, _ = solution_run  # the solution ran with ALTERNATIVES applied: see every_week.py
    assert_alternatives_pass(WEEK, outcomes, ALTERNATIVES)
