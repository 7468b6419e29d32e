"""Exceptions inside log text: Python tracebacks, Node/Java/.NET stack traces, Go panics."""

from __future__ import annotations

import re
from typing import Final, NamedTuple

_TYPE: Final = r"[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)*"
_EXCEPTION_LINE: Final = re.compile(rf"\s*({_TYPE})(?::[ \t]?(.*))?")
_LINE_BREAK: Final = re.compile(r"\r\n|\r|\n")
_PY_TRACEBACK: Final = "Traceback (most recent call last):"


class ErrorInfo(NamedTuple):
    type: str | None
    message: str | None
    stack_trace: str | None

    def fields(self) -> dict[str, str]:
        """The document's `error.*` fields, the empty ones left out."""
        found: dict[str, str] = {}
        if self.type:
            found["error.type"] = self.type
        if self.message:
            found["error.message"] = self.message
        if self.stack_trace:
            found["error.stack_trace"] = self.stack_trace
        return found


def _exception_line(line: str) -> tuple[str, str | None] | None:
    match = _EXCEPTION_LINE.fullmatch(line.rstrip())
    if match is None:
        return None
    return match.group(1), match.group(2)


def _python(lines: list[str], start: int) -> ErrorInfo:
    stack = "\n".join(lines[start:]).rstrip()
    for line in reversed(lines[start + 1 :]):
        if line and not line[0].isspace():
            found = _exception_line(line)
            if found:
                return ErrorInfo(found[0], found[1], stack)
            break
    # The runtime's own format puts the exception first: "KeyError: 'x'\nTraceback ...", or its
    # type alone, or its message alone when it has no type (awslambdaric bootstrap.log_error).
    header: str | None = None
    for line in reversed(lines[:start]):
        found = _exception_line(line)
        if found:
            return ErrorInfo(found[0], found[1], stack)
        header = header or line.strip() or None
    return ErrorInfo(None, header, stack)


def _frames(lines: list[str]) -> ErrorInfo | None:
    first = 0
    for line in lines:
        stripped = line.lstrip()
        if stripped != line and stripped.startswith("at "):  # an indented "at …" frame
            break
        first += 1
    if first == 0 or first == len(lines):
        return None
    for header in range(first - 1, -1, -1):
        found = _exception_line(lines[header])
        if found:
            return ErrorInfo(found[0], found[1], "\n".join(lines[header:]).rstrip())
    return None


def _lines(text: str) -> list[str]:
    return _LINE_BREAK.split(text) if "\r" in text else text.split("\n")


def extract_error(text: str) -> ErrorInfo | None:
    """The exception a multi-line message carries, or None. Single lines carry none."""
    if "\n" not in text and "\r" not in text:
        return None
    if _PY_TRACEBACK in text:
        lines = _lines(text)
        for index, line in enumerate(lines):
            if line.strip() == _PY_TRACEBACK:
                return _python(lines, index)
    if text.startswith("panic: ") and "\ngoroutine " in text:
        return ErrorInfo("panic", _lines(text)[0][len("panic: ") :], text.rstrip())
    if "at " not in text:  # no stack frame: "   at …" (Node.js, Java, .NET)
        return None
    return _frames(_lines(text))


def from_exception_text(text: str) -> ErrorInfo:
    """An exception string logged on its own (Powertools `exception`, a JSON `stack`)."""
    found = extract_error(text)
    if found is not None:
        return found
    first = _exception_line(_LINE_BREAK.split(text, maxsplit=1)[0])
    if first:
        return ErrorInfo(first[0], first[1], text.rstrip() or None)
    return ErrorInfo(None, None, text.rstrip() or None)
