"""Remove exactly what the course created, in dependency order, and say what was removed.

Resources are found by name prefix *and* tags (``course``, ``learner``, and ``week`` when a week
is given): anything else in the account is never touched. The kinds swept are those the weeks'
entries say their labs create, in the sweepers' dependency order.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from lakelab import course
from lakelab.course import naming
from lakelab.lab import sweepers


@dataclass(frozen=True)
class Resource:
    kind: str
    name: str
    week: str
    remove: Callable[[], str]  # deletes, and returns a detail for the report

    def line(self, verb: str, detail: str = "") -> str:
        return f"{verb} {self.kind:<8} {self.name} (week {self.week}){' · ' + detail if detail else ''}"


def find(week: int | None = None) -> list[Resource]:
    """Course resources of this learner (of one week, if given), in the order they must go."""
    prefix = f"{naming.COURSE}-{naming.learner()}-"
    found = []
    for kind, sweeper in sweepers.in_dependency_order(course.swept_kinds()):
        for name, tags, remove in sweeper(prefix):
            if naming.is_course_resource(tags, week):
                found.append(Resource(kind, name, tags["week"], remove))
    return found


def teardown(week: int | None = None, dry_run: bool = False, report: Callable[[str], None] = print) -> list[Resource]:
    """Remove (or, with ``dry_run``, list) the course's resources; report one line each."""
    resources = find(week)
    for resource in resources:
        if dry_run:
            report(resource.line("would remove"))
        else:
            report(resource.line("removed", resource.remove()))
    scope = f"week {week:02d}" if week else "all weeks"
    report(f"{'Would remove' if dry_run else 'Removed'} {len(resources)} resource(s) of the course ({scope}).")
    return resources
