"""The class report and a learner's progress: report.html for 200 graded submissions, similarity over them,
and `lakelab progress` over every week on the local target.

Run as ``python bench/classreport_cases.py``; prints one JSON object on its last line, whose ``rows`` are
the table lines ``bench/run.py`` prints. The class is synthetic: 200 notebooks of 16 code cells (about
200 lines each, every learner's own variations of the calls a week 1 solution makes), ten of them copies
of another with names changed; gradebook and feedback written by the grader's writer. Progress runs the
checks against an emulator in this process (as `lakelab serve` would answer), twice: cold, then warm.
"""

from __future__ import annotations

import json
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

SUBMISSIONS, CELLS = 200, 16
CALLS = ["create_bucket", "put_object", "get_object", "list_objects_v2", "put_bucket_versioning",
         "put_bucket_encryption", "put_public_access_block", "put_bucket_lifecycle_configuration",
         "get_bucket_tagging", "head_object", "copy_object", "delete_object", "put_bucket_tagging"]


def _cell(rng: random.Random) -> str:
    lines = [f"# step {rng.randrange(100)}"]
    for _ in range(rng.randint(8, 16)):
        call, key = rng.choice(CALLS), rng.choice(["raw", "curated", "landing", "archive"])
        lines.append(f"resp_{rng.randrange(50)} = s3.{call}(Bucket=names.bucket('{key}'), "
                     f"Key='{key}/{rng.randrange(10_000)}.csv', Body=b'{rng.randrange(10**6)}')")
        if rng.random() < 0.3:
            lines.append(f"for item in range({rng.randrange(2, 9)}):\n    print(item, resp_{rng.randrange(50)})")
    return "\n".join(lines)


def _class(folder: Path) -> None:
    from lakelab.grading import report
    from lakelab.grading.results import CheckResult, Outcome

    rng = random.Random(7)
    sources = [[_cell(rng) for _ in range(CELLS)] for _ in range(SUBMISSIONS)]
    for n in range(10):  # copies, renamed
        sources[SUBMISSIONS - 1 - n] = [cell.replace("resp_", "answer_").replace("item", "x") for cell in sources[n]]
    (folder / "subs").mkdir()
    outcomes = []
    for n, cells in enumerate(sources):
        path = folder / "subs" / f"learner{n:03d}.ipynb"
        path.write_text(json.dumps({"cells": [{"cell_type": "code", "metadata": {}, "outputs": [],
                                               "execution_count": None, "source": c} for c in cells],
                                    "metadata": {}, "nbformat": 4, "nbformat_minor": 5}))
        checks = [CheckResult(f"1.{k + 1}", f"exercise {k + 1}", False, rng.random() < 0.4 + 0.08 * k,
                              hint=f"hint {k + 1}") for k in range(7)]
        outcomes.append(Outcome(str(path), "week01_s3", "graded" if n % 50 else "timeout", 7, checks,
                                duration_s=round(rng.uniform(4, 12), 1)))
    report.write(outcomes, folder)


def report_figures() -> list[list]:
    from lakelab.grading import classreport, gradebook, similarity

    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        _class(folder)
        runs = []
        for _ in range(3):
            started = time.perf_counter()
            classreport.write(folder)
            runs.append(time.perf_counter() - started)
        rows = gradebook.read(folder)
        sims = []
        for _ in range(3):
            started = time.perf_counter()
            codes = [similarity.own_code(row.submission, Path(row.submission), set()) for row in rows]
            pairs = similarity.similar_pairs(codes)
            sims.append(time.perf_counter() - started)
        shingles = statistics.mean(len(code.shingles) for code in codes)
    return [[f"report.html for {SUBMISSIONS} graded submissions (median of 3)", statistics.median(runs),
             "goal ≤ 5 s; includes similarity"],
            [f"similarity over {SUBMISSIONS} submissions × {CELLS} cells (median of 3)", statistics.median(sims),
             f"goal ≤ 10 s; {shingles:.0f} shingles each, {len(pairs)} pairs ≥ {similarity.THRESHOLD} (10 planted)"]]


def progress_figures() -> list[list]:
    from lakelab.emulator import Emulator

    with Emulator() as emulator, tempfile.TemporaryDirectory() as home:
        os.environ.update(AWS_ENDPOINT_URL=emulator.endpoint, AWS_ACCESS_KEY_ID="testing",
                          AWS_SECRET_ACCESS_KEY="testing", AWS_DEFAULT_REGION="us-east-1", LAKELAB_HOME=home,
                          AWS_DISABLE_HOST_PREFIX_INJECTION="true")
        from lakelab import targets
        from lakelab.grading import progress

        targets.activate()
        started = time.perf_counter()
        exercises, _ = progress.collect()
        cold = time.perf_counter() - started
        started = time.perf_counter()
        progress.collect()
        warm = time.perf_counter() - started
    return [["lakelab progress, every week, first run in a process", cold,
             f"{len(exercises)} exercises; imports and the emulator's first answers per service"],
            ["lakelab progress, every week, again", warm, "goal ≤ 3 s"]]


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
    rows = report_figures() + progress_figures()
    print(json.dumps({"rows": rows}))
