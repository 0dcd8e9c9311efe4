"""The execution environment of a worker: its code folders, its variables, its credentials.

Code is extracted once per code hash into a temporary folder (Lambda's ``/var/task``), layers
into their own folders (Lambda's ``/opt``). Variables follow Lambda's documented runtime set;
the worker does not inherit the notebook's environment, so a learner's AWS profile never leaks
into a handler; credentials and the endpoint come from ``common/user_code.py``.
"""

from __future__ import annotations

import io
import os
import shutil
import sys
import tempfile
import threading
import zipfile
from pathlib import Path

from lakelab.emulator.common import user_code
from lakelab.emulator.services.awslambda.functions import FunctionVersion


class CodeStore:
    """Extracted deployment packages, one folder per code hash, removed on ``clear()``."""

    def __init__(self) -> None:
        self._root: Path | None = None
        self._folders: dict[str, Path] = {}
        self._lock = threading.Lock()

    def folder_for(self, sha256: str, package: bytes) -> Path:
        with self._lock:
            if sha256 not in self._folders:
                folder = self._new_folder("code-")
                with zipfile.ZipFile(io.BytesIO(package)) as archive:
                    archive.extractall(folder)  # extractall drops absolute and '..' member paths
                self._folders[sha256] = folder
            return self._folders[sha256]

    def scratch_folder(self) -> Path:
        """A worker's own /tmp: kept while the environment lives, as Lambda's is."""
        with self._lock:
            return self._new_folder("tmp-")

    def _new_folder(self, prefix: str) -> Path:
        if self._root is None or not self._root.exists():
            self._root = Path(tempfile.mkdtemp(prefix="lakelab-lambda-"))
        return Path(tempfile.mkdtemp(prefix=prefix, dir=self._root))

    def clear(self) -> None:
        with self._lock:
            if self._root is not None:
                shutil.rmtree(self._root, ignore_errors=True)
            self._root, self._folders = None, {}


def layer_paths(store: CodeStore, version: FunctionVersion) -> list[str]:
    """Where Lambda puts a Python layer's packages on sys.path (/opt/python and its site-packages)."""
    minor = f"python{sys.version_info.major}.{sys.version_info.minor}"
    paths: list[str] = []
    for sha256, package in version.layers:
        folder = store.folder_for(sha256, package) / "python"
        paths += [str(folder / "lib" / minor / "site-packages"), str(folder)]
    return paths


def variables(version: FunctionVersion, task_root: Path, log_stream: str, scratch: Path) -> dict[str, str]:
    env = user_code.passed_through()
    env.update(
        _HANDLER=version.handler,
        AWS_REGION=version.region,
        AWS_DEFAULT_REGION=version.region,
        AWS_EXECUTION_ENV=f"AWS_Lambda_{version.runtime}",
        AWS_LAMBDA_FUNCTION_NAME=version.name,
        AWS_LAMBDA_FUNCTION_VERSION=version.version,
        AWS_LAMBDA_FUNCTION_MEMORY_SIZE=str(version.memory_size),
        AWS_LAMBDA_INITIALIZATION_TYPE="on-demand",
        AWS_LAMBDA_LOG_GROUP_NAME=version.log_group,
        AWS_LAMBDA_LOG_STREAM_NAME=log_stream,
        LAMBDA_TASK_ROOT=str(task_root),
        LAMBDA_RUNTIME_DIR=str(Path(__file__).parent),
        LANG="en_US.UTF-8",
        TMPDIR=str(scratch),  # tempfile.* writes here; a hard-coded "/tmp" still means the host's /tmp
    )
    if os.name == "posix":
        env["TZ"] = ":UTC"
    else:
        env.update(TEMP=str(scratch), TMP=str(scratch))
    if version.endpoint:
        env["AWS_ENDPOINT_URL"] = version.endpoint  # boto3 in the handler talks to this emulator
        env["AWS_DISABLE_HOST_PREFIX_INJECTION"] = "true"  # MWAA's and Step Functions' api./sync- prefixes
    env.update(user_code.credentials(version))
    env.update(version.environment)  # the learner's variables (reserved names were refused at create)
    return env
