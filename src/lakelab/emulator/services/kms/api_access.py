"""Calls to KMS's own API about a key (``kms.decrypt``, ``describe_key``...) decided as AWS KMS decides them.

The IAM layer asks :func:`denial_for` about every KMS request by a user or a role. A request that
names a key -- ``KeyId`` (a key id, key ARN, alias name or alias ARN, resolved to the key as KMS
authorizes against the key's ARN), or for ``Decrypt`` and ``ReEncrypt`` the key inside the
ciphertext -- is decided by ``key_access``: key policy, IAM, grants. Requests that name no key
(``CreateKey``, ``ListKeys``, ``ListAliases``, ``GenerateRandom``...) and keys KMS does not have are
left to the IAM layer (``NOT_A_KEY``), which checks identity policies on ``*`` and lets moto answer
``NotFoundException``.
"""

from __future__ import annotations

import base64
import binascii
from typing import Any

from lakelab.emulator.services.iam.access_denied import Answer, denial_message, denied_answer
from lakelab.emulator.services.kms.key_access import Key, decide, find_key

NOT_A_KEY = object()
_KEY_ID_LENGTH = 36  # moto's ciphertext starts with the key id (its own format, not KMS's)
_CIPHERTEXT_OPERATIONS = {"Decrypt": "CiphertextBlob", "ReEncrypt": "CiphertextBlob"}


def denial_for(request: Any, context: Any) -> Answer | None | object:
    """The denied answer, None when allowed, or ``NOT_A_KEY`` when no key decides (IAM alone does)."""
    key = _key_of(request, context)
    if key is None:
        return NOT_A_KEY
    decision = decide(context.principal, f"kms:{request.operation}", key)
    if decision.allowed:
        return None
    return denied_answer(request.protocol, "kms", denial_message(context.principal, decision), context.request_id)


def _key_of(request: Any, context: Any) -> Key | None:
    params = request.params
    reference = params.get("KeyId") if isinstance(params.get("KeyId"), str) else None
    if reference is None and request.operation in _CIPHERTEXT_OPERATIONS:
        reference = _key_in_ciphertext(params.get(_CIPHERTEXT_OPERATIONS[request.operation]))
    if not reference:
        return None
    return find_key(reference, context.principal.account_id, request.region)


def _key_in_ciphertext(blob: Any) -> str | None:
    if not isinstance(blob, str):
        return None
    try:
        raw = base64.b64decode(blob)
    except (binascii.Error, ValueError):
        return None
    try:
        return raw[:_KEY_ID_LENGTH].decode("ascii") if len(raw) > _KEY_ID_LENGTH else None
    except UnicodeDecodeError:
        return None
