"""The Airflow versions MWAA offers, and the one this emulator runs.

MWAA's list (user guide, "Apache Airflow versions on Amazon MWAA", read 2026-12): 3.0.6, 2.11.0,
2.10.3, 2.10.1, 2.9.2, 2.8.1 and 2.7.2 appear in two copies of the page and in the AWS SDK's MWAA
model (botocore 1.44); 3.3.1, 3.2.1 and 2.11.2 appear in one copy of the page only (unverified).
Versions before 2.7.2 reached end of support (2.4.3, 2.5.1 and 2.6.3 on 2025-12-30): MWAA creates no
new environment with them.
"""

from __future__ import annotations

from lakelab.emulator.services.mwaa.airflow import AIRFLOW_VERSION

OFFERED = ("3.3.1", "3.2.1", "3.0.6", "2.11.2", "2.11.0", "2.10.3", "2.10.1", "2.9.2", "2.8.1", "2.7.2")
RETIRED = ("1.10.12", "2.0.2", "2.2.2", "2.4.3", "2.5.1", "2.6.3")


def refusal(version: str) -> str | None:
    """Why an environment cannot be created with ``version`` here (None: it can)."""
    if version == AIRFLOW_VERSION:
        return None
    if version in RETIRED:
        return (f"Apache Airflow version {version} has reached end of support on Amazon MWAA. "
                f"Supported versions: {', '.join(OFFERED)}.")
    if version not in OFFERED:
        return f"Invalid AirflowVersion {version!r}. Supported versions: {', '.join(OFFERED)}."
    return (f"Airflow {version} is offered by Amazon MWAA but this local emulator runs Airflow "
            f"{AIRFLOW_VERSION} only (the version the course installs): use AirflowVersion='{AIRFLOW_VERSION}'.")
