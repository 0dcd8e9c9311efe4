"""S3 object keys as Firehose names them: ``<evaluated prefix><stream>-<version>-<time>-<uuid><extension>``.

A prefix without a ``!{timestamp:...}`` expression gets the default ``yyyy/MM/dd/HH/`` (UTC)
appended, unless dynamic partitioning is on (its prefix is used as written). Timestamps are the
approximate arrival time of the oldest record in the object, in UTC or the
``CustomTimeZone``. ``!{firehose:random-string}`` is 11
random characters, ``!{firehose:error-output-type}`` the failure's kind (``processing-failed``,
``format-conversion-failed``, ``partitioning-failed`` in the emulator). A missing error prefix
means ``<error-output-type>/yyyy/MM/dd/HH/``.
"""

from __future__ import annotations

import datetime as dt
import random
import re
import string
import uuid

from lakelab.emulator.services.firehose import settings

_EXPRESSION = re.compile(r"!\{([A-Za-z]+):([^}]*)\}")
_JAVA_FIELDS = {"yyyy": "%Y", "uuuu": "%Y", "yy": "%y", "MM": "%m", "dd": "%d", "HH": "%H", "mm": "%M",
                "ss": "%S", "DDD": "%j"}
_TOKEN = re.compile(r"'[^']*'|[A-Za-z]+|[^A-Za-z']+")
DEFAULT_TIME = "yyyy/MM/dd/HH/"


def check(prefix: str) -> None:
    """Refuse, at create, a prefix the emulator could not evaluate."""
    for namespace, value in _EXPRESSION.findall(prefix):
        if namespace == "timestamp":
            java_to_strftime(value)
        elif namespace == "firehose" and value not in ("random-string", "error-output-type"):
            raise settings.refuse(f"!{{firehose:{value}}} is not a firehose namespace value "
                                  "(random-string or error-output-type)")
        elif namespace not in ("firehose", "timestamp", "partitionKeyFromQuery", "partitionKeyFromLambda"):
            raise settings.refuse(f"!{{{namespace}:...}} is not a prefix namespace")


def java_to_strftime(pattern: str) -> str:
    """A Java DateTimeFormatter pattern (the fields a prefix uses) as strftime's."""
    converted = ""
    for token in _TOKEN.findall(pattern):
        if token.startswith("'"):
            converted += token.strip("'").replace("%", "%%") or "'"
        elif token[0].isalpha():
            if token not in _JAVA_FIELDS:
                raise settings.refuse(f"!{{timestamp:{pattern}}}: the emulator knows the fields "
                                      f"{', '.join(_JAVA_FIELDS)}, not {token!r}")
            converted += _JAVA_FIELDS[token]
        else:
            converted += token.replace("%", "%%")
    return converted


def _local(epoch: float, time_zone: str) -> dt.datetime:
    import zoneinfo

    return dt.datetime.fromtimestamp(epoch, zoneinfo.ZoneInfo(time_zone))


def evaluate(prefix: str, oldest_arrival: float, partition: dict[str, str] | None = None,
             error_type: str = "", dynamic: bool = False, time_zone: str = "UTC") -> str:
    """``prefix`` with its expressions evaluated (the default time appended where AWS appends it)."""
    if not dynamic and "!{timestamp:" not in prefix:
        prefix += "!{timestamp:" + DEFAULT_TIME + "}"
    when = _local(oldest_arrival, time_zone)

    def replace(match: re.Match[str]) -> str:
        namespace, value = match.groups()
        if namespace == "timestamp":
            return when.strftime(java_to_strftime(value))
        if namespace == "firehose":
            return error_type if value == "error-output-type" else _random_string()
        return (partition or {})[value]

    return _EXPRESSION.sub(replace, prefix)


def error_prefix(destination: settings.Destination) -> str:
    return destination.error_prefix or "!{firehose:error-output-type}/!{timestamp:" + DEFAULT_TIME + "}"


def object_name(stream: str, version: str, oldest_arrival: float, extension: str, time_zone: str = "UTC") -> str:
    when = _local(oldest_arrival, time_zone)
    return f"{stream}-{version}-{when:%Y-%m-%d-%H-%M-%S}-{uuid.uuid4()}{extension}"


def _random_string() -> str:
    return "".join(random.choices(string.ascii_letters + string.digits, k=11))
