"""``lakelab grade --export canvas|moodle``: the gradebook in a learning platform's grade-import CSV.

Both read ``gradebook.csv`` back (so they say what it says) and give each learner the row's final score
(after any late penalty) out of 100. Who a learner is comes from the submission's path
(:func:`lakelab.grading.gradebook.learner_id`): name submissions by the platform's login for the
import to match them. Two submissions of one learner are both written, and said on stderr: the
platform would keep only the last, so decide first.

Canvas — "How do I import grades in the Gradebook?" (Instructure's Canvas Instructor Guide) and, quoted
here, Ohio State's guide to it (teaching.resources.osu.edu, "Import a CSV file to Carmen grades"): the
file's columns are ``Student`` (name), ``ID``, ``SIS User ID``, ``SIS Login ID``, ``Section``, then one
column per assignment; a row is matched on the student name, ID or SIS User ID, and a column whose name
is no existing assignment creates one. The second row of Canvas's own export, ``Points Possible``, is
written too. We know no Canvas numeric ID: the learner id goes in ``Student`` and ``SIS Login ID``
(unverified that a row with an empty ``ID`` matches on the login alone in every Canvas instance;
Canvas shows the matches on its import confirmation page before anything is saved).

Moodle — "Grade import" (docs.moodle.org/en/Grade_import): a CSV whose columns are mapped at import,
"Identify user by" one column (user name, email address or ID number) and each other column to a grade
item or its feedback ("include both feedback and grades for the activity when mapping": importing
feedback alone drops grades). Written: ``Username`` (or ``Email address`` when every learner id is an
email), the lab's score as ``<lab>``, and ``<lab> feedback`` (score, checks, late note).
"""

from __future__ import annotations

import csv
import sys
from collections import Counter
from pathlib import Path

from lakelab.grading import gradebook

SUPPORTED = ("canvas", "moodle")


class ExportError(ValueError):
    """An export that cannot be written; the message says why (an unknown platform lists the known)."""


def supported(lms: str) -> str:
    name = lms.strip().lower()
    if name not in SUPPORTED:
        raise ExportError(f"no export for {lms!r}: supported learning platforms are {', '.join(SUPPORTED)}")
    return name


def export(folder: Path, lms: str, warn=lambda text: print(text, file=sys.stderr)) -> Path:
    """Write ``folder/<lms>.csv`` from ``folder/gradebook.csv``; return its path."""
    name = supported(lms)
    rows = gradebook.read(folder)
    counts = Counter(row.learner for row in rows)
    for learner, count in counts.items():
        if count > 1:
            warn(f"{learner}: {count} submissions, all written to {name}.csv; the platform keeps the last row, "
                 f"so remove the ones that should not count")
    path = Path(folder) / f"{name}.csv"
    with path.open("w", newline="", encoding="utf-8") as file:
        (_canvas if name == "canvas" else _moodle)(csv.writer(file), rows)
    return path


def _canvas(writer, rows: list[gradebook.Row]) -> None:
    assignment = gradebook.lab_of(rows) or "lab"
    writer.writerow(["Student", "ID", "SIS User ID", "SIS Login ID", "Section", assignment])
    writer.writerow(["Points Possible", "", "", "", "", "100"])
    for row in rows:
        writer.writerow([row.learner, "", "", row.learner, "", f"{row.final_score:.1f}"])


def _moodle(writer, rows: list[gradebook.Row]) -> None:
    lab = gradebook.lab_of(rows) or "lab"
    emails = bool(rows) and all("@" in row.learner for row in rows)
    writer.writerow(["Email address" if emails else "Username", lab, f"{lab} feedback"])
    for row in rows:
        writer.writerow([row.learner, f"{row.final_score:.1f}", _summary(row)])


def _summary(row: gradebook.Row) -> str:
    text = f"{row['checks_passed']} of {row['checks_total']} checks passed ({row['status']})"
    if row["days_late"] and row["days_late"] != "0":
        text += f"; {row['days_late']} day(s) late, {row['late_penalty']} points off"
    if row["note"]:
        text += f"; {row['note']}"
    return text
