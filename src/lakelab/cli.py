"""``lakelab``: the course's command line (serve, lab, build, execute, teardown, data, grade, check, progress, classroom,
plan, bootstrap)."""

from __future__ import annotations

import argparse
import os
import signal
import sys
import threading
from pathlib import Path


def _week_key(text: str) -> int | str:
    """``--week 6``, ``--week 06`` or ``--week 6b`` (a week's second lab): the lab's key."""
    from lakelab import course

    try:
        return course.week(text).key
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def _iam_default() -> str:
    return "off" if os.environ.get("LAKELAB_IAM", "on").lower() in ("off", "0", "false") else "on"


def _serve(args: argparse.Namespace) -> int:
    from lakelab.emulator import Emulator

    emulator = Emulator(host=args.host, port=args.port, log_requests=args.verbose, iam=args.iam == "on").start()
    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())
    print(f"Lake Labs emulator answering on {emulator.endpoint}, IAM {args.iam} (Ctrl-C stops it)", flush=True)
    stop.wait()
    emulator.stop()
    print("Lake Labs emulator stopped.", flush=True)
    return 0


def _lab(args: argparse.Namespace) -> int:
    from lakelab.lab.launcher import run_lab

    return run_lab(open_browser=not args.no_browser)


def _build(args: argparse.Namespace) -> int:
    from lakelab.notebooks.labs import build

    stale = build(check_only=args.check)
    if args.check and stale:
        print(f"labs are not in sync with solutions ({', '.join(stale)}): run `lakelab build` (or `make build`)")
        return 1
    print("labs are in sync with solutions" if args.check else f"wrote {len(stale)} lab(s)")
    return 0


def _execute(args: argparse.Namespace) -> int:
    from lakelab.notebooks.execution import execute, solution_paths
    from lakelab.notebooks.labs import build

    for path in solution_paths(args.notebooks):
        print(f"executing {path.name} ...", flush=True)
        print(f"  done in {execute(path):.1f} s")
    build()
    return 0


def _teardown(args: argparse.Namespace) -> int:
    from lakelab import targets
    from lakelab.lab import teardown

    chosen = targets.activate()
    print(chosen.summary())
    dry_run = chosen.kind == "aws" and not args.yes
    if dry_run:
        print("Dry run on a real account: nothing is removed until you add --yes.")
    teardown.teardown(week=args.week, dry_run=dry_run)
    return 0


def _data_generate(args: argparse.Namespace) -> int:
    from lakelab.course import datasets

    args.seed = datasets.DEFAULT_SEED if args.seed is None else args.seed
    try:
        written = datasets.generate(Path(args.out), rows=args.rows, seed=args.seed, progress=True)
    except ValueError as error:
        print(f"lakelab data generate: {error}", file=sys.stderr)
        return 2
    for name, path in written.items():
        print(f"{name:<16} {path}")
    return 0


def _grade(args: argparse.Namespace) -> int:
    from lakelab.grading.commands import grade_command

    return grade_command(args.lab, args.submissions, args.out, args.jobs, args.timeout, args.cell_timeout,
                         export=args.export, changed_only=args.changed_only, deadline=args.deadline,
                         late_penalty=args.late_penalty)


def _check(args: argparse.Namespace) -> int:
    from lakelab.grading.commands import check_command

    return check_command(args.notebook, args.timeout, args.cell_timeout, args.save, args.results, args.exercise)


def _classroom(args: argparse.Namespace) -> int:
    from lakelab.grading.classroom import classroom_command

    return classroom_command(args.lab, args.out, args.points)


def _progress(args: argparse.Namespace) -> int:
    from lakelab.grading.progress import progress_command

    return progress_command(args.week)


def _plan(args: argparse.Namespace) -> int:
    from lakelab.plan.commands import plan_command

    return plan_command(args.week, args.json, args.policy_out, args.fresh, args.save, args.account, args.region)


def _bootstrap(args: argparse.Namespace) -> int:
    from lakelab.targets.bootstrap_command import bootstrap_command

    return bootstrap_command(args.target, args.yes, args.email, args.monthly_usd, args.remove)


def _time_limits(command: argparse.ArgumentParser) -> None:
    from lakelab.grading import DEFAULT_CELL_TIMEOUT_S, DEFAULT_TIMEOUT_S

    command.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT_S,
                         help=f"seconds per notebook (default {DEFAULT_TIMEOUT_S:g})")
    command.add_argument("--cell-timeout", type=float, default=DEFAULT_CELL_TIMEOUT_S,
                         help=f"seconds per cell (default {DEFAULT_CELL_TIMEOUT_S:g})")


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(prog="lakelab", description="Lake Labs course kit")
    commands = top.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="run the shared emulator until Ctrl-C")
    serve.add_argument("--port", type=int, default=None, help="port (default: LAKELAB_PORT or 5055)")
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    serve.add_argument("--verbose", action="store_true", help="log every request")
    serve.add_argument("--iam", choices=("on", "off"), default=_iam_default(),
                       help="evaluate IAM policies for users and roles (default: on, or LAKELAB_IAM)")
    serve.set_defaults(run=_serve)
    lab = commands.add_parser("lab", help="start the emulator and JupyterLab at the course")
    lab.add_argument("--no-browser", action="store_true")
    lab.set_defaults(run=_lab)
    build = commands.add_parser("build", help="generate labs/ from solutions/")
    build.add_argument("--check", action="store_true", help="only report labs that are out of date")
    build.set_defaults(run=_build)
    execute = commands.add_parser("execute", help="re-run solution notebooks and store their outputs")
    execute.add_argument("notebooks", nargs="*", help="parts of solution names (default: all)")
    execute.set_defaults(run=_execute)
    teardown = commands.add_parser("teardown", help="remove what the course created")
    teardown.add_argument("--week", type=_week_key, default=None,
                          help="only this lab's resources: 6, or 6b for week 6's second lab")
    teardown.add_argument("--yes", action="store_true", help="really remove on the aws target")
    teardown.set_defaults(run=_teardown)
    data = commands.add_parser("data", help="datasets").add_subparsers(dest="data_command", required=True)
    generate = data.add_parser("generate", help="write larger versions of the course datasets")
    generate.add_argument("--rows", type=int, required=True, help="number of orders (others scale with it)")
    generate.add_argument("--out", required=True, help="folder to write into")
    generate.add_argument("--seed", type=int, default=None, help="default: the seed of the committed files")
    generate.set_defaults(run=_data_generate)
    grade = commands.add_parser("grade", help="grade learners' notebooks: gradebook.csv and feedback per notebook")
    grade.add_argument("--lab", required=True, help="the lab graded, e.g. week01_s3")
    grade.add_argument("--out", default="grades", help="folder for gradebook.csv and feedback/ (default ./grades)")
    grade.add_argument("--jobs", type=int, default=None, help="notebooks graded at once (default: number of cores)")
    _time_limits(grade)
    grade.add_argument("--export", action="append", metavar="LMS", help="also write <LMS>.csv for canvas or moodle")
    grade.add_argument("--changed-only", action="store_true", help="keep the rows of notebooks unchanged since "
                       "the last grading into --out (content hash); grade only the others")
    grade.add_argument("--deadline", help="ISO date and time (UTC unless it says), e.g. 2026-03-01T23:59")
    grade.add_argument("--late-penalty", type=float, default=None, help="points off per started day late")
    grade.add_argument("submissions", nargs="*", help="the submitted notebooks (none: rewrite report.html and "
                       "the exports from the gradebook in --out)")
    grade.set_defaults(run=_grade)
    check = commands.add_parser("check", help="grade your own notebook as the instructor will, and see why")
    check.add_argument("notebook", nargs="?")
    _time_limits(check)
    check.add_argument("--save", help="also write the outcome as JSON to this file")
    check.add_argument("--results", help="read an outcome written by --save instead of grading")
    check.add_argument("--exercise", help="exit 0 only if this exercise's check passed (e.g. 1.2)")
    check.set_defaults(run=_check)
    progress = commands.add_parser("progress", help="where you stand: every week's exercises, checked read-only")
    progress.add_argument("--week", type=_week_key, action="append",
                          help="only this lab: 6, or 6b for week 6's second lab (repeatable)")
    progress.set_defaults(run=_progress)
    classroom = commands.add_parser("classroom", help="write GitHub Classroom's autograding workflow for a lab")
    classroom.add_argument("--lab", required=True, help="the lab, e.g. week01_s3")
    classroom.add_argument("--out", default=".", help="the assignment's template repository (default: here)")
    classroom.add_argument("--points", type=int, default=10, help="max-score of each counted exercise (default 10)")
    classroom.set_defaults(run=_classroom)
    plan = commands.add_parser("plan", help="what a lab creates, costs and needs (a proven least-privilege policy)")
    plan.add_argument("--week", required=True, help="the lab: 1, 6b ... (all: every lab, as make plans does)")
    plan.add_argument("--json", action="store_true", help="print the plan as JSON")
    plan.add_argument("--policy-out", help="also write the policy to this file")
    plan.add_argument("--fresh", action="store_true", help="run the solution again even if a plan is kept")
    plan.add_argument("--save", help="also keep the plan in this folder (make plans: weeks/plans)")
    plan.add_argument("--account", help="the account the policy names (default LAKELAB_AWS_ACCOUNT, else local)")
    plan.add_argument("--region", help="the Region the policy names (default AWS_DEFAULT_REGION, else us-east-1)")
    plan.set_defaults(run=_plan)
    bootstrap = commands.add_parser("bootstrap", help="guardrails on a sandbox account: a budget and the labs' role")
    bootstrap.add_argument("--target", required=True, choices=("aws",), help="only aws has guardrails to make")
    bootstrap.add_argument("--email", help="where the budget's alerts go (required to create)")
    bootstrap.add_argument("--monthly-usd", type=float, default=20.0, help="the budget's monthly limit (default 20)")
    bootstrap.add_argument("--yes", action="store_true", help="do it without asking")
    bootstrap.add_argument("--remove", action="store_true", help="remove the budget and the role instead")
    bootstrap.set_defaults(run=_bootstrap)
    return top


def main(argv: list[str] | None = None) -> int:
    from lakelab.emulator import EmulatorError
    from lakelab.targets import TargetError, course_port

    args = parser().parse_args(argv)
    try:
        if getattr(args, "port", "unset") is None:
            args.port = course_port()
        return args.run(args)
    except (TargetError, EmulatorError) as error:
        print(f"lakelab: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
