"""``python -m lakelab.site [--out DIR]`` (``make site``): build the course site and check its links."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from lakelab.site import OUT, SiteError, build
from lakelab.site.checks import broken_links, solution_leaks


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m lakelab.site", description=__doc__)
    parser.add_argument("--out", type=Path, default=OUT, help=f"where to build (default {OUT})")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    try:
        html = build(args.out)
    except SiteError as error:
        print(f"make site: {error}", file=sys.stderr)
        return 1
    problems = broken_links(html) + solution_leaks(html)
    for problem in problems:
        print(f"make site: {problem}", file=sys.stderr)
    if problems:
        return 1
    print(f"The course site is built in {time.perf_counter() - started:.0f} s: open {html / 'index.html'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
