"""MWAA (Amazon Managed Workflows for Apache Airflow), which moto lacks: a native service on a real Airflow.

- ``api``: the MWAA API: environments (create, get, list, update, delete, tags), CLI and web login
  tokens, and InvokeRestApi, MWAA's way to call an environment's Airflow REST API.
- ``environments``: what CreateEnvironment checks (version, role, source bucket: versioned, public
  access blocked) and how an environment comes up (CREATING -> AVAILABLE), updates and goes.
- ``airflow``: the real Airflow (the version the course installs, 3.0.6) behind each environment: a
  metadata database and four processes (API server, scheduler with the LocalExecutor, DAG processor,
  triggerer), configured MWAA's way, running as the execution role against this emulator.
- ``sync``: DAGs copied from S3 every two seconds; process output and DAG-processing logs shipped to
  MWAA's CloudWatch log groups.
- ``guard``: runs each Airflow process so that it dies with the emulator.

Fidelity notes (also in week 5's reading):

> Every caller is an Airflow Admin (MWAA maps IAM principals to Airflow roles with
> ``airflow:InvokeRestApi`` on ``arn:aws:airflow:...:role/<env>/<role>``; here IAM decides whether you
> may call, not which Airflow role you get). ``RequirementsS3Path`` and startup scripts are recorded,
> not installed: DAGs can import what the course installs. Tasks run on this machine's cores, four at
> a time, whatever the environment class and worker counts say. The execution role's credentials are
> issued for 12 hours when the environment starts; update the environment to renew them. InvokeRestApi
> waits 30 s for Airflow's answer (MWAA: 10 s): a loaded laptop answers more slowly.
"""

from __future__ import annotations

NATIVE_SERVICES = {"airflow": ".api:Service"}


def install() -> None:
    """Environments' Airflow processes stop on reset and at interpreter exit."""
    import atexit

    from lakelab.emulator import registry
    from lakelab.emulator.services.mwaa import environments

    registry.on_reset(environments.stop_all)
    atexit.register(environments.stop_all)
