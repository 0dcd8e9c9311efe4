"""S3 compression formats: GZIP, ZIP (one entry), Snappy (the framing format) and HADOOP_SNAPPY.

Snappy blocks come from pyarrow's codec; the framing format around them (stream identifier,
chunks of at most 64 KiB with a masked CRC-32C of the uncompressed bytes) is written here, so
``python-snappy``'s ``StreamDecompressor`` and Hadoop-style readers read the objects back.
"""

from __future__ import annotations

import gzip
import io
import struct
import zipfile

_CHUNK = 65536
_STREAM_IDENTIFIER = b"\xff\x06\x00\x00sNaPpY"


def compress(data: bytes, compression: str, entry_name: str = "data") -> bytes:
    if compression == "UNCOMPRESSED":
        return data
    if compression == "GZIP":
        return gzip.compress(data, compresslevel=6)
    if compression == "ZIP":
        archive = io.BytesIO()
        with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as files:
            files.writestr(entry_name, data)
        return archive.getvalue()
    if compression == "Snappy":
        return snappy_framed(data)
    if compression == "HADOOP_SNAPPY":
        return hadoop_snappy(data)
    raise ValueError(f"unknown compression {compression!r}")


def _snappy_block(data: bytes) -> bytes:
    import pyarrow

    return pyarrow.Codec("snappy").compress(data, asbytes=True)


def snappy_framed(data: bytes) -> bytes:
    out = [_STREAM_IDENTIFIER]
    for start in range(0, len(data), _CHUNK):
        chunk = data[start:start + _CHUNK]
        body = struct.pack("<I", _masked_crc32c(chunk)) + _snappy_block(chunk)
        out.append(b"\x00" + len(body).to_bytes(3, "little") + body)
    return b"".join(out)


def snappy_unframed(framed: bytes) -> bytes:
    """The bytes a framed Snappy object holds (tests read objects back with it)."""
    import pyarrow

    position, out = len(_STREAM_IDENTIFIER), []
    while position < len(framed):
        kind, length = framed[position], int.from_bytes(framed[position + 1:position + 4], "little")
        body = framed[position + 4:position + 4 + length]
        if kind == 0x00:
            block = body[4:]
            out.append(pyarrow.Codec("snappy").decompress(block, decompressed_size=_snappy_length(block),
                                                          asbytes=True))
        elif kind == 0x01:
            out.append(body[4:])
        position += 4 + length
    return b"".join(out)


def _snappy_length(block: bytes) -> int:
    """A raw Snappy block starts with its uncompressed length as a varint."""
    value = shift = 0
    for byte in block:
        value |= (byte & 0x7F) << shift
        if byte < 0x80:
            return value
        shift += 7
    raise ValueError("truncated snappy block")


def hadoop_snappy(data: bytes) -> bytes:
    out = []
    for start in range(0, len(data), _CHUNK):
        chunk = data[start:start + _CHUNK]
        block = _snappy_block(chunk)
        out.append(struct.pack(">II", len(chunk), len(block)) + block)
    return b"".join(out)


def _crc32c_table() -> list[int]:
    table = []
    for n in range(256):
        crc = n
        for _ in range(8):
            crc = (crc >> 1) ^ 0x82F63B78 if crc & 1 else crc >> 1
        table.append(crc)
    return table


_TABLE = _crc32c_table()


def crc32c(data: bytes) -> int:
    crc = 0xFFFFFFFF
    for byte in data:
        crc = _TABLE[(crc ^ byte) & 0xFF] ^ (crc >> 8)
    return crc ^ 0xFFFFFFFF


def _masked_crc32c(data: bytes) -> int:
    crc = crc32c(data)
    return (((crc >> 15) | (crc << 17)) + 0xA282EAD8) & 0xFFFFFFFF
