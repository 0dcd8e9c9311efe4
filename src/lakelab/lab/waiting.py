"""Waiting in a lab cell for an asynchronous outcome, and stopping as soon as it can no longer come.

A cell that lands files and waits for a Lambda function's verdicts, or starts a Glue run and waits for its
output, would otherwise poll to its full timeout when the learner's code has already failed. ``wait_until``
polls a condition and, between polls, asks ``failed`` why the outcome cannot come (a function that does not
exist, an error its log group holds, a run FAILED); on the first reason it stops and prints what failed and
where to read more, and the cell goes on to show what did arrive. A learner who interrupts the wait gets one
line saying so, not a traceback from inside the kit.

The ``*_stopped`` functions are ready-made ``failed`` callables (``crawl_succeeded`` is a condition); those for
code the learner wrote read the failure with ``lakelab.checks.user_code``'s finders, so a check and a wait word
the same failure the same way.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime
from typing import TypeVar

import boto3
from botocore.exceptions import BotoCoreError, ClientError

from lakelab.checks import user_code

T = TypeVar("T")
FAILURE_EVERY = 1.0  # seconds between two looks for a failure: reading logs costs more than the condition


class WaitInterrupted(Exception):
    """The learner interrupted a wait; IPython shows ``str()`` alone, with no traceback (``_render_traceback_``)."""

    def _render_traceback_(self) -> list[str]:
        return [str(self)]


def wait_until(condition: Callable[[], T], what: str, timeout: float = 60, *,
               failed: Callable[[], object] | None = None, interval: float = 0.5, quiet: bool = False) -> T:
    """Poll ``condition`` until it is truthy, ``failed`` gives a reason, or ``timeout`` seconds pass.

    Returns the condition's last value. ``what`` names the outcome in the messages ("the validator's verdicts
    on 7 files"). ``failed`` returns ``None`` while the outcome can still come, else why not (a string or a
    ``user_code.Failure``). A stop prints a line starting with ⛔ and the reason under it; a timeout, a line
    starting with ⌛ (``quiet``: not that one, for a caller that says more itself); then the cell goes on. An
    AWS error from ``condition`` (a log group not created yet) stops the wait the same way when ``failed``
    explains it, and is raised otherwise.

    The cell goes on rather than raising so that it still shows what did arrive, and so that an exercise's
    code after the wait (setting a log group's retention, say) still runs: a failure upstream is reported
    once, where it happened, not as a second failure downstream."""
    deadline, next_look = time.monotonic() + timeout, 0.0
    try:
        while True:
            try:
                value = condition()
            except (ClientError, BotoCoreError):
                reason = _reason(failed) if failed is not None else ""
                if not reason:
                    raise  # the condition's own error, with its own traceback
                print(f"⛔ stopped waiting for {what}:\n   {reason}")
                return None
            if value:
                return value
            now = time.monotonic()
            if failed is not None and now >= next_look:
                reason = _reason(failed)
                if reason:
                    print(f"⛔ stopped waiting for {what}:\n   {reason}")
                    return value
                next_look = now + FAILURE_EVERY
            if now >= deadline:
                if not quiet:
                    print(f"⌛ gave up waiting for {what} after {timeout:g} s")
                return value
            time.sleep(interval)
    except KeyboardInterrupt:
        raise WaitInterrupted(f"⏹ interrupted while waiting for {what}: run this cell again to wait again") from None


def _reason(failed: Callable[[], object]) -> str:
    """``failed()``'s reason as text; a kit error while looking is no reason to stop (the wait goes on)."""
    try:
        reason = failed()
    except (ClientError, BotoCoreError):
        return ""
    return str(reason) if reason else ""


def lambda_stopped(function: str, *, bucket: str | None = None,
                   ignore: tuple[str, ...] = ()) -> Callable[[], str | None]:
    """A ``failed`` callable for outcomes of ``function``: it does not exist or is not Active, (with ``bucket``)
    no event notification of the bucket invokes it, or it logged an error since its code was last deployed
    (``ignore``: substrings of errors that are the exercise's expected behaviour).

    On AWS an asynchronous invocation that failed is retried twice, one and then two minutes later (Lambda
    developer guide: "How Lambda handles errors and retries with asynchronous invocation",
    https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-error-handling.html): past a lab's one-minute
    wait, and a learner's error is rarely transient, so the wait stops at the first error."""
    aws_lambda = boto3.client("lambda")

    def why_not() -> str | None:
        try:
            configuration = aws_lambda.get_function_configuration(FunctionName=function)
        except aws_lambda.exceptions.ResourceNotFoundException:
            return f"the function {function} does not exist: run the cell that creates it (create_function) first"
        if configuration.get("State") == "Failed":
            return (f"the function {function} is in state Failed: {configuration.get('StateReason', '')}".rstrip(": ")
                    + "; create it again")
        if bucket and not _notifies(bucket, configuration["FunctionArn"]):
            return (f"no event notification of the bucket {bucket} invokes {function}: run the cell that sets the "
                    "bucket's notification configuration first, then the cell that lands the files")
        deployed = user_code._lambda_time(configuration.get("LastModified", ""))
        failure = user_code.lambda_failure(function, ignore=ignore, since=deployed)
        return f"{function} failed: {failure.text()}" if failure else None

    return why_not


def _notifies(bucket: str, function_arn: str) -> bool:
    try:
        found = boto3.client("s3").get_bucket_notification_configuration(Bucket=bucket)
    except (ClientError, BotoCoreError):
        return True  # unreadable: no reason to stop
    return any(entry.get("LambdaFunctionArn", "").split(":")[:7] == function_arn.split(":")[:7]
               for entry in found.get("LambdaFunctionConfigurations", []))


def glue_run_stopped(job: str, run_id: str | None = None) -> Callable[[], str | None]:
    """A ``failed`` callable for a Glue job run's output: the run (or the job's newest) FAILED, ERROR or TIMEOUT."""

    def why_not() -> str | None:
        failure = user_code.glue_failure(job, run_id)
        return f"the Glue job {job}'s {failure.text()}" if failure else None

    return why_not


def firehose_stopped(delivery_stream: str, *, since: datetime | None = None) -> Callable[[], str | None]:
    """A ``failed`` callable for a delivery stream's output: its transformation function's error, or a record
    under its error prefix (``since``: error records written before are an earlier attempt's)."""

    def why_not() -> str | None:
        failure = user_code.firehose_failure(delivery_stream)
        if not failure or (since and failure.timestamp and failure.timestamp < since.timestamp() * 1000):
            return None
        return f"the delivery stream {delivery_stream}'s records failed: {failure.text()}"

    return why_not


def delivery_stream_active(delivery_stream: str) -> Callable[[], bool]:
    """A condition: the Firehose stream is ACTIVE (after CreateDeliveryStream, or UpdateDestination)."""
    firehose = boto3.client("firehose")

    def active() -> bool:
        return firehose.describe_delivery_stream(DeliveryStreamName=delivery_stream)[
            "DeliveryStreamDescription"]["DeliveryStreamStatus"] == "ACTIVE"

    return active


def delivery_stream_failed(delivery_stream: str) -> Callable[[], str | None]:
    """A ``failed`` callable for :func:`delivery_stream_active`: the stream can no longer become ACTIVE when its
    creation failed (``CREATING_FAILED``, with the ``FailureDescription`` Firehose gives, e.g. a KMS key it may
    not use) or it is being deleted (Firehose API reference: DeliveryStreamDescription)."""
    firehose = boto3.client("firehose")

    def why_not() -> str | None:
        described = firehose.describe_delivery_stream(DeliveryStreamName=delivery_stream)["DeliveryStreamDescription"]
        status = described["DeliveryStreamStatus"]
        if status not in ("CREATING_FAILED", "DELETING", "DELETING_FAILED"):
            return None
        failure = described.get("FailureDescription") or {}
        detail = f": {failure.get('Type', '')} {failure.get('Details', '')}".rstrip() if failure else ""
        return (f"the delivery stream {delivery_stream} is {status}{detail} — delete it "
                f"(delete_delivery_stream, AllowForceDelete=True) and run the cell again")

    return why_not


def crawl_succeeded(crawler: str) -> Callable[[], bool]:
    """A condition: the crawler is READY again after a crawl that SUCCEEDED (call it after StartCrawler, which
    puts the crawler in RUNNING before it answers)."""
    glue = boto3.client("glue")

    def succeeded() -> bool:
        described = glue.get_crawler(Name=crawler)["Crawler"]
        return described["State"] == "READY" and (described.get("LastCrawl") or {}).get("Status") == "SUCCEEDED"

    return succeeded


def crawler_stopped(crawler: str) -> Callable[[], str | None]:
    """A ``failed`` callable for a crawl: the crawler does not exist, or it is READY again after a crawl that
    FAILED or was CANCELLED, with the crawl's ErrorMessage and its log group and stream (GetCrawler's
    ``LastCrawl``: AWS Glue API reference, "LastCrawlInfo structure")."""
    glue = boto3.client("glue")

    def why_not() -> str | None:
        try:
            described = glue.get_crawler(Name=crawler)["Crawler"]
        except glue.exceptions.EntityNotFoundException:
            return f"the crawler {crawler} does not exist: run the cell that creates it (create_crawler) first"
        last = described.get("LastCrawl") or {}
        if described["State"] != "READY" or last.get("Status") not in ("FAILED", "CANCELLED"):
            return None
        where = f"; open log group {last['LogGroup']}, stream {last['LogStream']}" if last.get("LogGroup") else ""
        return f"the crawl of {crawler} {last['Status']}: {last.get('ErrorMessage') or 'no ErrorMessage'}{where}"

    return why_not

