"""Shared fixtures: one emulator per test process, reset before each test that uses it."""

from __future__ import annotations

from collections.abc import Iterator

import boto3
import pytest

from lakelab.emulator import Emulator

# The environment (local target, test credentials, no real account) is set by the root conftest.py.


@pytest.fixture(scope="session")
def _session_emulator() -> Iterator[Emulator]:
    with Emulator() as emulator:
        yield emulator


@pytest.fixture
def emulator(_session_emulator: Emulator, monkeypatch: pytest.MonkeyPatch) -> Iterator[Emulator]:
    """A clean emulator; AWS_ENDPOINT_URL points at it for the duration of the test."""
    _session_emulator.reset()
    monkeypatch.setenv("AWS_ENDPOINT_URL", _session_emulator.endpoint)
    yield _session_emulator
    _session_emulator.drain()


@pytest.fixture
def client(emulator: Emulator):
    """``client("s3")``: a boto3 client on the test's emulator."""

    def make(service: str, **kwargs):
        return boto3.client(service, region_name="us-east-1", endpoint_url=emulator.endpoint, **kwargs)

    return make
