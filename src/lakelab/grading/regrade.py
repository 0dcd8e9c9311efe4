"""Regrading only what changed, the score history, and the late policy.

Each gradebook row carries its notebook's SHA-256: with ``--changed-only`` a submission whose content
hash and lab are those of its earlier row keeps that row (and its feedback file) without running again.
A submission graded again keeps its earlier scores in the ``history`` column, oldest first, as
``<graded_at> <final score> <first 8 hex of the hash>`` entries separated by `` | ``.

Late policy: ``--deadline`` (ISO 8601; UTC when it names no zone) and ``--late-penalty`` (points out of
100 per started day late). A submission's time is its file's modification time: keep it when collecting
(``unzip`` and ``cp -p`` keep it; a plain copy or a fresh download sets it to now, making everything late).
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from lakelab.grading import gradebook

COLUMNS = ["sha256", "graded_at", "submitted_at", "days_late", "late_penalty", "final_score", "history"]


class PolicyError(ValueError):
    """A deadline or penalty that cannot be used; the message says why."""


@dataclass(frozen=True)
class LatePolicy:
    deadline: datetime | None = None
    penalty_per_day: float = 0.0

    def apply(self, score: float, submitted: datetime | None) -> tuple[int, float, float]:
        """(days late, points taken off, final score) for a score submitted at ``submitted``."""
        if self.deadline is None or submitted is None or submitted <= self.deadline:
            return 0, 0.0, score
        days = math.ceil((submitted - self.deadline).total_seconds() / 86400)
        taken = min(score, round(days * self.penalty_per_day, 1))
        return days, taken, round(score - taken, 1)


def policy(deadline: str | None, penalty: float | None) -> LatePolicy:
    """The late policy from the command line's ``--deadline`` and ``--late-penalty``."""
    if penalty is not None and not 0 <= penalty <= 100:
        raise PolicyError(f"--late-penalty {penalty:g}: give points out of 100 taken off per day late, 0 to 100")
    if deadline is None:
        if penalty:
            raise PolicyError("--late-penalty needs --deadline (e.g. --deadline 2026-03-01T23:59)")
        return LatePolicy()
    try:
        when = datetime.fromisoformat(deadline.strip().replace("Z", "+00:00"))
    except ValueError:
        raise PolicyError(f"--deadline {deadline!r} is not a date and time: write it like 2026-03-01T23:59 "
                          f"(UTC) or 2026-03-01T23:59+01:00") from None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return LatePolicy(when, penalty or 0.0)


def content_hash(path: Path) -> str:
    try:
        return hashlib.sha256(Path(path).read_bytes()).hexdigest()
    except OSError:
        return ""


def submitted_at(path: Path) -> datetime | None:
    try:
        return datetime.fromtimestamp(Path(path).stat().st_mtime, tz=timezone.utc)
    except OSError:
        return None


def stamp(when: datetime | None) -> str:
    return when.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ") if when else ""


def previous_rows(out: Path, lab: str) -> dict[str, gradebook.Row]:
    """The earlier gradebook's rows by submission; refuses one of another lab (it would be overwritten)."""
    if not (Path(out) / gradebook.GRADEBOOK).exists():
        return {}
    rows = gradebook.read(out)
    earlier = gradebook.lab_of(rows)
    if earlier and earlier != lab:
        raise gradebook.GradebookError(
            f"{Path(out) / gradebook.GRADEBOOK} is {earlier}'s gradebook, not {lab}'s: grade each lab into a "
            f"folder of its own (--out)")
    return {row.submission: row for row in rows}


def unchanged(row: gradebook.Row | None, digest: str) -> bool:
    """An earlier row that can stand: same content, and graded (an error may have been the grader's)."""
    return row is not None and bool(digest) and row["sha256"] == digest and row["status"] != "error"


def history(row: gradebook.Row | None) -> str:
    """The earlier row's history, with the earlier row itself appended."""
    if row is None:
        return ""
    entry = f"{row['graded_at'] or 'before'} {row.final_score:.1f} {row['sha256'][:8] or '-'}"
    return f"{row['history']} | {entry}" if row["history"] else entry
