"""`error.fingerprint`: one short id per kind of error, the same across requests and deploys.

The fingerprint hashes three things, in this order:

1. `error.type` (`KeyError`, `Runtime.ImportModuleError`, `java.lang.IllegalStateException`);
2. `error.message` normalised: what changes from one request to the next is replaced by a
   placeholder: UUIDs, hexadecimal numbers and long hex runs, ids (long tokens mixing letters and
   digits), quoted values other than code identifiers (`'SKU-0091'` → `<str>`, `'customer_id'`
   kept: a different missing key is a different bug), and then every number (ports, durations,
   addresses, counts, dates). Whitespace is collapsed, and only the first
   `MESSAGE_CHARS` characters count;
3. the `FRAMES` innermost stack frames, each as `<file>:<function>` (Python, Node.js, Java,
   .NET, Go and Ruby frame lines), with **no line or column numbers**: a deploy that edits a file
   moves the lines of every frame below the edit, and the error is still the same error. The
   file is its last two path segments, ids and numbers normalised as in the message (a bundler's
   content hash in `main.3f9a1c2e.js`, a temporary directory).

A function name, request id or account is not part of it: the same error in two functions is one
fingerprint whose panel row lists both. `VERSION` is hashed too, so that a change of these rules
is one deliberate change of every fingerprint. The result is the first 16 hex digits of the
SHA-256 (64 bits: a collision between two of a deployment's error kinds is not a practical
concern).
"""

from __future__ import annotations

import hashlib
import re
from typing import Final

from transformer.types import Fields

FIELD: Final = "error.fingerprint"
VERSION: Final = "fp1"
FRAMES: Final = 3
MESSAGE_CHARS: Final = 1000
HEX_DIGITS: Final = 16
CACHE_ENTRIES: Final = 1024
_CACHE: dict[tuple[str, str, str], str] = {}
_FRAMES_CACHE: dict[str, list[str]] = {}

_UUID: Final = re.compile(r"\b[0-9a-fA-F]{8}-(?:[0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}\b")
_HEX_NUMBER: Final = re.compile(r"\b0[xX][0-9a-fA-F]+\b")
_HEX_RUN: Final = re.compile(r"\b(?=[0-9a-fA-F]*\d)(?=[0-9a-fA-F]*[a-fA-F])[0-9a-fA-F]{8,}\b")
_ID_TOKEN: Final = re.compile(r"\b(?=[\w-]*\d)(?=[\w-]*[A-Za-z])[\w-]{16,}\b")
_QUOTED: Final = re.compile(r"'([^'\n]{0,200})'|\"([^\"\n]{0,200})\"")
_IDENTIFIER: Final = re.compile(r"[A-Za-z_][A-Za-z_.$]{0,63}")
_NUMBER: Final = re.compile(r"\d+")
_SPACE: Final = re.compile(r"\s+")
_VARYING: Final = re.compile(r"[\d'\"]")

# Frame lines: (file, function). Python lists the innermost frame last, the others first.
_PYTHON_FRAME: Final = re.compile(r'^\s*File "([^"]+)", line \d+, in (\S+)', re.M)
_LINE_COLUMN: Final = re.compile(r"(?::\d+)+$")
_GO_FRAME: Final = re.compile(r"^([\w./*()-]+)\([^)\n]*\)\n\t(\S+?):\d+", re.M)
_RUBY_FRAME: Final = re.compile(r"^\s*(?:from )?(/\S+?):\d+:in [`'](.+?)'", re.M)


def _unquoted(match: re.Match[str]) -> str:
    value = match.group(1) if match.group(1) is not None else match.group(2)
    return match.group(0) if _IDENTIFIER.fullmatch(value) else "<str>"


def normalise(text: str) -> str:
    """`text` with what varies between requests replaced by placeholders (see the module)."""
    text = text[:MESSAGE_CHARS]
    if _VARYING.search(text) is None:  # no digit, no quote: nothing to replace (most names)
        return " ".join(text.split())
    text = _UUID.sub("<uuid>", text)
    text = _HEX_NUMBER.sub("<hex>", text)
    text = _HEX_RUN.sub("<hex>", text)
    text = _QUOTED.sub(_unquoted, text)
    text = _ID_TOKEN.sub("<id>", text)
    text = _NUMBER.sub("<n>", text)
    return _SPACE.sub(" ", text).strip()


def _file(path: str) -> str:
    path = path.removeprefix("file://").replace("\\", "/")
    return normalise("/".join(path.rsplit("/", 2)[-2:]))


def _at_frame(text: str) -> str | None:
    """`<file>:<function>` of one `at …` frame (Node.js, Java, .NET), or None."""
    text = text.removeprefix("async ")
    if " in " in text and ":line " in text:  # .NET: at N.C.M(args) in /src/C.cs:line 41
        call, _, where = text.rpartition(" in ")
        return f"{_file(where.rpartition(':line ')[0])}:{normalise(call.partition('(')[0])}"
    if text.endswith(")") and " (" in text:  # Node.js: at name [as x] (/path/f.js:1:2)
        call, _, where = text[:-1].rpartition(" (")
        name = call.partition(" [as ")[0]
        return f"{_file(_LINE_COLUMN.sub('', where))}:{normalise(name)}"
    if text.endswith(")") and "(" in text:  # Java: at com.x.C.m(C.java:58)
        call, _, where = text[:-1].partition("(")
        return f"{_file(where.partition(':')[0])}:{normalise(call)}"
    if _LINE_COLUMN.search(text):  # Node.js without a name: at /path/f.js:1:2
        return f"{_file(_LINE_COLUMN.sub('', text))}:"
    return None


def frames(stack: str) -> list[str]:
    """The innermost `FRAMES` frames of a stack trace, `<file>:<function>`, innermost first."""
    if 'File "' in stack:
        python = _PYTHON_FRAME.findall(stack)
        if python:
            return [f"{_file(path)}:{name}" for path, name in reversed(python[-FRAMES:])]
    found: list[str] = []
    if "at " in stack:
        for line in stack.splitlines():
            text = line.strip()
            if text.startswith("at "):
                frame = _at_frame(text[3:])
                if frame is not None:
                    found.append(frame)
                    if len(found) == FRAMES:
                        return found
    if not found:
        found = [f"{_file(file)}:{normalise(name)}" for name, file in _GO_FRAME.findall(stack)]
    if not found:
        found = [f"{_file(file)}:{normalise(name)}" for file, name in _RUBY_FRAME.findall(stack)]
    return found[:FRAMES]


def _computed(error_type: str, message: str, stack: str) -> str:
    parts = [VERSION, error_type.strip(), normalise(message), *_frames_of(stack)]
    digest = hashlib.sha256("\n".join(parts).encode("utf-8", "surrogatepass")).hexdigest()
    return digest[:HEX_DIGITS]


def _frames_of(stack: str) -> list[str]:
    """`frames`, remembered: a stack trace repeats exactly from one request to the next."""
    found = _FRAMES_CACHE.get(stack)
    if found is None:
        if len(_FRAMES_CACHE) >= CACHE_ENTRIES:
            _FRAMES_CACHE.clear()
        found = _FRAMES_CACHE[stack] = frames(stack)
    return found


def fingerprint(error_type: str, message: str, stack: str) -> str:
    """The fingerprint of an error (see the module). The same error logged again (the same
    type, message and stack, e.g. every invocation that meets one bug) is looked up."""
    key = (error_type, message, stack)
    found = _CACHE.get(key)
    if found is None:
        if len(_CACHE) >= CACHE_ENTRIES:
            _CACHE.clear()
        found = _CACHE[key] = _computed(error_type, message, stack)
    return found


def add_fingerprint(fields: Fields) -> None:
    """Set `error.fingerprint` on a document that has an error type, message or stack trace."""
    error_type, message, stack = (
        fields.get("error.type"),
        fields.get("error.message"),
        fields.get("error.stack_trace"),
    )
    if not (error_type or message or stack):
        return
    fields[FIELD] = fingerprint(
        error_type if isinstance(error_type, str) else "",
        message if isinstance(message, str) else "",
        stack if isinstance(stack, str) else "",
    )
