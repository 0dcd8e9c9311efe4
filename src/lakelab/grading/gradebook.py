"""Reading a written gradebook back: its rows, each row's feedback file, and who each learner is.

The class report, the LMS exports and regrading all start from ``gradebook.csv`` and ``feedback/*.md``
(never from the grader's memory), so what they show is what the CSV says.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field
from pathlib import Path, PurePath

GRADEBOOK = "gradebook.csv"


class GradebookError(ValueError):
    """The gradebook cannot be read as one lab's (missing, mixed labs, malformed); the message says why."""


@dataclass
class Exercise:
    """One check's line in a feedback file."""

    number: str
    title: str
    stretch: bool
    passed: bool
    hint: str = ""


@dataclass
class Row:
    """One gradebook row, with what its feedback file says."""

    fields: dict[str, str]
    exercises: list[Exercise] = field(default_factory=list)
    feedback_found: bool = True
    first_failure: str = ""  # the feedback's first failing cell and its error, one line

    def __getitem__(self, key: str) -> str:
        return self.fields.get(key, "")

    @property
    def submission(self) -> str:
        return self["submission"]

    @property
    def score(self) -> float:
        return _number(self["score"])

    @property
    def final_score(self) -> float:
        """After the late penalty, where one was applied."""
        return _number(self["final_score"]) if self["final_score"] else self.score

    @property
    def duration_s(self) -> float:
        return _number(self["duration_s"])

    @property
    def learner(self) -> str:
        return learner_id(self.submission)


def _number(text: str) -> float:
    try:
        return float(text)
    except ValueError:
        return 0.0


def learner_id(submission: str) -> str:
    """Who a submission is from: its folder for ``alice/week01_s3.ipynb`` (one folder per learner, as
    most platforms export), else its file name without the lab's name (``alice_week01_s3.ipynb`` → alice)."""
    path = PurePath(submission)
    stem = path.name.removesuffix(".ipynb")
    if re.fullmatch(r"week\d+[a-z]?(_\w+)?", stem) and path.parent.name not in ("", ".", ".."):
        return path.parent.name
    return re.sub(r"[_\- ]*week\d+[a-z]?(_[a-z0-9]+)*$", "", stem, flags=re.I) or stem


def read(folder: Path) -> list[Row]:
    """The rows of ``folder/gradebook.csv`` with their feedback; refuses a gradebook of several labs."""
    path = Path(folder) / GRADEBOOK
    if not path.exists():
        raise GradebookError(f"no gradebook at {path}: run `lakelab grade` first")
    with path.open(encoding="utf-8", newline="") as file:
        reader = csv.DictReader(file)
        missing = {"submission", "lab", "score", "status"} - set(reader.fieldnames or [])
        if missing:
            raise GradebookError(f"{path} is not a gradebook: it has no {', '.join(sorted(missing))} column")
        rows = [Row(dict(fields)) for fields in reader]
    labs = sorted({row["lab"] for row in rows})
    if len(labs) > 1:
        raise GradebookError(f"{path} mixes rows of several labs ({', '.join(labs)}): a report, an export or a "
                             f"regrade is for one lab; grade each lab into a folder of its own (--out)")
    for row in rows:
        _read_feedback(row, Path(folder))
    return rows


def lab_of(rows: list[Row]) -> str:
    return rows[0]["lab"] if rows else ""


_CHECK = re.compile(r"^- (✅|❌)(?: PASS| FAIL)? \*\*(?P<number>[^*]+)\*\*(?P<stretch> \(stretch\))? (?P<title>.*?)\s*$")


def _read_feedback(row: Row, folder: Path) -> None:
    name = row["feedback"]
    path = folder / name if name else None
    if path is None or not path.is_file():
        row.feedback_found = False
        return
    lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
    for n, line in enumerate(lines):
        found = _CHECK.match(line)
        if found:
            exercise = Exercise(found["number"], found["title"], bool(found["stretch"]), line.startswith("- ✅"))
            for following in lines[n + 1:n + 4]:
                if following.strip().startswith("hint:"):
                    exercise.hint = following.strip().removeprefix("hint:").strip()
                    break
            row.exercises.append(exercise)
        elif line.startswith("First failing cell:"):
            error = next((x for x in lines[n + 1:n + 5] if x.strip() and not x.startswith("```")), "")
            row.first_failure = f"{line.removeprefix('First failing cell: ')} → {error.strip()}"
