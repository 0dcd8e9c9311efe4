"""Glue for other services (a Step Functions task, say): job runs and crawls, in-process, as the caller.

The same paths as StartJobRun and StartCrawler over HTTP (moto's validation, then ours: the
concurrency limit, a crawler already running), in the caller's account and region, read from
the request context in force.
"""

from __future__ import annotations

import time
from typing import Any

from lakelab.emulator import context, registry, seam

JOB_RUN_FINAL_STATES = ("SUCCEEDED", "FAILED", "TIMEOUT", "STOPPED", "ERROR")
POLL_SECONDS = 0.2


def _backend() -> Any:
    registry.install_for_backend("glue")
    caller = context.current()
    return seam.backend("glue", caller.principal.account_id, caller.region)


def start_job_run(name: str, arguments: dict[str, str] | None = None) -> str:
    """Start a run of job ``name`` with ``arguments`` (``{"--key": "value"}``); the run id."""
    return _backend().start_job_run(name, arguments or {}, None, None, None, None, None, None, None, None)


def wait_for_job_run(name: str, run_id: str, timeout: float = 900.0) -> str:
    """Wait until the run ends; its final state (``SUCCEEDED``, ``FAILED``...), or the current one at timeout."""
    run = _backend().get_job_run(name, run_id)
    return _wait(lambda: run.status, JOB_RUN_FINAL_STATES, timeout)


def start_crawler(name: str) -> None:
    """Start crawler ``name`` (``CrawlerRunningException`` if it is running already)."""
    _backend().start_crawler(name)


def wait_for_crawler(name: str, timeout: float = 300.0) -> str:
    """Wait until the crawler is READY again; its last crawl's status (``SUCCEEDED``, ``FAILED``, ``CANCELLED``)."""
    crawler = _backend().get_crawler(name)
    _wait(lambda: crawler.status, ("READY",), timeout)
    finished = [crawl for crawl in crawler.crawls if getattr(crawl, "outcome", None)]
    return finished[-1].outcome if finished else crawler.status


def _wait(state: Any, final: tuple[str, ...], timeout: float) -> str:
    deadline = time.monotonic() + timeout
    while state() not in final and time.monotonic() < deadline:
        time.sleep(POLL_SECONDS)
    return str(state())
