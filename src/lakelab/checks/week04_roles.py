"""Week 4's job roles, judged by IAM's policy simulator: allowed what the job does, denied the rest.

A job reads the script and ``validated/orders*`` (the zone week 3's validator fills), writes its output
and its quarantine, and touches nothing else: not ``raw/`` (the record of what arrived), not
``validated/`` (its own input), not another job's output, not another bucket.
"""

from __future__ import annotations

import boto3

from lakelab.checks import iam_simulation, policies
from lakelab.checks.framework import expect
from lakelab.course import naming

WEEK = 4
SCRIPT_KEY, SOURCE = "scripts/orders_etl.py", "validated/orders/"
OUTPUTS = {"curated/orders/": "quarantine/orders/", "curated/emr_orders/": "quarantine/emr_orders/"}
OTHER_BUCKET = "arn:aws:s3:::another-teams-bucket"  # any bucket but the lake: the role must reach none


def object_arn(key: str = "") -> str:
    return f"arn:aws:s3:::{naming.for_week(WEEK).bucket('lake')}" + (f"/{key}" if key else "")


def _folder_writes(prefix: str, example: str) -> list[tuple[str, str]]:
    """What Spark needs to replace a folder's files: read, write, delete (a rename is a copy and a delete),
    and a HEAD of the folder's own key (``curated/orders``) and of its zone's (``curated``, ``curated/``),
    which IAM allows under s3:GetObject."""
    zone = prefix.split("/", 1)[0]
    folders = [("s3:GetObject", object_arn(folder)) for folder in (prefix.rstrip("/"), zone, f"{zone}/")]
    actions = ("s3:GetObject", "s3:PutObject", "s3:DeleteObject")
    return folders + [(action, object_arn(prefix + example)) for action in actions]


def writes(output_prefix: str) -> list[tuple[str, str]]:
    """The output's Parquet files and the quarantine's JSON files of one run."""
    return (_folder_writes(output_prefix, "order_month=2024-01/part-00000.snappy.parquet")
            + _folder_writes(OUTPUTS[output_prefix], "run=jr_0123/part-00000.json"))


def reads() -> list[tuple[str, str]]:
    return [("s3:ListBucket", object_arn()), ("s3:GetObject", object_arn(SCRIPT_KEY)),
            ("s3:GetObject", object_arn(SOURCE.rstrip("/"))), ("s3:GetObject", object_arn(f"{SOURCE}orders.csv"))]


def _denied_everywhere_else(output_prefix: str) -> list[tuple[str, str]]:
    """What a least-privilege job role must not do: touch raw/ or validated/ (its input), write another job's
    output or another table, manage the bucket, or read any other bucket."""
    other = next(prefix for prefix in OUTPUTS if prefix != output_prefix)
    inputs = [(action, object_arn(key)) for key in ("raw/orders/orders.csv", f"{SOURCE}orders.csv")
              for action in ("s3:PutObject", "s3:DeleteObject")]
    return inputs + [
        ("s3:PutObject", object_arn(f"{other}order_month=2024-01/part-00000.snappy.parquet")),
        ("s3:PutObject", object_arn(f"{OUTPUTS[other]}run=jr_0123/part-00000.json")),
        ("s3:PutObject", object_arn("curated/customers/customers.parquet")),
        ("s3:DeleteBucket", object_arn()), ("s3:PutBucketPolicy", object_arn()),
        ("s3:GetObject", f"{OTHER_BUCKET}/orders.csv"), ("s3:PutObject", f"{OTHER_BUCKET}/orders.csv")]


def expect_job_role(name: str, service: str, allowed: list[tuple[str, str]], output_prefix: str) -> None:
    """The course's role for ``service``, judged by IAM's policy simulator: allowed what the job does,
    denied the rest."""
    role = boto3.client("iam").get_role(RoleName=name)["Role"]
    tags = policies.role_tags(name)
    expect(naming.is_course_resource(tags, WEEK), expected=f"role tags course, week {WEEK:02d}, learner",
           found=f"tags {tags}")
    services = policies.trusted_services(role)
    expect(service in services, expected=f"a trust policy for {service}", found=services or "no service trusted")
    iam_simulation.expect_allowed(role["Arn"], allowed)
    iam_simulation.expect_denied(role["Arn"], _denied_everywhere_else(output_prefix),
                                 hint="least privilege: allow only the prefixes the job reads and writes "
                                      f"(its output is {output_prefix}, its quarantine {OUTPUTS[output_prefix]}), "
                                      "never s3:* or the whole bucket, and never a write to its input")
