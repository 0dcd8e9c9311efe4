"""Lake Labs benchmarks: one run, ratios against a baseline measured in the same run.

Timings on a shared machine are noisy, so each figure is the median of several alternating
runs, and goals are stated as ratios, never as absolute seconds.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))

import cases  # noqa: E402


def median_seconds(command: list[str], runs: int) -> float:
    return statistics.median(cases.seconds_from_child(command) for _ in range(runs))


def emulator_start(runs: int) -> list[tuple[str, float, str]]:
    bare = median_seconds([sys.executable, str(ROOT / "bench" / "cases.py"), "bare-moto-start"], runs)
    ours = median_seconds([sys.executable, str(ROOT / "bench" / "cases.py"), "lakelab-start"], runs)
    return [("bare moto server: start to first answer", bare, "baseline"),
            ("Lake Labs emulator: start to first answer", ours, f"{ours / bare:.2f}× bare moto (goal ≤ 1.5×)")]


def week01_solution() -> list[tuple[str, float, str]]:
    seconds = cases.seconds_from_child([sys.executable, str(ROOT / "bench" / "cases.py"), "week01-solution"])
    return [("week 1 solution, top to bottom (fresh kernel)", seconds, "")]


def test_suite() -> list[tuple[str, float, str]]:
    started = time.perf_counter()
    subprocess.run(["make", "-s", "test"], cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
    seconds = time.perf_counter() - started
    return [("make test (environment already installed)", seconds, f"{seconds / 60:.1f} min (CI budget: 20 min)")]


def main() -> int:
    options = argparse.ArgumentParser(description="Lake Labs benchmarks")
    options.add_argument("--runs", type=int, default=5, help="alternating runs per start-up figure")
    options.add_argument("--skip-suite", action="store_true", help="do not time make test")
    args = options.parse_args()
    rows = emulator_start(args.runs) + week01_solution()
    if not args.skip_suite:
        rows += test_suite()
    print(f"{'benchmark':<50} {'seconds':>9}  note")
    for name, seconds, note in rows:
        print(f"{name:<50} {seconds:>9.3f}  {note}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
