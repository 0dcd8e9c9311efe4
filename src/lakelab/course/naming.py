"""Resource names and tags: one prefix per learner, and the tags teardown deletes by.

Every resource a lab creates is named here and tagged ``course``, ``week``, ``lab`` (and
``learner``), so that teardown can find exactly what the course made and nothing else.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass

from lakelab import targets
from lakelab.course import weeks

COURSE = "lakelab"
DEFAULT_LEARNER = "learner"


def learner() -> str:
    """The learner's short id from ``LAKELAB_LEARNER``: lowercase letters and digits, at most 12."""
    raw = os.environ.get("LAKELAB_LEARNER", DEFAULT_LEARNER)
    if not re.fullmatch(r"[a-z][a-z0-9]{0,11}", raw):
        raise targets.TargetError(
            f"LAKELAB_LEARNER={raw!r} cannot name resources: use 1 to 12 lowercase letters and digits, "
            f"starting with a letter (for example your initials: LAKELAB_LEARNER=jd)"
        )
    return raw


@dataclass(frozen=True)
class Names:
    week: weeks.Key
    learner: str
    account: str
    region: str
    globally_unique: bool

    @property
    def prefix(self) -> str:
        return f"{COURSE}-{self.learner}"

    @property
    def lab(self) -> str:
        return weeks.week(self.week).lab

    def bucket(self, purpose: str) -> str:
        """S3 names are global on AWS: there the account and region make the name unique."""
        if self.globally_unique:
            return f"{self.prefix}-{self.account}-{self.region}-{purpose}"
        return f"{self.prefix}-{purpose}"

    def resource(self, purpose: str) -> str:
        """Queues, topics, functions, roles, crawlers, jobs, streams."""
        return f"{self.prefix}-{purpose}"

    def database(self, purpose: str) -> str:
        """Glue and Athena names allow only lowercase letters, digits and underscores."""
        return f"{COURSE}_{self.learner}_{purpose}".replace("-", "_")

    @property
    def tags(self) -> dict[str, str]:
        return {"course": COURSE, "week": weeks.week(self.week).tag, "lab": self.lab, "learner": self.learner}

    @property
    def tag_list(self) -> list[dict[str, str]]:
        """Tags as S3, IAM and most APIs take them: ``[{"Key": ..., "Value": ...}]``."""
        return [{"Key": key, "Value": value} for key, value in self.tags.items()]

    def password(self, purpose: str) -> str:
        """The password of what the lab creates that needs one (an RDS instance's master user), made the
        first time it is asked for and the same every time after, for this account, region and learner.

        It is kept in ``~/.lakelab/secrets.json`` (``LAKELAB_HOME`` moves the folder; readable by you only),
        never in the notebook, which you may share or hand in. 24 characters of letters, digits, ``-`` and
        ``_``: within what RDS accepts for a master password (8 to 128 printable ASCII characters other
        than ``/``, ``@``, ``"`` and space -- CreateDBInstance, MasterUserPassword)."""
        import json
        import secrets
        from pathlib import Path

        folder = Path(os.environ.get("LAKELAB_HOME") or Path.home() / ".lakelab")
        path = folder / "secrets.json"
        kept = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
        key = f"{self.account}/{self.region}/{self.resource(purpose)}"
        if key not in kept:
            kept[key] = secrets.token_urlsafe(18)
            folder.mkdir(parents=True, exist_ok=True)
            temporary = path.with_suffix(".tmp")
            temporary.touch(mode=0o600)
            temporary.write_text(json.dumps(kept, indent=1, sort_keys=True), encoding="utf-8")
            temporary.replace(path)
        return kept[key]

    def arn(self, service: str, resource: str) -> str:
        return f"arn:aws:{service}:{self.region}:{self.account}:{resource}"


def for_week(week: weeks.Key) -> Names:
    week = weeks.week(week).key  # refuses an unknown week; "06b" -> "6b"
    where = targets.current() or targets.identity()
    return Names(
        week=week,
        learner=learner(),
        account=where.account,
        region=where.region,
        globally_unique=where.kind == "aws",
    )


def is_course_resource(tags: dict[str, str], week: weeks.Key | None = None) -> bool:
    """True for resources this course created for this learner (and this lab, if given: ``6`` is week 6's
    first lab, ``"6b"`` its second, each tagged with its own ``week`` value)."""
    if tags.get("course") != COURSE or tags.get("learner") != learner():
        return False
    return week is None or tags.get("week") == weeks.week(week).tag
