"""Remove exactly what the course created, in dependency order, and say what was removed.

Resources are found by name prefix *and* tags (``course``, ``learner``, and ``week`` when a week
is given): anything else in the account is never touched. The kinds swept are those the weeks'
entries say their labs create, in the sweepers' dependency order.

A partial target (LocalStack's free tier) is swept only for the services it offers: those its
health endpoint lists, and not those that answer a listing with 501 Not Implemented (LocalStack's
answer for a paid or unemulated service). Nothing of such a service can have been created there,
so skipping it leaves nothing behind; teardown says in one line what it did not sweep. Any other
error (a 500 ``InternalFailure`` on AWS is transient, not an absent service) still stops it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from botocore.exceptions import ClientError

from lakelab import course, targets
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


def find(week: course.Key | None = None, unswept: list[str] | None = None) -> list[Resource]:
    """Course resources of this learner (of one week, if given), in the order they must go.

    The kinds of a service the target does not offer are appended to ``unswept`` instead."""
    prefix = f"{naming.COURSE}-{naming.learner()}-"
    target = targets.current()
    found, skipped = [], unswept if unswept is not None else []
    for kind, sweeper in sweepers.in_dependency_order(course.swept_kinds()):
        if target is not None and not target.offers(sweepers.SERVICE_OF[kind]):
            skipped.append(kind)
            continue
        try:
            listed = list(sweeper(prefix))
        except ClientError as error:
            if not _not_offered(error):
                raise
            skipped.append(kind)
            continue
        found += [Resource(kind, name, tags["week"], remove) for name, tags, remove in listed
                  if naming.is_course_resource(tags, week)]
    return found


def _not_offered(error: ClientError) -> bool:
    """501 Not Implemented: the service is not part of this target (LocalStack's paid tier)."""
    answer = error.response
    return (answer.get("ResponseMetadata", {}).get("HTTPStatusCode") == 501
            or answer.get("Error", {}).get("Code") in ("NotImplemented", "NotImplementedError"))


def teardown(week: course.Key | None = None, dry_run: bool = False, report: Callable[[str], None] = print) -> list[Resource]:
    """Remove (or, with ``dry_run``, list) the course's resources; report one line each."""
    unswept: list[str] = []
    resources = find(week, unswept)
    for resource in resources:
        if dry_run:
            report(resource.line("would remove"))
        else:
            report(resource.line("removed", resource.remove()))
    if unswept:
        services = ", ".join(dict.fromkeys(sweepers.SERVICE_OF[kind] for kind in unswept))
        report(f"Not swept: {', '.join(unswept)} ({services}: not offered by this target, so none were created).")
    scope = f"week {course.week(week).tag}" if week else "all weeks"
    report(f"{'Would remove' if dry_run else 'Removed'} {len(resources)} resource(s) of the course ({scope}).")
    return resources
