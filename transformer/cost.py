"""What one invocation cost: billed duration × memory × the architecture's price + a request.

Since August 2025 `Billed Duration` includes the INIT phase of on-demand functions, so
`Init Duration` is never added again. The architecture is not in the REPORT line: it is looked
up once per function per container with `lambda:GetFunctionConfiguration`."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Final, Protocol

from botocore.exceptions import BotoCoreError, ClientError

from transformer.settings import Prices

_COST_DIGITS: Final = 12


class ArchitectureSource(Protocol):
    def architecture(self, function_name: str, account_id: str) -> str: ...


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

    def architecture(self, function_name: str, account_id: str) -> str:
        return self._known.get(function_name, self._default)


class LambdaArchitectures:
    """Looks each function up once per container; the default when the lookup fails."""

    def __init__(
        self, client_factory: Callable[[], Any], region: str, default: str = "x86_64"
    ) -> None:
        self._client_factory = client_factory
        self._client: Any = None
        self._region = region
        self._default = default
        self._cache: dict[tuple[str, str], str] = {}

    def architecture(self, function_name: str, account_id: str) -> str:
        key = (account_id, function_name)
        found = self._cache.get(key)
        if found is None:
            found = self._lookup(function_name, account_id)
            self._cache[key] = found
        return found

    def _lookup(self, function_name: str, account_id: str) -> str:
        if self._client is None:
            self._client = self._client_factory()
        arn = f"arn:aws:lambda:{self._region}:{account_id}:function:{function_name}"
        try:
            response = self._client.get_function_configuration(FunctionName=arn)
        except (ClientError, BotoCoreError):
            return self._default
        architectures = response.get("Architectures") or ["x86_64"]
        return "arm64" if architectures[0] == "arm64" else "x86_64"
