"""Fixtures of the OpenSearch content tests: the local OpenSearch HTTP fake."""

from __future__ import annotations

from tests.fakes.opensearch_http import opensearch_fake

__all__ = ["opensearch_fake"]
