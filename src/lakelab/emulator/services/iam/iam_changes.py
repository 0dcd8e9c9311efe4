"""A counter of IAM changes, so what was read from IAM can be kept until IAM changes.

Every moto ``IAMBackend`` method that changes what a principal is allowed (a policy put,
attached, detached or edited; a user joining a group; a boundary set; a tag) bumps
:data:`version` after it runs. Caches of compiled policies compare the version they were built
at with today's: one integer comparison per request instead of re-reading IAM.
"""

from __future__ import annotations

import functools
import itertools
from typing import Any

from lakelab.emulator.seam import Patch

_counter = itertools.count(1)
version = 0

CHANGING_PERMISSIONS = (
    "create_role", "delete_role", "create_user", "delete_user", "delete_group",
    "put_role_policy", "delete_role_policy", "put_user_policy", "delete_user_policy",
    "put_group_policy", "delete_group_policy",
    "attach_role_policy", "detach_role_policy", "attach_user_policy", "detach_user_policy",
    "attach_group_policy", "detach_group_policy", "add_user_to_group", "remove_user_from_group",
    "create_policy_version", "delete_policy_version", "set_default_policy_version", "delete_policy",
    "put_role_permissions_boundary", "delete_role_permissions_boundary", "update_assume_role_policy",
    "tag_role", "untag_role", "tag_user", "untag_user",
)


def bump() -> int:
    """Record an IAM change (also called on reset); returns the new version."""
    global version
    version = next(_counter)
    return version


def bumps_version(method: Any) -> Any:
    """``method`` of ``IAMBackend``, recording a change once it has run."""

    @functools.wraps(method)
    def changing_permissions(backend: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            return method(backend, *args, **kwargs)
        finally:
            bump()  # a failed call may have changed state half-way: never keep a stale read

    return changing_permissions


PATCHES = tuple(
    Patch("IAMBackend", method, wrap=".iam_changes:bumps_version",
          why="compiled policies are cached per principal until IAM changes")
    for method in CHANGING_PERMISSIONS
)
