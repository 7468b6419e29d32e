"""The OpenSearch content component is optional at import time, never silently broken."""

from __future__ import annotations

import importlib
from types import ModuleType

import pulumi
import pytest

from infra.content import CONTENT_MODULE, ContentInputs, content_module, create_content


def _missing(name: str) -> ModuleType:
    raise ModuleNotFoundError(f"No module named {name!r}", name=name)


def test_missing_content_module_is_tolerated(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(importlib, "import_module", _missing)
    assert content_module() is None
    inputs = ContentInputs(
        "host", "eu-west-1", "lambda-logs", 30, 1, 1, "arn", None, None, None, None
    )
    assert create_content("c", inputs, pulumi.ResourceOptions()) is None


def test_a_broken_dependency_of_the_module_is_not_hidden(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(name: str) -> ModuleType:
        raise ModuleNotFoundError("No module named 'opensearchpy'", name="opensearchpy")

    monkeypatch.setattr(importlib, "import_module", broken)
    with pytest.raises(ModuleNotFoundError, match="opensearchpy"):
        content_module()


def test_the_real_module_matches_the_interface() -> None:
    module = importlib.import_module(CONTENT_MODULE)
    assert module.OpenSearchContent.__mro__[1] is pulumi.ComponentResource
    fields = set(module.OpenSearchContentArgs.__dataclass_fields__)
    assert set(ContentInputs.__dataclass_fields__) <= fields
