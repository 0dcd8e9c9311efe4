"""LocalStack 4.14.0 Community without Docker: one host-mode start per test session.

``make test`` prepares ``.localstack-venv`` first (``make localstack``), so pytest never installs
anything. Where no Python 3.13 exists the tests that need LocalStack skip, saying so in one line.
Every test that needs it lives in ``test_localstack_runs.py``: pytest-xdist (``--dist loadfile``)
then runs them in one worker, and LocalStack starts once.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from lakelab import targets
from lakelab.targets import localstack_host

REPO = Path(__file__).resolve().parents[2]
VENV = REPO / localstack_host.VENV


@pytest.fixture(scope="session")
def localstack() -> Iterator[localstack_host.HostLocalStack]:
    if not localstack_host.installed(VENV):
        if localstack_host.find_python313() is None:
            pytest.skip(f"LocalStack tests skipped: {localstack_host.NO_PYTHON}")
        pytest.skip("LocalStack tests skipped: it is not installed; run `make localstack`")
    running = localstack_host.HostLocalStack(VENV)
    running.start()
    try:
        yield running
    finally:
        running.stop()


@pytest.fixture
def on_localstack(localstack) -> Iterator[targets.Target]:
    """This process on the localstack target (boto3 pointed at it), and back to the test environment after."""
    saved = dict(os.environ)
    targets.forget()
    os.environ.update(LAKELAB_TARGET="localstack", LOCALSTACK_ENDPOINT=localstack.endpoint, LAKELAB_LEARNER="learner")
    try:
        yield targets.activate()
    finally:
        targets.forget()
        os.environ.clear()
        os.environ.update(saved)
