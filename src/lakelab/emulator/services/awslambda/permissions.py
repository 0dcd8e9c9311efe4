"""AddPermission refuses a statement id the function's policy already holds, as Lambda does.

moto appends the statement whatever its id, so a cell that runs ``add_permission`` twice leaves two
statements with one ``Sid`` where AWS answers 409 ``ResourceConflictException`` ("The statement id (…)
provided already exists. Please provide a new statement id, or remove the existing statement.", the
message AWS returns, as quoted in public issue reports, e.g. terraform-aws-modules/terraform-aws-lambda#547;
the API reference lists ResourceConflictException for AddPermission). The idempotent pattern (remove
the statement, add it again) then works here as it does on AWS.
"""

from __future__ import annotations

import json
from typing import Any

from lakelab.emulator import seam


class StatementIdTaken(seam.LambdaClientError):
    code = 409

    def __init__(self, sid: str) -> None:
        super().__init__("ResourceConflictException", f"The statement id ({sid}) provided already exists. "
                                                      "Please provide a new statement id, or remove the existing statement.")


def refuses_a_taken_statement_id(original: Any) -> Any:
    """``LambdaBackend.add_permission``: a 409 when the function's (or version's) policy has the ``StatementId``."""
    def add_permission(self: Any, function_name: str, qualifier: str, raw: str) -> Any:
        try:
            sid = json.loads(raw).get("StatementId")
        except (TypeError, ValueError):
            sid = None
        if sid:
            fn = self.get_function(function_name, qualifier)
            if any(statement.get("Sid") == sid for statement in fn.policy.statements):
                raise StatementIdTaken(sid)
        return original(self, function_name, qualifier, raw)

    return add_permission
