"""Execute solution notebooks in place, so their committed outputs are real and reproducible.

Solutions run exactly as the test suite runs them: a fresh kernel, a fresh emulator embedded in
it, the working directory of the notebook. nbval then compares every later run with these outputs.
"""

from __future__ import annotations

import copy
import os
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

from lakelab.labgen import SOLUTIONS

TEST_ENVIRONMENT = {
    "LAKELAB_TARGET": "local",
    "LAKELAB_EMBEDDED": "1",
    "LAKELAB_LEARNER": "learner",
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_DEFAULT_REGION": "us-east-1",
}
_DROPPED = ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL")


def test_environment() -> dict[str, str]:
    """The environment solutions run in: local target, embedded emulator, no real credentials."""
    env = {k: v for k, v in os.environ.items() if k not in _DROPPED and not k.startswith("AWS_ENDPOINT_URL_")}
    env.update(TEST_ENVIRONMENT)
    return env


def run(notebook: nbformat.NotebookNode, cwd: Path, env: dict[str, str], timeout: int = 600,
        allow_errors: bool = False) -> nbformat.NotebookNode:
    """Execute ``notebook`` in a fresh kernel whose environment is exactly ``env``."""
    saved = dict(os.environ)
    os.environ.clear()
    os.environ.update(env)  # the kernel inherits this process's environment
    try:
        NotebookClient(notebook, timeout=timeout, allow_errors=allow_errors, kernel_name="python3",
                       resources={"metadata": {"path": str(cwd)}}).execute()
    finally:
        os.environ.clear()
        os.environ.update(saved)
    for cell in notebook.cells:
        cell.metadata.pop("execution", None)
    return notebook


def without_cleanup(notebook: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """The notebook minus cells tagged ``cleanup``, so checks can read the state it built."""
    kept = copy.deepcopy(notebook)
    kept.cells = [c for c in kept.cells if "cleanup" not in c.metadata.get("tags", [])]
    return kept


def execute(path: Path, timeout: int = 600) -> float:
    """Run a solution top to bottom as the tests do, write its outputs back, return the seconds."""
    started = time.perf_counter()
    notebook = run(nbformat.read(path, as_version=4), path.parent, test_environment(), timeout)
    nbformat.write(notebook, path)
    return time.perf_counter() - started


def solution_paths(names: list[str] | None = None) -> list[Path]:
    paths = sorted(SOLUTIONS.glob("*.ipynb"))
    if names:
        paths = [p for p in paths if any(n in p.name for n in names)]
    return paths
