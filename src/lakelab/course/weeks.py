"""The eight weeks and the capstone: one entry per week, and everything else reads it from here.

A week's entry says what its lab is called, which services it needs, what its Setup cell creates,
which earlier weeks' state that cell rebuilds, and so what teardown must sweep and what grading
preloads. Adding a week is one more :class:`Week` below, plus its reading, solution, checks
module and tests, which all share the week's name (``week05_orchestration``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

Key = int | str  # a lab's key: 6 for a week's (first) lab, "6b" for its second


@dataclass(frozen=True)
class Week:
    """One week of the course.

    Parameters
    ----------
    number, slug, title
        ``Week(1, "s3", ...)`` is the lab ``week01_s3``.
    part
        A week's second lab is ``part="b"``: ``Week(6, "ingestion", ..., part="b")`` is the lab
        ``week06b_ingestion``, started with ``lakelab.start(week="6b")``, its exercises ``6b.1``...,
        its resources tagged ``week=06b``. A week's first lab has no part and is keyed by its number.
    services
        AWS services the lab calls (the LocalStack tier warning and grading's preloads read them).
    ready
        True once the week's reading, solution, lab, checks and tests exist.
    resources
        What the lab creates, as ``(kind, purpose)``: the Setup cell lists them, and each kind is
        one teardown sweeps.
    prerequisites
        Earlier weeks' state the Setup cell rebuilds on a fresh target (``"lake"``: week 1's bucket).
    """

    number: int
    slug: str
    title: str
    services: tuple[str, ...]
    ready: bool = False
    resources: tuple[tuple[str, str], ...] = ()
    prerequisites: tuple[str, ...] = ()
    part: str = ""

    @property
    def key(self) -> Key:
        """How the kit names this lab: the week's number (``6``), or with its part (``"6b"``)."""
        return f"{self.number}{self.part}" if self.part else self.number

    @property
    def tag(self) -> str:
        """The value of the ``week`` tag on what this lab creates: ``06``, ``06b``."""
        return f"{self.number:02d}{self.part}"

    @property
    def label(self) -> str:
        """``week 6``, ``week 6b``: how messages name the lab."""
        return f"week {self.key}"

    @property
    def lab(self) -> str:
        """The name the week's reading, solution, lab, checks module and tests file share."""
        return f"week{self.tag}_{self.slug}"

    @property
    def checks_module(self) -> str:
        return f"lakelab.checks.{self.lab}"

    @property
    def sweeps(self) -> tuple[str, ...]:
        """The kinds of resource teardown must sweep for this week: those its lab creates."""
        return tuple(dict.fromkeys(kind for kind, _ in self.resources))

    def files(self) -> dict[str, str]:
        """Where the week's own files are, relative to the repository's root."""
        return {"reading": f"weeks/{self.lab}.md", "solution": f"solutions/{self.lab}.ipynb",
                "lab": f"labs/{self.lab}.ipynb", "checks": f"src/lakelab/checks/{self.lab}.py",
                "tests": f"tests/weeks/test_{self.lab}.py"}


LAKE = ("lake",)  # week 1's lake bucket, its zones and the raw datasets: every later lab reads them

WEEKS: dict[Key, Week] = {
    week.key: week
    for week in (
        Week(1, "s3", "S3 foundations: the lake bucket", ("s3", "sqs"), ready=True,
             resources=(("bucket", "lake"), ("queue", "raw-events"))),
        Week(2, "catalog_athena", "Glue Data Catalog and Athena", ("s3", "glue", "athena"), ready=True,
             resources=(("database", "lake"), ("role", "glue-crawler"), ("crawler", "raw-crawler"),
                        ("crawler", "export-crawler"), ("workgroup", "analytics")),
             prerequisites=LAKE),
        Week(3, "lambda", "Lambda: validate files on arrival", ("s3", "lambda", "logs", "iam", "sqs"), ready=True,
             resources=(("role", "lambda-validator"), ("function", "validator"), ("log group", "validator"),
                        ("queue", "validator-failures")),
             prerequisites=LAKE),
        Week(4, "glue_etl", "Glue Spark ETL and EMR", ("s3", "glue", "emr", "athena", "iam"), ready=True,
             resources=(("role", "glue-etl"), ("job", "orders-etl"), ("database", "curated"),
                        ("crawler", "curated-crawler"), ("workgroup", "etl-analytics"), ("role", "emr-jobs"),
                        ("application", "spark"), ("trigger", "orders-etl-nightly"), ("trigger", "crawl-after-etl")),
             prerequisites=(*LAKE, "validated")),  # week 3's validated/ zone: the job's input
        Week(5, "orchestration", "Orchestration: Airflow (MWAA) and Step Functions",
             ("s3", "lambda", "glue", "athena", "sns", "sqs", "iam", "logs", "mwaa", "stepfunctions"), ready=True,
             resources=(("role", "daily-validator"), ("function", "daily-validator"), ("log group", "daily-validator"),
                        ("role", "daily-etl"), ("job", "daily-orders-etl"), ("database", "orchestrated"),
                        ("crawler", "daily-orders-crawler"), ("workgroup", "orchestration"),
                        ("topic", "pipeline-alerts"), ("queue", "pipeline-alerts-inbox"),
                        ("bucket", "airflow"), ("role", "mwaa-execution"), ("environment", "airflow"),
                        ("role", "pipeline-states"), ("state machine", "daily-orders")),
             prerequisites=LAKE),
        Week(6, "streaming", "Streaming: Kinesis, Firehose, SNS",
             ("s3", "kinesis", "firehose", "lambda", "sns", "sqs", "glue", "athena", "iam", "logs", "cloudwatch"), ready=True,
             resources=(("stream", "clickstream"), ("database", "streaming"), ("role", "firehose-delivery"),
                        ("delivery stream", "clickstream-to-lake"), ("role", "stream-consumer"),
                        ("function", "stream-consumer"), ("log group", "stream-consumer"),
                        ("event source mapping", "stream-consumer"), ("queue", "stream-consumer-failures"),
                        ("stream", "flash-sale"), ("topic", "stream-alerts"), ("queue", "stream-alerts-inbox"),
                        ("workgroup", "streaming"), ("role", "firehose-probe"), ("delivery stream", "latency-probe")),
             prerequisites=LAKE),
        Week(6, "ingestion", "Ingestion: databases and SaaS",
             ("s3", "rds", "dms", "glue", "athena", "iam", "appflow"), part="b", ready=True,
             resources=(("db parameter group", "source-postgres"), ("db instance", "source"),
                        ("role", "dms-s3-target"), ("replication instance", "replication"),
                        ("endpoint", "orders-source"), ("endpoint", "lake-target"),
                        ("replication task", "orders-cdc"), ("database", "ingestion"), ("workgroup", "ingestion"),
                        ("connector profile", "crm"), ("flow", "crm-accounts")),
             prerequisites=LAKE),
        Week(7, "governance", "Governance: Lake Formation, IAM, CloudTrail",
             ("s3", "glue", "athena", "lakeformation", "iam", "sts", "cloudtrail", "kms"), ready=True,
             resources=(("database", "governed"), ("workgroup", "governance"), ("role", "analyst"),
                        ("role", "regional-analyst"), ("role", "auditor"),
                        ("registered location", "curated/governed"), ("lf-tag", "classification"),
                        ("data cells filter", "customers-de"), ("key", "lake-key"), ("bucket", "audit-logs"),
                        ("trail", "audit-trail")),
             prerequisites=LAKE),
        Week(8, "redshift_monitoring", "Redshift for BI, CloudWatch monitoring",
             ("s3", "glue", "athena", "iam", "redshift", "redshift-serverless", "redshift-data", "firehose", "lambda",
              "logs", "cloudwatch", "sns", "sqs"),
             ready=True,
             resources=(("database", "sales"), ("workgroup", "bi-athena"), ("role", "redshift-loader"),
                        ("redshift namespace", "warehouse"), ("redshift workgroup", "bi"),
                        ("role", "orders-feed-delivery"), ("delivery stream", "orders-feed"),
                        ("role", "feed-validator"), ("function", "feed-validator"), ("log group", "feed-validator"),
                        ("metric filter", "rejected-orders"), ("topic", "pipeline-alarms"),
                        ("queue", "pipeline-alarms-inbox"), ("alarm", "feed-lag"), ("alarm", "validator-error-rate"),
                        ("dashboard", "pipeline-health")),
             prerequisites=LAKE),
        Week(9, "capstone", "Capstone: the complete lake",
             ("s3", "rds", "dms", "kinesis", "firehose", "lambda", "glue", "athena", "stepfunctions", "mwaa", "iam",
              "sts", "redshift", "redshift-serverless", "redshift-data", "lakeformation", "cloudtrail", "logs",
              "cloudwatch", "sns"), ready=True,
             resources=(("database", "curated"), ("workgroup", "capstone"), ("db parameter group", "shop-postgres"),
                        ("db instance", "shop"), ("role", "dms-s3-target"), ("replication instance", "replication"),
                        ("endpoint", "shop-source"), ("endpoint", "lake-target"), ("replication task", "orders-cdc"),
                        ("stream", "clickstream"), ("role", "clickstream-delivery"),
                        ("delivery stream", "clickstream-to-lake"), ("role", "customer-validator"),
                        ("function", "customer-validator"), ("log group", "customer-validator"),
                        ("role", "daily-pipeline"), ("state machine", "daily-pipeline"),
                        ("environment", "your choice instead of the state machine"),
                        ("role", "warehouse-loader"), ("redshift namespace", "warehouse"),
                        ("redshift workgroup", "warehouse"), ("role", "analyst"),
                        ("registered location", "curated/customers"), ("lake formation grant", "analyst"),
                        ("bucket", "audit-logs"), ("trail", "audit-trail"), ("topic", "pipeline-alerts"),
                        ("alarm", "validator-errors"), ("dashboard", "pipeline"), ("metric filter", "your choice"),
                        ("queue", "your choice"), ("job", "your choice")),
             prerequisites=LAKE),
    )
}


def key_of(named: Key) -> Key | None:
    """A lab's key from how a person or a file names it: ``6``, ``"6"``, ``"06"``, ``"6b"``, ``"06B"``,
    ``"week06b"``, ``"week06b_ingestion"`` (None if it names no lab's key)."""
    if isinstance(named, bool):
        return None
    if isinstance(named, int):
        return named
    if str(named).strip().lower() in ("capstone", "week09_capstone"):
        return 9  # the capstone is the ninth lab: lakelab.start(week="capstone")
    found = re.fullmatch(r"(?:week)?0*(\d+)([a-z]?)(?:_\w*)?", str(named).strip().lower())
    if not found:
        return None
    number, part = int(found.group(1)), found.group(2)
    return f"{number}{part}" if part else number


def week(named: Key) -> Week:
    """The lab keyed (or named, see :func:`key_of`) ``named``; a clear error for one that does not exist."""
    key = key_of(named)
    if key not in WEEKS:
        raise ValueError(f"there is no week {named}: weeks are {', '.join(map(str, WEEKS))} (9 is the capstone)")
    return WEEKS[key]


def ready() -> list[Week]:
    """The weeks whose labs learners can take, in order."""
    return [entry for entry in WEEKS.values() if entry.ready]


def swept_kinds() -> set[str]:
    """Every kind of resource some week's lab creates: what teardown sweeps."""
    return {kind for entry in WEEKS.values() for kind in entry.sweeps}
