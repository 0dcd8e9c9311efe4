"""Week 1 · S3 foundations: one check per exercise of the lake-bucket lab."""

from __future__ import annotations

import json

import boto3

from lakelab.checks import s3_lifecycle as lifecycle
from lakelab.checks.framework import exercise, expect
from lakelab.course import datasets, naming, prerequisites

WEEK = 1
# Where each course dataset lands in the raw zone: one folder per table, as crawlers expect
# (the lab's upload table says the same).
RAW_LAYOUT = prerequisites.RAW_LAYOUT


def _names() -> naming.Names:
    return naming.for_week(WEEK)


def _s3():
    return boto3.client("s3")


def _bucket_tags(bucket: str) -> dict[str, str]:
    s3 = _s3()
    try:
        return {t["Key"]: t["Value"] for t in s3.get_bucket_tagging(Bucket=bucket)["TagSet"]}
    except s3.exceptions.ClientError as error:
        if error.response.get("Error", {}).get("Code") != "NoSuchTagSet":
            raise
        return {}


@exercise(WEEK, "1.1", "lake bucket has raw/ and curated/ zones",
          hint="create the bucket named names.bucket('lake') with Tagging from names.tag_list, "
               "then put the empty objects 'raw/' and 'curated/'")
def lake_bucket_has_zones() -> None:
    names = _names()
    bucket = names.bucket("lake")
    tags = _bucket_tags(bucket)
    missing = {k: v for k, v in names.tags.items() if tags.get(k) != v}
    expect(not missing, expected=f"tags {names.tags}", found=f"tags {tags}",
           hint="tag the bucket with names.tag_list: teardown finds course resources by these tags")
    listing = _s3().list_objects_v2(Bucket=bucket, Delimiter="/")
    zones = sorted(p["Prefix"] for p in listing.get("CommonPrefixes", []))
    zones += sorted(o["Key"] for o in listing.get("Contents", []) if o["Key"].endswith("/"))
    expect({"raw/", "curated/"} <= set(zones), expected="zones raw/ and curated/", found=f"zones {sorted(set(zones))}")


@exercise(WEEK, "1.2", "versioning is enabled on the lake bucket",
          hint="call put_bucket_versioning with VersioningConfiguration={'Status': 'Enabled'}")
def versioning_enabled() -> None:
    status = _s3().get_bucket_versioning(Bucket=_names().bucket("lake")).get("Status", "never enabled")
    expect(status == "Enabled", expected="versioning status Enabled", found=f"status {status}")


@exercise(WEEK, "1.3", "lake bucket encrypts with KMS through a Bucket Key and blocks public access",
          hint="new buckets already get SSE-S3 and Block Public Access; the lake needs encryption whose key use "
               "CloudTrail can audit: default encryption SSE-KMS (SSEAlgorithm 'aws:kms'; the AWS managed key "
               "aws/s3 needs no key of yours) with BucketKeyEnabled, so S3 asks KMS once per bucket key, not per "
               "object; and Block Public Access stated with all four settings True. See the S3 User Guide pages "
               "'Using server-side encryption with AWS KMS keys (SSE-KMS)' and 'Reducing the cost of SSE-KMS with "
               "Amazon S3 Bucket Keys'")
def encrypted_and_private() -> None:
    bucket, s3 = _names().bucket("lake"), _s3()
    rules = s3.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"]["Rules"]
    found = [(r.get("ApplyServerSideEncryptionByDefault", {}).get("SSEAlgorithm"), r.get("BucketKeyEnabled", False))
             for r in rules]
    expect(any(algorithm == "aws:kms" for algorithm, _ in found), expected="default encryption aws:kms (SSE-KMS)",
           found=f"{_algorithms(found)}: SSE-S3 is what every new bucket has; it leaves no record of key use")
    expect(all(bucket_key for algorithm, bucket_key in found if algorithm == "aws:kms"),
           expected="SSE-KMS with BucketKeyEnabled True",
           found="SSE-KMS without a Bucket Key: S3 would call KMS for every object (each call billed)")
    block = s3.get_public_access_block(Bucket=bucket)["PublicAccessBlockConfiguration"]
    off = sorted(k for k, v in block.items() if not v)
    expect(not off and len(block) == 4, expected="all four public access blocks True", found=f"not blocked: {off}")


def _algorithms(found: list[tuple[str | None, bool]]) -> str:
    return ", ".join(f"{algorithm} (Bucket Key {'on' if key else 'off'})" for algorithm, key in found) or "no rule"


# Exercise 1.4's goals, judged on sample objects as S3 would apply the rules (see s3_lifecycle).
RAW_TO_STANDARD_IA_DAY, RAW_REPLAY_DAYS = 30, 365
OLD_VERSIONS_KEPT = (7, 30)  # long enough to undo a bad load, gone within a month
GONE_WITHIN = {"tmp/": 2, "athena-results/": 8}  # every version of scratch data
MULTIPART_ABORTED_WITHIN = 7
OTHER_SAMPLES = (
    lifecycle.Sample("curated/orders/order_date=2024-07-01/part-00000.parquet", 2_000_000),
    lifecycle.Sample("athena-results/3f6d0b9e-5c1a-4e1b-9a55-0c2f7e8d4b21.csv", 2_048),
    lifecycle.Sample("tmp/orders-staging/part-00000.csv", 300_000),
)
DOCS = "S3 user guide, "


def lifecycle_samples() -> list[lifecycle.Sample]:
    """The seeded raw files (their real sizes) and one object of each other zone."""
    raw = [lifecycle.Sample(key, datasets.path(name).stat().st_size) for name, key in RAW_LAYOUT.items()]
    return sorted(raw, key=lambda sample: sample.key) + list(OTHER_SAMPLES)


def lifecycle_fates(bucket: str | None = None) -> list[lifecycle.Fate]:
    """What the lake bucket's lifecycle configuration does to each sample object."""
    bucket, s3 = bucket or _names().bucket("lake"), _s3()
    try:
        configuration = s3.get_bucket_lifecycle_configuration(Bucket=bucket)
    except s3.exceptions.ClientError as error:
        if error.response.get("Error", {}).get("Code") != "NoSuchLifecycleConfiguration":
            raise
        configuration = {"Rules": []}
    versioned = s3.get_bucket_versioning(Bucket=bucket).get("Status") == "Enabled"
    return [lifecycle.fate(configuration, sample, versioned) for sample in lifecycle_samples()]


def _zone(fates: list[lifecycle.Fate], prefix: str) -> list[lifecycle.Fate]:
    return [fate for fate in fates if fate.sample.key.startswith(prefix)]


def _raw_goals(fates: list[lifecycle.Fate]) -> None:
    raw = _zone(fates, "raw/")
    large = [f for f in raw if f.sample.size >= lifecycle.SMALL_OBJECT_BYTES]
    small = [f for f in raw if f.sample.size < lifecycle.SMALL_OBJECT_BYTES]
    for fate in large:
        archived = [day for day, c in fate.transitions if c in ("GLACIER", "DEEP_ARCHIVE") and day < RAW_REPLAY_DAYS]
        expect((RAW_TO_STANDARD_IA_DAY, "STANDARD_IA") in fate.transitions and not archived,
               expected=f"the {len(large)} raw files of 128 KB or more move to STANDARD_IA on day "
                        f"{RAW_TO_STANDARD_IA_DAY} and stay readable without a restore",
               found=fate.describe(), hint="a Transition in a rule whose filter matches raw/ "
               f"({DOCS}'Transitioning objects using Amazon S3 Lifecycle')")
    for fate in small:
        expect(not fate.transitions, expected=f"the {len(small)} raw files under 128 KB stay in STANDARD "
               "(Standard-IA bills every object as at least 128 KB)", found=fate.describe(),
               hint="leave TransitionDefaultMinimumObjectSize at all_storage_classes_128K and add no size filter "
                    f"that lets small objects move ({DOCS}'Transitioning objects', minimum object size)")
    for fate in raw:
        expect(fate.expires == RAW_REPLAY_DAYS, expected=f"raw/ current versions expire on day {RAW_REPLAY_DAYS}, "
               "the end of the replay window", found=fate.describe(),
               hint="raw/ is what every later step is rebuilt from: expiring it sooner shortens the replay window, "
                    "never expiring it lets the zone grow for ever; the shortest matching Expiration wins")


def _other_goals(fates: list[lifecycle.Fate]) -> None:
    for fate in _zone(fates, "curated/"):
        expect(fate.expires is None, expected="curated/ current versions never expire: they are the lake's product",
               found=fate.describe(), hint="no Expiration may match curated/: look for a rule whose filter has no prefix")
    for prefix, days in GONE_WITHIN.items():
        for fate in _zone(fates, prefix):
            gone = fate.gone_after
            expect(gone is not None and gone <= days, expected=f"every version of {prefix} objects gone within {days} days",
                   found=fate.describe(), hint="in a versioned bucket, expiring the current version only adds a delete "
                   "marker: its noncurrent version must expire too, and the shortest matching rule wins "
                   f"({DOCS}'Expiring objects')")
    low, high = OLD_VERSIONS_KEPT
    for fate in fates:
        kept = fate.noncurrent_days
        expect(kept is not None and low <= kept <= high or fate.sample.key.startswith(tuple(GONE_WITHIN)),
               expected=f"old versions of raw/ and curated/ objects removed {low} to {high} days after they become "
                        "noncurrent", found=fate.describe(),
               hint=f"NoncurrentVersionExpiration, in a rule that matches the whole lake ({DOCS}'Expiring objects')")
        aborted = fate.multipart_days
        expect(aborted is not None and aborted <= MULTIPART_ABORTED_WITHIN,
               expected=f"unfinished multipart uploads aborted within {MULTIPART_ABORTED_WITHIN} days, in every zone",
               found=fate.describe(), hint="AbortIncompleteMultipartUpload, in a rule whose filter has no tags "
               f"({DOCS}'Configuring a bucket lifecycle configuration to delete incomplete multipart uploads')")


@exercise(WEEK, "1.4", "lifecycle rules age, keep and clean up the whole lake",
          hint=f"one lifecycle configuration holds every rule (a put replaces them all) and rules may overlap: "
               f"see {DOCS}'Lifecycle configuration elements' and 'How Amazon S3 handles conflicts'")
def lifecycle_rules() -> None:
    fates = lifecycle_fates()
    expect(any(fate.transitions or fate.expires or fate.noncurrent_days or fate.multipart_days for fate in fates),
           expected="an enabled lifecycle configuration on the lake bucket", found="no enabled rule")
    _raw_goals(fates)
    _other_goals(fates)


def _queue(names: naming.Names) -> tuple[str, dict]:
    sqs = boto3.client("sqs")
    url = sqs.get_queue_url(QueueName=names.resource("raw-events"))["QueueUrl"]
    attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
    return url, attributes


def _filter_rules(config: dict) -> dict[str, str]:
    rules = config.get("Filter", {}).get("Key", {}).get("FilterRules", [])
    return {r["Name"].lower(): r["Value"] for r in rules}


@exercise(WEEK, "1.5", "new raw/*.csv objects notify the raw-events queue",
          hint="create the queue names.resource('raw-events') (tagged) with a policy letting s3.amazonaws.com "
               "SendMessage from the bucket's ARN, then put_bucket_notification_configuration with "
               "prefix raw/ and suffix .csv")
def csv_notifications() -> None:
    names = _names()
    url, attributes = _queue(names)
    queue_tags = boto3.client("sqs").list_queue_tags(QueueUrl=url).get("Tags", {})
    expect(naming.is_course_resource(queue_tags, WEEK), expected=f"queue tags {names.tags}", found=queue_tags)
    policy = json.loads(attributes.get("Policy", "{}"))
    bucket_arn = f"arn:aws:s3:::{names.bucket('lake')}"
    expect(bucket_arn in json.dumps(policy) and "s3.amazonaws.com" in json.dumps(policy),
           expected=f"a queue policy allowing s3.amazonaws.com from {bucket_arn}", found=policy or "no policy",
           hint="S3 can only deliver to a queue whose policy allows it (on AWS the notification call fails without)")
    config = _s3().get_bucket_notification_configuration(Bucket=names.bucket("lake"))
    matching = [c for c in config.get("QueueConfigurations", []) if c["QueueArn"] == attributes["QueueArn"]]
    expect(matching, expected=f"a queue notification to {attributes['QueueArn']}",
           found=f"{len(config.get('QueueConfigurations', []))} queue notification(s)")
    rules = _filter_rules(matching[0])
    expect(rules == {"prefix": "raw/", "suffix": ".csv"}, expected="filter prefix raw/ and suffix .csv",
           found=f"filter {rules}")
    expect(any(e.startswith("s3:ObjectCreated:") for e in matching[0]["Events"]),
           expected="s3:ObjectCreated:* events", found=matching[0]["Events"])


@exercise(WEEK, "1.6", "the course datasets are in the raw zone",
          hint="upload each dataset file to its key in the layout table (s3.upload_file)")
def datasets_in_raw_zone() -> None:
    bucket, s3 = _names().bucket("lake"), _s3()
    for name, key in RAW_LAYOUT.items():
        local = datasets.path(name)
        try:
            size = s3.head_object(Bucket=bucket, Key=key)["ContentLength"]
        except s3.exceptions.ClientError:
            size = None
        expect(size == local.stat().st_size, expected=f"s3://{bucket}/{key} ({local.stat().st_size} bytes)",
               found="missing" if size is None else f"{size} bytes")


@exercise(WEEK, "1.7", "the raw-events queue was consumed",
          hint="receive the messages with long polling, print each event, and delete every message you processed")
def events_consumed() -> None:
    names = _names()
    _, attributes = _queue(names)
    config = _s3().get_bucket_notification_configuration(Bucket=names.bucket("lake"))
    expect(config.get("QueueConfigurations"), expected="notifications configured (exercise 1.5)", found="none")
    waiting = int(attributes["ApproximateNumberOfMessages"])
    in_flight = int(attributes["ApproximateNumberOfMessagesNotVisible"])
    if waiting or in_flight:
        url, _ = _queue(names)
        expect(False, expected="no message waiting or in flight",
               found=f"{waiting} waiting, {in_flight} received but not deleted" + _test_events(url, attributes, waiting),
               hint=leftovers_hint(waiting, in_flight, attributes))
    expect(int(attributes.get("ApproximateNumberOfMessagesDelayed", 0)) == 0, expected="no delayed message",
           found=attributes.get("ApproximateNumberOfMessagesDelayed"))


TEST_EVENT = "s3:TestEvent"


def _test_events(url: str, attributes: dict, waiting: int) -> str:
    """``; N of them s3:TestEvent`` when the waiting messages include S3's test events. They are read with a
    visibility timeout of 0, so they stay visible; not when the queue has a redrive policy, where every read counts
    towards maxReceiveCount."""
    if not waiting or attributes.get("RedrivePolicy"):
        return ""
    sqs, seen = boto3.client("sqs"), {}
    for _ in range(5):
        answer = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, VisibilityTimeout=0, WaitTimeSeconds=0)
        fresh = [m for m in answer.get("Messages", []) if m["MessageId"] not in seen]
        if not fresh:
            break
        seen.update((m["MessageId"], m["Body"]) for m in fresh)
    tests = 0
    for body in seen.values():
        try:
            tests += json.loads(body).get("Event") == TEST_EVENT
        except (ValueError, AttributeError):
            continue
    return f"; {tests} of the waiting ones {'is an' if tests == 1 else 'are'} {TEST_EVENT}" if tests else ""


def leftovers_hint(waiting: int, in_flight: int, attributes: dict) -> str:
    """What a previous attempt left in the queue, and how to clear it. PurgeQueue "deletes available messages in a
    queue (including in-flight messages)", once per 60 s (SQS API reference, PurgeQueue:
    https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_PurgeQueue.html); S3 verifies an SQS
    destination "by sending a test notification" when the configuration is put (S3 API reference,
    PutBucketNotificationConfiguration); a received message comes back after the visibility timeout (SQS developer
    guide, "Amazon SQS visibility timeout")."""
    timeout = attributes.get("VisibilityTimeout", "30")
    parts = []
    if in_flight:
        parts.append(f"a message received but not deleted is in flight: it comes back after the queue's visibility "
                     f"timeout ({timeout} s) and is received again, so an earlier run of the drain cell that stopped "
                     f"half way (an exception, an interrupt) leaves it behind; wait {timeout} s and run the drain cell "
                     "again, deleting each message (delete_message) once it is processed")
    if waiting:
        parts.append(f"waiting messages were never received: run the drain cell until a receive returns none; S3 "
                     f"sends one {TEST_EVENT} (no Records) each time the notification configuration is set, so "
                     "re-running exercise 1.5 adds one, and the drain loop must delete it too")
    parts.append("to start over, sqs.purge_queue(QueueUrl=queue_url) deletes every message, in flight or not (one "
                 "purge per 60 s), then upload again what the exercise needs")
    return "; ".join(parts)


@exercise(WEEK, "S.1", "the lake bucket refuses requests without TLS", stretch=True,
          hint="add a bucket policy that Denies s3:* to Principal '*' when aws:SecureTransport is 'false', "
               "on the bucket ARN and on bucket-ARN/*")
def tls_only_policy() -> None:
    bucket = _names().bucket("lake")
    policy = json.loads(_s3().get_bucket_policy(Bucket=bucket)["Policy"])
    for statement in policy.get("Statement", []):
        condition = statement.get("Condition", {}).get("Bool", {})
        resources = statement.get("Resource", [])
        resources = [resources] if isinstance(resources, str) else resources
        if statement.get("Effect") == "Deny" and str(condition.get("aws:SecureTransport")).lower() == "false":
            covered = {f"arn:aws:s3:::{bucket}", f"arn:aws:s3:::{bucket}/*"} <= set(resources)
            expect(covered, expected="the Deny on the bucket and its objects", found=f"resources {resources}")
            return
    expect(False, expected="a Deny statement on aws:SecureTransport false", found=f"{len(policy.get('Statement', []))} statement(s)")
