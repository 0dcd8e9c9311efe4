"""STS: the course's credentials are the account's root, and GetCallerIdentity says so.

moto answers ``arn:aws:sts::<account>:user/moto`` for any key it never issued; AWS answers a root
caller with the account's root ARN and the account id as its UserId. Keys STS or IAM issued keep
moto's answer (the assumed-role session or the user). Session facts moto does not keep (source
identity, session tags) are read from the AssumeRole request by ``lakelab.emulator.identity``.
"""

from __future__ import annotations

from typing import Any

from lakelab.emulator.seam import Patch

SERVICES = ("sts",)

PATCHES = (
    Patch("STSBackend", "get_caller_identity", wrap="lakelab.emulator.services.sts:answers_root",
          why="a key the emulator never issued acts as the account's root, and GetCallerIdentity names root"),
)


def answers_root(get_caller_identity: Any) -> Any:
    def caller_identity(backend: Any, access_key_id: str, region: str) -> tuple[str, str, str]:
        user_id, arn, account_id = get_caller_identity(backend, access_key_id, region)
        if arn.endswith(":user/moto"):  # moto's stand-in for a key nobody issued
            return account_id, f"arn:aws:iam::{account_id}:root", account_id
        return user_id, arn, account_id

    return caller_identity
