"""A task's parameters and answer in the shapes of the service's API, as Step Functions maps them.

Step Functions accepts parameters in PascalCase whatever the API's casing (``StateMachineArn`` for
``stateMachineArn``), writes JSON text where the API wants a string or a blob (``"Body.$": "$"`` of
``aws-sdk:s3:putObject``), and answers in PascalCase with a streamed body read as text. moto's
interpreter carries the code for this (``_to_boto_request``, ``_from_boto_response``) but never
calls it; these replacements of ``StateTaskService._normalise_parameters`` and
``_normalise_response`` call it with the operation's shapes from botocore's model.
"""

from __future__ import annotations

import functools
from typing import Any


def normalise_parameters(self: Any, parameters: dict[str, Any], boto_service_name: str | None = None,
                         service_action_name: str | None = None) -> None:
    shape = _operation(self, boto_service_name, service_action_name, "input")
    if shape is not None and isinstance(parameters, dict):
        self._to_boto_request(parameters, shape)


def normalise_response(self: Any, response: Any, boto_service_name: str | None = None,
                       service_action_name: str | None = None) -> None:
    shape = _operation(self, boto_service_name, service_action_name, "output")
    if shape is not None and isinstance(response, dict):
        self._from_boto_response(response, shape)


def _operation(task: Any, service: str | None, action: str | None, side: str) -> Any:
    try:
        service_name = task._get_boto_service_name(boto_service_name=service)
        action_name = task._get_boto_service_action(service_action_name=action)
    except AttributeError:  # a task with no resource of a service (never, for the optimized integrations)
        return None
    shapes = _shapes(service_name).get(action_name)
    return shapes[0 if side == "input" else 1] if shapes else None


@functools.lru_cache(maxsize=64)
def _shapes(service: str) -> dict[str, tuple[Any, Any]]:
    """snake_case operation name -> (input shape, output shape) of ``service`` (empty if botocore lacks it)."""
    import botocore.exceptions
    import botocore.session
    from botocore import xform_name

    try:
        model = botocore.session.get_session().get_service_model(service)
    except botocore.exceptions.UnknownServiceError:
        return {}
    return {xform_name(name): (model.operation_model(name).input_shape, model.operation_model(name).output_shape)
            for name in model.operation_names}
