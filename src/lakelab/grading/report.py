"""The gradebook (one CSV row per submission) and each learner's feedback, in Markdown.

Everything a learner's code produced is already truncated in the results; here it is also kept
from breaking the Markdown around it (backticks, fences), so a feedback file stays small and
readable whatever the notebook printed.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path, PurePath

from lakelab.grading.results import ERROR, CellResult, CheckResult, Outcome

COLUMNS = ["submission", "lab", "checks_passed", "checks_total", "score", "status", "duration_s",
           "stretch_passed", "feedback", "note"]
FEEDBACK_DIR = "feedback"
SHOWN_CELLS = 20  # failing cells listed in a feedback file, beyond which only a count is given


def write(outcomes: list[Outcome], out: Path) -> Path:
    """Write ``gradebook.csv`` and ``feedback/<name>.md`` into ``out``; return the gradebook's path."""
    (out / FEEDBACK_DIR).mkdir(parents=True, exist_ok=True)
    names = feedback_names([outcome.submission for outcome in outcomes])
    for outcome, name in zip(outcomes, names):
        (out / FEEDBACK_DIR / name).write_text(feedback(outcome), encoding="utf-8")
    gradebook = out / "gradebook.csv"
    with gradebook.open("w", newline="", encoding="utf-8") as file:
        writer = csv.writer(file)
        writer.writerow(COLUMNS)
        for outcome, name in zip(outcomes, names):
            writer.writerow(row(outcome, f"{FEEDBACK_DIR}/{name}"))
    return gradebook


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
        return [f"- ✅ {label}"]
    return [f"- ❌ {label}  ", f"  expected: {_plain(check.expected)}  ",
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
