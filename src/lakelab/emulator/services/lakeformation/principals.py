"""Who a grant is for, and who is asking.

A ``DataLakePrincipalIdentifier`` is an IAM role or user ARN of this account (which must exist),
``IAM_ALLOWED_PRINCIPALS``, an account id, or an organization / Identity Center ARN (kept, never
matched: everything is one account here). An assumed-role session acts as its role, an IAM user as
itself: a role's grants are its sessions' grants.
"""

from __future__ import annotations

import re

from lakelab.emulator import context, seam
from lakelab.emulator.services.lakeformation.store import IAM_ALLOWED_PRINCIPALS, Lake, access_denied, invalid

_IAM_ARN = re.compile(r"^arn:aws[\w-]*:iam::(\d{12}):(role|user)/(?:.*/)?([\w+=,.@-]+)$")
_OTHER_ARNS = re.compile(r"^arn:aws[\w-]*:(organizations|identitystore|iam::\d{12}:saml-provider)")

# Lake Formation's answer to a grant its caller may not give, for a resource that may not exist either
# (it does not say which): seen as an AccessDeniedException of GrantPermissions in
# aws-cloudformation/cloudformation-coverage-roadmap issue 1302.
NOT_AUTHORIZED = "Resource does not exist or requester is not authorized to access requested permissions."


def check(lake: Lake, identifier: str | None) -> str:
    """``identifier`` if Lake Formation accepts it; an IAM principal that does not exist is refused."""
    if not identifier:
        raise invalid("Principal.DataLakePrincipalIdentifier must be specified.")
    if identifier == IAM_ALLOWED_PRINCIPALS or re.fullmatch(r"\d{12}", identifier) or _OTHER_ARNS.match(identifier):
        return identifier
    found = _IAM_ARN.match(identifier)
    if found is None or not _exists(found.group(1), found.group(2), found.group(3), identifier):
        # As Lake Formation words it: "Invalid principal, arn: arn:aws:iam::111111111111:role/user.name"
        # (an InvalidInputException, seen in aws-samples/data-lake-as-code issue 17).
        raise invalid(f"Invalid principal, arn: {identifier}")
    return identifier


def _exists(account_id: str, kind: str, name: str, arn: str) -> bool:
    try:
        iam = seam.backend("iam", account_id)
    except Exception:
        return False
    try:
        if kind == "role":
            return iam.get_role_by_arn(arn) is not None
        return iam.get_user(name).arn == arn
    except Exception:
        return False


def identifiers(who: context.Principal) -> set[str]:
    """The identifiers grants to ``who`` are made to."""
    if who.type == context.ASSUMED_ROLE and who.role_arn:
        return {who.role_arn}
    if who.type == context.IAM_USER:
        return {who.arn}
    return set()


def is_admin(lake: Lake, who: context.Principal) -> bool:
    """Data lake administrators -- and, here, the account's root: see the package's fidelity notes."""
    if who.type in (context.ROOT, context.AWS_SERVICE):
        return True
    return bool(identifiers(who) & lake.admins())


def require_admin(lake: Lake, who: context.Principal) -> None:
    if not is_admin(lake, who):
        raise access_denied(NOT_AUTHORIZED)
