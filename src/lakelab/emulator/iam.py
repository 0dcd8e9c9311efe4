"""IAM extensions: AWS managed policies exist when a lab refers to them.

moto either loads none of AWS's ~1,400 managed policies or, with a setting, all of them at every
reset (over a second each time). Labs attach a handful (``AWSGlueServiceRole``,
``AWSLambdaBasicExecutionRole``), so each is created from moto's bundled copy on first use.
"""

from __future__ import annotations

import functools
import json
from typing import Any

SERVICES = ("iam",)
AWS_POLICY_PREFIX = "arn:aws:iam::aws:policy/"


@functools.lru_cache(maxsize=1)
def _bundled_policies() -> dict[str, Any]:
    from moto.iam.aws_managed_policies import aws_managed_policies_data

    return json.loads(aws_managed_policies_data)


def ensure_aws_managed_policy(backend: Any, policy_arn: str) -> None:
    """Create the AWS managed policy ``policy_arn`` in ``backend`` if AWS has one by that ARN."""
    if not policy_arn.startswith(AWS_POLICY_PREFIX) or policy_arn in backend.managed_policies:
        return
    from moto.iam.models import AWSManagedPolicy

    name = policy_arn.rsplit("/", 1)[-1]
    data = _bundled_policies().get(name)
    if data is None:
        return  # moto then answers NoSuchEntity, as AWS does for a policy that does not exist
    policy = AWSManagedPolicy.from_data(name, backend.account_id, backend.region_name, data)
    if policy.arn == policy_arn:
        backend.managed_policies[policy.arn] = policy


def _with_managed_policy(method: Any, arn_position: int) -> Any:
    @functools.wraps(method)
    def wrapper(backend: Any, *args: Any, **kwargs: Any) -> Any:
        arn = kwargs.get("policy_arn", args[arn_position] if len(args) > arn_position else "")
        ensure_aws_managed_policy(backend, arn)
        return method(backend, *args, **kwargs)

    wrapper._lakelab = True  # type: ignore[attr-defined]
    return wrapper


def install() -> None:
    from moto.iam.models import IAMBackend

    for name in ("attach_role_policy", "attach_user_policy", "attach_group_policy", "get_policy",
                 "get_policy_version", "list_policy_versions"):
        method = getattr(IAMBackend, name)
        if not getattr(method, "_lakelab", False):
            setattr(IAMBackend, name, _with_managed_policy(method, 0))
