"""Benchmark cases, each run in a fresh child process that prints its own elapsed seconds.

A fresh process measures what a learner waits for: imports included, nothing warmed up.
"""

from __future__ import annotations

import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import job_cases  # beside this file (bench/ is on sys.path)


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

    from lakelab.notebooks import execution

    path = Path(__file__).resolve().parents[1] / "solutions" / "week01_s3.ipynb"
    started = time.perf_counter()
    execution.run(nbformat.read(path, as_version=4), path.parent, execution.test_environment())
    return time.perf_counter() - started


GRADED_COPIES, GRADING_JOBS = 20, 2


def grade_week01_solutions() -> float:
    """Seconds per submission per core: a batch of solution copies, start-up and imports included."""
    import shutil
    import tempfile

    solution = Path(__file__).resolve().parents[1] / "solutions" / "week01_s3.ipynb"
    with tempfile.TemporaryDirectory() as folder:
        copies = [Path(folder) / f"learner{n:02d}.ipynb" for n in range(GRADED_COPIES)]
        for copy in copies:
            shutil.copyfile(solution, copy)
        started = time.perf_counter()
        from lakelab import grading

        outcomes = grading.grade(copies, "week01_s3", out=Path(folder) / "grades", jobs=GRADING_JOBS)
        elapsed = time.perf_counter() - started
    assert all(outcome.score == 100 for outcome in outcomes), [o.note for o in outcomes if o.score != 100]
    return elapsed * GRADING_JOBS / GRADED_COPIES


CASES = {"bare-moto-start": bare_moto_start, "lakelab-start": lakelab_start, "week01-solution": week01_solution,
         "grade-week01": grade_week01_solutions,
         "glue-spark-job": job_cases.glue_spark_job, "glue-python-shell-job": job_cases.glue_python_shell_job}

if __name__ == "__main__":
    print(CASES[sys.argv[1]]())
