"""AWS managed policies exist when a lab refers to them.

moto either loads none of AWS's ~1,400 managed policies or, with a setting, all of them at every
reset (over a second each time). Labs attach a handful (``AWSGlueServiceRole``,
``AWSLambdaBasicExecutionRole``), so each is created from moto's bundled copy on first use.
"""

from __future__ import annotations

import functools
import json
from typing import Any

from lakelab.emulator import seam

AWS_POLICY_PREFIX = "arn:aws:iam::aws:policy/"


@functools.lru_cache(maxsize=1)
def _bundled_policies() -> dict[str, Any]:
    return json.loads(seam.aws_managed_policies_data)


def ensure_aws_managed_policy(backend: Any, policy_arn: str) -> None:
    """Create the AWS managed policy ``policy_arn`` in ``backend`` if AWS has one by that ARN."""
    if not policy_arn.startswith(AWS_POLICY_PREFIX) or policy_arn in backend.managed_policies:
        return
    name = policy_arn.rsplit("/", 1)[-1]
    data = _bundled_policies().get(name)
    if data is None:
        return  # moto then answers NoSuchEntity, as AWS does for a policy that does not exist
    policy = seam.AWSManagedPolicy.from_data(name, backend.account_id, backend.region_name, data)
    if policy.arn == policy_arn:
        backend.managed_policies[policy.arn] = policy


def creates_managed_policy(method: Any) -> Any:
    """An ``IAMBackend`` method taking a policy ARN first, creating that AWS managed policy first."""

    @functools.wraps(method)
    def wrapper(backend: Any, *args: Any, **kwargs: Any) -> Any:
        arn = kwargs.get("policy_arn", args[0] if args else "")
        ensure_aws_managed_policy(backend, arn)
        return method(backend, *args, **kwargs)

    return wrapper
