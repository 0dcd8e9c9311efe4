"""A learner's progress: every week's exercises, passed, failed (with the hint) or not attempted.

``lakelab progress`` (and ``lakelab.progress()`` in a notebook, as an HTML table with bars) runs the
course's checks against the target's current state, the same functions the notebooks' check cells call,
and changes nothing there: every AWS call the checks make passes a read-only guard first (below).

**Where the last pass is kept:** ``~/.lakelab/progress.json`` (``LAKELAB_HOME`` moves the folder), one
record per target, account and learner. The home folder, not the repository's: a teardown, a fresh clone
or a ``git clean`` must not erase a learner's record, the same record must be found from the command line
and from a kernel whatever their working folder, and nothing there can be committed by mistake.
An exercise that passed once and fails now (say, after a teardown) shows as failing, with when it last passed.

**Not attempted** means nothing of that week's lab exists on the target (no resource of the course's for
the week is found by teardown's own sweepers, of the kinds that week creates, read-only), no exercise of
the week passes and this one never passed; a failing check in
a week with resources is *failed*. In a notebook the kernel's target is read (its embedded emulator too);
from the command line, on the local target, the checks need `lakelab serve` (``make lab``) running: an
emulator started just to look would be empty, so then only the stored passes are shown.

Fidelity: the checks' Athena and Redshift Data API queries (weeks 2, 7, 8) are read-only SQL, but like any
query they leave a query execution and a result file in the workgroup's output location; that is allowed.
The guard sits on boto3's default session, which ``boto3.client`` uses: a client on a session a check makes
itself (week 7 queries as an assumed role) is not guarded; those only run SELECT queries.
"""

from __future__ import annotations

import html
import importlib
import json
import os
import re
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

PASSED, FAILED, NOT_ATTEMPTED, NOT_SHOWN = "passed", "failed", "not attempted", "not shown on this target"
_READ = re.compile(r"^(Get|List|Describe|Head|Select|Scan|Query|BatchGet|Lookup|Search|Simulate|Check|Test)")
_QUERIES = {"StartQueryExecution", "ExecuteStatement", "AssumeRole", "GetCallerIdentity"}


class NotReadOnly(RuntimeError):
    """A check tried to change the target while progress was being read; nothing was sent."""


@dataclass
class Exercise:
    week: int
    lab: str
    number: str
    title: str
    stretch: bool
    status: str
    hint: str = ""
    last_pass: str = ""  # UTC, when it last passed on this target (kept across teardowns)


def state_file() -> Path:
    return Path(os.environ.get("LAKELAB_HOME") or Path.home() / ".lakelab") / "progress.json"


def _load() -> dict:
    try:
        return json.loads(state_file().read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def _save(state: dict) -> None:
    path = state_file()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_suffix(".tmp")
        temporary.write_text(json.dumps(state, indent=1, sort_keys=True), encoding="utf-8")
        temporary.replace(path)
    except OSError:  # a read-only home: progress is still shown, only not remembered
        pass


def _guard(params, model, **_) -> None:
    """botocore's before-parameter-build hook: only reads (and read-only queries) go out."""
    name = model.name
    if _READ.match(name) or name in _QUERIES:
        return
    if name == "InvokeRestApi" and str(params.get("Method", "")).upper() == "GET":  # MWAA's Airflow API, reading
        return
    if name == "ReceiveMessage" and params.get("VisibilityTimeout") == 0:  # a peek: every message stays visible
        return
    raise NotReadOnly(f"{name} would change the target: progress only reads")


def _key(target) -> str:
    from lakelab.course import naming

    return f"{target.kind}:{target.account}:{naming.learner()}"


def collect(weeks: list[int] | None = None, target=None) -> tuple[list[Exercise], str]:
    """Every exercise of ``weeks`` (default: every ready week with checks) and a line about the target."""
    import importlib.util

    import boto3

    from lakelab import course, targets
    from lakelab.checks import checks_for
    from lakelab.checks.framework import _lacking
    from lakelab.grading.runner import run_check

    live = True  # a target given, or this process's (a kernel's, an embedded emulator included: it holds the work)
    if target is None:
        target = targets.current()
        if target is None:
            target, live = _attach()
    chosen = [w for w in course.ready() if (weeks is None or w.key in weeks or w.number in weeks)
              and importlib.util.find_spec(w.checks_module) is not None]
    state = _load()
    record = state.setdefault(_key(target), {})
    about = target.summary() if target.description else f"Target: {target.kind} · account {target.account}"
    if not live:
        about += (" · no `lakelab serve` is running (start it with `make lab`): the checks were not run; "
                  "shown: the passes stored")
    now = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    session = boto3.DEFAULT_SESSION or boto3.setup_default_session() or boto3.DEFAULT_SESSION
    session.events.register("before-parameter-build", _guard, unique_id="lakelab-progress-read-only")
    exercises = []
    try:
        for week in chosen:
            attempted: bool | None = None  # looked for only when a check fails and never passed
            grader_only = getattr(importlib.import_module(week.checks_module), "GRADER_ONLY", "")
            for check in checks_for(week.key):
                key = f"{week.key}:{check.number}"
                entry = Exercise(week.key, week.lab, check.number, check.title, check.stretch, NOT_ATTEMPTED,
                                 last_pass=record.get(key, ""))
                if grader_only:  # judged by replaying data and tearing down: never against the learner's target
                    entry.status, entry.hint = NOT_SHOWN, grader_only
                elif live and _lacking(check.needs):
                    entry.status, entry.hint = NOT_SHOWN, _lacking(check.needs)
                elif live:
                    result = run_check(check)
                    if result.passed:
                        entry.status, entry.last_pass = PASSED, now
                        record[key] = now
                    else:
                        if attempted is None and not entry.last_pass:
                            attempted = any(e.status == PASSED for e in exercises if e.week == week.key) \
                                or _built(week, target)
                        if attempted or entry.last_pass:
                            entry.status, entry.hint = FAILED, result.hint
                exercises.append(entry)
    finally:
        session.events.unregister("before-parameter-build", unique_id="lakelab-progress-read-only")
    if target is not None and live:
        _save(state)
    return exercises, about


def where_you_are(week, target) -> str:
    """A lab's Setup line: this lab's progress on the target, judged now from what exists (the same checks,
    read-only), and the exercise to do next; for a lab whose checks only the grader runs (the capstone's
    criteria replay data and tear down), how it is judged. Nothing of the lab on the target: the checks are
    not run (they could only fail), so a first Setup costs one listing per kind the lab creates."""
    from lakelab.checks import checks_for

    checks = [check for check in checks_for(week.key) if not check.stretch]
    if not checks:
        return ""
    grader_only = getattr(importlib.import_module(week.checks_module), "GRADER_ONLY", "")
    if grader_only:
        return f"Your progress on this lab: {grader_only}."
    if not _built(week, target):
        return (f"Your progress on this lab: nothing of it exists on this target yet — start with exercise "
                f"{checks[0].number}.")
    exercises, _ = collect([week.key], target)
    counted = [e for e in exercises if not e.stretch]
    passed = [e for e in counted if e.status == PASSED]
    line = f"Your progress on this lab, checked now against what exists: {len(passed)} of {len(counted)} checks pass"
    todo = next((e for e in counted if e.status != PASSED), None)
    if todo is None:
        stretch = [e.number for e in exercises if e.stretch and e.status != PASSED]
        return line + "; the lab is done" + (f"; the stretch {', '.join(stretch)} is left." if stretch else ".")
    return line + f"; next: exercise {todo.number} (its check: {todo.title}). `lakelab.progress()` lists them all."


def _built(week, target) -> bool:
    """Whether any resource of the course's for ``week`` exists: teardown's sweepers, of that week's kinds only."""
    from botocore.exceptions import ClientError

    from lakelab.course import naming
    from lakelab.lab import sweepers

    prefix = f"{naming.COURSE}-{naming.learner()}-"
    for kind, sweeper in sweepers.in_dependency_order(set(week.sweeps)):
        if not target.offers(sweepers.SERVICE_OF[kind]):
            continue
        try:
            if any(naming.is_course_resource(tags, week.key) for _, tags, _ in sweeper(prefix)):
                return True
        except ClientError:  # a service this target does not offer
            continue
    return False


def _attach():
    """The target and whether it can be read, for the command line: attaching to a shared emulator,
    never starting one just to look at (it would be empty)."""
    from lakelab import targets

    if targets.selected() == "local":
        from lakelab.emulator.server import probe
        from lakelab.targets.local import _local_candidates

        if not any(probe(endpoint) for endpoint in _local_candidates()):
            return targets.identity(), False
    return targets.activate(), True


# ---------------------------------------------------------------------------------------------- showing it

_MARK = {PASSED: "✅", FAILED: "❌", NOT_ATTEMPTED: "·", NOT_SHOWN: "⏭"}


def text(exercises: list[Exercise], about: str) -> str:
    """The terminal's table: a line per week with its bar, then a line per exercise."""
    lines = [about, ""]
    for week, items in _by_week(exercises):
        counted = [e for e in items if not e.stretch]
        done = sum(e.status == PASSED for e in counted)
        bar = "█" * round(20 * done / len(counted)) if counted else ""
        lines.append(f"Week {week} · {items[0].lab}  {bar:<20} {done}/{len(counted)}")
        for e in items:
            when = f" (last passed {e.last_pass})" if e.last_pass and e.status != PASSED else ""
            lines.append(f"  {_MARK[e.status]} {e.number:<5} {e.title}{' (stretch)' if e.stretch else ''} "
                         f"— {e.status}{when}")
            if e.status == FAILED and e.hint:
                lines.append(f"          hint: {e.hint}")
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def _by_week(exercises: list[Exercise]) -> list[tuple[int | str, list[Exercise]]]:
    """The exercises a lab at a time (keys 6 and "6b" do not sort together: the course's order is kept)."""
    weeks: dict[int | str, list[Exercise]] = {}
    for e in exercises:
        weeks.setdefault(e.week, []).append(e)
    return list(weeks.items())


class Table:
    """What ``lakelab.progress()`` returns: an HTML table in a notebook, the terminal's table elsewhere."""

    def __init__(self, exercises: list[Exercise], about: str) -> None:
        self.exercises, self.about = exercises, about

    def __str__(self) -> str:
        return text(self.exercises, self.about)

    __repr__ = __str__

    def _repr_html_(self) -> str:
        e = html.escape
        rows = []
        for week, items in _by_week(self.exercises):
            counted = [x for x in items if not x.stretch]
            done = sum(x.status == PASSED for x in counted)
            share = done / len(counted) if counted else 0
            rows.append(f"<tr><th colspan='3' style='text-align:left'>Week {week} · {e(items[0].lab)}</th>"
                        f"<th style='text-align:left'><svg width='160' height='12'><rect width='160' height='12' "
                        f"fill='#eee'/><rect width='{160 * share:.0f}' height='12' fill='#3b7dd8'/></svg> "
                        f"{done}/{len(counted)}</th></tr>")
            for x in items:
                detail = e(x.hint) if x.status == FAILED else ""
                if x.last_pass:
                    detail += f" <span style='color:#666'>last passed {e(x.last_pass)}</span>"
                rows.append(f"<tr><td>{_MARK[x.status]}</td><td>{e(x.number)}</td><td>{e(x.title)}"
                            f"{' (stretch)' if x.stretch else ''}</td><td>{e(x.status)} {detail}</td></tr>")
        return (f"<p>{e(self.about)}</p><table class='lakelab-progress'>{''.join(rows)}</table>")


def progress_command(weeks: list[int] | None) -> int:
    """``lakelab progress``: 0 always (it reports; it judges nothing)."""
    exercises, about = collect(weeks)
    print(text(exercises, about), end="")
    print(f"(last passes kept in {state_file()})")
    return 0
