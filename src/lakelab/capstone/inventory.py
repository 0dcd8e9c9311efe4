"""Every resource named with the learner's prefix, whether the course's tags are on it, and the teardown.

Teardown (``lab.clean_up()``) removes what carries the course's tags. The grader then sweeps again by the
prefix alone, so that untagged resources (which lose the tagging criterion) are still found and removed:
on the grader's fresh emulator everything named with the prefix is the learner's. What neither sweep
removes, and anything tagged for the course without the prefix (no sweep can find it by name), fails the
teardown criterion.
"""

from __future__ import annotations

import io
from contextlib import redirect_stdout

import boto3

from lakelab.course import naming
from lakelab.lab import sweepers, teardown


def prefixed() -> list[tuple[str, str, bool]]:
    """(kind, name, tagged for the course) of every resource named with the prefix, of every kind swept."""
    prefix = f"{naming.COURSE}-{naming.learner()}-"
    found = []
    for kind, sweeper in sweepers.ORDER:
        try:
            listed = list(sweeper(prefix))
        except Exception:  # a service this target lacks: nothing of it was made
            continue
        found += [(kind, name, naming.is_course_resource(tags)) for name, tags, _ in listed]
    return found


def tear_down() -> tuple[list[str], list[str], list[str]]:
    """Run the course's teardown, then remove what is left by prefix: (still left, tagged outside the prefix,
    removed by the prefix sweep alone)."""
    prefix = f"{naming.COURSE}-{naming.learner()}-"
    with redirect_stdout(io.StringIO()):
        teardown.teardown(report=lambda line: None)
    swept = []
    for kind, sweeper in sweepers.ORDER:
        try:
            for name, _tags, remove in list(sweeper(prefix)):
                remove()
                swept.append(f"{kind} {name}")
        except Exception:
            continue
    left = [f"{kind} {name}" for kind, name, _ in prefixed()]
    return left, _tagged_without_prefix(), swept


def _tagged_without_prefix() -> list[str]:
    """ARNs tagged course=lakelab for this learner whose names lack the prefix (the tagging API's view)."""
    try:
        pages = boto3.client("resourcegroupstaggingapi").get_paginator("get_resources").paginate(
            TagFilters=[{"Key": "course", "Values": [naming.COURSE]}, {"Key": "learner", "Values": [naming.learner()]}])
        arns = [item["ResourceARN"] for page in pages for item in page["ResourceTagMappingList"]]
    except Exception:  # a target without the tagging API: the prefix sweep is all there is
        return []
    prefixes = (f"{naming.COURSE}-{naming.learner()}", f"{naming.COURSE}_{naming.learner()}")
    return [arn for arn in arns if not any(p in arn for p in prefixes)]
