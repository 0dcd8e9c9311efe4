"""Week 1 · S3 foundations: every check passes on the solution and on correct alternatives, and fails
with a hint naming what is wrong on the untouched lab and on plausible wrong answers; teardown after
the solution leaves nothing of the week (earlier weeks' resources, which Setup rebuilds, go with the
teardown of all weeks).

The lifecycle check (1.4) judges a configuration by what S3 would do to sample objects: its wrong
answers and alternatives beyond the notebook runs are put straight onto a bucket and checked, which
takes milliseconds instead of a notebook run each.
"""

from __future__ import annotations

import copy

import boto3
import nbformat
import pytest
from lab_runs import (Patch, assert_alternatives_pass, assert_wrong_answers_fail,
                      run_patched_then_check)

from lakelab.checks import CheckFailed
from lakelab.checks import week01_s3 as checks
from lakelab.course import naming
from lakelab.notebooks.labs import SOLUTIONS

WEEK = 1

from every_week import *  # noqa: E402,F401,F403  (the five tests every week passes)

SOLUTION = SOLUTIONS / "week01_s3.ipynb"







# --- plausible wrong answers and correct alternatives, one notebook run each --------------------------


def _solution_cell(marker: str) -> str:
    notebook = nbformat.read(SOLUTION, as_version=4)
    [source] = [c.source for c in notebook.cells if c.cell_type == "code" and marker in c.source]
    return source


WRONG_ANSWERS = [
    Patch("1.1", 's3.put_bucket_tagging(Bucket=BUCKET, Tagging={"TagSet": names.tag_list})', "",
          says=("tags", "teardown"), name="1.1: bucket not tagged"),
    Patch("1.2", 'VersioningConfiguration={"Status": "Enabled"}', 'VersioningConfiguration={"Status": "Suspended"}',
          says=("Suspended",)),
    Patch("1.3", '{"SSEAlgorithm": "aws:kms"}', '{"SSEAlgorithm": "AES256"}', says=("aws:kms", "SSE-S3"),
          name="1.3: SSE-S3, which every new bucket has already"),
    Patch("1.4", '"Filter": {"Prefix": "raw/"},', '"Filter": {"And": {"Prefix": "raw/", "ObjectSizeGreaterThan": 0}},',
          says=("under 128 KB", "customers.csv", "STANDARD_IA on day 30", "all_storage_classes_128K"),
          name="1.4: a size filter moves the small raw files to Standard-IA"),
    Patch("1.5", '{"Name": "suffix", "Value": ".csv"}', '{"Name": "suffix", "Value": "csv"}',
          says=("suffix .csv", "'suffix': 'csv'")),
    Patch("1.6", "for name, key in check.RAW_LAYOUT.items():", "for name, key in list(check.RAW_LAYOUT.items())[:-1]:",
          says=("20240703-120000789.csv", "missing"), name="1.6: the last DMS change file not uploaded"),
    Patch("1.7", 'sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=message["ReceiptHandle"])', "pass",
          says=("6 received but not deleted",), name="1.7: messages received, never deleted"),
    Patch("S.1", '"Resource": [f"arn:aws:s3:::{BUCKET}", f"arn:aws:s3:::{BUCKET}/*"],',
          '"Resource": f"arn:aws:s3:::{BUCKET}/*",', says=("the Deny on the bucket and its objects",)),
]

ALTERNATIVE_LIFECYCLE = '''s3.put_bucket_lifecycle_configuration(
    Bucket=BUCKET,
    LifecycleConfiguration={"Rules": [
        {"ID": "raw-expire", "Status": "Enabled", "Prefix": "raw/", "Expiration": {"Days": 365}},
        {"ID": "raw-large", "Status": "Enabled", "Filter": {"And": {"Prefix": "raw/", "ObjectSizeGreaterThan": 131071}},
         "Transitions": [{"Days": 30, "StorageClass": "STANDARD_IA"}]},
        {"ID": "tmp", "Status": "Enabled", "Filter": {"Prefix": "tmp/"}, "Expiration": {"Days": 1},
         "NoncurrentVersionExpiration": {"NoncurrentDays": 1}},
        {"ID": "results", "Status": "Enabled", "Filter": {"Prefix": "athena-results/"}, "Expiration": {"Days": 5},
         "NoncurrentVersionExpiration": {"NoncurrentDays": 2}},
        {"ID": "versions", "Status": "Enabled", "Filter": {"Prefix": ""}, "NoncurrentVersionExpiration": {"NoncurrentDays": 14}},
        {"ID": "uploads", "Status": "Enabled", "Filter": {}, "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": 3}},
    ]},
    TransitionDefaultMinimumObjectSize="varies_by_storage_class",
)'''

ALTERNATIVES = [
    Patch("1.1", 's3.put_object(Bucket=BUCKET, Key=zone)', 's3.put_object(Bucket=BUCKET, Key=zone + "_zone.txt", Body=b"")',
          name="1.1: zones made by a placeholder file"),
    Patch("1.2", 's3.put_bucket_versioning(Bucket=BUCKET, VersioningConfiguration={"Status": "Enabled"})',
          'boto3.resource("s3").BucketVersioning(BUCKET).enable()'),
    Patch("1.3", '{"SSEAlgorithm": "aws:kms"}', '{"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": "alias/aws/s3"}',
          name="1.3: the AWS managed key named by its alias"),
    Patch("1.4", _solution_cell("put_bucket_lifecycle_configuration"),
          f"### BEGIN SOLUTION\n{ALTERNATIVE_LIFECYCLE}\n### END SOLUTION",
          name="1.4: six rules, legacy Prefix, And with a size filter, varies_by_storage_class"),
    Patch("1.5", '"Events": ["s3:ObjectCreated:*"]', '"Events": ["s3:ObjectCreated:Put", "s3:ObjectCreated:Post"]'),
    Patch("1.6", "s3.upload_file(str(datasets.path(name)), BUCKET, key)",
          "s3.put_object(Bucket=BUCKET, Key=key, Body=datasets.path(name).read_bytes())"),
    Patch("1.7", 'sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=message["ReceiptHandle"])',
          'pass\n    sqs.delete_message_batch(QueueUrl=queue_url, Entries=[\n'
          '        {"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(messages)])',
          name="1.7: one batch delete per receive"),
    Patch("S.1", '"Resource": [f"arn:aws:s3:::{BUCKET}", f"arn:aws:s3:::{BUCKET}/*"],',
          '"Resource": [f"arn:aws:s3:::{BUCKET}/*", f"arn:aws:s3:::{BUCKET}"],'),
]


def test_plausible_wrong_answers_fail_with_a_hint_naming_what_is_wrong(attached, week):
    outcomes = run_patched_then_check(attached, SOLUTION, WEEK, WRONG_ANSWERS)
    assert_wrong_answers_fail(WEEK, outcomes, WRONG_ANSWERS)


def test_correct_alternatives_pass(solution_run):
    _, outcomes, _ = solution_run  # the solution ran with ALTERNATIVES applied: see every_week.py
    assert_alternatives_pass(WEEK, outcomes, ALTERNATIVES)


# --- the lifecycle check on configurations put straight onto the lake bucket -------------------------

RAW = {"ID": "raw", "Status": "Enabled", "Filter": {"Prefix": "raw/"},
       "Transitions": [{"Days": 30, "StorageClass": "STANDARD_IA"}], "Expiration": {"Days": 365}}
TMP = {"ID": "tmp", "Status": "Enabled", "Filter": {"Prefix": "tmp/"}, "Expiration": {"Days": 1},
       "NoncurrentVersionExpiration": {"NoncurrentDays": 1}}
RESULTS = {"ID": "results", "Status": "Enabled", "Filter": {"Prefix": "athena-results/"}, "Expiration": {"Days": 7},
           "NoncurrentVersionExpiration": {"NoncurrentDays": 1}}
LAKE = {"ID": "lake", "Status": "Enabled", "Filter": {}, "NoncurrentVersionExpiration": {"NoncurrentDays": 30},
        "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": 7}}


def _with(rule: dict, **changes) -> dict:
    changed = copy.deepcopy(rule)
    changed.update(changes)
    return changed


WRONG_LIFECYCLES = {
    "the raw rule alone (the old exercise)": ([RAW | {"NoncurrentVersionExpiration": {"NoncurrentDays": 30},
                                                       "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": 7}}],
                                              None, ("tmp/", "gone within 2 days", "never expires")),
    "raw expires after 30 days": ([_with(RAW, Expiration={"Days": 30}), TMP, RESULTS, LAKE], None,
                                  ("replay window", "expires on day 30")),
    "raw rule disabled": ([_with(RAW, Status="Disabled"), TMP, RESULTS, LAKE], None, ("STANDARD_IA on day 30",)),
    "scratch expired, its versions kept": ([RAW, _with(TMP, NoncurrentVersionExpiration=None), RESULTS, LAKE], None,
                                           ("delete marker", "gone on day 31")),
    "everything expires after a year": ([RAW, TMP, RESULTS, _with(LAKE, Expiration={"Days": 365})], None,
                                        ("curated/", "never expire")),
    "old versions kept only in raw/": ([_with(RAW, NoncurrentVersionExpiration={"NoncurrentDays": 30}), TMP, RESULTS,
                                        _with(LAKE, NoncurrentVersionExpiration=None)], None,
                                       ("old versions", "curated/", "kept for ever")),
    "old versions kept a single day": ([RAW, TMP, RESULTS, _with(LAKE, NoncurrentVersionExpiration={"NoncurrentDays": 1})],
                                       None, ("7 to 30 days",)),
    "uploads aborted only in raw/": ([_with(RAW, AbortIncompleteMultipartUpload={"DaysAfterInitiation": 7}), TMP,
                                      RESULTS, _with(LAKE, AbortIncompleteMultipartUpload=None)], None,
                                     ("multipart", "curated/")),
    "large raw files archived to Glacier": ([_with(RAW, Transitions=[{"Days": 30, "StorageClass": "STANDARD_IA"},
                                                                     {"Days": 90, "StorageClass": "GLACIER"}]),
                                             TMP, RESULTS, LAKE], "varies_by_storage_class", ("without a restore",)),
    "small raw files archived by a size filter": ([RAW, TMP, RESULTS, LAKE, _with(
        RAW, ID="raw-small", Expiration=None, Filter={"And": {"Prefix": "raw/", "ObjectSizeLessThan": 131072}},
        Transitions=[{"Days": 90, "StorageClass": "GLACIER"}])], None, ("under 128 KB", "GLACIER on day 90")),
}

ALTERNATIVE_LIFECYCLES = {
    "the solution's four rules": ([RAW, TMP, RESULTS, LAKE], "all_storage_classes_128K"),
    "rule-level Prefix and a Prefix '' filter": ([{k: v for k, v in RAW.items() if k != "Filter"} | {"Prefix": "raw/"},
                                                  TMP, RESULTS, _with(LAKE, Filter={"Prefix": ""})], None),
    "one rule per action": ([_with(RAW, Transitions=None), _with(RAW, ID="raw-ia", Expiration=None), TMP, RESULTS,
                             _with(LAKE, AbortIncompleteMultipartUpload=None),
                             _with(LAKE, ID="uploads", NoncurrentVersionExpiration=None)], None),
    "an And filter with a size bound, varies_by_storage_class": (
        [_with(RAW, Transitions=None),
         _with(RAW, ID="raw-large", Expiration=None, Filter={"And": {"Prefix": "raw/", "ObjectSizeGreaterThan": 131071}}),
         TMP, RESULTS, LAKE], "varies_by_storage_class"),
    "a shorter scratch expiry inside a 30-day bucket-wide one": (
        [RAW, _with(TMP, NoncurrentVersionExpiration=None, Expiration={"Days": 1}),
         _with(LAKE, ID="tmp-versions", Filter={"Prefix": "tmp/"}, NoncurrentVersionExpiration={"NoncurrentDays": 1},
               AbortIncompleteMultipartUpload=None), RESULTS, LAKE], None),
}


def _without_none(rules: list[dict]) -> list[dict]:
    return [{key: value for key, value in rule.items() if value is not None} for rule in rules]


@pytest.fixture
def lake_bucket(attached):
    """An empty, versioned lake bucket on a fresh emulator."""
    attached.reset()
    s3, bucket = boto3.client("s3"), naming.for_week(WEEK).bucket("lake")
    s3.create_bucket(Bucket=bucket)
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    yield s3, bucket
    attached.reset()


def _check_lifecycle(s3, bucket: str, rules: list[dict], minimum: str | None) -> str | None:
    extra = {"TransitionDefaultMinimumObjectSize": minimum} if minimum else {}
    s3.put_bucket_lifecycle_configuration(Bucket=bucket, LifecycleConfiguration={"Rules": _without_none(rules)}, **extra)
    try:
        checks.lifecycle_rules()
    except CheckFailed as failure:
        return str(failure)
    return None


@pytest.mark.parametrize("variant", WRONG_LIFECYCLES, ids=list(WRONG_LIFECYCLES))
def test_lifecycle_check_rejects_a_wrong_configuration_naming_what_is_wrong(lake_bucket, variant):
    rules, minimum, says = WRONG_LIFECYCLES[variant]
    message = _check_lifecycle(*lake_bucket, rules, minimum)
    assert message, f"1.4 passed on a wrong configuration: {variant}"
    missing = [word for word in says if word.lower() not in message.lower()]
    assert not missing, f"1.4 on {variant!r} does not say {missing}:\n{message}"


@pytest.mark.parametrize("variant", ALTERNATIVE_LIFECYCLES, ids=list(ALTERNATIVE_LIFECYCLES))
def test_lifecycle_check_accepts_a_correct_alternative(lake_bucket, variant):
    rules, minimum = ALTERNATIVE_LIFECYCLES[variant]
    message = _check_lifecycle(*lake_bucket, rules, minimum)
    assert message is None, f"1.4 refused a correct configuration ({variant}):\n{message}"


def test_lifecycle_check_without_a_configuration_says_so(lake_bucket):
    with pytest.raises(CheckFailed, match="no enabled rule"):
        checks.lifecycle_rules()


def test_lifecycle_fates_count_what_moves_in_the_seeded_raw_zone(lake_bucket):
    """The answer key: 3 of the 7 seeded raw files are 128 KB or more and move; 4 stay in STANDARD."""
    s3, bucket = lake_bucket
    s3.put_bucket_lifecycle_configuration(Bucket=bucket, LifecycleConfiguration={"Rules": [RAW, TMP, RESULTS, LAKE]})
    raw = [fate for fate in checks.lifecycle_fates() if fate.sample.key.startswith("raw/")]
    moved = sorted(fate.sample.key for fate in raw if fate.transitions == ((30, "STANDARD_IA"),))
    assert len(raw) == 7 and moved == ["raw/clickstream/clickstream.jsonl", "raw/dms/sales/orders/LOAD00000001.csv",
                                       "raw/orders/orders.csv"]
    assert {fate.gone_after for fate in raw} == {395}
