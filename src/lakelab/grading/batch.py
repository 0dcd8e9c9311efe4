"""Grading many submissions in parallel, each in a process of its own; one bad one never stops the rest.

This process only validates submissions and waits: a thread per parallel job starts each
submission's grading process (forked from a server that imported the heavy modules once) and
waits for its outcome, with a last-resort limit in case that process itself hangs or dies.
"""

from __future__ import annotations

import importlib.util
import multiprocessing
import os
import re
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor, as_completed
from multiprocessing.connection import wait
from pathlib import Path

from lakelab import course, targets
from lakelab.checks import checks_for
from lakelab.grading import runner, submission
from lakelab.grading.results import ERROR, TIMEOUT, CellResult, Outcome

# Imported once by the fork server, so that each submission's process starts in milliseconds.
PRELOAD = ["lakelab.grading.runner", "lakelab.emulator.server", "lakelab.emulator.registry",
           "moto.moto_server.werkzeug_app", "werkzeug.serving", "boto3", "botocore.client",
           "nbval.plugin", "jupyter_client", "pytest"]
MOTO_PACKAGES = {"lambda": "awslambda"}  # course service name -> moto package, where they differ
GRACE_S = 120  # beyond --timeout: settling asynchronous deliveries, then the checks themselves


class GradingError(ValueError):
    """Grading cannot start at all (unknown lab, no checks, wrong target); the message says why."""


def week_of(lab: str) -> int | str:
    """The lab (its key) named ``week01_s3``, ``week01``, ``1``, ``week06b_ingestion``, ``6b`` or ``capstone``,
    if it has checks to grade with."""
    lab = "week09_capstone" if lab.strip().lower() == "capstone" else lab  # --lab capstone
    found = re.fullmatch(r"(?:week)?0*(\d+[a-z]?)(?:_(\w+))?", lab.strip().removesuffix(".ipynb"))
    if not found or course.key_of(found.group(1)) not in course.WEEKS:
        labs = ", ".join(week.lab for week in course.ready())
        raise GradingError(f"{lab!r} is not a lab of the course: labs are named like {labs}")
    week = course.week(found.group(1))
    if found.group(2) and found.group(2) != week.slug:
        raise GradingError(f"there is no lab {lab!r}: {week.label}'s lab is {week.lab}")
    # Found, not imported: importing a week's checks can take seconds, which the fork server spends.
    if importlib.util.find_spec(week.checks_module) is None:
        raise GradingError(f"{week.lab} has no checks yet, so there is nothing to grade it with")
    return week.key


def refuse_other_targets() -> None:
    """Grading needs an empty state per submission, which only the local emulator gives."""
    kind = targets.selected()
    if kind != "local":
        where = "a real account, whose" if kind == "aws" else "LocalStack, whose"
        also = " (and on it a learner's code would run with your credentials)" if kind == "aws" else ""
        raise GradingError(
            f"LAKELAB_TARGET={kind}: grading runs each submission on a fresh local emulator, never on {where} "
            f"one shared state would mix the submissions together{also}: unset LAKELAB_TARGET")


def start_fork_server(week: int) -> multiprocessing.context.BaseContext:
    """Start importing in the fork server now, while this process validates the submissions."""
    if "forkserver" not in multiprocessing.get_all_start_methods():
        raise GradingError("grading needs Linux, macOS or WSL: it forks a process per submission")
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(preloads(course.week(week)))
    from multiprocessing import forkserver

    forkserver.ensure_running()
    return context


def preloads(week: course.Week) -> list[str]:
    """What the fork server imports for a week: the grader, the week's checks, its services' moto backends."""
    packages = [MOTO_PACKAGES.get(service, service) for service in week.services]
    backends = [f"moto.{package}.{part}" for package in packages for part in ("models", "urls")]
    return PRELOAD + [week.checks_module] + backends


def grading_environment() -> dict[str, str]:
    """The local target with test credentials, and nothing of a pytest run this may be part of."""
    from lakelab.notebooks.execution import test_environment

    return {key: value for key, value in test_environment().items() if not key.startswith("PYTEST_")}


def run(paths: list[Path], week: int, jobs: int, timeout: float, cell_timeout: float,
        on_done: Callable[[Outcome], None] = lambda outcome: None) -> list[Outcome]:
    """Grade ``paths`` for ``week``; outcomes in the order the submissions were given."""
    context = start_fork_server(week)
    lab, environment = course.week(week).lab, grading_environment()
    counted = sum(not check.stretch for check in checks_for(week))
    with tempfile.TemporaryDirectory(prefix="lakelab-grading-") as scratch:
        work = [_job(path, Path(scratch) / f"{n:04d}", week, lab, counted, environment, timeout, cell_timeout)
                for n, path in enumerate(paths)]
        outcomes: list[Outcome | None] = [w if isinstance(w, Outcome) else None for w in work]
        for outcome in outcomes:
            if outcome is not None:
                on_done(outcome)
        with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
            waiting = {pool.submit(_grade_in_process, context, w, counted): n
                       for n, w in enumerate(work) if isinstance(w, runner.Job)}
            for future in as_completed(waiting):
                outcomes[waiting[future]] = future.result()
                on_done(outcomes[waiting[future]])
    return outcomes


def _job(path: Path, workdir: Path, week: int, lab: str, counted: int, environment: dict[str, str],
         timeout: float, cell_timeout: float) -> runner.Job | Outcome:
    """A job for a grading process, or at once the error outcome of a file that cannot be graded."""
    try:
        prepared = submission.prepare(path, week)
    except submission.Rejected as reason:
        return Outcome(str(path), lab, ERROR, counted, note=str(reason))
    workdir.mkdir(parents=True)
    import nbformat

    nbformat.write(prepared.notebook, workdir / runner.NOTEBOOK)
    removed = [CellResult(index, source, "not run") for index, source in prepared.removed]
    return runner.Job(str(path), lab, week, workdir, prepared.code_cells, environment, timeout, cell_timeout, removed)


def _grade_in_process(context, job: runner.Job, counted: int) -> Outcome:
    """Start the submission's grading process and wait for its outcome (or give up on it)."""
    receiver, sender = context.Pipe(duplex=False)
    process = context.Process(target=runner.grade_in_own_process, args=(job, sender), name="lakelab-grade")
    process.start()  # waits, the first time, for the fork server to finish importing: not this submission's time
    started = time.perf_counter()
    sender.close()
    nbval, outcome = _receive(receiver, process, started + job.timeout + GRACE_S)
    if outcome is None:
        hung = process.is_alive()
        process.kill()
        process.join(10)
        runner.kill_session(nbval)  # the notebook's run, which its grading process can no longer stop
        outcome = Outcome(job.submission, job.lab, TIMEOUT if hung else ERROR, counted, note=(
            f"the grader gave up after {job.timeout + GRACE_S:g} s; no check could run" if hung else
            f"the grading process stopped unexpectedly (exit code {process.exitcode}); no check could run"))
    process.join(10)
    outcome.removed = job.removed
    outcome.duration_s = round(time.perf_counter() - started, 1)
    return outcome


def _receive(receiver, process, deadline: float) -> tuple[int | None, Outcome | None]:
    """nbval's process id and the outcome, as far as they came before ``deadline`` or the process's end.

    The process's end is watched, not the pipe's: the nbval child it forked keeps a copy of the pipe.
    """
    nbval = None
    try:
        while ready := wait([receiver, process.sentinel], timeout=max(0.0, deadline - time.perf_counter())):
            while receiver.poll():
                message = receiver.recv()
                if isinstance(message, Outcome):
                    return nbval, message
                nbval = message
            if process.sentinel in ready:
                break
    except (EOFError, OSError):
        pass
    return nbval, None


def default_jobs() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
