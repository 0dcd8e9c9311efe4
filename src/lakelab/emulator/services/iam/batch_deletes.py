"""DeleteObjects as S3 authorizes it: key by key, inside one successful answer.

S3 checks ``s3:DeleteObject`` (or ``s3:DeleteObjectVersion``) for each key of a batch; the keys a
caller may not delete come back as ``<Error><Code>AccessDenied</Code>`` entries of a 200 answer,
and the others are deleted. Spark's S3 connector relies on it: it deletes the folder markers
above a file it wrote in one batch, some of which its role may not touch.

:func:`withhold_denied` takes the denied keys out of the request before moto reads it;
:func:`report_denied` adds them to moto's answer as AWS would have.
"""

from __future__ import annotations

import io
import xml.etree.ElementTree as ElementTree
from typing import Any
from xml.sax.saxutils import escape

from lakelab.emulator.context import AWS_SERVICE, ROOT, RequestContext
from lakelab.emulator.services.iam import enforcement
from lakelab.emulator.services.iam.s3_actions import object_arn

_CHECKSUM_HEADERS = ("HTTP_CONTENT_MD5", "HTTP_X_AMZ_CHECKSUM_CRC32", "HTTP_X_AMZ_CHECKSUM_CRC32C",
                     "HTTP_X_AMZ_CHECKSUM_SHA1", "HTTP_X_AMZ_CHECKSUM_SHA256", "HTTP_X_AMZ_CHECKSUM_CRC64NVME",
                     "HTTP_X_AMZ_SDK_CHECKSUM_ALGORITHM")


def applies(request: Any, ctx: RequestContext) -> bool:
    return (request.service == "s3" and ctx.principal.type not in (ROOT, AWS_SERVICE) and ctx.settings.enforce_iam
            and request.operation == "DeleteObjects")


def withhold_denied(environ: dict[str, Any], request: Any, ctx: RequestContext) -> list[str]:
    """Remove from the request's body the keys the caller may not delete; the keys removed."""
    try:
        root = ElementTree.fromstring(request.body)
    except ElementTree.ParseError:
        return []  # moto answers MalformedXML itself
    bucket, denied, kept = request.params.get("Bucket", ""), [], []
    for entry in [element for element in root if _local(element.tag) == "Object"]:
        key, version = _child(entry, "Key"), _child(entry, "VersionId")
        action = "s3:DeleteObjectVersion" if version else "s3:DeleteObject"
        allowed = enforcement.authorize(ctx.principal, action, object_arn(bucket, key)).allowed
        (kept if allowed else denied).append((key, version))
    if denied:
        _replace_body(environ, _batch(kept, _child(root, "Quiet")))
    return [key for key, _ in denied]


def _batch(entries: list[tuple[str, str]], quiet: str) -> bytes:
    """A DeleteObjects body of ``entries`` ((key, version id) pairs), in S3's namespace."""
    objects = "".join(f"<Object><Key>{escape(key)}</Key>" + (f"<VersionId>{escape(version)}</VersionId>" if version
                                                               else "") + "</Object>" for key, version in entries)
    quiet_element = f"<Quiet>{escape(quiet)}</Quiet>" if quiet else ""
    return f'<Delete xmlns="http://s3.amazonaws.com/doc/2006-03-01/">{objects}{quiet_element}</Delete>'.encode()


def report_denied(body: bytes, denied: list[str]) -> bytes:
    """moto's DeleteResult with an AccessDenied error per withheld key."""
    errors = "".join(f"<Error><Key>{escape(key)}</Key><Code>AccessDenied</Code><Message>Access Denied</Message>"
                     "</Error>" for key in denied)
    if b"</DeleteResult>" in body:
        return body.replace(b"</DeleteResult>", errors.encode() + b"</DeleteResult>", 1)
    return body


def _replace_body(environ: dict[str, Any], body: bytes) -> None:
    environ["wsgi.input"] = io.BytesIO(body)
    environ["CONTENT_LENGTH"] = str(len(body))
    for header in _CHECKSUM_HEADERS:  # the client's checksum was of the whole batch
        environ.pop(header, None)


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _child(entry: ElementTree.Element, name: str) -> str:
    found = next((child for child in entry if _local(child.tag) == name), None)
    return (found.text or "") if found is not None else ""
