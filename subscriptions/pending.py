"""Backfills that failed, kept until one succeeds or they are given up: never forgotten.

The state is one JSON object in S3 (BACKFILL_STATE_BUCKET, key per FILTER_NAME), read once per
invocation and written back when it changed (docs/decisions/subscriptions.md says why there).
Without a bucket nothing can be retried, so a failure is reported permanent at once.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Final, Protocol

from lambda_shared.environment import BACKFILL_STATE_KEY_PREFIX
from subscriptions.continuation import BackfillJob
from subscriptions.errors import PendingStateError
from subscriptions.report import RunReport
from subscriptions.s3_object import S3Object

STATE_VERSION: Final = 1
KEY_PREFIX: Final = BACKFILL_STATE_KEY_PREFIX


@dataclass(frozen=True)
class PendingJob:
    job: BackfillJob
    first_failed_ms: int


class StateStore(Protocol):
    def load(self) -> str | None: ...
    def save(self, body: str) -> None: ...


class S3StateStore:
    """One object, `s3://bucket/subscriber/pending-backfills/<filter name>.json`."""

    def __init__(self, client: Any, bucket: str, filter_name: str, *args: Any) -> None:
        self._object = S3Object(client, bucket, f"{KEY_PREFIX}{filter_name}.json", *args)

    def load(self) -> str | None:
        # An archived object (InvalidObjectState) is read as none: its jobs were past their
        # retry window long before the transition (the state is deleted once empty).
        body = self._object.read()
        return None if body is None else body.decode("utf-8")

    def save(self, body: str) -> None:
        if not json.loads(body).get("pending"):
            self._object.delete()
            return
        self._object.write(body.encode("utf-8"), "application/json")


class PendingBackfills:
    """The failed backfills by group; `failed` keeps or gives up, `done` forgets."""

    def __init__(
        self,
        store: StateStore | None,
        report: RunReport,
        clock_ms: Callable[[], int],
        retry_ms: int,
    ) -> None:
        self._store = store
        self._report = report
        self.clock_ms = clock_ms
        self._retry_ms = retry_ms
        self._jobs: dict[str, PendingJob] | None = None
        self._dirty = False

    def due(self) -> tuple[BackfillJob, ...]:
        """The jobs to retry now (all of them: each is retried once per scheduled run)."""
        return tuple(pending.job for pending in self._loaded().values())

    def failed(self, job: BackfillJob, error: Exception) -> None:
        """Keep `job` for the next run, or give it up once its retry window has passed."""
        self._report.backfill_failure(job.group, _window(job), error)
        now = self.clock_ms()
        jobs = self._loaded() if self._store is not None else {}
        first = jobs[job.group].first_failed_ms if job.group in jobs else now
        if self._store is None or now - first >= self._retry_ms:
            self._report.backfill_permanently_failed(job.group, _window(job), first)
            self.done(job.group)
            return
        jobs[job.group] = PendingJob(job, first)
        self._dirty = True

    def done(self, group: str) -> None:
        if self._store is not None and self._loaded().pop(group, None) is not None:
            self._dirty = True

    def save(self) -> None:
        """Write the state back if it changed (once per invocation, also after an error)."""
        if self._store is not None and self._dirty and self._jobs is not None:
            self._store.save(_dump(self._jobs))
            self._dirty = False

    def _loaded(self) -> dict[str, PendingJob]:
        if self._jobs is None:
            body = self._store.load() if self._store is not None else None
            self._jobs = _parse(body)
        return self._jobs


def _window(job: BackfillJob) -> dict[str, int]:
    return {"startMs": job.start_ms, "endMs": job.end_ms, "boundaryMs": job.boundary_ms}


def _dump(jobs: dict[str, PendingJob]) -> str:
    entries = [
        {"job": p.job.to_token(), "firstFailedMs": p.first_failed_ms}
        for _, p in sorted(jobs.items())
    ]
    return json.dumps({"version": STATE_VERSION, "pending": entries}, separators=(",", ":"))


def _parse(body: str | None) -> dict[str, PendingJob]:
    if body is None:
        return {}
    try:
        raw = json.loads(body)
        if raw.get("version") != STATE_VERSION:
            raise ValueError(f"version is not {STATE_VERSION}")
        pending = (
            PendingJob(BackfillJob.from_token(e["job"]), int(e["firstFailedMs"]))
            for e in raw["pending"]
        )
        return {p.job.group: p for p in pending}
    except (ValueError, KeyError, TypeError, AttributeError) as error:
        raise PendingStateError(
            f"the pending-backfill state is unreadable ({error}): delete the object under "
            f"{KEY_PREFIX} in BACKFILL_STATE_BUCKET (its failed windows are in the ERROR logs)"
        ) from error
