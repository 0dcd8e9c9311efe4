"""Reading the option lists of COPY and UNLOAD, and the S3 access they do as their IAM role.

Both commands name an ``IAM_ROLE`` (or ``CREDENTIALS 'aws_iam_role=...'``); the role must be
associated with the cluster or namespace, and S3 is then read or written as a session of that role,
so the role's own IAM policy decides (https://docs.aws.amazon.com/redshift/latest/dg/copy-parameters-authorization.html).
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from lakelab.emulator import context, identity
from lakelab.emulator.services.redshift import dialect, targets
from lakelab.emulator.services.redshift.targets import Target

_TOKEN = re.compile(r"\s*(?:'((?:[^']|'')*)'|(\()|(\))|(,)|([A-Za-z_][\w$.]*)|(-?\d+(?:\.\d+)?))")


@dataclass
class Options:
    words: list[tuple[str, str]] = field(default_factory=list)  # (KEYWORD, argument or "")
    columns: list[str] = field(default_factory=list)  # PARTITION BY (...)

    def has(self, name: str) -> bool:
        return any(k == name for k, _ in self.words)

    def get(self, name: str, default: str = "") -> str:
        return next((v for k, v in self.words if k == name), default)


# Keywords that take an argument, and those that may (COPY and UNLOAD parameters, as AWS spells them).
_WITH_ARGUMENT = {"IAM_ROLE", "CREDENTIALS", "DELIMITER", "IGNOREHEADER", "NULL", "MAXERROR", "REGION", "QUOTE",
                  "DATEFORMAT", "TIMEFORMAT", "ACCESS_KEY_ID", "SECRET_ACCESS_KEY", "SESSION_TOKEN", "MAXFILESIZE",
                  "KMS_KEY_ID", "EXTENSION", "ROWGROUPSIZE", "ENCODING", "FIXEDWIDTH"}
_OPTIONAL_ARGUMENT = {"ACCEPTINVCHARS", "COMPUPDATE", "STATUPDATE", "JSON", "PARALLEL", "MANIFEST", "CSV"}
_OPTIONAL_WORDS = {"ON", "OFF", "PRESET", "TRUE", "FALSE", "VERBOSE"}
_FORMATS = {"CSV", "JSON", "PARQUET", "ORC", "AVRO", "FIXEDWIDTH", "SHAPEFILE"}


def parse(text: str) -> Options:
    tokens = _tokens(text)
    found = Options()
    index = 0
    while index < len(tokens):
        kind, value = tokens[index]
        if kind != "word":
            raise dialect.error(f'syntax error at or near "{value}"')
        word = value.upper()
        index += 1
        if word == "PARTITION":
            index = _partition_by(tokens, index, found)
            continue
        if word == "FORMAT":
            index = _skip_as(tokens, index)
            if index >= len(tokens) or tokens[index][1].upper() not in _FORMATS:
                raise dialect.error('syntax error at or near "FORMAT"')
            word, index = tokens[index][1].upper(), index + 1
        argument = ""
        if word in _WITH_ARGUMENT:
            index = _skip_as(tokens, index)
            if index >= len(tokens):
                raise dialect.error("syntax error at end of input")
            argument, index = tokens[index][1], index + 1
            if word == "MAXFILESIZE" and index < len(tokens) and tokens[index][1].upper() in ("MB", "GB"):
                argument, index = f"{argument} {tokens[index][1].upper()}", index + 1
        elif word in _OPTIONAL_ARGUMENT:
            probe = _skip_as(tokens, index)
            if probe < len(tokens) and (tokens[probe][0] in ("string", "number")
                                        or tokens[probe][1].upper() in _OPTIONAL_WORDS):
                argument, index = tokens[probe][1], probe + 1
        found.words.append((word, argument))
    return found


def _skip_as(tokens: list[tuple[str, str]], index: int) -> int:
    return index + 1 if index < len(tokens) and tokens[index][1].upper() == "AS" else index


def _tokens(text: str) -> list[tuple[str, str]]:
    found, position = [], 0
    text = text.rstrip().rstrip(";")
    while position < len(text.rstrip()):
        match = _TOKEN.match(text, position)
        if not match or match.end() == position:
            raise dialect.error(f'syntax error at or near "{text[position:].strip()[:20]}"')
        string, opening, closing, comma, word, number = match.groups()
        position = match.end()
        if string is not None:  # '\t' and '\\' as COPY and UNLOAD read them (DELIMITER '\t')
            text_value = string.replace("''", "'")
            found.append(("string", text_value.replace("\\t", "\t") if len(text_value) <= 2 else text_value))
        elif word is not None:
            found.append(("word", word))
        elif number is not None:
            found.append(("number", number))
        else:
            found.append(("punct", opening or closing or comma or ""))
    return [t for t in found if t != ("punct", ",")]


def _partition_by(tokens: list[tuple[str, str]], index: int, found: Options) -> int:
    if index >= len(tokens) or tokens[index][1].upper() != "BY":
        raise dialect.error('syntax error at or near "PARTITION"')
    index += 1
    if index >= len(tokens) or tokens[index][1] != "(":
        raise dialect.error('syntax error at or near "BY"')
    index += 1
    while index < len(tokens) and tokens[index][1] != ")":
        found.columns.append(tokens[index][1].strip('"').lower())
        index += 1
    index += 1
    if index < len(tokens) and tokens[index][1].upper() == "INCLUDE":
        found.words.append(("INCLUDE", ""))
        index += 1
    return index


def role_of(target: Target, found: Options, user: str) -> str:
    """The IAM role the command reads or writes S3 as (checked against the cluster's roles)."""
    role = found.get("IAM_ROLE")
    credentials = found.get("CREDENTIALS")
    if not role and credentials:
        matched = re.search(r"aws_iam_role=([^;]+)", credentials)
        role = matched.group(1) if matched else ""
    if not role:
        if found.has("ACCESS_KEY_ID") or "aws_access_key_id" in credentials:
            raise dialect.error("Access keys in COPY and UNLOAD are not supported by the Lake Labs emulator: "
                                "use IAM_ROLE")
        raise dialect.error("Missing authorization: give IAM_ROLE 'arn:aws:iam::<account>:role/<name>' or "
                            "IAM_ROLE default")  # worded here (unverified)
    try:
        return targets.role_allowed(target, role, user)
    except PermissionError as denied:
        raise dialect.StatementFailed(str(denied)) from None


@contextlib.contextmanager
def as_role(role: str) -> Iterator[None]:
    """S3 is read and written as a session of ``role``, invoked by Redshift."""
    session = identity.role_session(role, "RedshiftIamRoleSession", invoked_by="redshift.amazonaws.com")
    with context.acting_as(session, invoked_by="redshift.amazonaws.com"):
        yield


def s3_denied(location: str, denied: Exception) -> dialect.StatementFailed:
    return dialect.error(f"S3ServiceException:Access Denied,Status 403,Error AccessDenied,Rid lakelab "
                         f"({location}: {denied})")
