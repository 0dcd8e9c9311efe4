"""The eight weeks and the capstone: slugs, titles, status, and what each needs from a target."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Week:
    number: int
    slug: str
    title: str
    services: tuple[str, ...]
    ready: bool = False

    @property
    def lab(self) -> str:
        return f"week{self.number:02d}_{self.slug}"


WEEKS: dict[int, Week] = {
    week.number: week
    for week in (
        Week(1, "s3", "S3 foundations: the lake bucket", ("s3", "sqs"), ready=True),
        Week(2, "catalog_athena", "Glue Data Catalog and Athena", ("s3", "glue", "athena"), ready=True),
        Week(3, "lambda", "Lambda: validate files on arrival", ("s3", "lambda", "logs", "iam", "sqs"), ready=True),
        Week(4, "glue_etl", "Glue Spark ETL and EMR", ("s3", "glue", "emr", "athena", "iam"), ready=True),
        Week(5, "orchestration", "Orchestration: Airflow (MWAA) and Step Functions", ("mwaa", "stepfunctions")),
        Week(6, "streaming", "Streaming: Kinesis, Firehose, SNS", ("kinesis", "firehose", "sns")),
        Week(7, "governance", "Governance: Lake Formation, IAM, CloudTrail", ("lakeformation", "iam", "cloudtrail")),
        Week(8, "redshift_monitoring", "Redshift for BI, CloudWatch monitoring", ("redshift", "cloudwatch", "logs")),
        Week(9, "capstone", "Capstone: the complete lake", ("s3", "glue", "athena", "lambda", "cloudwatch")),
    )
}


def week(number: int) -> Week:
    if number not in WEEKS:
        raise ValueError(f"there is no week {number}: weeks are {', '.join(map(str, WEEKS))} (9 is the capstone)")
    return WEEKS[number]
