"""Week 8 · Redshift for BI and CloudWatch monitoring: every check passes on the solution and on a correct
alternative, and fails with its hint on the untouched lab and on a plausible wrong answer; teardown after the
solution leaves nothing of the week.

A run of the solution takes about 1.5 minutes, most of it waiting for the alarms to fire after the pipeline is
broken (up to a minute after the breaching period ends), so the wrong answers share one run, one per exercise,
each failing its own exercise's check on its own cause (8.5's CSV is refused before its rows are compared with
the answer key, which 8.4's wrong view would also fail).
"""

from __future__ import annotations

from lab_runs import Patch, assert_alternatives_pass, assert_wrong_answers_fail, run_patched_then_check

WEEK = 8

from every_week import *  # noqa: E402,F401,F403  (the five tests every week passes)

WRONG_ANSWERS = [
    Patch("8.1", "redshift.create_workgroup(workgroupName=WORKGROUP, namespaceName=NAMESPACE, baseCapacity=8, tags=tags)",
          "redshift.create_workgroup(workgroupName=WORKGROUP, namespaceName=NAMESPACE, tags=tags)",
          says=("128 RPU", "baseCapacity=8"), name="8.1: the workgroup at its default base capacity"),
    Patch("8.2", "DISTKEY (customer_id) SORTKEY (order_ts)", "DISTKEY (status) SORTKEY (order_ts)",
          says=("DISTKEY (status)", "distinct values"), name="8.2: orders distributed on status"),
    Patch("8.3", "TIMEFORMAT 'auto' MAXERROR 5", "TIMEFORMAT 'auto' MAXERROR 2",
          says=("no rows", "MAXERROR"), name="8.3: fewer errors allowed than the file has"),
    Patch("8.4", "o.customer_id\n       WHERE o.status NOT IN ('cancelled', 'returned')\n", "o.customer_id\n",
          says=("revenue", "cancelled"), name="8.4: cancelled and returned orders counted as revenue"),
    Patch("8.5", "IAM_ROLE default FORMAT AS PARQUET PARTITION BY (country) CLEANPATH",
          "IAM_ROLE default FORMAT AS CSV PARTITION BY (country) CLEANPATH",
          says=("not Parquet",), name="8.5: unloaded as CSV"),
    Patch("8.6", 'TreatMissingData="notBreaching", AlarmActions=[topic_arn], OKActions=[topic_arn], Tags=names.tag_list)\n'
                 'function = ',
          'TreatMissingData="breaching", AlarmActions=[topic_arn], OKActions=[topic_arn], Tags=names.tag_list)\n'
          'function = ', says=("for want of data", "notBreaching"), name="8.6: a quiet feed taken for lag"),
    Patch("8.7", "filterPattern='{ $.level = \"ERROR\" }'", "filterPattern='ERROR'",
          says=("RejectedOrders summing to", "[ERROR] crash lines"), name="8.7: the bare term ERROR"),
    Patch("8.8", '[".", "Errors", ".", "."]', '[".", "Errors", ".", "feed-validator"]',
          says=("no datapoints for Errors", "FunctionName=feed-validator"),
          name="8.8: the errors widget names the function without its prefix"),
]

ALTERNATIVES = [
    Patch("8.1", "redshift.create_workgroup(workgroupName=WORKGROUP, namespaceName=NAMESPACE, baseCapacity=8, tags=tags)",
          "redshift.create_workgroup(workgroupName=WORKGROUP, namespaceName=NAMESPACE, baseCapacity=4, tags=tags)",
          name="8.1: 4 RPU, where a region offers it"),
    Patch("8.2", "DISTSTYLE ALL SORTKEY (customer_id)", "DISTKEY (customer_id) SORTKEY (customer_id)",
          name="8.2: both tables distributed on customer_id"),
    Patch("8.3", "TIMEFORMAT 'auto' MAXERROR 5", "TIMEFORMAT 'auto' MAXERROR 3", name="8.3: exactly as many errors as bad rows"),
    Patch("8.4", "o.customer_id\n       WHERE o.status NOT IN ('cancelled', 'returned')",
          "o.customer_id\n       WHERE o.status IN ('delivered', 'shipped', 'placed')",
          name="8.4: the statuses that count, named"),
    Patch("8.5", "PARTITION BY (country) CLEANPATH", "PARTITION BY (country) ALLOWOVERWRITE",
          name="8.5: ALLOWOVERWRITE instead of CLEANPATH"),
    Patch("8.6", 'TreatMissingData="notBreaching"', 'TreatMissingData="missing"', name="8.6: missing data kept missing"),
    Patch("8.7", '"metricValue": "1", "unit": "Count"', '"metricValue": "1", "defaultValue": 0, "unit": "Count"',
          name="8.7: a default value of 0 for the other lines"),
    Patch("8.8", '[".", "Errors", ".", "."]', '["AWS/Lambda", "Errors", "FunctionName", VALIDATOR]',
          name="8.8: the errors row written out in full"),
]


def test_plausible_wrong_answers_fail_naming_what_is_wrong(attached, solution_path):
    outcomes = run_patched_then_check(attached, solution_path, WEEK, WRONG_ANSWERS)
    assert_wrong_answers_fail(WEEK, outcomes, WRONG_ANSWERS)


def test_correct_alternatives_pass(solution_run):
    _, outcomes, _ = solution_run  # the solution ran with ALTERNATIVES applied: see every_week.py
    assert_alternatives_pass(WEEK, outcomes, ALTERNATIVES)
