"""Lambda's invocation metrics in CloudWatch, namespace ``AWS/Lambda`` ("Types of metrics for Lambda
functions": https://docs.aws.amazon.com/lambda/latest/dg/monitoring-metrics-types.html).

Per invocation: ``Invocations`` (1), ``Errors`` (1 when the function erred, else 0), ``Throttles`` (0:
concurrency is not modelled here, so nothing is ever throttled) as ``Count``, and ``Duration`` in
``Milliseconds`` (the handler's time, without the init phase), each by ``FunctionName`` and, for a
qualified invocation, by ``FunctionName`` and ``Resource`` (``name:qualifier``), and once with no
dimension (the account-wide aggregate). ``IteratorAge`` is put by the Kinesis poller.
"""

from __future__ import annotations

from lakelab.emulator.services.cloudwatch import calls

NAMESPACE = "AWS/Lambda"


def invoked(account_id: str, region: str, name: str, qualifier: str | None, failed: bool, duration_ms: float) -> None:
    figures = [("Invocations", 1, "Count"), ("Errors", 1 if failed else 0, "Count"), ("Throttles", 0, "Count"),
               ("Duration", round(duration_ms, 2), "Milliseconds")]
    calls.put(NAMESPACE, figures, {"FunctionName": name}, account_id, region)
    if qualifier and qualifier != "$LATEST":
        calls.put(NAMESPACE, figures, {"FunctionName": name, "Resource": f"{name}:{qualifier}"}, account_id, region)
    calls.put(NAMESPACE, figures, {}, account_id, region)
