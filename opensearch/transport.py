"""What the content applier needs of an HTTP client: `Transport.perform_request`, and a
`Backend` that builds one per base URL and maps its failures to `opensearch.connection` errors.

Two backends implement it: `opensearch.client.OpenSearchPyBackend` (opensearch-py, on the
deployer's machine) and `opensearch.lean_transport.LeanBackend` (urllib + botocore's SigV4
signer, inside the in-VPC applier function, whose package has no opensearch-py).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol, TypeVar

from opensearch.connection import Connection

T = TypeVar("T")


class Transport(Protocol):
    """The subset of opensearch-py's `Transport` that `opensearch.apply` uses."""

    def perform_request(
        self,
        method: str,
        url: str,
        params: dict[str, str] | None = None,
        body: Any = None,
        headers: dict[str, str] | None = None,
    ) -> Any:
        """Send one request to `url` (a path) under the base URL; the parsed JSON answer."""
        ...


class Backend(Protocol):
    def transport(self, connection: Connection, url: str) -> Transport:
        """A transport to the base `url` (the endpoint or Dashboards) with the connection's
        auth, TLS and timeouts."""
        ...

    def call(self, connection: Connection, step: str, action: Callable[[], T]) -> T:
        """Run `action`; any failure becomes an `OpenSearchContentError` naming `step`."""
        ...
