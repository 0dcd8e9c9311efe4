"""Grading one submission, in a process of its own: a fresh emulator, nbval, then the checks.

moto keeps its state per process, so each submission gets a process (forked from a server that
has already imported everything, so it starts in milliseconds), and in it a fresh emulator.
The notebook runs under nbval in a child process whose kernel attaches to that emulator; when
the child is done or out of time it is killed with its kernel, and the lab's checks then run
here, outside the kernel, against what the notebook left behind.
"""

from __future__ import annotations

import io
import multiprocessing
import os
import signal
from collections.abc import Callable
from contextlib import redirect_stdout
from dataclasses import dataclass, field
from pathlib import Path

from lakelab.checks import Check, CheckFailed, checks_for
from lakelab.grading import cells
from lakelab.grading.results import ERROR, GRADED, TIMEOUT, CellResult, CheckResult, Outcome, truncated

NOTEBOOK, RECORD, LOG = "submission.ipynb", "cells.jsonl", "nbval.log"


@dataclass
class Job:
    """Everything a grading process needs; the prepared notebook is already in ``workdir``."""

    submission: str
    lab: str
    week: int | str  # the lab's key
    workdir: Path
    code_cells: list[tuple[int, str]]
    environment: dict[str, str]
    timeout: float
    cell_timeout: float
    removed: list[CellResult] = field(default_factory=list)  # clean-up cells, reported as not run


def grade_in_own_process(job: Job, sender) -> None:
    """Target of the per-submission process: send nbval's process id, then one :class:`Outcome`."""
    sender.send(grade(job, started=sender.send))
    sender.close()


def grade(job: Job, started: Callable[[int], None] = lambda pid: None) -> Outcome:
    checks = checks_for(job.week)  # loaded before any learner code runs, never from the notebook
    fork = multiprocessing.get_context("fork")
    endpoint_reader, endpoint_writer = fork.Pipe(duplex=False)
    # Forked before the emulator starts its threads: forking a threaded process is unsafe.
    child = fork.Process(target=_run_nbval, args=(job, endpoint_reader, endpoint_writer), name="lakelab-nbval")
    child.start()
    started(child.pid)  # should this process die, whoever started it can still stop nbval
    from lakelab.emulator import Emulator

    with Emulator() as emulator:
        attached = _attached(job.environment, emulator.endpoint)
        endpoint_writer.send(attached)
        child.join(job.timeout)
        timed_out = child.is_alive()
        kernel_pid, cell_results = cells.read(job.workdir / RECORD, job.code_cells)
        _stop(child, kernel_pid)
        emulator.drain()
        os.environ.clear()
        os.environ.update(attached)  # the checks' boto3 clients reach this emulator, and only it
        check_results = [run_check(check) for check in checks]
    _, cell_results = cells.read(job.workdir / RECORD, job.code_cells)
    if timed_out:
        _blame_the_running_cell(cell_results, job.timeout)
    status, note = _status(job, timed_out, child.exitcode)
    return Outcome(job.submission, job.lab, status, sum(not c.stretch for c in checks), check_results,
                   cell_results, job.removed, note=note)


def _blame_the_running_cell(cell_results, timeout: float) -> None:
    """The first cell with no result is the one the time limit interrupted."""
    running = next((cell for cell in cell_results if cell.status == "not run"), None)
    if running is not None:
        running.status, running.error_name = TIMEOUT, "Timeout"
        running.error_message = f"the submission's time limit of {timeout:g} s ended during this cell"


def _attached(environment: dict[str, str], endpoint: str) -> dict[str, str]:
    """The kernel attaches to this emulator; the course port points there too, never at `make lab`'s."""
    port = endpoint.rsplit(":", 1)[1]
    return {**environment, "LAKELAB_EMBEDDED": "0", "AWS_ENDPOINT_URL": endpoint, "LAKELAB_PORT": port}


def _run_nbval(job: Job, endpoint_reader, endpoint_writer) -> None:
    """The nbval child: its own session, so that one signal stops it and whatever it started."""
    os.setsid()
    endpoint_writer.close()  # so that, should the grading process die first, reading ends at once
    environment = endpoint_reader.recv()
    os.environ.clear()
    # Only nbval: installed plugins such as pytest-randomly would reorder cells (and loading them is slow).
    os.environ.update(environment, PYTEST_DISABLE_PLUGIN_AUTOLOAD="1")
    if os.name == "posix":  # submissions graded side by side: a kernel's ports must not be another's
        from lakelab.notebooks.execution import use_claimed_kernel_ports

        use_claimed_kernel_ports()
    os.chdir(job.workdir)
    log = os.open(job.workdir / LOG, os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
    os.dup2(log, 1)
    os.dup2(log, 2)
    import pytest

    (job.workdir / "pytest.ini").write_text("")  # no project configuration, no conftest.py
    code = pytest.main([NOTEBOOK, "-p", "nbval.plugin", "--nbval-lax", "--nbval-current-env",
                        f"--nbval-cell-timeout={job.cell_timeout}", "-q", "--tb=no", "-p", "no:cacheprovider"],
                       plugins=[cells.CellRecorder(job.workdir / RECORD)])
    raise SystemExit(int(code))


def _stop(child, kernel_pid: int | None) -> None:
    """Kill the kernel's session (the kernel and anything it spawned), then nbval's."""
    kill_session(kernel_pid)
    kill_session(child.pid)
    child.join(10)


def kill_session(leader: int | None) -> None:
    """Kill every process of the session ``leader`` started (nbval and kernels each start their own)."""
    if leader:
        try:
            os.killpg(leader, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass


def run_check(check: Check) -> CheckResult:
    """One check, quietly: passed, or what it expected, found and hints."""
    result = CheckResult(check.number, check.title, check.stretch, passed=False, hint=check.hint)
    try:
        with redirect_stdout(io.StringIO()):
            observed = check()
    except CheckFailed as failure:
        result.expected, result.found, result.hint = failure.expected, truncated(failure.found), failure.hint
    except Exception as error:  # a check that crashes fails, it does not stop the grading
        result.expected, result.found = "the check to run", truncated(f"{type(error).__name__}: {error}")
    else:
        result.passed, result.found = True, truncated(observed) if observed else ""  # what a passing check saw
    return result


def _status(job: Job, timed_out: bool, exit_code: int | None) -> tuple[str, str]:
    if timed_out:
        return TIMEOUT, f"stopped after the submission's time limit of {job.timeout:g} s; checked what existed then"
    if not job.code_cells:
        return GRADED, "the notebook has no code cells"
    if exit_code not in (0, 1):  # pytest's codes when every cell ran, whether or not some failed
        return ERROR, (f"the notebook's run stopped unexpectedly (nbval exit code {exit_code}); checked what "
                       f"existed then; its log ends: {_log_tail(job.workdir)}")
    return GRADED, ""


def _log_tail(workdir: Path, size: int = 2000) -> str:
    """The last line of nbval's log, reading only its end: a notebook can write anything there."""
    try:
        with (workdir / LOG).open("rb") as log:
            log.seek(max(0, log.seek(0, os.SEEK_END) - size))
            lines = [line for line in log.read().decode(errors="replace").splitlines() if line.strip()]
    except OSError:
        return "no log"
    return truncated(lines[-1] if lines else "nothing", 300)
