"""The last failure of the learner's own code, read back from where AWS reports it, for a check's message.

A check whose outcome depends on code AWS ran for the learner (a Lambda handler, a Glue job) only sees
the missing outcome; this module finds the cause and words it as a short text: the last error line,
up to ``TRACE_LINES`` lines of its traceback, and the log group and stream to open.

- **Lambda** writes to the log group ``/aws/lambda/<function>``, one stream per execution environment
  (Lambda developer guide: "Working with Lambda function logs"). The Python runtime logs an uncaught
  exception as one event, ``[ERROR] <type>: <message>`` followed by ``Traceback (most recent call last):``
  and the frames (indented with no-break spaces); ``logging.error``/``exception`` lines start with
  ``[ERROR]\\t<time>\\t<request id>``; a timeout is ``... Task timed out after N.00 seconds``; a crashed
  runtime ``RequestId: ... Error: Runtime exited ...`` (Lambda developer guide: "AWS Lambda function errors
  in Python", https://docs.aws.amazon.com/lambda/latest/dg/python-exceptions.html, and "Log and monitor
  Python Lambda functions"; the no-break-space indent and the exit lines as the emulator's runtime writes
  them, unverified against a live account). With the JSON log format the same
  error is a record with ``"level": "ERROR"``, ``errorType``, ``errorMessage`` and ``stackTrace``.
- **Glue** reports a failed run's ``ErrorMessage`` in GetJobRun/GetJobRuns, and writes the script's
  traceback to CloudWatch Logs: Spark jobs on Glue 5.0 in ``/aws-glue/jobs/output`` (stdout and stderr
  together) and Spark's own log in ``/aws-glue/jobs/error``, streams ``<run id>-driver``; older Spark
  jobs and Python shell jobs put stderr in ``/aws-glue/jobs/error`` or ``/aws-glue/python-jobs/error``,
  stream ``<run id>`` (AWS Glue developer guide: "Logging for AWS Glue jobs"). Both groups are read.

Reading is best effort: a missing log group or an unreadable answer gives ``None``, never an exception,
so a check's own message is never replaced by a traceback from the kit.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timezone

import boto3
from botocore.exceptions import BotoCoreError, ClientError

TRACE_LINES = 8  # the last lines of a traceback shown: the frames nearest the error are the learner's
STREAMS_READ = 5  # Lambda: the most recently written streams (execution environments) looked at
EVENTS_READ = 2000  # per stream, newest first
GLUE_FAILED = ("FAILED", "ERROR", "TIMEOUT")
_NBSP = "\u00a0"
_FILE_DIRECTORY = re.compile(r'File "[^"]*/(?=[^"/]+")')
_TIMEOUT = re.compile(r"Task timed out after [\d.]+ seconds")
_RUNTIME_EXIT = re.compile(r"Runtime exited")  # the reason; a bare "Runtime.ExitError" line follows it
_EXCEPTION_LINE = re.compile(r"^[A-Za-z_][\w.]*(Error|Exception|Exit|Interrupt|Warning|Fault)\b.*|^\w+Error:.*")


@dataclass
class Failure:
    """One failure of the learner's code: what it said, and where to read the rest."""

    error: str  # the last error line: "ValueError: no rows", "Task timed out after 3.00 seconds", an ErrorMessage
    trace: list[str] = field(default_factory=list)  # up to TRACE_LINES lines of traceback, stripped of indents
    group: str = ""
    stream: str = ""
    timestamp: int | None = None  # milliseconds since the epoch, when the error was logged
    note: str = ""  # a sentence about when it happened (an earlier deploy, say)

    def text(self) -> str:
        """``<error>`` / the traceback's last lines / ``open log group G, stream S``, one string for ``found:``."""
        parts = [self.error]
        if self.trace:
            parts.append(" | ".join(self.trace))
        if self.group.startswith("s3://"):  # an object in S3: ``stream`` names what it is
            parts.append(f"read {self.stream or 'the object'} {self.group}")
        elif self.group:
            parts.append(f"open log group {self.group}" + (f", stream {self.stream}" if self.stream else ""))
        if self.note:
            parts.append(self.note)
        return "; ".join(parts)

    def __str__(self) -> str:
        return self.text()


def lambda_log_group(function: str) -> str:
    return f"/aws/lambda/{function}"


def lambda_failure(function: str, *, ignore: Iterable[str] = (), since: datetime | None = None) -> Failure | None:
    """The last error the function logged (``None`` if none): its handler's exception with the traceback's last
    lines, a ``logging.error`` line, a timeout or a crashed runtime, with the group and stream it is in.

    ``ignore``: substrings of errors that are the exercise's expected behaviour (a record rejected on purpose).
    ``since``: errors logged before are left out (a previous attempt's). The failure's ``note`` says when it
    predates the function's last deploy, so the learner knows it came from earlier code."""
    group, ignored = lambda_log_group(function), tuple(ignore)
    logs = boto3.client("logs")
    try:
        streams = logs.describe_log_streams(logGroupName=group, orderBy="LastEventTime", descending=True,
                                            limit=STREAMS_READ)["logStreams"]
    except (ClientError, BotoCoreError):
        return None
    since_ms = int(since.timestamp() * 1000) if since else None
    found: Failure | None = None
    for stream in streams:
        if found and (stream.get("lastEventTimestamp") or 0) < (found.timestamp or 0):
            continue
        try:
            events = logs.get_log_events(logGroupName=group, logStreamName=stream["logStreamName"],
                                         startFromHead=False, limit=EVENTS_READ)["events"]
        except (ClientError, BotoCoreError):
            continue
        failure = _last_lambda_error(events, ignored, since_ms)
        if failure and (found is None or (failure.timestamp or 0) > (found.timestamp or 0)):
            failure.group, failure.stream = group, stream["logStreamName"]
            found = failure
    if found:
        found.note = _deployed_since(function, found.timestamp)
    return found


def _last_lambda_error(events: list[dict], ignored: tuple[str, ...], since_ms: int | None) -> Failure | None:
    messages = [(event.get("timestamp", 0), event.get("message", "")) for event in events]
    for index in range(len(messages) - 1, -1, -1):
        stamp, message = messages[index]
        if since_ms is not None and stamp < since_ms:
            return None
        failure = _lambda_error(message, [m for _, m in messages[index + 1:index + 1 + 3 * TRACE_LINES]])
        if failure and not any(word in message for word in ignored):
            failure.timestamp = stamp
            return failure
    return None


def _lambda_error(message: str, following: list[str]) -> Failure | None:
    """The failure one log event describes, if it is an error (``following``: the events after it, for a
    traceback printed line by line to stderr)."""
    text = message.rstrip("\n")
    record = _json_record(text)
    if record is not None:
        if str(record.get("level", "")).upper() not in ("ERROR", "FATAL") and "errorType" not in record:
            return None
        error = ": ".join(str(record[key]) for key in ("errorType", "errorMessage") if record.get(key))
        trace = [line for frame in record.get("stackTrace") or [] for line in str(frame).splitlines()]
        return Failure(error or str(record.get("message", text))[:300], _tail(trace))
    lines = [line.replace(_NBSP, " ") for line in text.splitlines()]
    if not lines:
        return None
    first = lines[0]
    if first.startswith("[ERROR]"):
        head = first[len("[ERROR]"):].strip()
        if "\t" in head:  # logging.error: "[ERROR]\t<time>\t<request id>\t<message>"
            head = head.split("\t")[-1].strip()
        trace = lines[1:]
        if trace and trace[0].startswith("Traceback"):
            trace = trace[1:]
        exception = next((line.strip() for line in reversed(trace) if _EXCEPTION_LINE.match(line.strip())), "")
        if exception and not head:
            head = exception
        return Failure(head or "an [ERROR] line", _tail([line for line in trace if line.strip() != head]))
    if _TIMEOUT.search(first):
        return Failure(_TIMEOUT.search(first).group(0) + " (the function's Timeout setting)")
    if _RUNTIME_EXIT.search(first):
        return Failure(first.split("Error: ", 1)[-1] if "Error: " in first else first)
    traceback_at = next((i for i, line in enumerate(lines) if line.startswith("Traceback (most recent call last)")),
                        None)
    if traceback_at is not None:  # printed by traceback.print_exc(): one event, or one event per line
        trace = lines[traceback_at + 1:] or [line.replace(_NBSP, " ") for line in following]
        end = next((i for i, line in enumerate(trace) if line and not line[0].isspace()), None)
        error = trace[end].strip() if end is not None else "a traceback"
        return Failure(error, _tail(trace[:end] if end is not None else trace))
    return None


def _json_record(text: str) -> dict | None:
    if not text.startswith("{"):
        return None
    try:
        record = json.loads(text)
    except ValueError:
        return None
    return record if isinstance(record, dict) else None


def _tail(lines: list[str]) -> list[str]:
    """The last lines of a traceback, without indents, carets or the directories of file names."""
    kept = [_FILE_DIRECTORY.sub('File "', line.strip()) for line in lines
            if line.strip(" ^~") and not line.strip().startswith('File "<frozen ')]  # the runner's, not yours
    return kept[-TRACE_LINES:]


def _deployed_since(function: str, logged_ms: int | None) -> str:
    """A note when the function's code changed after the error was logged: the error is an earlier deploy's."""
    if logged_ms is None:
        return ""
    try:
        config = boto3.client("lambda").get_function_configuration(FunctionName=function)
    except (ClientError, BotoCoreError):
        return ""
    modified = _lambda_time(config.get("LastModified", ""))
    if modified is None or modified.timestamp() * 1000 <= logged_ms:
        return ""
    return (f"this error was logged before the function's last deploy ({config['LastModified']}): it came from the "
            "earlier code; run the cell that lands the files again to run the current one")


def _lambda_time(value: str) -> datetime | None:
    """Lambda's LastModified, ``2026-12-06T20:07:36.000+0000`` (UTC; sub-second digits vary)."""
    try:
        whole = datetime.strptime(value[:19], "%Y-%m-%dT%H:%M:%S").replace(tzinfo=timezone.utc)
    except ValueError:
        return None
    fraction = re.match(r"\.(\d+)", value[19:])
    return whole.replace(microsecond=int(fraction.group(1)[:6].ljust(6, "0"))) if fraction else whole


def glue_failure(job: str, run_id: str | None = None) -> Failure | None:
    """Why the job's last run (or the run ``run_id``) failed, ``None`` if it did not: Glue's ErrorMessage, and
    the last lines of the traceback the script left in the job's log groups, with the group and stream."""
    glue = boto3.client("glue")
    try:
        if run_id:
            run = glue.get_job_run(JobName=job, RunId=run_id)["JobRun"]
        else:
            runs = glue.get_job_runs(JobName=job, MaxResults=10)["JobRuns"]
            run = max(runs, key=lambda r: r["StartedOn"]) if runs else None
        spec = glue.get_job(JobName=job)["Job"].get("Command", {})
        command, script = spec.get("Name", "glueetl"), spec.get("ScriptLocation", "").rsplit("/", 1)[-1]
    except (ClientError, BotoCoreError):
        return None
    if not run or run.get("JobRunState") not in GLUE_FAILED:
        return None
    base = "/aws-glue/python-jobs" if command == "pythonshell" else "/aws-glue/jobs"
    error = f"run {run['Id']} {run['JobRunState']}: {run.get('ErrorMessage') or 'no ErrorMessage'}"
    failure = Failure(error, group=f"{base}/error", stream=run["Id"])
    for group in (f"{base}/output", f"{base}/error"):  # Glue 5.0 Spark: the traceback is with stdout
        found = _glue_traceback(group, run["Id"])
        if found:
            failure.trace, failure.group, failure.stream = found
            if failure.trace and failure.trace[-1] in error:  # the exception line is the ErrorMessage already
                failure.trace.pop()
            first = next((i for i, line in enumerate(failure.trace) if script and f'File "{script}"' in line), 0)
            failure.trace = failure.trace[first:]  # from the script's first frame: the runner's are not the learner's
            break
    else:
        streams = _glue_streams(f"{base}/error", run["Id"])
        if streams:
            failure.stream = streams[0]
    return failure


def _glue_streams(group: str, run_id: str) -> list[str]:
    try:
        listed = boto3.client("logs").describe_log_streams(logGroupName=group, logStreamNamePrefix=run_id)
    except (ClientError, BotoCoreError):
        return []
    return sorted((s["logStreamName"] for s in listed["logStreams"]), key=lambda name: (not name.endswith("-driver"),
                                                                                           name))


def _glue_traceback(group: str, run_id: str) -> tuple[list[str], str, str] | None:
    logs = boto3.client("logs")
    for stream in _glue_streams(group, run_id)[:3]:
        try:
            events = logs.get_log_events(logGroupName=group, logStreamName=stream, startFromHead=False,
                                         limit=EVENTS_READ)["events"]
        except (ClientError, BotoCoreError):
            continue
        lines = [line for event in events for line in event.get("message", "").splitlines()]
        starts = [i for i, line in enumerate(lines) if line.startswith("Traceback (most recent call last)")]
        if starts:
            trace = lines[starts[-1] + 1:]
            end = next((i for i, line in enumerate(trace) if line and not line[0].isspace()), None)
            return _tail(trace[:end + 1] if end is not None else trace), group, stream
    return None



def emr_serverless_failure(application_id: str) -> Failure | None:
    """Why the application's newest job run failed (``None`` if it did not): its ``stateDetails``, and the last
    lines of the traceback in the driver's ``stderr.gz``, which EMR Serverless writes under the run's S3 logUri at
    ``applications/<app>/jobs/<run>/SPARK_DRIVER/stderr.gz`` (EMR Serverless user guide: "Logging and monitoring",
    "Storing logs in Amazon S3")."""
    import gzip

    emr = boto3.client("emr-serverless")
    try:
        listed = emr.list_job_runs(applicationId=application_id)["jobRuns"]
        newest = max(listed, key=lambda run: run["createdAt"]) if listed else None
        if not newest or newest["state"] != "FAILED":
            return None
        run = emr.get_job_run(applicationId=application_id, jobRunId=newest["id"])["jobRun"]
    except (ClientError, BotoCoreError):
        return None
    failure = Failure(f"run {run['jobRunId']} FAILED: {run.get('stateDetails') or 'no stateDetails'}")
    monitoring = run.get("configurationOverrides", {}).get("monitoringConfiguration", {})
    log_uri = monitoring.get("s3MonitoringConfiguration", {}).get("logUri", "")
    if not log_uri.startswith("s3://"):
        return failure
    bucket, _, prefix = log_uri[len("s3://"):].partition("/")
    key = f"{prefix.rstrip('/') + '/' if prefix.strip('/') else ''}applications/{application_id}/jobs/" \
          f"{run['jobRunId']}/SPARK_DRIVER/stderr.gz"
    failure.group, failure.stream = f"s3://{bucket}/{key}", "the driver's log"
    try:
        text = gzip.decompress(boto3.client("s3").get_object(Bucket=bucket, Key=key)["Body"].read()).decode("utf-8")
    except (ClientError, BotoCoreError, OSError, UnicodeDecodeError):
        return failure
    lines = text.splitlines()
    starts = [i for i, line in enumerate(lines) if line.startswith("Traceback (most recent call last)")]
    if starts:
        trace = lines[starts[-1] + 1:]
        end = next((i for i, line in enumerate(trace) if line and not line[0].isspace()), None)
        failure.trace = _tail(trace[:end + 1] if end is not None else trace)
    return failure


def firehose_failure(delivery_stream: str) -> Failure | None:
    """Why a delivery stream's records failed (``None`` if nothing says so): the transformation function's last
    error when a Lambda processor is configured, else the newest record Firehose wrote under the destination's
    ErrorOutputPrefix, with its errorCode and errorMessage (Firehose developer guide: "Handle data transformation
    failure", "Handle errors in dynamic partitioning", "Data format conversion error handling")."""
    try:
        described = boto3.client("firehose").describe_delivery_stream(
            DeliveryStreamName=delivery_stream)["DeliveryStreamDescription"]
    except (ClientError, BotoCoreError):
        return None
    destination = next(iter(described.get("Destinations") or []), {}).get("ExtendedS3DestinationDescription") or {}
    processing = destination.get("ProcessingConfiguration") or {}
    for processor in processing.get("Processors") or [] if processing.get("Enabled") else []:
        if processor.get("Type") != "Lambda":
            continue
        arn = next((p["ParameterValue"] for p in processor.get("Parameters", []) if p["ParameterName"] == "LambdaArn"),
                   "")
        failure = lambda_failure(arn.split(":")[6]) if arn.count(":") >= 6 else None
        if failure:
            failure.error = f"the transformation function failed: {failure.error}"
            return failure
    bucket = destination.get("BucketARN", "").rsplit(":", 1)[-1]
    prefix = (destination.get("ErrorOutputPrefix") or "").split("!{", 1)[0]
    # Without an ErrorOutputPrefix, Firehose writes failed records under <error output type>/YYYY/MM/dd/HH/
    prefixes = [prefix] if prefix else list(FIREHOSE_ERROR_FOLDERS)
    found = [failure for folder in prefixes if bucket and (failure := _newest_error_record(bucket, folder))]
    return max(found, key=lambda failure: failure.timestamp or 0) if found else None


FIREHOSE_ERROR_FOLDERS = ("processing-failed/", "format-conversion-failed/", "partitioning-failed/")


def _newest_error_record(bucket: str, prefix: str) -> Failure | None:
    s3 = boto3.client("s3")
    try:
        pages = s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix)
        items = [item for page in pages for item in page.get("Contents", [])]
        if not items:
            return None
        newest = max(items, key=lambda item: item["LastModified"])
        body = s3.get_object(Bucket=bucket, Key=newest["Key"])["Body"].read().decode("utf-8", errors="replace")
    except (ClientError, BotoCoreError):
        return None
    for line in reversed(body.splitlines()):
        record = _json_record(line.strip())
        if record and (record.get("errorCode") or record.get("errorMessage")):
            error = ": ".join(str(record[key]) for key in ("errorCode", "errorMessage") if record.get(key))
            return Failure(error, group=f"s3://{bucket}/{newest['Key']}", stream="the error record",
                           timestamp=int(newest["LastModified"].timestamp() * 1000))
    return None
