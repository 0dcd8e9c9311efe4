"""A job process's folder and environment variables: shared by Glue jobs and EMR Serverless.

Like a Lambda worker, a job process does not inherit the notebook's environment: it gets the
job role's credentials from the emulator's STS, the region, and ``AWS_ENDPOINT_URL`` set to this
emulator, so boto3 and awswrangler inside the script talk to it. The ``awsglue`` stand-in is on
a Glue job's ``PYTHONPATH`` (and on no other process's: EMR has no ``awsglue`` either).
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from pathlib import Path
from typing import NamedTuple

from lakelab.emulator.awslambda import environment as lambda_environment
from lakelab.emulator.awslambda import functions as lambda_functions

RUNTIME_PATH = Path(__file__).with_name("runtime")  # holds the awsglue stand-in


class Principal(NamedTuple):
    """Who a job runs as (the fields STS needs to assume its role)."""

    account_id: str
    region: str
    name: str  # the role session name
    role: str


def remember_endpoint(response: object) -> None:
    """Note the emulator's own address from a request (for AWS_ENDPOINT_URL in job processes)."""
    parsed = getattr(response, "parsed_url", None)
    if parsed is not None and parsed.netloc:
        lambda_functions.remember_endpoint(f"{parsed.scheme}://{parsed.netloc}")


def endpoint() -> str:
    return lambda_functions.endpoint()


def run_folder(prefix: str) -> Path:
    """A private folder for one run: the script, downloaded files, scratch space."""
    folder = Path(tempfile.mkdtemp(prefix=prefix))
    (folder / "tmp").mkdir()
    return folder


def remove(folder: Path | None) -> None:
    for _ in range(3):  # a process writing as it dies can leave a file behind the first pass
        if folder is None or not folder.exists():
            return
        shutil.rmtree(folder, ignore_errors=True)
        time.sleep(0.1)


def variables(principal: Principal, folder: Path, python_paths: list[Path], glue_libraries: bool = True) -> dict[str, str]:
    env = {name: os.environ[name] for name in lambda_environment.PASSED_THROUGH if name in os.environ}
    env.update(
        AWS_REGION=principal.region,
        AWS_DEFAULT_REGION=principal.region,
        AWS_EC2_METADATA_DISABLED="true",  # credentials are in the environment; never probe for others
        LANG="en_US.UTF-8",
        TMPDIR=str(folder / "tmp"),
        PYTHONPATH=os.pathsep.join(str(path) for path in [*([RUNTIME_PATH] if glue_libraries else []), *python_paths]),
    )
    if endpoint():
        env["AWS_ENDPOINT_URL"] = endpoint()
    env.update(lambda_environment.credentials(principal))  # type: ignore[arg-type]  # same four fields
    return env
