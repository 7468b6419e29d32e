"""What one invocation cost: billed duration × memory × the architecture's price + a request.

Since August 2025 `Billed Duration` includes the INIT phase of on-demand functions, so
`Init Duration` is never added again. SnapStart: "Billed Restore Duration: the time it takes for
Lambda to load the runtime and run any after-restore hooks. You are not charged for the time it
takes to restore a snapshot" (snapstart-monitoring); it is already inside `Billed Duration` (real
REPORT lines: Duration 149.53 ms + Billed Restore Duration 163 ms → Billed Duration 313 ms), so it
is not added either. SnapStart's per-GB cache and restoration charges (Python and .NET only) are
not per-invocation duration and are not in this figure. Lambda Managed Instances are priced per
instance (EC2 price plus a management fee), not per GB-second: their REPORT carries no `Billed
Duration` or `Memory Size` (platform.report metrics hold durationMs alone), so no cost is set.

The architecture is not in the REPORT line. The deployed transformer reads it from the maps
the subscribers publish to the pipeline's bucket (transformer/architecture_map.py,
docs/decisions/architecture-map.md): it has no Lambda permission at all, since
`lambda:GetFunctionConfiguration` also returns every function's environment variables. A
function no map names is priced at the default architecture (x86_64 unless
`defaultArchitecture` says otherwise) and counted (ArchitectureDefaulted).

`LambdaArchitectures` (GetFunctionConfiguration, cached for the process's lifetime; a failed
lookup is never kept) is left for the operator's own commands (`lambdalogs backfill`, the
restore of backups), which run with the operator's credentials in the functions' account."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any, Final, Protocol

from botocore.exceptions import BotoCoreError, ClientError

from lambda_shared.backoff import RetryPolicy, is_retryable
from transformer.settings import Prices

_COST_DIGITS: Final = 12


class ArchitectureSource(Protocol):
    def architecture(self, function_name: str, account_id: str, region: str = "") -> str:
        """The function's architecture; `region` is its log group's ("" = unknown)."""
        ...


def defaulted_count(source: ArchitectureSource) -> int:
    """The summary's count: `source.take_defaulted()` (lookups answered with the default since
    the last call, transformer/architecture_map.py), 0 for a source that cannot tell."""
    take = getattr(source, "take_defaulted", None)
    return int(take()) if callable(take) else 0


def invocation_cost(billed_ms: int, memory_mb: int, architecture: str, prices: Prices) -> float:
    """USD for one invocation; `architecture` other than arm64 is priced as x86_64."""
    gb_seconds = (billed_ms / 1000.0) * (memory_mb / 1024.0)
    price = prices.arm64_gb_second if architecture == "arm64" else prices.x86_64_gb_second
    return round(gb_seconds * price + prices.per_request, _COST_DIGITS)


class StaticArchitectures:
    """Every function on one architecture (local runs, tests)."""

    def __init__(self, architecture: str = "x86_64", known: dict[str, str] | None = None) -> None:
        self._default = architecture
        self._known = dict(known or {})

    def architecture(self, function_name: str, account_id: str, region: str = "") -> str:
        return self._known.get(function_name, self._default)

    def take_defaulted(self) -> int:
        return 0  # every function is on the chosen architecture: none is unknown


# Lambda's control plane (GetFunctionConfiguration among it) allows 15 calls/s per account and
# region, shared by every container of the transformer and everything else in the account: one
# container takes at most LOOKUP_BURST calls at once and LOOKUPS_PER_SECOND on average.
LOOKUPS_PER_SECOND: Final = 2.0
LOOKUP_BURST: Final = 4
# A throttled or failing lookup is retried within LOOKUP_BUDGET_SECONDS (the batch waits for it);
# after that the function is priced at the default for LOOKUP_COOL_DOWN_SECONDS, never cached, so
# a later batch asks again once the cool-down is over.
LOOKUP_BUDGET_SECONDS: Final = 1.5
LOOKUP_COOL_DOWN_SECONDS: Final = 30.0
LOOKUP_RETRY: Final = RetryPolicy(max_attempts=3, base_seconds=0.1, cap_seconds=0.5)


class TokenBucket:
    """`rate` tokens a second, at most `burst` saved; `take` never waits."""

    def __init__(self, rate: float, burst: int, clock: Callable[[], float]) -> None:
        self._rate, self._burst, self._clock = rate, float(burst), clock
        self._tokens, self._at = float(burst), clock()
        self._lock = threading.Lock()

    def take(self) -> bool:
        with self._lock:
            now = self._clock()
            self._tokens = min(self._burst, self._tokens + (now - self._at) * self._rate)
            self._at = now
            if self._tokens < 1.0:
                return False
            self._tokens -= 1.0
            return True


class LambdaArchitectures:
    """Looks each function up with `lambda:GetFunctionConfiguration` and keeps only real
    answers for the container's lifetime. A lookup that cannot be made or keeps failing gives
    the default for this record, never cached: retried (RetryPolicy, within
    LOOKUP_BUDGET_SECONDS) and then not asked again for LOOKUP_COOL_DOWN_SECONDS (no function
    is, when the API throttled or did not answer). One lookup per function is in flight at a
    time, and the container's calls follow a token bucket."""

    def __init__(
        self,
        client_factory: Callable[[], Any],
        region: str,
        default: str = "x86_64",
        *,
        policy: RetryPolicy = LOOKUP_RETRY,
        clock: Callable[[], float] = time.monotonic,
        own_account: str = "",
    ) -> None:
        self._client_factory = client_factory
        self._own_account = own_account
        """The transformer's account: a function of any other is priced at the default, never
        looked up (empty: unknown, and every function is looked up)."""
        self._client: Any = None
        self._region = region
        self._default = default
        self._policy = policy
        self._clock = clock
        self._cache: dict[tuple[str, str], str] = {}
        self._cool_until: dict[tuple[str, str], float] = {}
        self._paused_until = 0.0
        self._bucket = TokenBucket(LOOKUPS_PER_SECOND, LOOKUP_BURST, clock)
        self._locks: dict[tuple[str, str], threading.Lock] = {}
        self._locks_lock = threading.Lock()
        self.calls = 0
        """GetFunctionConfiguration calls made (for tests and the bench)."""

    def take_defaulted(self) -> int:
        return 0  # the operator's commands do not count

    def architecture(self, function_name: str, account_id: str, region: str = "") -> str:
        if region and region != self._region:
            return self._default  # a lookup asks in its own region only
        if self._own_account and account_id != self._own_account:
            return self._default  # a spoke's function: not ours to read (module docstring)
        key = (account_id, function_name)
        found = self._cache.get(key)
        if found is not None:
            return found
        with self._locks_lock:
            lock = self._locks.setdefault(key, threading.Lock())
        with lock:  # one lookup per function in flight; the others wait for its answer
            found = self._cache.get(key)
            if found is not None:
                return found
            if self._clock() < self._cool_until.get(key, 0.0):
                return self._default
            found = self._lookup(function_name, account_id)
            if found is None:
                self._cool_until[key] = self._clock() + LOOKUP_COOL_DOWN_SECONDS
                return self._default
            self._cache[key] = found
            return found

    def _lookup(self, function_name: str, account_id: str) -> str | None:
        """The function's architecture, or None when no answer came within the budget. After a
        throttle, a timeout or a 5xx no lookup of any function starts before the cool-down is
        over: the API is busy or unreachable for all of them, and each try costs the batch."""
        if self._clock() < self._paused_until:
            return None
        arn = f"arn:aws:lambda:{self._region}:{account_id}:function:{function_name}"
        started = self._clock()
        attempts = 0
        while self._bucket.take():
            attempts += 1
            try:
                response = self._call(arn)
            except (ClientError, BotoCoreError) as exc:
                if not is_retryable(exc):
                    return None
                delay = self._policy.delay(attempts - 1)
                spent = self._clock() - started
                if not self._policy.allows(attempts) or spent + delay > LOOKUP_BUDGET_SECONDS:
                    self._paused_until = self._clock() + LOOKUP_COOL_DOWN_SECONDS
                    return None
                self._policy.sleep(delay)
                continue
            architectures = response.get("Architectures") or ["x86_64"]
            return "arm64" if architectures[0] == "arm64" else "x86_64"
        return None

    def _call(self, arn: str) -> dict[str, Any]:
        if self._client is None:
            self._client = self._client_factory()
        self.calls += 1
        response: dict[str, Any] = self._client.get_function_configuration(FunctionName=arn)
        return response
