"""Publish this account's and region's function architectures for the transformer's cost figure
(docs/decisions/architecture-map.md): one gzip'd JSON object `{function name: architecture}` at
`lambda_shared.environment.architecture_map_key(account, region)` in ARCHITECTURE_BUCKET (the
pipeline's bucket; a spoke's is the hub's), written only when it changed.

The names come from the reconcile's own ListFunctions walk when one invocation read it whole
(`FunctionsApi.complete_listing`), else from a walk of the publisher's own at most every
OWN_WALK_MS. ListFunctions is what the subscriber already may call ("Architectures": the
instruction set architecture of `$LATEST`; a published version keeps the one it was published
with, so a version published before a switch is priced at the new one). The encoding is
deterministic (sorted keys, gzip mtime 0), so an unchanged map is the same bytes and keeps its
ETag: the transformer's conditional read then moves nothing."""

from __future__ import annotations

import gzip
import json
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any, Final

from botocore.exceptions import BotoCoreError, ClientError

from lambda_shared.backoff import error_code
from subscriptions.errors import ThrottledError
from subscriptions.functions_api import FUNCTIONS_PAGE_SIZE, FunctionsApi
from subscriptions.report import RunReport
from subscriptions.retry import BackoffApi
from subscriptions.s3_object import NO_OBJECT

REFRESH_MS: Final = 12 * 3_600_000
"""An unchanged map is written again after this long, so the bucket's lifecycle expiration
(expireAfterDays, at least 1 day) never removes it. Lifecycle transitions do not touch it:
"Objects smaller than 128 KB will not transition to any storage class by default"
(S3 TransitionDefaultMinimumObjectSize all_storage_classes_128K), and a map is a few KB."""
OWN_WALK_MS: Final = 3 * 3_600_000
"""A reconcile whose listing spanned several invocations publishes with a walk of its own only
when the stored map is older than this: at most one extra walk per 3 hours, not one per run."""
ABSENT: Final = NO_OBJECT | {"AccessDenied", "403"}
"""A spoke may not ListBucket the hub's bucket, so S3 answers its GetObject of a missing map
with 403: read as "no map yet"; if the spoke really may not write either, the PutObject that
follows fails with its own clear error."""


def encode_map(functions: Mapping[str, str]) -> bytes:
    """The map's bytes: the same for the same functions, whatever their order."""
    raw = json.dumps(dict(sorted(functions.items())), separators=(",", ":")).encode()
    return gzip.compress(raw, compresslevel=9, mtime=0)


class FunctionArchitectures(FunctionsApi):
    """The publisher's own ListFunctions walk, for a reconcile whose listing spanned several
    invocations (so none of them holds it whole)."""

    pages = 0
    """ListFunctions pages read by `all` (for the warning of a walk that ran out of time)."""

    def all(self, exhausted: Callable[[], bool]) -> dict[str, str] | None:
        """The whole map, or None when `exhausted()` said stop before the last page (a
        partial map would price the functions it misses at the default)."""
        marker: str | None = None
        while True:
            marker = self.log_groups_page(marker).next_marker
            self.pages += 1
            if marker is None:
                return self.complete_listing
            if exhausted():
                return None


class ArchitecturePublisher(BackoffApi):
    """Writes the map to `s3://bucket/key` when it differs from what is there, or is older
    than REFRESH_MS."""

    def __init__(
        self, client: Any, bucket: str, key: str, clock_ms: Callable[[], int], *args: Any
    ) -> None:
        super().__init__(client, *args)
        self.bucket, self.key = bucket, key
        self._clock_ms = clock_ms
        self._read: tuple[tuple[bytes, int] | None] | None = None  # GetObject once per run

    @property
    def url(self) -> str:
        return f"s3://{self.bucket}/{self.key}"

    def younger_than(self, age_ms: int) -> bool:
        """Whether a map is stored and was written less than `age_ms` ago."""
        current = self._stored()
        return current is not None and self._clock_ms() - current[1] < age_ms

    def publish(self, functions: Mapping[str, str], refresh_ms: int = REFRESH_MS) -> bool:
        """True when the map was written: it differs, or the stored one is `refresh_ms` old."""
        body = encode_map(functions)
        current = self._stored()
        if current is not None:
            stored, written_ms = current
            if stored == body and self._clock_ms() - written_ms < refresh_ms:
                return False
        self._call(
            f"PutObject({self.url})",
            lambda: self._client.put_object(
                Bucket=self.bucket,
                Key=self.key,
                Body=body,
                ContentType="application/json",
                ContentEncoding="gzip",
            ),
        )
        return True

    def _stored(self) -> tuple[bytes, int] | None:
        if self._read is None:
            self._read = (self._current(),)
        return self._read[0]

    def _current(self) -> tuple[bytes, int] | None:
        try:
            response = self._call(
                f"GetObject({self.url})",
                lambda: self._client.get_object(Bucket=self.bucket, Key=self.key),
            )
        except ClientError as error:
            if error_code(error) in ABSENT:
                return None
            raise
        modified = response.get("LastModified")
        written_ms = int(modified.timestamp() * 1000) if isinstance(modified, datetime) else 0
        return bytes(response["Body"].read()), written_ms


def publish_architectures(
    listed: Mapping[str, str] | None,
    lister: FunctionArchitectures,
    publisher: ArchitecturePublisher,
    report: RunReport,
    exhausted: Callable[[], bool],
    *,
    walk_after_ms: int = OWN_WALK_MS,
) -> bool:
    """Publish `listed` (the reconcile's own listing, read whole in this invocation); without
    it, walk ListFunctions once the stored map is `walk_after_ms` old (0: always, the
    scheduled publish-only function). Never fails the run (the map is for cost figures only):
    a refusal is logged as an ERROR with what to fix, a throttle or a short budget waits for
    the next run."""
    try:
        refresh_ms = REFRESH_MS
        if listed is None:
            if walk_after_ms and publisher.younger_than(walk_after_ms):
                return False  # the listing spanned invocations; the map is recent enough
            listed, refresh_ms = lister.all(exhausted), walk_after_ms or REFRESH_MS
        if listed is None:
            report.log(
                "WARN",
                "architecture map not published: its ListFunctions walk ran out of time after "
                f"{lister.pages} pages ({lister.pages * FUNCTIONS_PAGE_SIZE:,} functions) at "
                "filterApiQuotaPercent of Lambda's 15 calls/s; the map stays as it was (new "
                "functions are priced at the default architecture). Raise filterApiQuotaPercent "
                "if the account has more functions than one walk reaches",
                pages=lister.pages,
            )
            return False
        written = publisher.publish(listed, refresh_ms)
    except ThrottledError as error:
        report.log("WARN", f"architecture map not published this run: {error}")
        return False
    except (ClientError, BotoCoreError) as error:
        report.log(
            "ERROR",
            f"architecture map {publisher.url} not published ({error}): this function needs "
            "lambda:ListFunctions and s3:GetObject/s3:PutObject on that key (in a spoke, the "
            "hub's bucket policy must admit this account: docs/organisation.md)",
        )
        return False
    if written:
        report.log("INFO", "architecture map published", functions=len(listed))
    return written


def own_account_and_region(context: object) -> tuple[str, str]:
    """This function's account and region, from its invoked ARN (("", "") when unknown)."""
    parts = str(getattr(context, "invoked_function_arn", "") or "").split(":")
    if len(parts) > 4 and parts[4].isdigit() and parts[3]:
        return parts[4], parts[3]
    return "", ""
