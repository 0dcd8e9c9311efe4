"""Benchmark cases, each run in a fresh child process that prints its own elapsed seconds.

A fresh process measures what a learner waits for: imports included, nothing warmed up.
"""

from __future__ import annotations

import subprocess
import sys
import time
import urllib.request
from pathlib import Path


def seconds_from_child(command: list[str]) -> float:
    """Run a case in a child process; its last line of output is its elapsed seconds."""
    output = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    return float(output.strip().splitlines()[-1])


def _first_answer(endpoint: str) -> None:
    # A ListBuckets call: the first request also loads moto's S3 backend, as a lab's first call does.
    request = urllib.request.Request(endpoint + "/", headers={
        "Authorization": "AWS4-HMAC-SHA256 Credential=testing/20260101/us-east-1/s3/aws4_request, "
                         "SignedHeaders=host, Signature=0"})
    urllib.request.urlopen(request, timeout=30).read()


def bare_moto_start() -> float:
    started = time.perf_counter()
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    _first_answer(f"http://{host}:{port}")
    return time.perf_counter() - started


def lakelab_start() -> float:
    started = time.perf_counter()
    from lakelab.emulator import Emulator

    emulator = Emulator().start()
    _first_answer(emulator.endpoint)
    return time.perf_counter() - started


def week01_solution() -> float:
    import nbformat

    from lakelab import notebooks

    path = Path(__file__).resolve().parents[1] / "solutions" / "week01_s3.ipynb"
    started = time.perf_counter()
    notebooks.run(nbformat.read(path, as_version=4), path.parent, notebooks.test_environment())
    return time.perf_counter() - started


CASES = {"bare-moto-start": bare_moto_start, "lakelab-start": lakelab_start, "week01-solution": week01_solution}

if __name__ == "__main__":
    print(CASES[sys.argv[1]]())
