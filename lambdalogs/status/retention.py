"""ISM on the current indices: `GET _plugins/_ism/explain/<prefix>-*` names, per index, the
policy managing it (`index.plugins.index_state_management.policy_id`, null when none) and
whether its job is enabled. Without the retention policy an index is never deleted."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final

from lambdalogs.search.cluster import OpenSearchCluster
from lambdalogs.status.report import Check, Row, State

POLICY_SETTING: Final = "index.plugins.index_state_management.policy_id"
LEGACY_SETTING: Final = "index.opendistro.index_state_management.policy_id"


@dataclass(frozen=True)
class IndexPolicy:
    index: str
    policy: str | None
    enabled: bool | None


def policy_id(prefix: str) -> str:
    """The policy `opensearch/apply.py` puts (`ContentSettings.ism_policy_id`)."""
    return f"{prefix}-retention"


def explain(cluster: OpenSearchCluster, prefix: str) -> list[IndexPolicy]:
    path = f"/_plugins/_ism/explain/{prefix}-*"
    answer: Any = cluster.run(
        f"reading the ISM state of {prefix}-* (GET {path})",
        lambda: cluster.client.transport.perform_request("GET", path),
    )
    found = []
    for index, state in sorted((answer or {}).items()):
        if not isinstance(state, dict):
            continue  # total_managed_indices
        policy = state.get(POLICY_SETTING) or state.get(LEGACY_SETTING) or state.get("policy_id")
        enabled = state.get("enabled")
        found.append(
            IndexPolicy(
                index, str(policy) if policy else None, None if enabled is None else bool(enabled)
            )
        )
    return found


def retention_check(found: list[IndexPolicy], prefix: str) -> Check:
    expected = policy_id(prefix)
    rows = []
    problems = 0
    for item in found:
        if item.policy is None:
            problem = "no ISM policy: never deleted"
        elif item.policy != expected:
            problem = f"managed by {item.policy}, not {expected}"
        elif item.enabled is False:
            problem = "ISM job disabled (a failed step): retry it in Index Management"
        else:
            problem = ""
        problems += bool(problem)
        rows.append(Row((item.index, item.policy or "-", problem or "ok"), bool(problem)))
    notes: tuple[str, ...] = ()
    if problems:
        notes = (
            f'attach it: POST _plugins/_ism/add/{prefix}-* {{"policy_id": "{expected}"}} '
            "(or run `pulumi up`, which attaches it to the existing indices)",
        )
    state: State
    if not found:
        summary, state = f"no {prefix}-* indices", "attention"
    else:
        summary = f"{len(found) - problems}/{len(found)} indices managed by {expected}"
        state = "attention" if problems else "ok"
    return Check(
        "retention (ISM)",
        state,
        summary,
        ("index", "policy", "state"),
        tuple(rows),
        notes,
        {
            "policy": expected,
            "indices": [
                {"index": i.index, "policy": i.policy, "enabled": i.enabled} for i in found
            ],
        },
    )
