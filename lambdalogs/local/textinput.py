"""The text of a log file a line at a time: UTF-8, UTF-16 (PowerShell's `>` writes it, with a
BOM) or UTF-8 with stray Latin-1 bytes (kept as escapes)."""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

from lambdalogs.console import Progress
from lambdalogs.errors import InputError

_SHOW_PROGRESS_FROM: Final = 1 << 20  # bytes; smaller files are read before anyone looks
FORMAT_HINT: Final = (
    "pass the output of `aws logs filter-log-events`, `aws logs tail` or `sam logs`, a Logs "
    "Insights export, a CloudWatch Logs export (.gz) or a folder of them, or plain log lines "
    "with --log-group"
)


@dataclass
class Source:
    """One input's lines (newlines kept, CRLF read as LF), and where they come from."""

    name: str
    path: Path | None
    lines: Iterator[str]
    encoding: str
    replaced: list[int] = field(default_factory=lambda: [0])


def encoding_of(head: bytes) -> str:
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf-16"
    if head.startswith(b"\xef\xbb\xbf"):
        return "utf-8-sig"
    if len(head) >= 4 and head[1] == 0 and head[3] == 0 and head[0] and head[2]:
        return "utf-16-le"  # UTF-16 without its BOM: every other byte of ASCII text is zero
    return "utf-8"


def lines(
    stream: io.BufferedReader[Any], encoding: str, name: str, size: int | None
) -> Iterator[str]:
    """The decoded lines, lazily; bytes that are not text in `encoding` (Latin-1 in a UTF-8 file)
    are kept as `\\xNN` escapes; progress in KiB on stderr for large or piped input."""
    text = io.TextIOWrapper(stream, encoding=encoding, errors="backslashreplace", newline=None)
    enabled = size is None or size > _SHOW_PROGRESS_FROM
    progress = Progress(
        f"reading {name}",
        size // 1024 if size else None,
        unit="KiB",
        interval=1.0,
        enabled=enabled,
    )
    reported = read = 0
    try:
        for number, line in enumerate(text):
            read += len(line)
            if number % 1024 == 0:
                kib = _position(stream, read) // 1024
                progress.advance(kib - reported)
                reported = kib
            yield line
        progress.advance(max(_position(stream, read) // 1024 - reported, 0))
    except OSError as error:
        raise InputError(f"cannot read {name}: {error}") from error
    finally:
        text.close()
    progress.finish()


def _position(stream: io.BufferedReader[Any], characters: int) -> int:
    """Bytes read so far: the file's position, or the characters read from a pipe."""
    try:
        return stream.tell()
    except OSError:
        return characters
