"""Execute solution notebooks in place, so their committed outputs are real and reproducible.

Solutions run exactly as the test suite runs them: a fresh kernel, a fresh emulator embedded in
it, the working directory of the notebook. nbval then compares every later run with these outputs.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

from lakelab.notebooks.labs import SOLUTIONS

TEST_ENVIRONMENT = {
    "LAKELAB_TARGET": "local",
    "LAKELAB_EMBEDDED": "1",
    "LAKELAB_LEARNER": "learner",
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_DEFAULT_REGION": "us-east-1",
    # MWAA's and Step Functions' host prefixes (api., env., sync-) cannot go before 127.0.0.1.
    "AWS_DISABLE_HOST_PREFIX_INJECTION": "true",
    # A scheduled AppFlow flow's rate(1minutes) runs every 3 s in the course's test runs (week 6b's solution
    # waits for the run after the first); the learner's emulator keeps AWS's minute.
    "LAKELAB_SCHEDULE_MINUTE_SECONDS": "3",
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


KERNEL_PORTS_START, KERNEL_PORTS_PER_SLOT, KERNEL_PORT_SLOTS = 20000, 2000, 5


# Grading starts a kernel in each of many processes at once: each takes a small range of its own, below
# the ephemeral ports (from 32768), claimed with a lock that its process holds until it ends.
GRADING_PORTS_START, GRADING_PORTS_PER_SLOT, GRADING_PORT_SLOTS = 30000, 100, 27
_claimed: list = []


def use_claimed_kernel_ports() -> bool:
    """Give this process's kernels a grading port range no other running process holds; False if none is free."""
    import fcntl
    import tempfile

    for slot in range(GRADING_PORT_SLOTS):
        handle = open(Path(tempfile.gettempdir()) / f"lakelab-kernel-ports-{slot}.lock", "w")  # noqa: SIM115
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            handle.close()
            continue
        _claimed.append(handle)  # held (and released by the system) for as long as this process lives
        use_private_kernel_ports(slot, GRADING_PORTS_START, GRADING_PORTS_PER_SLOT, GRADING_PORT_SLOTS)
        return True
    return False


def use_private_kernel_ports(slot: int, start: int = KERNEL_PORTS_START, per_slot: int = KERNEL_PORTS_PER_SLOT,
                             slots: int = KERNEL_PORT_SLOTS) -> None:
    """Give kernels started by this process ports from a range of their own.

    jupyter_client picks a kernel's five ports by binding port 0 and releasing it; the kernel
    binds them a second later. Meanwhile every emulator (which also binds port 0) and every
    other test process can take the same port, and the kernel dies at start. A range below the
    ephemeral ports, one per process slot, closes that window.
    """
    import itertools
    import socket
    import threading

    from jupyter_client.connect import LocalPortCache

    first = start + (slot % slots) * per_slot
    candidates = itertools.cycle(range(first, first + per_slot))
    lock = threading.Lock()

    def bindable(ip: str, port: int) -> bool:
        with socket.socket() as probe:
            try:
                probe.bind((ip, port))
                return True
            except OSError:
                return False

    def find_available_port(cache: LocalPortCache, ip: str) -> int:
        with lock:
            for _ in range(per_slot):
                port = next(candidates)
                if port not in cache.currently_used_ports and bindable(ip, port):
                    cache.currently_used_ports.add(port)
                    return port
        raise RuntimeError(f"no free port for a kernel between {first} and {first + per_slot}")

    LocalPortCache.find_available_port = find_available_port
