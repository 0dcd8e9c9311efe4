"""Rebuild what earlier weeks built, so any lab can start on a fresh target.

Each week's lab calls ``ensure(week)`` from its Setup cell, which rebuilds what the week's entry
lists as its prerequisites: existing resources are kept as they are, missing ones are created
exactly as the earlier solutions create them, tagged with the week that owns them, so teardown
treats them alike.
"""

from __future__ import annotations

from collections.abc import Callable

import boto3
from botocore.exceptions import ClientError

from lakelab.course import contracts, datasets, naming, weeks

# The raw layout of week 1's exercise 1.6: dataset name -> key in the lake bucket.
RAW_LAYOUT = {
    "orders": "raw/orders/orders.csv",
    "customers": "raw/customers/customers.csv",
    "clickstream": "raw/clickstream/clickstream.jsonl",
    **{name: f"raw/{relative}" for name, relative in datasets.FILES.items() if name.startswith("dms_")},
}


def _bucket_exists(s3, bucket: str) -> bool:
    try:
        s3.head_bucket(Bucket=bucket)
        return True
    except ClientError:
        return False


def _create_lake_bucket(s3, names: naming.Names, bucket: str) -> None:
    create = {"Bucket": bucket}
    if s3.meta.region_name != "us-east-1":
        create["CreateBucketConfiguration"] = {"LocationConstraint": s3.meta.region_name}
    s3.create_bucket(**create)
    s3.put_bucket_tagging(Bucket=bucket, Tagging={"TagSet": names.tag_list})
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    s3.put_bucket_encryption(Bucket=bucket, ServerSideEncryptionConfiguration={
        "Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms"}, "BucketKeyEnabled": True}]})
    s3.put_public_access_block(Bucket=bucket, PublicAccessBlockConfiguration={
        "BlockPublicAcls": True, "IgnorePublicAcls": True, "BlockPublicPolicy": True, "RestrictPublicBuckets": True})
    for zone in ("raw/", "curated/"):
        s3.put_object(Bucket=bucket, Key=zone)


def ensure_lake() -> str:
    """The week 1 lake bucket with its zones and the raw datasets; returns a one-line report."""
    names = naming.for_week(1)
    s3, bucket = boto3.client("s3"), names.bucket("lake")
    created = not _bucket_exists(s3, bucket)
    if created:
        _create_lake_bucket(s3, names, bucket)
    uploaded = 0
    for name, key in RAW_LAYOUT.items():
        try:
            s3.head_object(Bucket=bucket, Key=key)
        except ClientError:
            s3.upload_file(str(datasets.path(name)), bucket, key)
            uploaded += 1
    state = "created" if created else "found"
    return f"week 1 lake bucket {bucket}: {state}, {uploaded} raw dataset file(s) uploaded"


def ensure_validated_zone() -> str:
    """Week 3's validated/ zone as its validator leaves it: each seeded raw file that keeps its table's contract,
    copied (that very version) to the same path under validated/, with the metadata source-etag; no Lambda runs."""
    s3, bucket = boto3.client("s3"), naming.for_week(1).bucket("lake")
    copied = 0
    for table in contracts.CONTRACTS:
        raw_key = RAW_LAYOUT[table]
        zone_key = "validated/" + raw_key.removeprefix("raw/")
        try:
            s3.head_object(Bucket=bucket, Key=zone_key)
            continue
        except ClientError:
            pass
        source = s3.get_object(Bucket=bucket, Key=raw_key)
        if contracts.problem(table, source["Body"].read()) is None:
            version = {"VersionId": source["VersionId"]} if source.get("VersionId") else {}
            s3.copy_object(Bucket=bucket, Key=zone_key, MetadataDirective="REPLACE",
                           CopySource={"Bucket": bucket, "Key": raw_key, **version},
                           Metadata={"source-etag": source["ETag"].strip('"')})
            copied += 1
    return f"week 3 validated/ zone: {copied} file(s) copied from raw/ as the validator would"


# What a week's entry may list as a prerequisite, and what rebuilds it.
REBUILDERS: dict[str, Callable[[], str]] = {"lake": ensure_lake, "validated": ensure_validated_zone}


def rebuilders(week: int) -> list[Callable[[], str]]:
    """What the week's Setup cell runs, in the order its entry lists its prerequisites."""
    return [REBUILDERS[prerequisite] for prerequisite in weeks.week(week).prerequisites]


def ensure(week: int) -> list[str]:
    """Rebuild the earlier weeks' state this week depends on; one report line each."""
    return [rebuild() for rebuild in rebuilders(week)]
