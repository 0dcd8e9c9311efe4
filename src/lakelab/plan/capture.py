"""What the learner's principal asked IAM for during a run, and what CloudTrail recorded of its calls.

:class:`Capture` listens to the emulator's IAM evaluation (``policy_evaluation.observers``): every
(action, resource) decided for the learner's role session -- calls it signed, and work services did
as it (Athena's catalog and S3 reads, a KMS key used by S3 for it) -- with the decision. Calls the IAM
layer cannot name an action for are kept apart (they are never checked, so a policy cannot be
proven for them). CloudTrail's Event history gives the calls themselves, by event source and name.
"""

from __future__ import annotations

import json
import threading
from collections import Counter
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Capture:
    role_arn: str
    allowed: set[tuple[str, str]] = field(default_factory=set)
    denied: list[tuple[str, str, str]] = field(default_factory=list)  # (action, resource, reason)
    passed_to: set[str] = field(default_factory=set)  # services the role's iam:PassRole handed roles to
    counts: Counter = field(default_factory=Counter)  # action -> times decided (requests, for the cost estimate)
    unnamed: Counter = field(default_factory=Counter)  # (service, operation) the IAM layer could not name
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def is_learner(self, principal: Any) -> bool:
        return getattr(principal, "role_arn", None) == self.role_arn

    def observe(self, caller: Any, action: str, resource: str, keys: Any, decision: Any) -> None:
        if not self.is_learner(caller):
            return
        with self._lock:
            self.counts[action] += 1
            if action == "iam:PassRole":  # "": to a service the emulator names no principal for
                self.passed_to.add(keys.get("iam:passedtoservice") or "")
            if decision.allowed:
                self.allowed.add((action, resource))
            else:
                self.denied.append((action, resource, decision.reason))

    def __enter__(self) -> Capture:
        from lakelab.emulator.services.iam import enforcement, policy_evaluation

        policy_evaluation.observers.append(self.observe)
        self._denial_for = enforcement.denial_for
        enforcement.denial_for = self._naming_denial_for  # the server looks it up at every request
        return self

    def __exit__(self, *exc: object) -> None:
        from lakelab.emulator.services.iam import enforcement, policy_evaluation

        policy_evaluation.observers.remove(self.observe)
        enforcement.denial_for = self._denial_for

    def _naming_denial_for(self, request: Any, ctx: Any) -> Any:
        from lakelab.emulator.services.iam.request_authorization import requested

        if self.is_learner(ctx.principal) and request.service not in ("kms",):
            asked = requested(request, ctx)
            if asked is None or (not asked.checks and (request.service, request.operation) != ("sts", "GetCallerIdentity")):
                with self._lock:
                    self.unnamed[(request.service, request.operation)] += 1
        return self._denial_for(request, ctx)


def trail_calls(account: str, region: str, session_name: str) -> dict[str, int]:
    """``eventSource:eventName`` -> count, of the session's management events in Event history."""
    from lakelab.emulator.services.cloudtrail import history

    events, _ = history.of(account, region).lookup(("Username", session_name), None, None, None, limit=10**7)
    counted: Counter = Counter()
    for event in events:
        record = json.loads(event.record_json)
        counted[f"{record['eventSource']}:{record['eventName']}"] += 1
    return dict(sorted(counted.items()))
