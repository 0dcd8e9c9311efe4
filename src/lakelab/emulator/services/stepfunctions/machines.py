"""State machines and the executions they start: the replacements this package installs in moto's backend.

moto has two Step Functions backends: a bookkeeping one (the default: executions stay RUNNING for
ever) and an interpreting one, LocalStack's interpreter, used only when a learner sets moto's
``execute_state_machine`` config. Here the API always uses the interpreting one, with:

- definitions checked as AWS checks them (``definitions``), and a role Step Functions may assume;
- the state machine's type kept (moto records every machine as ``STANDARD`` to its interpreter);
- an execution without a ``name`` named by a UUID, as AWS does (moto's interpreter used ``None``);
- running executions stopped when the emulator is reset.
"""

from __future__ import annotations

import threading
import uuid
import weakref
from typing import Any

from lakelab.emulator import context, seam
from lakelab.emulator.services.stepfunctions import definitions

STATES = "states.amazonaws.com"
_running: weakref.WeakSet[Any] = weakref.WeakSet()
_running_lock = threading.Lock()


def _invalid_definition(error: definitions.InvalidDefinition) -> Exception:
    return seam.JsonRESTError("InvalidDefinition", str(error))


def check_definition(definition: Any, express: bool = False) -> None:
    """``StepFunctionsParserBackend._validate_definition``: AWS's ``InvalidDefinition`` answer."""
    try:
        definitions.check(definition, express)
    except definitions.InvalidDefinition as error:
        raise _invalid_definition(error) from None


VALIDATE_DEFINITION = staticmethod(lambda definition: check_definition(definition))


def checked_create(create_state_machine: Any) -> Any:
    """The type kept, an EXPRESS definition checked as one, a role Step Functions may assume."""

    def create(self: Any, name: str, definition: str, roleArn: str, *args: Any, **kwargs: Any) -> Any:
        machine_type = kwargs.get("sm_type") or "STANDARD"
        if machine_type == "EXPRESS":
            check_definition(definition, express=True)
        _refuse_a_role_states_cannot_assume(roleArn)
        machine = create_state_machine(self, name, definition, roleArn, *args, **kwargs)
        machine.sm_type = machine.type
        return machine

    return create


def _refuse_a_role_states_cannot_assume(role_arn: str) -> None:
    """AWS refuses, at create, a role whose trust policy does not name Step Functions."""
    if not context.settings().enforce_iam:
        return
    from lakelab.emulator.services.iam import principal_policies, trust_policies
    from lakelab.emulator.services.iam.policy_evaluation import PolicySet

    account = role_arn.split(":")[4] if role_arn.count(":") >= 5 else context.principal().account_id
    role = principal_policies.find_role(principal_policies.iam_backend(account), role_arn)
    service = context.Principal.aws_service(STATES, account)
    allowed = role is not None and role.arn == role_arn and trust_policies.assume_role_decision(
        service, role_arn, trust_policies.trust_policy(role.assume_role_policy_document), PolicySet(), {}).allowed
    if not allowed:
        raise seam.JsonRESTError("AccessDeniedException", "Neither the global service principal states.amazonaws.com, "
                                 "nor the regional one is authorized to assume the provided role.")


def named_execution(start_execution: Any) -> Any:
    """An execution started without a name is named by a UUID, and stops if the emulator is reset."""

    def start(self: Any, state_machine_arn: str, name: str | None = None, *args: Any, **kwargs: Any) -> Any:
        if name:
            self._validate_name(name)
        seam.sfn_started_threads.clear()  # the interpreter lists every thread it starts, for nobody to read
        execution = start_execution(self, state_machine_arn, name or str(uuid.uuid4()), *args, **kwargs)
        with _running_lock:
            _running.add(execution)
        return execution

    return start


def stop_all() -> None:
    """Stop every execution still running (the emulator is being reset)."""
    with _running_lock:
        running = list(_running)
        _running.clear()
    for execution in running:
        if getattr(execution, "exec_worker", None) is not None and execution.exec_worker.env is not None:
            execution.exec_worker.env.set_stop(stop_date=seam.utcnow(), cause=None, error=None)
