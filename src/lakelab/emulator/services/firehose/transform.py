"""Lambda data transformation: records in, ``Ok`` / ``Dropped`` / ``ProcessingFailed`` out.

Records go to the function in batches of at most the processor's ``BufferSizeInMBs`` (1 MiB by
default), as the delivery stream's role. An invocation that errors is retried ``NumberOfRetries``
times (3 by default); then its whole batch fails with ``Lambda.FunctionError``. An answer that is
not the documented shape fails its batch with ``Lambda.JsonProcessingException``; a record the
answer leaves out fails with ``Lambda.MissingRecordId``, one it names twice with
``Lambda.DuplicatedRecordId``, one marked ``ProcessingFailed`` with ``Lambda.ProcessingFailedStatus``.
"""

from __future__ import annotations

import base64
import binascii
import json
import uuid
from dataclasses import dataclass
from typing import Any

from lakelab.emulator.services.firehose.records import Failure, Record


@dataclass
class Outcome:
    kept: list[Record]
    dropped: int
    failures: list[Failure]


def run(records: list[Record], lambda_arn: str, retries: int, batch_bytes: int, stream_arn: str,
        region: str, source_arn: str = "") -> Outcome:
    """``source_arn``: the Kinesis stream a KinesisStreamAsSource delivery stream reads."""
    outcome = Outcome([], 0, [])
    source = {"sourceKinesisStreamArn": source_arn} if source_arn else {}
    for batch in _batches(records, batch_bytes):
        _run_batch(batch, lambda_arn, retries, {"deliveryStreamArn": stream_arn, **source, "region": region}, outcome)
    return outcome


def _batches(records: list[Record], batch_bytes: int) -> list[list[Record]]:
    batches: list[list[Record]] = [[]]
    size = 0
    for record in records:
        if batches[-1] and size + len(record.data) > batch_bytes:
            batches.append([])
            size = 0
        batches[-1].append(record)
        size += len(record.data)
    return [batch for batch in batches if batch]


def _run_batch(batch: list[Record], lambda_arn: str, retries: int, about: dict[str, str], outcome: Outcome) -> None:
    by_id = {f"{index:020d}{uuid.uuid4().hex[:12]}": record for index, record in enumerate(batch)}
    event = {"invocationId": str(uuid.uuid4()), **about, "records": [_event_record(record_id, record)
                                                                     for record_id, record in by_id.items()]}
    attempts, answer = 0, None
    while attempts <= retries:
        attempts += 1
        answer, error = _invoke(lambda_arn, event)
        if error is None:
            break
    if error is not None:
        outcome.failures += [Failure(r, "Lambda.FunctionError", error, attempts, lambda_arn) for r in batch]
        return
    _read_answer(answer, by_id, lambda_arn, attempts, outcome)


def _event_record(record_id: str, record: Record) -> dict[str, Any]:
    found = {"recordId": record_id, "approximateArrivalTimestamp": int(record.arrival * 1000),
             "data": base64.b64encode(record.data).decode()}
    if record.kinesis:
        found["kinesisRecordMetadata"] = record.kinesis
    return found


def _invoke(lambda_arn: str, event: dict[str, Any]) -> tuple[Any, str | None]:
    from lakelab.emulator.services.awslambda import calls

    try:
        result = calls.invoke(lambda_arn, event)
    except Exception as error:  # an unknown function, say: AWS counts it an invocation failure
        return None, f"The Lambda function could not be invoked: {error}"
    if "FunctionError" in result:
        return None, ("The Lambda function was successfully invoked but it returned an error result: "
                      + result["Payload"].decode("utf-8", "replace")[:512])
    return result["Payload"], None


def _read_answer(payload: bytes, by_id: dict[str, Record], lambda_arn: str, attempts: int, outcome: Outcome) -> None:
    def fail_all(message: str) -> None:
        outcome.failures.extend(Failure(r, "Lambda.JsonProcessingException", message, attempts, lambda_arn)
                                for r in by_id.values())

    try:
        answered = json.loads(payload)["records"]
        assert isinstance(answered, list)
    except (ValueError, KeyError, TypeError, AssertionError):
        return fail_all("The Lambda function's answer is not {\"records\": [...]}")
    seen: set[str] = set()
    for item in answered:
        record = by_id.get(item.get("recordId")) if isinstance(item, dict) else None
        if record is None:
            continue
        if item["recordId"] in seen:
            outcome.failures.append(Failure(record, "Lambda.DuplicatedRecordId", "The record id was returned "
                                            "more than once", attempts, lambda_arn))
            continue
        seen.add(item["recordId"])
        _read_item(item, record, lambda_arn, attempts, outcome)
    for record_id, record in by_id.items():
        if record_id not in seen:
            outcome.failures.append(Failure(record, "Lambda.MissingRecordId", "The Lambda function did not return "
                                            "this record id", attempts, lambda_arn))


def _read_item(item: dict[str, Any], record: Record, lambda_arn: str, attempts: int, outcome: Outcome) -> None:
    result = item.get("result")
    if result == "Dropped":
        outcome.dropped += 1
    elif result == "Ok":
        try:
            outcome.kept.append(record.transformed(base64.b64decode(item.get("data", ""), validate=True)))
        except (binascii.Error, ValueError):
            outcome.failures.append(Failure(record, "Lambda.JsonProcessingException", "The record's data is "
                                            "not base64", attempts, lambda_arn))
    elif result == "ProcessingFailed":
        outcome.failures.append(Failure(record, "Lambda.ProcessingFailedStatus", "ProcessingFailed status set "
                                        "for record", attempts, lambda_arn))
    else:
        outcome.failures.append(Failure(record, "Lambda.JsonProcessingException", f"result {result!r} is not "
                                        "Ok, Dropped or ProcessingFailed", attempts, lambda_arn))
