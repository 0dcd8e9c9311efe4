"""Records in a hose's buffer, and the failed ones in AWS's error record shapes.

Error documents are written one JSON object per line. Their shapes are AWS's documented ones:
``processing-failed`` (Lambda transformation: ``errorCode``, ``errorMessage``, ``lambdaArn``) and
``format-conversion-failed`` (``ErrorCode``, ``ErrorMessage``, ``sequenceNumber``,
``dataCatalogTable``). AWS documents no shape for dynamic partitioning failures: the emulator
writes them in the processing-failed shape, without ``lambdaArn``, under ``partitioning-failed``.
"""

from __future__ import annotations

import base64
import json
import time
from dataclasses import dataclass, field, replace
from typing import Any

PROCESSING, CONVERSION, PARTITIONING = "processing-failed", "format-conversion-failed", "partitioning-failed"


@dataclass(frozen=True)
class Record:
    data: bytes
    arrival: float  # epoch seconds, the approximate arrival timestamp
    raw: bytes = b""  # what the producer sent (before a Lambda transformation)
    sequence_number: str = ""  # the Kinesis record's, for a stream with a Kinesis source
    kinesis: dict[str, Any] = field(default_factory=dict)  # kinesisRecordMetadata, for the Lambda processor

    def transformed(self, data: bytes) -> Record:
        return replace(self, data=data, raw=self.raw or self.data)


@dataclass(frozen=True)
class Failure:
    record: Record
    code: str
    message: str
    attempts: int = 1
    lambda_arn: str = ""
    kind: str = PROCESSING
    catalog: dict[str, Any] = field(default_factory=dict)
    ended: float = field(default_factory=time.time)

    def document(self) -> dict[str, Any]:
        base = {"attemptsMade": self.attempts, "arrivalTimestamp": int(self.record.arrival * 1000)}
        ending = int(self.ended * 1000)
        if self.kind == CONVERSION:
            return {**base, "ErrorCode": self.code, "ErrorMessage": self.message, "attemptEndingTimestamp": ending,
                    "rawData": _b64(self.record.data), "sequenceNumber": self.record.sequence_number or None,
                    "subSequenceNumber": None, "dataCatalogTable": self.catalog}
        raw = self.record.raw or self.record.data if self.kind == PROCESSING else self.record.data
        document = {**base, "errorCode": self.code, "errorMessage": self.message, "attemptEndingTimestamp": ending,
                    "rawData": _b64(raw)}
        if self.lambda_arn:
            document["lambdaArn"] = self.lambda_arn
        return document


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def error_lines(failures: list[Failure]) -> bytes:
    return b"".join(json.dumps(f.document(), separators=(",", ":")).encode() + b"\n" for f in failures)
