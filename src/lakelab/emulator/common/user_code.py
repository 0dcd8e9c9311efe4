"""The environment of user code: Lambda handlers, Glue job scripts, EMR Serverless entry points.

User code never runs in the emulator's process and never inherits the notebook's environment:
it gets the role's credentials from the emulator's STS (so ``sts.get_caller_identity()`` names
the assumed role, as on AWS), the region, and ``AWS_ENDPOINT_URL`` set to this emulator (its
address remembered from the requests it answers), so boto3 and awswrangler inside talk to it.
Job processes get a private folder each; the ``awsglue`` stand-in is on a Glue job's
``PYTHONPATH`` only (EMR has no ``awsglue`` either).
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from pathlib import Path
from typing import Any, NamedTuple, Protocol

from lakelab.emulator import seam

# Kept from the host: what a process needs to start and find programs (and certificates) here.
PASSED_THROUGH = ("PATH", "SYSTEMROOT", "WINDIR", "COMSPEC", "PATHEXT", "LD_LIBRARY_PATH", "SSL_CERT_FILE",
                  "REQUESTS_CA_BUNDLE")
_endpoint = {"url": ""}


class Principal(NamedTuple):
    """Who a job runs as (the fields STS needs to assume its role)."""

    account_id: str
    region: str
    name: str  # the role session name
    role: str


class RoleHolder(Protocol):
    """Whoever runs as a role: a function version, a job run's :class:`Principal`."""

    account_id: str
    region: str
    name: str
    role: str


def remember_endpoint(response: object) -> None:
    """Note the emulator's own address from a moto response object (``parsed_url``) it answered."""
    parsed = getattr(response, "parsed_url", None)
    if parsed is not None and parsed.netloc:
        _endpoint["url"] = f"{parsed.scheme}://{parsed.netloc}"


def remembers_endpoint(setup_class: Any) -> Any:
    """A moto response class's ``setup_class``, noting this emulator's address for the code it starts
    (declared as a patch by every service that runs user code: Lambda, Glue, EMR Serverless)."""

    def setup_and_remember(self: Any, request: Any, *args: Any, **kwargs: Any) -> Any:
        answer = setup_class(self, request, *args, **kwargs)
        remember_endpoint(self)
        return answer

    return setup_and_remember


def endpoint() -> str:
    """This emulator's address, as the learner's client reached it (for AWS_ENDPOINT_URL)."""
    return _endpoint["url"]


def passed_through() -> dict[str, str]:
    """The host variables a process needs to start, and nothing of the learner's environment."""
    return {name: os.environ[name] for name in PASSED_THROUGH if name in os.environ}


def credentials(holder: RoleHolder) -> dict[str, str]:
    """The role's credentials from the emulator's STS (test credentials for a role that is odd)."""
    try:
        backend = seam.backend("sts", holder.account_id, holder.region)
        role = backend.assume_role(holder.region, holder.name, holder.role, None, 43200, None)
    except Exception:  # an odd role ARN must not stop the code from running
        return {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_SESSION_TOKEN": "testing"}
    return {
        "AWS_ACCESS_KEY_ID": role.access_key_id,
        "AWS_SECRET_ACCESS_KEY": role.secret_access_key,
        "AWS_SESSION_TOKEN": role.session_token,
    }


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


def variables(principal: Principal, folder: Path, python_paths: list[Path]) -> dict[str, str]:
    """A job process's variables: ``python_paths`` first on its path (the awsglue stand-in for Glue)."""
    env = passed_through()
    env.update(
        AWS_REGION=principal.region,
        AWS_DEFAULT_REGION=principal.region,
        AWS_EC2_METADATA_DISABLED="true",  # credentials are in the environment; never probe for others
        LANG="en_US.UTF-8",
        TMPDIR=str(folder / "tmp"),
        PYTHONPATH=os.pathsep.join(str(path) for path in python_paths),
    )
    if endpoint():
        env["AWS_ENDPOINT_URL"] = endpoint()
        env["AWS_DISABLE_HOST_PREFIX_INJECTION"] = "true"  # MWAA's and Step Functions' api./sync- prefixes
    env.update(credentials(principal))
    return env
