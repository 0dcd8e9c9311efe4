"""The names and tags the capstone's grader relies on: the brief's Contract section, in code.

Everything else in a capstone is the learner's design. Names come from the kit (``lab.names`` for the
capstone), so the grader finds the same resources a learner's notebook made.
"""

from __future__ import annotations

from dataclasses import dataclass

from lakelab.course import datasets, naming

CEILING_USD = 500.0  # the brief's monthly cost ceiling at its stated volume
PII = ("first_name", "last_name", "email", "phone", "street_address", "date_of_birth")
PIPELINE_TAG = ("component", "pipeline")
DB_USER, DB_NAME = "shop_admin", "shop"
COST_ESTIMATE_KEY = "design/cost_estimate.json"


@dataclass(frozen=True)
class Contract:
    names: naming.Names

    @property
    def prefix(self) -> str:
        return f"{self.names.prefix}-"

    @property
    def bucket(self) -> str:
        return self.names.bucket("lake")

    @property
    def database(self) -> str:
        return self.names.database("curated")

    @property
    def workgroup(self) -> str:
        return self.names.resource("capstone")

    @property
    def source_instance(self) -> str:
        return self.names.resource("shop")

    @property
    def source_password(self) -> str:
        return self.names.password("shop")

    @property
    def stream(self) -> str:
        return self.names.resource("clickstream")

    @property
    def analyst_role(self) -> str:
        return self.names.resource("analyst")

    @property
    def customer_columns(self) -> tuple[str, ...]:
        return datasets.CUSTOMER_COLUMNS


def contract() -> Contract:
    """The capstone's contract for this learner on the target in force."""
    return Contract(naming.for_week(9))
