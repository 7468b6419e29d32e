"""Shared test configuration: no test may reach a real AWS endpoint."""

from __future__ import annotations

import os

import pytest


@pytest.fixture(autouse=True)
def _no_real_aws(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fake credentials and a fixed region, so a forgotten mock fails instead of calling AWS."""
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_SESSION_TOKEN", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", os.environ.get("TEST_AWS_REGION", "eu-west-1"))
    monkeypatch.delenv("AWS_PROFILE", raising=False)
