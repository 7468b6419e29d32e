"""AWS clients, created on first use (never at import time), each counting its API calls.
Built by `lambda_shared.aws_clients` (one HTTP attempt per call: our loops retry)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from lambda_shared.aws_clients import SUBSCRIBER_TIMEOUTS, make_client


def _boto3_client(service: str, region: str | None = None) -> Any:
    return make_client(service, region, SUBSCRIBER_TIMEOUTS)


class Clients:
    """`get("logs")`, `get("lambda")`, `get("firehose")`; `calls` counts every API call made."""

    def __init__(self, factory: Callable[..., Any] = _boto3_client) -> None:
        self._factory = factory
        self._cache: dict[str, Any] = {}
        self.calls = 0

    def get(self, service: str, region: str = "") -> Any:
        """`region`: another region than the function's (a spoke's hub bucket), "" = its own;
        the factory is then called with it."""
        key = f"{service}@{region}" if region else service
        if key not in self._cache:
            client = self._factory(service, region) if region else self._factory(service)
            client.meta.events.register("before-parameter-build", self._count)
            self._cache[key] = client
        return self._cache[key]

    def lazy(self, service: str, region: str = "") -> Any:
        """A stand-in that creates the client on its first method call."""
        return _LazyClient(self, service, region)

    def _count(self, **_: Any) -> None:
        self.calls += 1


class _LazyClient:
    def __init__(self, clients: Clients, service: str, region: str = "") -> None:
        self._clients = clients
        self._service = service
        self._region = region

    def __getattr__(self, name: str) -> Any:
        return getattr(self._clients.get(self._service, self._region), name)
