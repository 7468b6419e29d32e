"""What the subscriber last verified on each log group, so a steady-state run reads only the
groups that are new or changed (docs/decisions/subscriptions.md says why here and why so).

One gzip'd JSON object in BACKFILL_STATE_BUCKET (`subscriber/group-state/<FILTER_NAME>.json.gz`):
per group its creationTime (a group deleted and created again under its name is new), the
digest of the filter spec last verified on it (`FilterSpec.token`: a changed pattern, role or
route is a change), the outcome then and the sweep it was last seen in; and when the last full
sweep began. Read once per invocation, written back once when it changed. A missing, archived or
unreadable object is *lost*: the run becomes a full sweep, which describes every group again:
never a lost filter.

It never grows without bound: a completed sweep has listed every selected group, so an entry it
did not see is a deleted (or no longer selected) group and is pruned; and it holds at most
MAX_GROUPS entries: above, the groups it cannot hold are read on every run (a WARN says so, and
that the account-policy mode is the one for such an account).
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

STATE_VERSION: Final = 2
READABLE_VERSIONS: Final = frozenset({1, 2})
"""Version 1 had no sweep mark: its entries read as seen in no sweep (pruned by the next
completed sweep unless it sees them)."""
MAX_GROUPS: Final = 100_000
"""Measured (bench/state_size.py): 100,000 groups are a ~1.7 MB object, ~0.2 s to read and parse
and ~0.3-0.5 s to write on one core, ~55 MB of Python memory at the parse's peak: ~3-4.5 s of
every invocation at the default 256 MB (~1/7 of a vCPU), and twice the memory at 200,000. Past
that size the reconciler is the wrong mode anyway: one sweep needs ~14 h of the quota share."""
KEY_PREFIX: Final = GROUP_STATE_KEY_PREFIX
EXCLUDED_TOKEN: Final = "-"
"""The token of an excluded group verified to hold no filter of ours (no spec applies)."""
EXPECTED: Final = "expected"
"""The outcome of a group a function logs to that did not exist yet (never a remembered one:
its creationTime 0 matches no group, so the group is read once it exists)."""
REMEMBERED: Final[frozenset[str]] = frozenset(
    {"unchanged", "not_ours", "limit_exceeded", "unsupported_class", "excluded"}
)
"""Outcomes a steady-state run takes from the state; the others (vanished, …) are not kept."""

Entry = tuple[int, str, str, int | None]
"""(the group's creationTime, the spec token verified, the outcome then, the `sweepStartedMs`
of the sweep in progress or last begun when it was verified)."""


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
        self.overflow = 0
        """Groups this run could not remember because the state holds MAX_GROUPS."""
        self.pruned = 0
        """Entries this run pruned (groups a completed sweep did not see)."""

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
        entry = (group.created_ms, token, kept, self.sweep_started_ms)
        if groups.get(group.name) == entry:
            return
        if group.name not in groups and len(groups) >= MAX_GROUPS:
            self.overflow += 1  # read again on the next run: costs reads, never a filter
            return
        groups[group.name] = entry
        self._dirty = True

    def expect(self, name: str) -> None:
        """A function logs to `name`, which does not exist yet: its CreateLogGroup event must
        find it `known`."""
        groups = self._loaded()
        entry = (0, EXCLUDED_TOKEN, EXPECTED, self.sweep_started_ms)
        if groups.get(name) == entry or (name not in groups and len(groups) >= MAX_GROUPS):
            return
        groups[name] = entry
        self._dirty = True

    @property
    def usable(self) -> bool:
        """False without a readable state (no bucket, lost): then it knows nothing."""
        self._loaded()
        return not self.lost

    def known(self, name: str) -> bool:
        """A group some walk or function event verified or expected (outside the prefixes:
        the groups functions log to)."""
        return name in self._loaded()

    def forget(self, name: str) -> None:
        if self._loaded().pop(name, None) is not None:
            self._dirty = True

    def prune(self, sweep_ms: int | None) -> int:
        """After the sweep begun at `sweep_ms` completed: forget every group it did not see
        (deleted, or no longer selected). A group seen since the sweep began carries its mark,
        whichever run saw it. Nothing is pruned when a newer sweep began since (or the state was
        lost meanwhile): the marks are that sweep's, and it prunes when it completes."""
        groups = self._loaded()
        mark = self.sweep_started_ms
        if sweep_ms is None or sweep_ms != mark:
            return 0
        gone = [name for name, entry in groups.items() if entry[3] != mark]
        for name in gone:
            del groups[name]
        if gone:
            self._dirty = True
        self.pruned += len(gone)
        return len(gone)

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
        if self.overflow:
            self._report.log(
                "WARN",
                f"the group state holds its maximum of {MAX_GROUPS:,} groups: {self.overflow:,} "
                "more were not remembered and are read again on every run; an account this "
                "large is served better by subscriptionMode account-policy (README, Many log "
                "groups)",
                stateGroups=len(self._groups or {}),
                notRemembered=self.overflow,
            )
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
    version = raw.get("version")
    if version not in READABLE_VERSIONS:
        raise ValueError(f"version {version!r} is not one of {sorted(READABLE_VERSIONS)}")
    started = raw.get("sweepStartedMs")
    if started is not None and not isinstance(started, int):
        raise ValueError("sweepStartedMs is not an integer")
    groups: dict[str, Entry] = {}
    width = 4 if version > 1 else 3
    for name, fields in raw["groups"].items():
        if not isinstance(fields, list) or len(fields) != width:
            raise ValueError(f"the entry of {name!r} is not a list of {width}")
        created, token, outcome = fields[:3]
        seen = fields[3] if version > 1 else None
        if not isinstance(created, int) or not isinstance(token, str):
            raise ValueError(f"the entry of {name!r} is malformed")
        if seen is not None and not isinstance(seen, int):
            raise ValueError(f"the sweep mark of {name!r} is not an integer")
        groups[str(name)] = (created, token, str(outcome), seen)
    return groups, started
