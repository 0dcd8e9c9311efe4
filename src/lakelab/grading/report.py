"""The gradebook (one CSV row per submission) and each learner's feedback, in Markdown.

Everything a learner's code produced is already truncated in the results; here it is also kept
from breaking the Markdown around it (backticks, fences), so a feedback file stays small and
readable whatever the notebook printed.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path, PurePath

from lakelab.grading import regrade
from lakelab.grading.gradebook import Row
from lakelab.grading.results import ERROR, CellResult, CheckResult, Outcome

COLUMNS = ["submission", "lab", "checks_passed", "checks_total", "score", "status", "duration_s",
           "stretch_passed", "feedback", "note"] + regrade.COLUMNS
FEEDBACK_DIR = "feedback"
SHOWN_CELLS = 20  # failing cells listed in a feedback file, beyond which only a count is given


def write(outcomes: list[Outcome | Row], out: Path, extra: list[dict[str, str]] | None = None) -> Path:
    """Write ``gradebook.csv`` and ``feedback/<name>.md`` into ``out``; return the gradebook's path.

    An entry that is an earlier gradebook :class:`Row` (an unchanged submission, not graded again) keeps
    its fields and its feedback file; ``extra`` gives each entry's regrading and late-policy columns.
    """
    (out / FEEDBACK_DIR).mkdir(parents=True, exist_ok=True)
    extra = extra or [{} for _ in outcomes]
    names = feedback_names([entry.submission for entry in outcomes])
    kept = {}
    for entry in outcomes:  # read before writing: a kept file's name can be another's earlier name
        if isinstance(entry, Row) and entry["feedback"] and (out / entry["feedback"]).is_file():
            kept[id(entry)] = (out / entry["feedback"]).read_text(encoding="utf-8")
    for entry, name, more in zip(outcomes, names, extra):
        if isinstance(entry, Outcome):
            text = feedback(entry) + _late_lines(more)
        else:
            text = kept.get(id(entry))
        if text is not None:
            (out / FEEDBACK_DIR / name).write_text(text, encoding="utf-8")
    gradebook = out / "gradebook.csv"
    with gradebook.open("w", newline="", encoding="utf-8") as file:
        writer = csv.writer(file)
        writer.writerow(COLUMNS)
        for entry, name, more in zip(outcomes, names, extra):
            if isinstance(entry, Outcome):
                base = row(entry, f"{FEEDBACK_DIR}/{name}")
            else:
                base = [entry[column] for column in COLUMNS[:len(COLUMNS) - len(regrade.COLUMNS)]]
                base[COLUMNS.index("feedback")] = f"{FEEDBACK_DIR}/{name}"
            writer.writerow(base + [more.get(column, "") for column in regrade.COLUMNS])
    return gradebook


def _late_lines(more: dict[str, str]) -> str:
    days = int(more.get("days_late") or 0)
    if not days:
        return ""
    return (f"\n## Late\n\nSubmitted {more.get('submitted_at', '')}, {days} day(s) after the deadline: "
            f"{more.get('late_penalty', '0')} points off, **final score {more.get('final_score', '')} / 100**.\n")


def row(outcome: Outcome, feedback_file: str) -> list[str]:
    stretch = f"{outcome.stretch_passed}/{outcome.stretch_total}" if outcome.stretch_total else ""
    return [outcome.submission, outcome.lab, str(outcome.passed), str(outcome.counted_checks),
            f"{outcome.score:.1f}", outcome.status, f"{outcome.duration_s:.1f}", stretch, feedback_file,
            outcome.note]


def feedback_names(submissions: list[str]) -> list[str]:
    """One file name per submission: its name, with as many parent folders as make it unique."""
    parts = [PurePath(s).parts or ("submission",) for s in submissions]
    for depth in range(1, max(len(p) for p in parts) + 1 if parts else 1):
        names = [_file_name(p[-depth:]) for p in parts]
        if len(set(names)) == len(names):
            return names
    names = [_file_name(p) for p in parts]
    seen: dict[str, int] = {}
    unique = []
    for name in names:  # the same path given twice
        seen[name] = seen.get(name, 0) + 1
        unique.append(name if seen[name] == 1 else f"{name[:-3]}-{seen[name]}.md")
    return unique


def _file_name(parts: tuple[str, ...]) -> str:
    joined = "__".join(part for part in parts if part not in ("/", "..", "."))
    stem = joined.removesuffix(".ipynb") or "submission"
    return re.sub(r"[^A-Za-z0-9._-]+", "_", stem) + ".md"


def feedback(outcome: Outcome) -> str:
    lines = [f"# Feedback · {outcome.lab}", "", f"Submission: `{_plain(outcome.submission)}`  "]
    if outcome.status == ERROR and not outcome.checks:
        lines += [f"**Not graded:** {_plain(outcome.note)}", "", f"Score: {outcome.score:.1f} / 100"]
        return "\n".join(lines) + "\n"
    lines += [f"**Score: {outcome.score:.1f} / 100**, {outcome.passed} of {outcome.counted_checks} checks passed "
              f"· status {outcome.status} · {outcome.duration_s:.1f} s  "]
    if outcome.stretch_total:
        lines.append(f"Stretch: {outcome.stretch_passed} of {outcome.stretch_total} "
                     f"(reported, not counted in the score)")
    if outcome.note:
        lines += ["", f"> {_plain(outcome.note)}"]
    lines += ["", "## Checks", ""] + [line for check in outcome.checks for line in _check_lines(check)]
    return "\n".join(lines + [""] + _cell_lines(outcome)) + "\n"


def _check_lines(check: CheckResult) -> list[str]:
    label = f"**{check.number}**{' (stretch)' if check.stretch else ''} {check.title}"
    if check.passed:
        return [f"- ✅ PASS {label}"] + ([f"  observed: {_plain(check.found)}"] if check.found else [])
    return [f"- ❌ FAIL {label}  ", f"  expected: {_plain(check.expected)}  ",
            f"  found: {_plain(check.found)}  ", f"  hint: {_plain(check.hint)}"]


def _cell_lines(outcome: Outcome) -> list[str]:
    lines = ["## Cells", ""]
    failing = [cell for cell in outcome.cells if cell.failed]
    if not failing:
        lines.append("No cell failed." if outcome.cells else "No code cell was run.")
    else:
        first = failing[0]
        lines += [f"First failing cell: {_cell_label(first)}", "", "```",
                  _fenced(f"{first.error_name}: {first.error_message}"), "```"]
    if len(failing) > 1:
        lines += ["", "Every failing cell:", ""]
        lines += [f"- {_cell_label(cell)} → {_plain(_first(cell.error_name + ': ' + cell.error_message))}"
                  for cell in failing[:SHOWN_CELLS]]
        if len(failing) > SHOWN_CELLS:
            lines.append(f"- … and {len(failing) - SHOWN_CELLS} more")
    unran = [c for c in outcome.cells if c.status in ("skipped", "not run")]
    if unran:
        lines += ["", "Not run: " + ", ".join(f"{_cell_label(c)} ({c.status})" for c in unran[:SHOWN_CELLS])]
    if outcome.removed:
        lines += ["", "Not run, so that the checks could see what you built: "
                  + ", ".join(_cell_label(cell) for cell in outcome.removed) + " (clean-up)"]
    return lines


def _cell_label(cell: CellResult) -> str:
    return f"cell {cell.index + 1} (index {cell.index}) `{_plain(cell.first_line)}`"


def _plain(text: str) -> str:
    """One line, without the backticks that would end the Markdown code span around it."""
    return " ".join(str(text).split()).replace("`", "'")


def _first(text: str) -> str:
    return text.strip().splitlines()[0] if text.strip() else ""


def _fenced(text: str) -> str:
    return text.replace("```", "'''")


def summary(outcomes: list[Outcome]) -> str:
    """A table for the terminal: one line per submission."""
    width = max([len(o.submission) for o in outcomes] + [10])
    lines = [f"{'submission':<{width}}  {'score':>6}  {'checks':>6}  status"]
    for o in outcomes:
        lines.append(f"{o.submission:<{width}}  {o.score:>6.1f}  {o.passed:>3}/{o.counted_checks:<2}  {o.status}"
                     + (f" · {o.note}" if o.note else ""))
    return "\n".join(lines)
