"""What a notebook's Setup cell calls: connect to the target, name the lab's resources, load its checks."""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from types import ModuleType

from lakelab import curriculum, naming, prerequisites, target, teardown
from lakelab.checks import CheckFailed

# What each week creates, as (kind, purpose); the Setup cell lists them before anything is made.
RESOURCES: dict[int, list[tuple[str, str]]] = {
    1: [("bucket", "lake"), ("queue", "raw-events")],
    2: [("database", "lake"), ("role", "glue-crawler"), ("crawler", "raw-crawler"), ("workgroup", "analytics")],
    3: [("role", "lambda-validator"), ("function", "validator"), ("log group", "validator"),
        ("queue", "validator-failures")],
    4: [("role", "glue-etl"), ("job", "orders-etl"), ("database", "curated"), ("crawler", "curated-crawler"),
        ("workgroup", "etl-analytics"), ("role", "emr-jobs"), ("application", "spark"),
        ("trigger", "orders-etl-nightly"), ("trigger", "crawl-after-etl")],
}


@dataclass
class Lab:
    week: curriculum.Week
    target: target.Target
    names: naming.Names
    check: ModuleType

    def resources(self) -> list[str]:
        lines = []
        naming_of = {"bucket": self.names.bucket, "database": self.names.database,
                     "log group": lambda purpose: f"/aws/lambda/{self.names.resource(purpose)}"}
        for kind, purpose in RESOURCES.get(self.week.number, []):
            lines.append(f"  • {kind:<9} {naming_of.get(kind, self.names.resource)(purpose)}")
        return lines

    def clean_up(self) -> None:
        """Remove everything the course created, this week's and the earlier weeks' it rebuilt:
        on a real account that is what leaves nothing billable (the learner ran this on purpose)."""
        teardown.teardown()


def start(week: int) -> Lab:
    """Connect to the target chosen by the environment and print what this lab will create."""
    chosen = target.activate()
    names = naming.for_week(week)
    lab = Lab(curriculum.week(week), chosen, names, importlib.import_module(f"lakelab.checks.week{week:02d}"))
    print(chosen.summary())
    warning = localstack_tier_warning(chosen.kind, curriculum.week(week))
    if warning:
        print(warning)
    print(f"This lab creates (tagged course={naming.COURSE}, week={week:02d}, learner={names.learner}):")
    print("\n".join(lab.resources()))
    for line in prerequisites.ensure(week):
        print(f"Earlier weeks: {line}")
    _show_check_failures_plainly()
    _show_aws_responses_without_metadata()
    return lab


# LocalStack's free tier lacks these services; the weeks that use them say so at set-up.
LOCALSTACK_PAID = ("glue", "athena", "emr", "mwaa", "lakeformation", "dms", "cloudtrail")


def localstack_tier_warning(kind: str, week: curriculum.Week) -> str | None:
    import os

    paid = [service for service in week.services if service in LOCALSTACK_PAID]
    if kind != "localstack" or not paid or os.environ.get("LOCALSTACK_AUTH_TOKEN"):
        return None
    return (f"⚠ This lab uses {', '.join(paid)}, which LocalStack offers only with a paid auth token: "
            f"set LOCALSTACK_AUTH_TOKEN (and restart LocalStack), or unset LAKELAB_TARGET to use the local emulator.")


def _show_aws_responses_without_metadata() -> None:
    """A boto3 answer shown as a cell's result hides its ResponseMetadata (request ids, dates):
    what the call returned stays readable, and re-running the cell shows the same thing."""
    shell = _shell()
    if shell is None:
        return

    from IPython.lib.pretty import _dict_pprinter_factory

    plain_dict = _dict_pprinter_factory("{", "}")

    def pretty_response(answer: dict, printer, cycle: bool) -> None:
        if "ResponseMetadata" not in answer or cycle:
            plain_dict(answer, printer, cycle)
            return
        status = answer["ResponseMetadata"].get("HTTPStatusCode", "?")
        content = {key: value for key, value in answer.items() if key != "ResponseMetadata"}
        printer.text(f"HTTP {status}" + ("" if content else " (no content)"))
        if content:
            printer.break_()
            printer.pretty(content)

    shell.display_formatter.formatters["text/plain"].for_type(dict, pretty_response)


def _shell():
    """The IPython shell running this code, or None outside a notebook."""
    try:
        from IPython import get_ipython
    except ImportError:
        return None
    return get_ipython()


def _show_check_failures_plainly() -> None:
    """In a notebook a failed check shows its message, not a traceback into the kit."""
    shell = _shell()
    if shell is None:
        return

    def show(shell, etype, value, tb, tb_offset=None):
        shell._showtraceback(etype, value, [str(value)])  # an error whose whole traceback is the message
        return [str(value)]

    shell.set_custom_exc((CheckFailed,), show)
