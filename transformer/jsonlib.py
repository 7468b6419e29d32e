"""JSON in and out: orjson when it is importable (about 3x faster here), the standard library
otherwise. Both paths produce the same compact UTF-8 bytes and reject NaN/Infinity."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any, Final

_orjson: Any
try:  # orjson is bundled into the Lambda package by infra/; the stdlib path stays and is tested.
    import orjson as _orjson
except ImportError:  # pragma: no cover - the stdlib codec is tested directly
    _orjson = None

_LONE_SURROGATE: Final = re.compile("[\ud800-\udfff]")


class JsonDecodeError(ValueError):
    """The bytes are not one valid JSON value."""


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")


def _std_loads(data: bytes | str) -> Any:
    return json.loads(data, parse_constant=_reject_constant)


def _std_dumps(value: Any) -> bytes:
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return text.encode("utf-8")


def _fast_loads(data: bytes | str) -> Any:
    assert _orjson is not None
    try:
        return _orjson.loads(data)
    except _orjson.JSONDecodeError:
        # orjson refuses lone surrogate escapes and integers beyond 64 bits that the
        # standard library accepts; give the line its chance before calling it invalid.
        return _std_loads(data)


def _fast_dumps(value: Any) -> bytes:
    assert _orjson is not None
    try:
        data: bytes = _orjson.dumps(value)
    except TypeError:  # orjson.JSONEncodeError subclasses TypeError (big ints, surrogates)
        return _std_dumps(value)
    return data


class Codec:
    """A pair of loads/dumps functions; `BACKEND` picks one at first use, tests pick both."""

    def __init__(self, loads: Callable[[bytes | str], Any], dumps: Callable[[Any], bytes]) -> None:
        self._loads = loads
        self._dumps = dumps

    def loads(self, data: bytes | str) -> Any:
        """Parse one JSON value; raise JsonDecodeError when it is not valid JSON."""
        try:
            return self._loads(data)
        except (ValueError, UnicodeDecodeError, RecursionError) as exc:
            raise JsonDecodeError(str(exc)) from exc

    def dumps(self, value: Any) -> bytes:
        """Compact UTF-8 JSON. Lone surrogates, which UTF-8 cannot carry, become U+FFFD."""
        try:
            return self._dumps(value)
        except (UnicodeEncodeError, TypeError, ValueError):
            return _std_dumps(_scrub(value))


def _scrub(value: Any) -> Any:
    if isinstance(value, str):
        return _LONE_SURROGATE.sub("\ufffd", value)
    if isinstance(value, dict):
        return {_scrub(k): _scrub(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_scrub(v) for v in value]
    return value


STDLIB: Final = Codec(_std_loads, _std_dumps)
ORJSON: Final = Codec(_fast_loads, _fast_dumps) if _orjson is not None else None


def default_codec() -> Codec:
    """orjson when available, the standard library otherwise."""
    return ORJSON if ORJSON is not None else STDLIB
