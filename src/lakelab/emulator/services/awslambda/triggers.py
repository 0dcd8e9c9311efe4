"""S3 → Lambda: the permission check S3 makes when a notification is configured.

moto accepts any Lambda ARN in ``PutBucketNotificationConfiguration``. S3 refuses the whole
configuration ("Unable to validate the following destination configurations") unless each
function exists and its resource policy lets ``s3.amazonaws.com`` invoke it, which is why
``lambda add_permission`` is a step in every S3-trigger tutorial; so we refuse it too.
Delivery itself is moto's (``moto.s3.notifications``), made asynchronous by the s3 extension;
it ends in ``LambdaFunction.invoke``, which this package replaces.
"""

from __future__ import annotations

import fnmatch
from typing import Any

from lakelab.emulator import seam

S3_PRINCIPAL = "s3.amazonaws.com"


def checks_s3_may_invoke(original: Any) -> Any:
    """``S3Backend.put_bucket_notification_configuration``, checking each Lambda destination first."""

    def put_bucket_notification_configuration(self: Any, bucket_name: str, notification_config: dict) -> None:
        for target in (notification_config or {}).get("CloudFunctionConfiguration") or []:
            check_s3_may_invoke(target["CloudFunction"], bucket_name, self.account_id)
        original(self, bucket_name, notification_config)

    return put_bucket_notification_configuration


def check_s3_may_invoke(function_arn: str, bucket_name: str, bucket_account: str) -> None:
    region, account = function_arn.split(":")[3:5]
    try:
        function = seam.backend("awslambda", account, region).get_function(function_arn)
    except seam.UnknownFunctionException:
        function = None
    if function is None or not _allows_s3(function.policy.statements, bucket_name, bucket_account):
        raise seam.InvalidArgumentError(
            "Unable to validate the following destination configurations", function_arn,
            f"Not authorized to invoke function [{function_arn}]",
        )


def _allows_s3(statements: list[dict[str, Any]], bucket_name: str, bucket_account: str) -> bool:
    return any(_statement_allows_s3(s, bucket_name, bucket_account) for s in statements)


def _statement_allows_s3(statement: dict[str, Any], bucket_name: str, bucket_account: str) -> bool:
    principal = statement.get("Principal")
    service = principal.get("Service") if isinstance(principal, dict) else principal
    actions = statement.get("Action")
    actions = actions if isinstance(actions, list) else [actions]
    if statement.get("Effect") != "Allow" or service not in (S3_PRINCIPAL, "*"):
        return False
    if not any(action in ("lambda:InvokeFunction", "lambda:*", "*") for action in actions):
        return False
    return _conditions_hold(statement.get("Condition") or {}, bucket_name, bucket_account)


def _conditions_hold(condition: dict[str, Any], bucket_name: str, bucket_account: str) -> bool:
    sent_by_s3 = {"aws:sourcearn": f"arn:aws:s3:::{bucket_name}", "aws:sourceaccount": bucket_account}
    for operator, tests in condition.items():
        for key, expected in tests.items():
            actual = sent_by_s3.get(key.lower())
            if actual is None:
                continue  # a condition S3 does not send: leave it to AWS, do not refuse here
            patterns = expected if isinstance(expected, list) else [expected]
            matches = fnmatch.fnmatchcase if operator.startswith("ArnLike") else str.__eq__
            if not any(matches(actual, pattern) for pattern in patterns):
                return False
    return True
