"""Where a stopped run resumes: a cursor over the groups, and an unfinished backfill.

The token travels in the payload of the asynchronous self-invocation (or back to a synchronous
caller), so resuming needs no table, queue or bucket.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any, Final, Literal, NotRequired, TypedDict

from subscriptions.errors import ContinuationError

TOKEN_VERSION: Final = 1

Phase = Literal["prefixes", "functions", "done"]
RunAction = Literal["reconcile", "remove"]
_PHASES: Final[tuple[Phase, ...]] = ("prefixes", "functions", "done")
_ACTIONS: Final[tuple[RunAction, ...]] = ("reconcile", "remove")


class BackfillToken(TypedDict):
    logGroup: str
    owner: str
    startMs: int
    endMs: int
    boundaryMs: int
    nextToken: str | None
    readToMs: NotRequired[int | None]


class ContinuationToken(TypedDict):
    version: int
    action: RunAction
    phase: Phase
    prefixIndex: int
    pageToken: str | None
    after: str | None
    functionsMarker: str | None
    functionsDone: int
    backfill: BackfillToken | None
    generation: int
    sweep: NotRequired[bool]
    sweepStartedMs: NotRequired[int | None]
    functionsListed: NotRequired[bool]


@dataclass(frozen=True)
class BackfillJob:
    """Send the events of `group` ingested up to `boundary_ms`, by timestamp in [start, end]."""

    group: str
    owner: str
    start_ms: int
    end_ms: int
    boundary_ms: int
    next_token: str | None = None
    read_to_ms: int | None = None
    """The newest timestamp of the pages read with `next_token`'s predecessors: every event
    stamped before it was handled ("The returned log events are sorted by event timestamp",
    FilterLogEvents API reference)."""

    def to_token(self) -> BackfillToken:
        return {
            "logGroup": self.group,
            "owner": self.owner,
            "startMs": self.start_ms,
            "endMs": self.end_ms,
            "boundaryMs": self.boundary_ms,
            "nextToken": self.next_token,
            "readToMs": self.read_to_ms,
        }

    def without_token(self) -> BackfillJob:
        """The job resumable at any later time: FilterLogEvents' "token expires after 24 hours"
        (API reference), so a job kept for a later run restarts at `read_to_ms` instead; the
        events of that very millisecond already sent are sent again (a few duplicates, never a
        gap)."""
        if self.next_token is None:
            return replace(self, read_to_ms=None)
        start = max(self.start_ms, self.read_to_ms or 0)
        return replace(self, start_ms=start, next_token=None, read_to_ms=None)

    @classmethod
    def from_token(cls, raw: object) -> BackfillJob:
        """Validate a token made by `to_token`; raise ContinuationError when malformed."""
        return _backfill(raw)


@dataclass(frozen=True)
class Cursor:
    """Position of a walk over the groups, as two listings that advance together
    (reconcile.py, `Subscriber.walk`): the prefixes' at prefix `prefix_index`, page
    `page_token`, after the group named `after` (phase "prefixes" until it is done); the
    functions' at `functions_marker`, `functions_done` groups into that page (in phase
    "prefixes" too, unless `functions_listed`: it ended first; phase "functions" when only it
    is left). `sweep`: every group is read, whatever the group state remembers; `sweep_ms`:
    when that sweep began (its completion prunes the state only if no newer one began since)."""

    action: RunAction = "reconcile"
    phase: Phase = "prefixes"
    prefix_index: int = 0
    page_token: str | None = None
    after: str | None = None
    functions_marker: str | None = None
    functions_done: int = 0
    backfill: BackfillJob | None = None
    generation: int = 0
    sweep: bool = False
    sweep_ms: int | None = None
    functions_listed: bool = False

    @property
    def at_start(self) -> bool:
        """Nothing walked yet (a fresh run, sweep or not)."""
        return self.walked() == Cursor(action=self.action)

    def walked(self) -> Cursor:
        """The position alone, without what kind of walk it is (sweep or not)."""
        return replace(self, sweep=False, sweep_ms=None)

    def to_token(self) -> ContinuationToken:
        return {
            "version": TOKEN_VERSION,
            "action": self.action,
            "phase": self.phase,
            "prefixIndex": self.prefix_index,
            "pageToken": self.page_token,
            "after": self.after,
            "functionsMarker": self.functions_marker,
            "functionsDone": self.functions_done,
            "backfill": self.backfill.to_token() if self.backfill else None,
            "generation": self.generation,
            "sweep": self.sweep,
            "sweepStartedMs": self.sweep_ms,
            "functionsListed": self.functions_listed,
        }

    @classmethod
    def from_token(cls, raw: object) -> Cursor:
        """Validate a token received in an event; raise ContinuationError when malformed."""
        if not isinstance(raw, Mapping) or raw.get("version") != TOKEN_VERSION:
            raise ContinuationError(
                f"continuation must be an object with version {TOKEN_VERSION}: pass the token "
                "a previous run returned, unchanged, or omit it to start a full run"
            )
        backfill = raw.get("backfill")
        return cls(
            action=_choice(raw, "action", _ACTIONS),
            phase=_choice(raw, "phase", _PHASES),
            prefix_index=_int(raw, "prefixIndex"),
            page_token=_optional_str(raw, "pageToken"),
            after=_optional_str(raw, "after"),
            functions_marker=_optional_str(raw, "functionsMarker"),
            functions_done=_int(raw, "functionsDone"),
            backfill=None if backfill is None else _backfill(backfill),
            generation=_int(raw, "generation"),
            sweep=_flag(raw, "sweep"),
            sweep_ms=None if raw.get("sweepStartedMs") is None else _int(raw, "sweepStartedMs"),
            functions_listed=_flag(raw, "functionsListed"),
        )


def _backfill(raw: object) -> BackfillJob:
    if not isinstance(raw, Mapping):
        raise ContinuationError("continuation.backfill must be an object or null")
    return BackfillJob(
        group=_str(raw, "logGroup"),
        owner=_str(raw, "owner"),
        start_ms=_int(raw, "startMs"),
        end_ms=_int(raw, "endMs"),
        boundary_ms=_int(raw, "boundaryMs"),
        next_token=_optional_str(raw, "nextToken"),
        read_to_ms=None if raw.get("readToMs") is None else _int(raw, "readToMs"),
    )


def _choice(raw: Mapping[str, Any], key: str, allowed: tuple[str, ...]) -> Any:
    value = raw.get(key)
    if value not in allowed:
        raise ContinuationError(f"continuation.{key}={value!r} must be one of {allowed}")
    return value


def _int(raw: Mapping[str, Any], key: str) -> int:
    value = raw.get(key)
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise ContinuationError(f"continuation.{key}={value!r} must be a non-negative integer")
    return value


def _flag(raw: Mapping[str, Any], key: str) -> bool:
    """Optional (tokens from before the key read as False)."""
    value = raw.get(key, False)
    if not isinstance(value, bool):
        raise ContinuationError(f"continuation.{key}={value!r} must be true or false")
    return value


def _str(raw: Mapping[str, Any], key: str) -> str:
    value = raw.get(key)
    if not isinstance(value, str) or not value:
        raise ContinuationError(f"continuation.{key}={value!r} must be a non-empty string")
    return value


def _optional_str(raw: Mapping[str, Any], key: str) -> str | None:
    value = raw.get(key)
    if value is None:
        return None
    return _str(raw, key)
