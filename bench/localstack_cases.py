"""LocalStack in host mode against the local emulator, in one run: start-up, and week 1's solution.

Run as ``python bench/localstack_cases.py [ROUNDS]``; prints one JSON line of figures (medians of
ROUNDS alternating runs, 3 by default), or ``{"skipped": ...}`` where LocalStack is not installed
(``make localstack``). Figures:

- ``emulator_start_s``: the local emulator, fresh process, start to first answered ListBuckets.
- ``localstack_start_s``: host-mode LocalStack, fresh process, start to ``/_localstack/health``;
  ``localstack_first_answer_s`` adds its first ListBuckets (S3 starts lazily, on the first call);
  ``localstack_stop_s`` is stopping its whole process tree.
- ``week01_local_s``: week 1's solution, fresh kernel, emulator embedded (its start included).
- ``week01_localstack_s``: the same on a running LocalStack (its start not included); each run's
  Clean up cell leaves LocalStack empty for the next.
"""

from __future__ import annotations

import json
import statistics
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))
VENV = ROOT / ".localstack-venv"
SOLUTION = ROOT / "solutions" / "week01_s3.ipynb"


def _list_buckets(endpoint: str) -> None:
    request = urllib.request.Request(endpoint + "/", headers={
        "Authorization": "AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/s3/aws4_request, "
                         "SignedHeaders=host, Signature=0"})
    urllib.request.urlopen(request, timeout=30).read()


def _localstack_start_and_stop() -> tuple[float, float, float]:
    from lakelab.targets.localstack_host import HostLocalStack

    localstack = HostLocalStack(VENV)
    healthy = localstack.start()
    started = time.perf_counter()
    try:
        _list_buckets(localstack.endpoint)
        first_answer = healthy + time.perf_counter() - started
    finally:
        stopping = time.perf_counter()
        localstack.stop()
    return healthy, first_answer, time.perf_counter() - stopping


def _week01_on_localstack(endpoint: str) -> float:
    import nbformat

    from lakelab.notebooks import execution

    env = execution.test_environment()
    env.update(LAKELAB_TARGET="localstack", LOCALSTACK_ENDPOINT=endpoint)
    started = time.perf_counter()
    executed = execution.run(nbformat.read(SOLUTION, as_version=4), SOLUTION.parent, env)
    elapsed = time.perf_counter() - started
    clean_up = [cell for cell in executed.cells if cell.cell_type == "code" and "clean_up()" in cell.source]
    assert clean_up and "Removed" in str(clean_up[-1].outputs), "the Clean up cell did not report"
    return elapsed


def localstack_figures(rounds: int = 3) -> dict:
    """Medians of ``rounds`` alternating runs; the ratios are LocalStack's over the local emulator's."""
    import cases

    from lakelab.targets.localstack_host import HostLocalStack, installed

    if not installed(VENV):
        return {"skipped": "LocalStack is not installed: run `make localstack` (it needs Python 3.13)"}
    child = [sys.executable, str(ROOT / "bench" / "cases.py")]
    emulator, healthy, first, stop = [], [], [], []
    for _ in range(rounds):
        emulator.append(cases.seconds_from_child(child + ["lakelab-start"]))
        for figures, seconds in zip((healthy, first, stop), _localstack_start_and_stop()):
            figures.append(seconds)
    local_runs, localstack_runs = [], []
    with HostLocalStack(VENV) as localstack:
        for _ in range(rounds):
            local_runs.append(cases.seconds_from_child(child + ["week01-solution"]))
            localstack_runs.append(_week01_on_localstack(localstack.endpoint))
    figures = {"emulator_start_s": statistics.median(emulator), "localstack_start_s": statistics.median(healthy),
               "localstack_first_answer_s": statistics.median(first), "localstack_stop_s": statistics.median(stop),
               "week01_local_s": statistics.median(local_runs), "week01_localstack_s": statistics.median(localstack_runs)}
    figures = {name: round(value, 2) for name, value in figures.items()}
    figures["start_ratio"] = round(figures["localstack_first_answer_s"] / figures["emulator_start_s"], 2)
    figures["week01_ratio"] = round(figures["week01_localstack_s"] / figures["week01_local_s"], 2)
    figures["rounds"] = rounds
    return figures


if __name__ == "__main__":
    print(json.dumps(localstack_figures(int(sys.argv[1]) if len(sys.argv) > 1 else 3)))
