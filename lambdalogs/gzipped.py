"""The one gzip check of the command line: local log files and backup objects alike."""

from __future__ import annotations

import gzip
import zlib
from typing import Final

from lambdalogs.errors import InputError

MAGIC: Final = b"\x1f\x8b"


def is_gzip(data: bytes) -> bool:
    return data[:2] == MAGIC


def gunzip(data: bytes, *, damaged: str) -> bytes:
    """`data` decompressed when it is gzip, else as it is; damaged gzip raises InputError with
    the message `damaged` (what it is and what to do) and the cause."""
    if not is_gzip(data):
        return data
    try:
        return gzip.decompress(data)
    except (OSError, EOFError, zlib.error) as error:
        raise InputError(f"{damaged} ({error})") from None
