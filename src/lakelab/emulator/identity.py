"""Whose credentials signed a request: root, an IAM user, or an assumed-role session.

As on AWS, the access key names the principal: keys the emulator issued through IAM
``CreateAccessKey`` belong to that user, keys issued by STS ``AssumeRole`` to that role session
(with its session name, source identity, session tags and session policy), and any other key --
the course's configured credentials -- acts as the account's root. A session past its expiry
is refused with the expired-token error of the service's protocol, and a deactivated or deleted
user key with ``InvalidClientTokenId``.
"""

from __future__ import annotations

import datetime as dt
import threading
from dataclasses import dataclass, field

from lakelab.emulator import seam
from lakelab.emulator.context import ASSUMED_ROLE, DEFAULT_ACCOUNT, IAM_USER, Principal
from lakelab.emulator.requests import RequestView


class CredentialError(Exception):
    """Credentials AWS would refuse before looking at any policy."""

    def __init__(self, code: str, message: str, status: int = 403) -> None:
        super().__init__(message)
        self.code, self.message, self.status = code, message, status


@dataclass
class _SessionExtras:
    """What moto's AssumeRole does not keep: recorded from the request that created the session."""

    source_identity: str | None = None
    tags: dict[str, str] = field(default_factory=dict)
    issued: dt.datetime = field(default_factory=lambda: dt.datetime.now(dt.timezone.utc))


_extras: dict[str, _SessionExtras] = {}
_sessions: dict[str, Principal] = {}  # access key id -> principal of an assumed-role session
_user_keys: set[str] = set()  # every key seen as an IAM user's: once deleted, refused, never root
_root_keys: set[str] = set()  # keys the emulator never issued (the course's credentials)
_lock = threading.Lock()


def resolve(request: RequestView) -> Principal:
    """The principal behind ``request``; raises :class:`CredentialError` for refused credentials."""
    key = request.access_key_id
    if not key or key in _root_keys:
        return Principal.root(DEFAULT_ACCOUNT, key)
    session = _session(key)
    if session is not None:
        if session.expired:
            raise expired(request)
        return session
    user = _user(key)
    if user is not None:
        return user
    if key in _user_keys:
        raise CredentialError("InvalidClientTokenId", "The security token included in the request is invalid.")
    with _lock:
        _root_keys.add(key)
    return Principal.root(DEFAULT_ACCOUNT, key)


def expired(request: RequestView) -> CredentialError:
    if request.service == "s3":
        return CredentialError("ExpiredToken", "The provided token has expired.", 400)
    if request.protocol in ("query", "ec2"):
        return CredentialError("ExpiredToken", "The security token included in the request is expired")
    return CredentialError("ExpiredTokenException", "The security token included in the request is expired",
                           400 if request.protocol == "json" else 403)


def _session(access_key_id: str) -> Principal | None:
    found = _sessions.get(access_key_id)
    if found is not None:
        return found
    for account_id in seam.accounts("sts"):
        role = seam.backend("sts", account_id).get_assumed_role_from_access_key(access_key_id)
        if role is not None:
            with _lock:
                _sessions[access_key_id] = found = _session_principal(role)
            return found
    return None


def _session_principal(role: object) -> Principal:
    extras = _extras.get(role.access_key_id) or _SessionExtras()  # type: ignore[attr-defined]
    expires = role.expiration.replace(tzinfo=dt.timezone.utc)  # type: ignore[attr-defined]
    issued = min(extras.issued, expires)
    role_arn = role.role_arn  # type: ignore[attr-defined]
    return Principal(
        ASSUMED_ROLE, role.account_id, role.arn, role.user_id, role.access_key_id,  # type: ignore[attr-defined]
        role_arn=role_arn, role_id=role.user_id.split(":", 1)[0], session_name=role.session_name,  # type: ignore[attr-defined]
        source_identity=extras.source_identity, session_tags=dict(extras.tags), session_issued=issued,
        session_expires=expires, session_policy=role.policy)  # type: ignore[attr-defined]


def _user(access_key_id: str) -> Principal | None:
    for account_id in seam.accounts("iam"):
        backend = seam.backend("iam", account_id)
        key = backend.access_keys.get(access_key_id)
        if key is None:
            continue
        if key.status != "Active":
            raise CredentialError("InvalidClientTokenId", "The security token included in the request is invalid.")
        user = backend.get_user(key.user_name)
        with _lock:
            _user_keys.add(access_key_id)
        return Principal(IAM_USER, account_id, user.arn, user.id, access_key_id, user_name=user.name)
    return None


def remember_session(access_key_id: str, source_identity: str | None, tags: dict[str, str]) -> None:
    """Keep what an AssumeRole request asked for that moto forgets (read back by :func:`resolve`)."""
    with _lock:
        _extras[access_key_id] = _SessionExtras(source_identity, tags)
        _root_keys.discard(access_key_id)
        _sessions.pop(access_key_id, None)


def forget_all() -> None:
    with _lock:
        _extras.clear()
        _sessions.clear()
        _user_keys.clear()
        _root_keys.clear()


def role_session(role_arn: str, session_name: str, invoked_by: str | None = None) -> Principal:
    """The principal of a session a service opens with a role (a crawler's, say), without keys.

    Code the emulator runs in-process acts as this principal; code in a separate process gets real
    session credentials from STS instead (``common.user_code``).
    """
    account_id = role_arn.split(":")[4] or DEFAULT_ACCOUNT
    role_name = role_arn.rsplit("/", 1)[-1]
    role_id = _role_id(account_id, role_arn)
    now = dt.datetime.now(dt.timezone.utc)
    return Principal(ASSUMED_ROLE, account_id, f"arn:aws:sts::{account_id}:assumed-role/{role_name}/{session_name}",
                     f"{role_id}:{session_name}", role_arn=role_arn, role_id=role_id, session_name=session_name,
                     session_issued=now, service=invoked_by)


def _role_id(account_id: str, role_arn: str) -> str:
    try:
        return seam.backend("iam", account_id).get_role_by_arn(role_arn).id
    except Exception:  # a role that does not exist (yet): the session still needs a name
        return "AROA" + role_arn.rsplit("/", 1)[-1].upper()[:17]
