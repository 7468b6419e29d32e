"""Scope checks for parsed policy documents, and the policy linter's findings on them."""

from __future__ import annotations

import json
from typing import Any, Final

from infra.policies import UNSCOPED_ACTIONS
from tests.infra.harness import ProgramRun


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


POLICY_INPUTS: Final = {
    "aws:iam/role:Role": "assumeRolePolicy",
    "aws:iam/rolePolicy:RolePolicy": "policy",
    "aws:s3/bucketPolicy:BucketPolicy": "policy",
    "aws:opensearch/domain:Domain": "accessPolicies",
    "aws:cloudwatch/logDestinationPolicy:LogDestinationPolicy": "accessPolicy",
}
"""Every resource type through which the program creates an IAM policy document, and the input
that holds it (a trust policy, an inline role policy, a bucket or a domain resource policy)."""


def iam_policies(run: ProgramRun) -> dict[str, dict[str, Any]]:
    """`<resource name>:<input>` → the parsed policy document, for every policy in `run`."""
    found: dict[str, dict[str, Any]] = {}
    for type_, field in POLICY_INPUTS.items():
        for resource in run.of_type(type_):
            if field in resource.inputs:
                found[f"{resource.name}:{field}"] = resource.json(field)
    return found


Finding = tuple[str, str, str]
"""(policy, statement Sid or `#<index>`, parliament issue code)."""


_NO_RESOURCE: Final = "Statement contains neither Resource nor NotResource"
"""parliament lints identity policies; a role's trust policy has no Resource by definition (the
role is the resource), so that one MALFORMED finding is not a finding there. Any other finding
on a trust policy still counts."""


def lint(label: str, policy: dict[str, Any]) -> list[Finding]:
    """parliament's findings (its public auditors, as `parliament --file` runs them) on each
    statement of `policy` alone, so that every finding names the statement it is about."""
    import parliament  # type: ignore[import-untyped,import-not-found,unused-ignore]

    found: list[Finding] = []
    for index, statement in enumerate(statements(policy)):
        alone = json.dumps({"Version": policy["Version"], "Statement": [statement]})
        analyzed = parliament.analyze_policy_string(alone, ignore_private_auditors=True)
        sid = str(statement.get("Sid") or f"#{index}")
        found.extend(
            (label, sid, str(finding.issue))
            for finding in analyzed.findings
            if not (":assumeRolePolicy" in label and finding.detail == _NO_RESOURCE)
        )
    return sorted(set(found))
