"""What a notebook's Setup cell calls: connect to the target, name the lab's resources, load its checks."""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from types import ModuleType

from lakelab import course, targets
from lakelab.course import naming, prerequisites
from lakelab.lab import display, drivers, skipping, teardown

# The service whose use makes a missing capability matter to a lab (``Target.lacks``).
NEEDED_BY = {"lambda-code": "lambda", "iam-evaluation": "iam"}


@dataclass
class Lab:
    week: course.Week
    target: targets.Target
    names: naming.Names
    check: ModuleType

    def resources(self) -> list[str]:
        """What the week's entry says its lab creates, one line each, named as the lab names them."""
        lines = []
        naming_of = {"bucket": self.names.bucket, "database": self.names.database,
                     "log group": lambda purpose: f"/aws/lambda/{self.names.resource(purpose)}",
                     "registered location": lambda purpose: f"s3://{self.names.bucket('lake')}/{purpose}/",
                     "key": lambda purpose: f"alias/{self.names.resource(purpose)}"}
        for kind, purpose in self.week.resources:
            lines.append(f"  • {kind:<9} {naming_of.get(kind, self.names.resource)(purpose)}")
        return lines

    def mwaa_network(self) -> dict[str, list[str]]:
        """The ``NetworkConfiguration`` an MWAA environment needs: two private subnets in different
        Availability Zones and a security group. On a real account they are yours, named by
        ``LAKELAB_MWAA_SUBNETS`` (two ids, comma-separated) and ``LAKELAB_MWAA_SECURITY_GROUP``; the
        emulator and LocalStack take any ids."""
        import os

        if self.target.kind != "aws":
            return {"SubnetIds": ["subnet-0a1b2c3d4e5f60001", "subnet-0a1b2c3d4e5f60002"],
                    "SecurityGroupIds": ["sg-0a1b2c3d4e5f60003"]}
        subnets = [s.strip() for s in os.environ.get("LAKELAB_MWAA_SUBNETS", "").split(",") if s.strip()]
        group = os.environ.get("LAKELAB_MWAA_SECURITY_GROUP", "").strip()
        if len(subnets) != 2 or not group:
            raise targets.TargetError(
                "MWAA needs a VPC with two private subnets (in different Availability Zones, with a route to "
                "the internet or VPC endpoints) and a security group that allows traffic within itself: set "
                "LAKELAB_MWAA_SUBNETS=subnet-...,subnet-... and LAKELAB_MWAA_SECURITY_GROUP=sg-... before "
                "starting JupyterLab (MWAA user guide: 'About networking on Amazon MWAA').")
        return {"SubnetIds": subnets, "SecurityGroupIds": [group]}

    def database_network(self) -> dict[str, object]:
        """What ``CreateDBInstance`` needs so that this notebook (psycopg) and DMS reach the instance: nothing
        on the emulator and LocalStack. On a real account the instance must be publicly accessible in a VPC
        security group that admits your address on PostgreSQL's port (5432), named by
        ``LAKELAB_DB_SECURITY_GROUP`` -- a sandbox-only shortcut: a production source stays private and DMS
        reaches it from a replication instance in its VPC."""
        import os

        if self.target.kind != "aws":
            return {}
        group = os.environ.get("LAKELAB_DB_SECURITY_GROUP", "").strip()
        if not group:
            raise targets.TargetError(
                "On a real account this notebook connects to the database over the internet: create a security "
                "group in your default VPC that allows TCP 5432 from your IP address only, then set "
                "LAKELAB_DB_SECURITY_GROUP=sg-... before starting JupyterLab (RDS user guide: 'Controlling access "
                "with security groups').")
        return {"PubliclyAccessible": True, "VpcSecurityGroupIds": [group]}

    def clean_up(self) -> None:
        """Remove everything the course created, this week's and the earlier weeks' it rebuilt:
        on a real account that is what leaves nothing billable (the learner ran this on purpose)."""
        teardown.teardown()


def start(week: course.Key) -> Lab:
    """Connect to the target chosen by the environment and print what this lab will create."""
    chosen = targets.activate()
    names = naming.for_week(week)
    entry = course.week(week)
    lab = Lab(entry, chosen, names, importlib.import_module(entry.checks_module))
    print(chosen.summary())
    warning = targets.localstack_tier_warning(chosen.kind, entry.services)
    if warning:
        print(warning)
    lacks = {name: why for name, why in chosen.lacks.items() if NEEDED_BY.get(name, "") in entry.services}
    if lacks:
        for why in lacks.values():
            print(f"On this target: {why}.")
        print("The cells and checks that need it say so, and are skipped.")
        skipping.install(lacks)
    print(f"This lab creates (tagged course={naming.COURSE}, week={entry.tag}, learner={names.learner}):")
    print("\n".join(lab.resources()))
    for line in prerequisites.ensure(week):
        print(f"Earlier weeks: {line}")
    if chosen.kind == "local" and "redshift" in entry.services:
        drivers.without_tls_on_loopback()
    display.show_check_failures_plainly()
    display.show_aws_responses_without_metadata()
    _where_you_are(entry, chosen)
    return lab


def _where_you_are(entry: course.Week, chosen: targets.Target) -> None:
    """Print this lab's progress on the target (issue: "where am I"); never stop the Setup over it."""
    from lakelab.grading.progress import where_you_are

    try:
        line = where_you_are(entry, chosen)
    except Exception as error:  # noqa: BLE001 - a progress line is a courtesy: the lab works without it
        line = f"Your progress on this lab could not be read ({type(error).__name__}: {error}); the lab works without it."
    if line:
        print(line)
