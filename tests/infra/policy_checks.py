"""Scope checks for parsed policy documents."""

from __future__ import annotations

from typing import Any

from infra.policies import UNSCOPED_ACTIONS


def statements(policy: dict[str, Any]) -> list[dict[str, Any]]:
    found = policy["Statement"]
    assert isinstance(found, list)
    return found


def as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def allowed_actions(policy: dict[str, Any]) -> set[str]:
    return {a for s in statements(policy) if s["Effect"] == "Allow" for a in as_list(s["Action"])}


def resources_for(policy: dict[str, Any], action: str) -> set[str]:
    return {
        r
        for s in statements(policy)
        if s["Effect"] == "Allow" and action in as_list(s["Action"])
        for r in as_list(s["Resource"])
    }


def assert_least_privilege(policy: dict[str, Any]) -> None:
    """No wildcard action; `Resource: *` only for actions AWS grants on nothing narrower."""
    for statement in statements(policy):
        if statement["Effect"] != "Allow":
            continue
        actions = as_list(statement["Action"])
        assert all("*" not in action for action in actions), statement
        if "*" in as_list(statement["Resource"]):
            assert set(actions) <= UNSCOPED_ACTIONS, statement
