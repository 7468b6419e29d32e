"""JSON in and out: orjson when it is importable (about 3x faster here), the standard library
otherwise. Both read the same values and write the same compact UTF-8 JSON (a float's exponent
aside: orjson 1.5e-7, the standard library 1.5e-07), and reject NaN/Infinity."""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable
from typing import Any, Final

_orjson: Any
try:  # orjson is bundled into the Lambda package by infra/; the stdlib path stays and is tested.
    import orjson as _orjson
except ImportError:  # pragma: no cover - the stdlib codec is tested directly
    _orjson = None

_LONE_SURROGATE: Final = re.compile("[\ud800-\udfff]")
# orjson reads an integer beyond 64 bits (>= 2**64, < -2**63) as a float, silently rounded: a
# 20-digit numeric trace id would lose its last digits. Such an integer is written with at least
# 19 digits (2**63 has 19), so a text without a run of 19 digits cannot hold one.
_LONG_INTEGER_DIGITS: Final = 19
_DIGITS_TO_NUL: Final = bytes.maketrans(b"0123456789", b"\0" * 10)
_LONG_DIGIT_RUN: Final = b"\0" * _LONG_INTEGER_DIGITS


# What the JSON libraries raise for input they refuse.
LOADS_ERRORS: Final = (ValueError, RecursionError)  # UnicodeDecodeError is a ValueError


class JsonDecodeError(ValueError):
    """The bytes are not one valid JSON value."""


def _has_unicode_escape(data: bytes | str) -> bool:
    return (b"\\u" in data) if isinstance(data, bytes) else ("\\u" in data)


def may_hold_long_integer(text: bytes | str) -> bool:
    """Whether a JSON text has a run of 19 or more digits: perhaps an integer beyond 64 bits.
    One C-speed pass over the bytes (digits inside strings are false positives, which only cost
    an exact parse)."""
    if len(text) < _LONG_INTEGER_DIGITS:
        return False
    raw = text.encode("utf-8", "surrogatepass") if isinstance(text, str) else text
    return raw.translate(_DIGITS_TO_NUL).find(_LONG_DIGIT_RUN) >= 0  # find: ~2x `in`'s speed here


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):  # 1e400: orjson refuses it too; a document cannot carry it
        raise ValueError(f"{text} is beyond the range of a double")
    return value


def _std_loads(data: bytes | str) -> Any:
    return json.loads(data, parse_constant=_reject_constant, parse_float=_finite_float)


def _std_dumps(value: Any) -> bytes:
    """Compact UTF-8 JSON; a lone surrogate, which UTF-8 cannot carry, becomes U+FFFD (only
    strings hold one, so the text is scrubbed: no recursion over the value)."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError:
        return _LONE_SURROGATE.sub("\ufffd", text).encode("utf-8")


def too_deep(error: BaseException) -> bool:
    """Whether a JSON library refused a text for its nesting: the standard library's
    RecursionError (about 1,000 levels), orjson's "depth limit exceeded" (1,024)."""
    return isinstance(error, RecursionError) or "depth limit" in str(error)


class Codec:
    """loads/dumps over one JSON library, falling back to the standard library for the values
    orjson refuses (lone surrogate escapes) or rounds (integers beyond 64 bits, which it reads
    as floats: `exact_object`; on output it refuses them, and `dumps` falls back)."""

    def __init__(self, loads: Callable[[bytes | str], Any], dumps: Callable[[Any], bytes]) -> None:
        # The library's own functions, for hot loops that catch what they raise themselves
        # (LOADS_ERRORS on loads; UnicodeEncodeError, TypeError, ValueError on dumps) and then
        # fall back to `retry_object` / `dumps`.
        self.raw_loads = loads
        self.raw_dumps = dumps
        # whether raw_loads may round integers beyond 64 bits (orjson does; see exact_object)
        self.rounds_long_integers = loads is not _std_loads

    def _stdlib_may_accept(self, data: bytes | str) -> bool:
        """orjson refuses lone surrogates (escaped "\\ud800", or in the text itself) and
        integers beyond a double (1e400 written out), which the standard library accepts; only
        text with a \\u escape, a surrogate or a long digit run can hold one, so other invalid
        JSON fails fast."""
        if self.raw_loads is _std_loads:
            return False
        if _has_unicode_escape(data) or may_hold_long_integer(data):
            return True
        return isinstance(data, str) and _LONE_SURROGATE.search(data) is not None

    def loads(self, data: bytes | str) -> Any:
        """Parse one JSON value; raise JsonDecodeError when it is not valid JSON."""
        try:
            return self.raw_loads(data)
        except LOADS_ERRORS as exc:
            error: Exception = exc
        if self._stdlib_may_accept(data):
            try:
                return _std_loads(data)
            except LOADS_ERRORS as exc:
                error = exc
        raise JsonDecodeError(str(error)) from error

    def retry_object(self, data: bytes | str) -> dict[str, Any] | None:
        """The JSON object `raw_loads` refused but `loads` accepts, or None; raises nothing."""
        if not self._stdlib_may_accept(data):
            return None
        try:
            value = _std_loads(data)
        except LOADS_ERRORS:
            return None
        return value if type(value) is dict else None

    def exact_object(self, data: str, parsed: dict[str, Any]) -> dict[str, Any]:
        """`parsed` (what raw_loads read from `data`) read again by the standard library, which
        keeps integers beyond 64 bits exact; `parsed` itself when the standard library refuses
        `data` (nesting deeper than it goes) or reads something else than an object."""
        try:
            value = _std_loads(data)
        except LOADS_ERRORS:
            return parsed
        return value if type(value) is dict else parsed

    def dumps(self, value: Any) -> bytes:
        """Compact UTF-8 JSON. Lone surrogates, which UTF-8 cannot carry, become U+FFFD; what
        orjson refuses (integers beyond 64 bits, nesting beyond 254 levels) the standard library
        writes. Raises RecursionError for nesting deeper than that goes."""
        try:
            data: bytes = self.raw_dumps(value)
        except (UnicodeEncodeError, TypeError, ValueError):
            return _std_dumps(value)
        return data


STDLIB: Final = Codec(_std_loads, _std_dumps)
ORJSON: Final = Codec(_orjson.loads, _orjson.dumps) if _orjson is not None else None


def default_codec() -> Codec:
    """orjson when available, the standard library otherwise."""
    return ORJSON if ORJSON is not None else STDLIB
