"""Week 1 · S3 foundations: one check per exercise of the lake-bucket lab."""

from __future__ import annotations

import json

import boto3

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
    return {t["Key"]: t["Value"] for t in _s3().get_bucket_tagging(Bucket=bucket)["TagSet"]}


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


@exercise(WEEK, "1.3", "lake bucket is encrypted by default and blocks public access",
          hint="call put_bucket_encryption (SSE-S3: SSEAlgorithm 'AES256') and put_public_access_block "
               "with all four settings True")
def encrypted_and_private() -> None:
    bucket, s3 = _names().bucket("lake"), _s3()
    rules = s3.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"]["Rules"]
    algorithms = [r["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"] for r in rules]
    expect(set(algorithms) & {"AES256", "aws:kms", "aws:kms:dsse"}, expected="default encryption AES256 or aws:kms",
           found=f"algorithms {algorithms}")
    block = s3.get_public_access_block(Bucket=bucket)["PublicAccessBlockConfiguration"]
    off = sorted(k for k, v in block.items() if not v)
    expect(not off and len(block) == 4, expected="all four public access blocks True", found=f"not blocked: {off}")


def _raw_rule(rules: list[dict]) -> dict | None:
    for rule in rules:
        prefix = rule.get("Filter", {}).get("Prefix", rule.get("Filter", {}).get("And", {}).get("Prefix"))
        if rule.get("Status") == "Enabled" and prefix == "raw/":
            return rule
    return None


@exercise(WEEK, "1.4", "lifecycle rules age the raw zone",
          hint="one enabled rule with Filter {'Prefix': 'raw/'}: a Transition to STANDARD_IA after 30 days, "
               "Expiration after 365 days, NoncurrentVersionExpiration and AbortIncompleteMultipartUpload")
def lifecycle_rules() -> None:
    rules = _s3().get_bucket_lifecycle_configuration(Bucket=_names().bucket("lake"))["Rules"]
    rule = _raw_rule(rules)
    expect(rule, expected="an enabled rule for prefix raw/", found=f"{len(rules)} rule(s), none enabled for raw/")
    transitions = {(t.get("Days"), t.get("StorageClass")) for t in rule.get("Transitions", [])}
    expect((30, "STANDARD_IA") in transitions, expected="transition to STANDARD_IA after 30 days",
           found=f"transitions {sorted(transitions)}")
    expect(rule.get("Expiration", {}).get("Days") == 365, expected="expiration after 365 days",
           found=f"expiration {rule.get('Expiration')}")
    expect(rule.get("NoncurrentVersionExpiration", {}).get("NoncurrentDays"),
           expected="noncurrent versions expire", found=f"{rule.get('NoncurrentVersionExpiration')}")
    expect(rule.get("AbortIncompleteMultipartUpload", {}).get("DaysAfterInitiation"),
           expected="incomplete multipart uploads aborted", found=f"{rule.get('AbortIncompleteMultipartUpload')}")


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
    expect(waiting == 0 and in_flight == 0, expected="no message waiting or in flight",
           found=f"{waiting} waiting, {in_flight} received but not deleted")
    expect(int(attributes.get("ApproximateNumberOfMessagesDelayed", 0)) == 0, expected="no delayed message",
           found=attributes.get("ApproximateNumberOfMessagesDelayed"))


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
