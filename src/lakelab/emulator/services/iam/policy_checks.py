"""Policies IAM refuses as ``MalformedPolicyDocument`` where moto lets them through.

moto's validator already refuses text that is not JSON, a missing or empty ``Statement``, an
``Effect`` other than Allow/Deny, a ``Version`` other than 2012-10-17, an action without a
service prefix, unknown keys, unknown condition operators and a statement without resources.
It misses two things AWS refuses: a ``Principal`` in an identity-based policy (AWS: "Policy
document should not specify a principal."), and everything about ``CreateRole``'s trust policy,
which moto does not check at all (AWS also requires each trust statement to name a principal).
"""

from __future__ import annotations

import functools
import inspect
import json
from typing import Any

from lakelab.emulator import seam
from lakelab.emulator.seam import Patch

# IAMBackend method -> the parameter holding the document
IDENTITY_POLICY_WRITES = {"create_policy": "policy_document", "create_policy_version": "policy_document",
                          "put_role_policy": "policy_json", "put_user_policy": "policy_json",
                          "put_group_policy": "policy_json"}
TRUST_POLICY_WRITES = {"create_role": "assume_role_policy_document", "update_assume_role_policy": "policy_document"}


def _statements(document: Any) -> list[dict[str, Any]]:
    """The statements of a document that parses (moto's own validator speaks for the rest)."""
    try:
        parsed = json.loads(document) if isinstance(document, str) else document
        statements = parsed["Statement"]
    except (ValueError, TypeError, KeyError):
        return []
    statements = statements if isinstance(statements, list) else [statements]
    return [statement for statement in statements if isinstance(statement, dict)]


def refuse_principal(document: Any) -> None:
    if any("Principal" in s or "NotPrincipal" in s for s in _statements(document)):
        raise seam.MalformedPolicyDocument("Policy document should not specify a principal.")


def refuse_bad_trust_policy(document: Any) -> None:
    seam.IAMTrustPolicyDocumentValidator(document).validate()
    if any("Principal" not in s and "NotPrincipal" not in s for s in _statements(document)):
        raise seam.MalformedPolicyDocument("Missing required field Principal.")


def _checking(method: Any, parameter: str, check: Any) -> Any:
    signature = inspect.signature(method)

    @functools.wraps(method)
    def checked(backend: Any, *args: Any, **kwargs: Any) -> Any:
        bound = signature.bind_partial(backend, *args, **kwargs)
        if parameter in bound.arguments:
            check(bound.arguments[parameter])
        return method(backend, *args, **kwargs)

    return checked


def checks_identity_policy(method: Any) -> Any:
    """``method`` refusing an identity-based policy that names a principal."""
    return _checking(method, IDENTITY_POLICY_WRITES[method.__name__], refuse_principal)


def checks_trust_policy(method: Any) -> Any:
    """``method`` refusing a malformed trust policy (moto checks none on CreateRole)."""
    return _checking(method, TRUST_POLICY_WRITES[method.__name__], refuse_bad_trust_policy)


PATCHES = (
    *(Patch("IAMBackend", name, wrap=".policy_checks:checks_identity_policy",
            why="IAM refuses an identity-based policy with a Principal") for name in IDENTITY_POLICY_WRITES),
    *(Patch("IAMBackend", name, wrap=".policy_checks:checks_trust_policy",
            why="IAM validates a role's trust policy (moto does not on CreateRole)") for name in TRUST_POLICY_WRITES),
)
