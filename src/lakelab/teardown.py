"""Remove exactly what the course created, in dependency order, and say what was removed.

Resources are found by name prefix *and* tags (``course``, ``learner``, and ``week`` when a week
is given): anything else in the account is never touched.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

import boto3
from botocore.exceptions import ClientError

from lakelab import naming


@dataclass(frozen=True)
class Resource:
    kind: str
    name: str
    week: str
    remove: Callable[[], str]  # deletes, and returns a detail for the report

    def line(self, verb: str, detail: str = "") -> str:
        return f"{verb} {self.kind:<8} {self.name} (week {self.week}){' · ' + detail if detail else ''}"


def _tags_of_bucket(s3, bucket: str) -> dict[str, str]:
    try:
        return {t["Key"]: t["Value"] for t in s3.get_bucket_tagging(Bucket=bucket)["TagSet"]}
    except ClientError:
        return {}


def _empty_and_delete_bucket(s3, bucket: str) -> str:
    """A versioned bucket only deletes once every version and delete marker is gone."""
    # List everything first: deleting while paginating would move the pagination markers.
    versions = [{"Key": v["Key"], "VersionId": v["VersionId"]}
                for page in s3.get_paginator("list_object_versions").paginate(Bucket=bucket)
                for v in page.get("Versions", []) + page.get("DeleteMarkers", [])]
    for start in range(0, len(versions), 1000):
        answer = s3.delete_objects(Bucket=bucket, Delete={"Objects": versions[start:start + 1000], "Quiet": True})
        if answer.get("Errors"):
            first = answer["Errors"][0]
            raise RuntimeError(f"could not empty {bucket}: {first['Key']}: {first['Message']}")
    for upload in s3.list_multipart_uploads(Bucket=bucket).get("Uploads", []):
        s3.abort_multipart_upload(Bucket=bucket, Key=upload["Key"], UploadId=upload["UploadId"])
    s3.delete_bucket(Bucket=bucket)
    return f"{len(versions)} object version(s)"


def _buckets(prefix: str) -> Iterator[tuple[str, dict[str, str], Callable[[], str]]]:
    s3 = boto3.client("s3")
    for bucket in sorted(b["Name"] for b in s3.list_buckets().get("Buckets", [])):
        if bucket.startswith(prefix):
            yield bucket, _tags_of_bucket(s3, bucket), lambda b=bucket: _empty_and_delete_bucket(s3, b)


def _queues(prefix: str) -> Iterator[tuple[str, dict[str, str], Callable[[], str]]]:
    sqs = boto3.client("sqs")
    for url in sorted(sqs.list_queues(QueueNamePrefix=prefix).get("QueueUrls", [])):
        tags = sqs.list_queue_tags(QueueUrl=url).get("Tags", {})
        yield url.rsplit("/", 1)[-1], tags, lambda u=url: _delete_queue(sqs, u)


def _delete_queue(sqs, url: str) -> str:
    sqs.delete_queue(QueueUrl=url)
    return ""


# Dependency order: buckets (whose notifications point at queues and functions) before what they call.
SWEEPERS: list[tuple[str, Callable[[str], Iterator[tuple[str, dict[str, str], Callable[[], str]]]]]] = [
    ("bucket", _buckets),
    ("queue", _queues),
]


def find(week: int | None = None) -> list[Resource]:
    """Course resources of this learner (of one week, if given), in the order they must go."""
    prefix = f"{naming.COURSE}-{naming.learner()}-"
    found = []
    for kind, sweeper in SWEEPERS:
        for name, tags, remove in sweeper(prefix):
            if naming.is_course_resource(tags, week):
                found.append(Resource(kind, name, tags["week"], remove))
    return found


def teardown(week: int | None = None, dry_run: bool = False, report: Callable[[str], None] = print) -> list[Resource]:
    """Remove (or, with ``dry_run``, list) the course's resources; report one line each."""
    resources = find(week)
    for resource in resources:
        if dry_run:
            report(resource.line("would remove"))
        else:
            report(resource.line("removed", resource.remove()))
    scope = f"week {week:02d}" if week else "all weeks"
    report(f"{'Would remove' if dry_run else 'Removed'} {len(resources)} resource(s) of the course ({scope}).")
    return resources
