"""What the subscriber last verified on each log group, so a steady-state run reads only the
groups that are new or changed (docs/decisions/subscriptions.md says why here and why so).

One gzip'd JSON object in BACKFILL_STATE_BUCKET (`subscriber/group-state/<FILTER_NAME>.json.gz`):
per group its creationTime (a group deleted and created again under its name is new), the
digest of the filter spec last verified on it (`FilterSpec.token`: a changed pattern, role or
route is a change) and the outcome then; and when the last full sweep began. Read once per
invocation, written back once when it changed. A missing, archived or unreadable object is
*lost*: the run becomes a full sweep, which describes every group again: never a lost filter.
"""

from __future__ import annotations

import gzip
import json
import zlib
from typing import Any, Final, Protocol

from botocore.exceptions import ClientError

from lambda_shared.environment import GROUP_STATE_KEY_PREFIX
from subscriptions.errors import ThrottledError
from subscriptions.logs_api import LogGroup
from subscriptions.report import Outcome, RunReport
from subscriptions.s3_object import S3Object

STATE_VERSION: Final = 1
KEY_PREFIX: Final = GROUP_STATE_KEY_PREFIX
EXCLUDED_TOKEN: Final = "-"
"""The token of an excluded group verified to hold no filter of ours (no spec applies)."""
REMEMBERED: Final[frozenset[str]] = frozenset(
    {"unchanged", "not_ours", "limit_exceeded", "unsupported_class", "excluded"}
)
"""Outcomes a steady-state run takes from the state; the others (vanished, …) are not kept."""

Entry = tuple[int, str, str]
"""(the group's creationTime, the spec token verified, the outcome then)."""


class ObjectStore(Protocol):
    def read(self) -> bytes | None: ...
    def write(self, body: bytes, content_type: str) -> None: ...
    def delete(self) -> None: ...


def s3_group_state(client: Any, bucket: str, filter_name: str, *args: Any) -> S3Object:
    return S3Object(client, bucket, f"{KEY_PREFIX}{filter_name}.json.gz", *args)


class GroupState:
    """Loaded on first use; `save` writes it back if it changed (or deletes it, `clear`)."""

    def __init__(self, store: ObjectStore | None, report: RunReport) -> None:
        self._store = store
        self._report = report
        self._groups: dict[str, Entry] | None = None
        self.sweep_started_ms: int | None = None
        self.lost = False
        """True when there was no readable state: the run must sweep."""
        self._dirty = False
        self._cleared = False

    def remembered(self, group: LogGroup, token: str) -> Outcome | None:
        """The outcome verified on `group` with this spec, or None when it must be read."""
        entry = self._loaded().get(group.name)
        if entry is None or entry[0] != group.created_ms or entry[1] != token:
            return None
        outcome = entry[2]
        return outcome if outcome in REMEMBERED else None  # type: ignore[return-value]

    def record(self, group: LogGroup, token: str, outcome: Outcome) -> None:
        kept: Outcome = "unchanged" if outcome in ("created", "updated") else outcome
        groups = self._loaded()
        if kept not in REMEMBERED:
            self.forget(group.name)
            return
        entry = (group.created_ms, token, kept)
        if groups.get(group.name) != entry:
            groups[group.name] = entry
            self._dirty = True

    def forget(self, name: str) -> None:
        if self._loaded().pop(name, None) is not None:
            self._dirty = True

    def sweep_due(self, now_ms: int, interval_ms: int) -> bool:
        self._loaded()
        started = self.sweep_started_ms
        return self.lost or started is None or now_ms - started >= interval_ms

    def start_sweep(self, now_ms: int) -> None:
        self._loaded()
        self.sweep_started_ms = now_ms
        self._dirty = True

    def clear(self) -> None:
        """Forget everything (after `remove` completed): the object is deleted on save."""
        self._groups, self.sweep_started_ms = {}, None
        self._cleared = self._dirty = True

    def __len__(self) -> int:
        return len(self._loaded())

    def save(self) -> None:
        """Write back once; a refused write is logged, never fails the run (the groups it
        would have remembered are read again next time)."""
        if self._store is None or not self._dirty or self._groups is None:
            return
        try:
            if self._cleared:
                self._store.delete()
            else:
                self._store.write(_dump(self._groups, self.sweep_started_ms), "application/gzip")
        except (ClientError, ThrottledError) as error:
            self._report.log("ERROR", f"the group state was not saved ({error})")
            return
        self._dirty = False

    def _loaded(self) -> dict[str, Entry]:
        if self._groups is None:
            body: bytes | None = None
            if self._store is not None:
                try:
                    body = self._store.read()
                except (ClientError, ThrottledError) as error:  # e.g. AccessDenied mid-upgrade
                    self._report.log("WARN", f"the group state is unreadable ({error}); sweeping")
            self._groups, self.sweep_started_ms = self._parse(body)
        return self._groups

    def _parse(self, body: bytes | None) -> tuple[dict[str, Entry], int | None]:
        if body is None:
            self.lost = True
            return {}, None
        try:
            return _parse(body)
        except (
            OSError,
            EOFError,
            zlib.error,
            ValueError,
            KeyError,
            TypeError,
            AttributeError,
        ) as error:
            self.lost = True
            self._report.log(
                "WARN",
                f"the group state is unreadable ({error}); this run is a full sweep, which "
                "reads every group again and writes a new state",
            )
            return {}, None


def _dump(groups: dict[str, Entry], sweep_started_ms: int | None) -> bytes:
    document = {
        "version": STATE_VERSION,
        "sweepStartedMs": sweep_started_ms,
        "groups": {name: list(entry) for name, entry in sorted(groups.items())},
    }
    return gzip.compress(json.dumps(document, separators=(",", ":")).encode("utf-8"), mtime=0)


def _parse(body: bytes) -> tuple[dict[str, Entry], int | None]:
    raw = json.loads(gzip.decompress(body))
    if raw.get("version") != STATE_VERSION:
        raise ValueError(f"version is not {STATE_VERSION}")
    started = raw.get("sweepStartedMs")
    if started is not None and not isinstance(started, int):
        raise ValueError("sweepStartedMs is not an integer")
    groups: dict[str, Entry] = {}
    for name, (created, token, outcome) in raw["groups"].items():
        if not isinstance(created, int) or not isinstance(token, str):
            raise ValueError(f"the entry of {name!r} is malformed")
        groups[str(name)] = (created, token, str(outcome))
    return groups, started
