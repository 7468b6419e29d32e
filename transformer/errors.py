"""Exceptions inside log text: Python tracebacks, Node/Java/.NET stack traces, Go panics."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final

_TYPE: Final = r"[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)*"
_EXCEPTION_LINE: Final = re.compile(rf"\s*({_TYPE})(?::[ \t]?(.*))?")
_LINE_BREAK: Final = re.compile(r"\r\n|\r|\n")
_PY_TRACEBACK: Final = "Traceback (most recent call last):"


@dataclass(frozen=True)
class ErrorInfo:
    type: str | None
    message: str | None
    stack_trace: str | None

    def fields(self) -> dict[str, str]:
        """The document's `error.*` fields, the empty ones left out."""
        found = {
            "error.type": self.type,
            "error.message": self.message,
            "error.stack_trace": self.stack_trace,
        }
        return {key: value for key, value in found.items() if value}


def _exception_line(line: str) -> tuple[str, str | None] | None:
    match = _EXCEPTION_LINE.fullmatch(line.rstrip())
    if match is None:
        return None
    return match.group(1), match.group(2)


def _is_frame(line: str) -> bool:
    stripped = line.lstrip()
    return stripped != line and stripped.startswith("at ")


def _python(lines: list[str], start: int) -> ErrorInfo:
    stack = "\n".join(lines[start:]).rstrip()
    for line in reversed(lines[start + 1 :]):
        if line and not line[0].isspace():
            found = _exception_line(line)
            if found:
                return ErrorInfo(found[0], found[1], stack)
            break
    # The runtime's own format puts the exception first: "KeyError: 'x'\nTraceback ...".
    for line in reversed(lines[:start]):
        found = _exception_line(line)
        if found:
            return ErrorInfo(found[0], found[1], stack)
    return ErrorInfo(None, None, stack)


def _frames(lines: list[str]) -> ErrorInfo | None:
    first = next((i for i, line in enumerate(lines) if _is_frame(line)), None)
    if first is None or first == 0:
        return None
    for header in range(first - 1, -1, -1):
        found = _exception_line(lines[header])
        if found:
            return ErrorInfo(found[0], found[1], "\n".join(lines[header:]).rstrip())
    return None


def extract_error(text: str) -> ErrorInfo | None:
    """The exception a multi-line message carries, or None. Single lines carry none."""
    if "\n" not in text and "\r" not in text:
        return None
    lines = _LINE_BREAK.split(text)
    for index, line in enumerate(lines):
        if line.strip() == _PY_TRACEBACK:
            return _python(lines, index)
    if text.startswith("panic: ") and "\ngoroutine " in text:
        return ErrorInfo("panic", lines[0][len("panic: ") :], text.rstrip())
    return _frames(lines)


def from_exception_text(text: str) -> ErrorInfo:
    """An exception string logged on its own (Powertools `exception`, a JSON `stack`)."""
    found = extract_error(text)
    if found is not None:
        return found
    first = _exception_line(_LINE_BREAK.split(text, maxsplit=1)[0])
    if first:
        return ErrorInfo(first[0], first[1], text.rstrip() or None)
    return ErrorInfo(None, None, text.rstrip() or None)
