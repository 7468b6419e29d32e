"""The functions' architectures, read from the maps the subscribers publish to the pipeline's
bucket (docs/decisions/architecture-map.md), instead of `lambda:GetFunctionConfiguration`: that
call also returns every function's environment variables, often secrets, and the transformer is
the component that parses hostile input (docs/security.md).

One gzip'd JSON object `{function name: "x86_64" | "arm64"}` per account and region, at
`lambda_shared.environment.architecture_map_key(account, region)`. The transformer may only
`s3:GetObject` under that prefix. A map is read when a REPORT line of its account and region
first needs it, kept for the container's lifetime and asked again after `ttl_seconds` with
`IfNoneMatch` on its ETag: S3 answers "304 Not Modified" (botocore raises it as a ClientError of
code "304") when the object is unchanged, so a refresh moves no body.

A spoke writes its own account's map (the hub's bucket policy scopes it to
`architectures/${aws:PrincipalAccount}/`), so a map is input from another trust domain: it is
size-capped before and after decompression and only well-formed entries are kept. A function the
map does not name, a missing or unreadable map, and any S3 failure give the default architecture,
counted (`take_defaulted`, the summary's ArchitectureDefaulted); a failure never blocks a batch
for longer than one GetObject (its client's timeouts) and is retried after `retry_seconds`."""

from __future__ import annotations

import json
import re
import threading
import time
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Final

from botocore.exceptions import BotoCoreError, ClientError

from lambda_shared.backoff import error_code
from lambda_shared.environment import architecture_map_key

TTL_SECONDS: Final = 15 * 60.0
"""How long a map is used before its ETag is checked again."""
RETRY_SECONDS: Final = 60.0
"""After a failed read (throttled, timed out, 5xx), the next try of that map."""
READ_SECONDS_PER_BATCH: Final = 10.0
"""The time one batch may spend reading maps (each read at most `LOOKUP_TIMEOUTS`' 6 s): a hub
whose many spokes' maps are all cold, with S3 slow, must not hold a batch towards its timeout.
Past it, lookups use what is known (or the default, counted) until the next batch."""
MAX_OBJECT_BYTES: Final = 1 << 20
"""A map's gzip'd size: 1 MiB holds far more than the largest account's functions (an entry
is ~40 bytes before compression)."""
MAX_MAP_BYTES: Final = 16 << 20
"""A map's decompressed size: anything larger is refused, not inflated (a gzip bomb)."""
ARCHITECTURES: Final = frozenset({"x86_64", "arm64"})
ABSENT: Final = frozenset({"NoSuchKey", "404", "AccessDenied", "403", "InvalidObjectState"})
"""Read as "no map": the transformer may not ListBucket, so S3 answers a missing key with 403
AccessDenied rather than 404 (GetObject: "If you don't have the s3:ListBucket permission, Amazon
S3 returns an HTTP status code 403 Access Denied error")."""
_FUNCTION_NAME: Final = re.compile(r"[A-Za-z0-9_-]{1,64}")
_ACCOUNT: Final = re.compile(r"\d{12}")
_REGION: Final = re.compile(r"[a-z]{2}(-[a-z]+)+-\d{1,2}")


class MalformedMapError(ValueError):
    """A map object that is not a gzip'd JSON object of function names to architectures."""


def parse_map(body: bytes) -> dict[str, str]:
    """The map's well-formed entries (a function name, "x86_64" or "arm64"); others are left
    out. Raises MalformedMapError for anything that is not a gzip'd JSON object within the
    size caps."""
    if len(body) > MAX_OBJECT_BYTES:
        raise MalformedMapError(f"{len(body)} bytes, above {MAX_OBJECT_BYTES}")
    inflater = zlib.decompressobj(31)
    try:
        raw = inflater.decompress(body, MAX_MAP_BYTES)
    except zlib.error as exc:
        raise MalformedMapError(f"not gzip: {exc}") from None
    if inflater.unconsumed_tail or not inflater.eof:
        raise MalformedMapError(f"truncated, or above {MAX_MAP_BYTES} bytes decompressed")
    try:
        found = json.loads(raw)
    except ValueError as exc:
        raise MalformedMapError(f"not JSON: {exc}") from None
    if not isinstance(found, dict):
        raise MalformedMapError("not a JSON object")
    return {
        name: value
        for name, value in found.items()
        if _FUNCTION_NAME.fullmatch(name) and isinstance(value, str) and value in ARCHITECTURES
    }


@dataclass
class _Entry:
    functions: dict[str, str] = field(default_factory=dict)
    etag: str | None = None
    next_check: float = 0.0


class ArchitectureMap:
    """`architecture(function, account, region)` from the published maps; see the module
    docstring. Thread-safe; one GetObject per map in flight."""

    def __init__(
        self,
        client_factory: Callable[[], Any],
        bucket: str,
        default: str = "x86_64",
        *,
        ttl_seconds: float = TTL_SECONDS,
        retry_seconds: float = RETRY_SECONDS,
        clock: Callable[[], float] = time.monotonic,
        log: Callable[[str, str], None] | None = None,
    ) -> None:
        self._client_factory = client_factory
        self._client: Any = None
        self._bucket = bucket
        self._default = default
        self._ttl = ttl_seconds
        self._retry = retry_seconds
        self._clock = clock
        self._log = log or (lambda level, message: None)
        self._entries: dict[tuple[str, str], _Entry] = {}
        self._lock = threading.Lock()
        self._defaulted = 0
        self._read_seconds = 0.0
        """Spent reading maps since the batch began (`take_defaulted` ends a batch)."""
        self.reads = 0
        """GetObject calls made (for tests and the bench)."""

    def architecture(self, function_name: str, account_id: str, region: str = "") -> str:
        found = self._known(function_name, account_id, region)
        if found is None:
            with self._lock:
                self._defaulted += 1
            return self._default
        return found

    def take_defaulted(self) -> int:
        """Lookups answered with the default since the last call (the batch's count)."""
        with self._lock:
            count, self._defaulted = self._defaulted, 0
            self._read_seconds = 0.0
            return count

    def _known(self, function_name: str, account_id: str, region: str) -> str | None:
        if not (self._bucket and _ACCOUNT.fullmatch(account_id) and _REGION.fullmatch(region)):
            return None
        with self._lock:
            entry = self._entries.setdefault((account_id, region), _Entry())
            started = self._clock()
            if started >= entry.next_check and self._read_seconds < READ_SECONDS_PER_BATCH:
                self._refresh(entry, architecture_map_key(account_id, region))
                self._read_seconds += self._clock() - started
            return entry.functions.get(function_name)

    def _refresh(self, entry: _Entry, key: str) -> None:
        """Read the map again unless its ETag is unchanged; on failure keep what was known."""
        now = self._clock()
        params: dict[str, Any] = {"Bucket": self._bucket, "Key": key}
        if entry.etag:
            params["IfNoneMatch"] = entry.etag
        try:
            if self._client is None:
                self._client = self._client_factory()
            self.reads += 1
            response = self._client.get_object(**params)
            body = bytes(response["Body"].read(MAX_OBJECT_BYTES + 1))
        except ClientError as exc:
            code = error_code(exc)
            if code in ("304", "NotModified"):
                entry.next_check = now + self._ttl
            elif code in ABSENT:
                entry.functions, entry.etag, entry.next_check = {}, None, now + self._ttl
            else:
                self._failed(entry, key, f"{code}: {exc}", now)
            return
        except BotoCoreError as exc:
            self._failed(entry, key, f"{type(exc).__name__}: {exc}", now)
            return
        try:
            entry.functions = parse_map(body)
        except MalformedMapError as exc:
            self._log("WARN", f"architecture map s3://{self._bucket}/{key} ignored: {exc}")
            entry.functions = {}
        entry.etag = str(response.get("ETag") or "") or None
        entry.next_check = now + self._ttl

    def _failed(self, entry: _Entry, key: str, why: str, now: float) -> None:
        self._log("WARN", f"architecture map s3://{self._bucket}/{key} not read ({why})")
        entry.next_check = now + self._retry
