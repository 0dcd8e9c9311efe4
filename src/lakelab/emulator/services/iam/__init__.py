"""IAM: managed policies on first use, and every call by a user or a role evaluated as AWS does.

- ``managed_policies``: an AWS managed policy a lab names is created from moto's bundled copy
  (moto loads none, or all ~1,400 at every reset).
- ``enforcement``: the entry points -- ``denial_for`` (the server asks it before moto answers),
  ``authorize``/``require`` (in-process work on someone's behalf).
- ``request_authorization`` (a request -> the actions, resources and keys it needs), with
  ``s3_actions``, ``service_actions``, ``catalog_resources``; ``trust_policies`` (AssumeRole).
- ``policy_evaluation``, ``policy_language``, ``policy_conditions``: AWS's evaluation logic.
- ``principal_policies``, ``resource_policies``: where a principal's and a resource's policies are
  read; ``iam_changes`` keeps the compiled ones fresh; ``policy_checks`` refuses malformed ones;
  ``access_denied``: AWS's message and each protocol's error body; ``batch_deletes``: DeleteObjects
  authorized key by key; ``simulation``: SimulatePrincipalPolicy / SimulateCustomPolicy.
"""

from __future__ import annotations

from lakelab.emulator.seam import Patch

SERVICES = ("iam",)

_NAMING_A_POLICY = ("attach_role_policy", "attach_user_policy", "attach_group_policy", "get_policy",
                    "get_policy_version", "list_policy_versions")
PATCHES = tuple(
    Patch("IAMBackend", method, wrap=".managed_policies:creates_managed_policy",
          why="an AWS managed policy a lab names exists, without loading all of them at every reset")
    for method in _NAMING_A_POLICY
)


def _enforcement_patches() -> tuple[Patch, ...]:
    from lakelab.emulator.services.iam import iam_changes, policy_checks

    return (*iam_changes.PATCHES, *policy_checks.PATCHES)


PATCHES += _enforcement_patches() + (
    Patch("IAMResponse", "simulate_principal_policy", value=".simulation:simulate_principal_policy", adds=True,
          why="moto has no policy simulator; checks ask it whether a role may do something, as on AWS"),
    Patch("IAMResponse", "simulate_custom_policy", value=".simulation:simulate_custom_policy", adds=True,
          why="moto has no policy simulator"),
)
