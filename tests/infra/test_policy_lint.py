"""GIVEN every stack variant WHEN the program runs under mocks THEN every IAM policy document it
creates (trust policies, inline role policies, the bucket policy, the domain access policy)
passes the parliament policy linter, but for the findings justified below — each one also
justified in a comment next to its statement in one of infra/*policies.py. A
new finding fails."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any, Final

import pytest

from tests.infra.harness import ProgramRun
from tests.infra.policy_checks import iam_policies, lint

_DENY_ALL_S3 = "a Deny of s3:* (justified in infra/policies.py, tls_only_bucket_policy)"
_DESTINATION = (
    "a destination policy on its own ARN, as AWS documents it (destination_access_policy)"
)
JUSTIFIED: Final[dict[tuple[str, str], str]] = {
    ("DenyInsecureTransport", "RESOURCE_MISMATCH"): _DENY_ALL_S3,
    ("DenyOldTls", "RESOURCE_MISMATCH"): _DENY_ALL_S3,
    ("DenyOldTls", "UNKNOWN_CONDITION_FOR_ACTION"): _DENY_ALL_S3,
    ("DenyOldTls", "MISMATCHED_TYPE"): "parliament's Numeric pattern is whole numbers only",
    ("AllowedNetworks", "MISMATCHED_TYPE"): "parliament's Ip pattern refuses compressed IPv6",
    ("SpokeAccounts", "RESOURCE_MISMATCH"): _DESTINATION,
    ("SpokeOrganization", "RESOURCE_MISMATCH"): _DESTINATION,
}
"""(statement Sid, parliament issue) → why it stays; `infra/policies.py` (or
`infra/*policies.py`) names the same issue and Sid in a comment beside the statement (checked
below). Any other finding fails."""
POLICIES_SOURCES: Final = tuple(
    sorted((Path(__file__).resolve().parents[2] / "infra").glob("*policies.py"))
)

EXPECTED_POLICIES: Final = {
    "lambda-logs-transformer-role:assumeRolePolicy",
    "lambda-logs-transformer-policy:policy",
    "lambda-logs-subscriber-role:assumeRolePolicy",
    "lambda-logs-subscriber-policy:policy",
    "lambda-logs-delivery-firehose:assumeRolePolicy",
    "lambda-logs-delivery-firehose:policy",
    "lambda-logs-delivery-logs:assumeRolePolicy",
    "lambda-logs-delivery-logs:policy",
    "lambda-logs-alarms-opensearch:assumeRolePolicy",
    "lambda-logs-alarms-opensearch:policy",
    "lambda-logs-backup-tls-only:policy",
    "lambda-logs-search:accessPolicies",
}

HAS_PARLIAMENT: Final = importlib.util.find_spec("parliament") is not None
needs_parliament = pytest.mark.skipif(
    not HAS_PARLIAMENT,
    reason="parliament (the IAM policy linter) is not installed: pip install parliament "
    "(requirements-dev.txt) to lint every policy the program creates",
)


def _all_policies(*runs: ProgramRun) -> dict[str, dict[str, Any]]:
    found: dict[str, dict[str, Any]] = {}
    for index, run in enumerate(runs):
        for label, policy in iam_policies(run).items():
            found[label if label not in found or found[label] == policy else f"{label}@{index}"] = (
                policy
            )
    return found


def test_every_policy_document_of_the_program_is_collected(default_run: ProgramRun) -> None:
    """The collector the linter runs on sees every policy (so none escapes the lint)."""
    found = iam_policies(default_run)
    assert set(found) >= EXPECTED_POLICIES, sorted(found)
    for policy in found.values():
        assert policy["Version"] == "2012-10-17"
        assert policy["Statement"]


@needs_parliament
def test_no_unjustified_linter_finding(
    default_run: ProgramRun, tuned_run: ProgramRun, byo_policy_run: ProgramRun
) -> None:
    findings = [
        finding
        for label, policy in _all_policies(default_run, tuned_run, byo_policy_run).items()
        for finding in lint(label, policy)
    ]
    new = [f for f in findings if (f[1], f[2]) not in JUSTIFIED]
    assert not new, "fix, or justify next to the statement and in JUSTIFIED: " + "\n".join(
        map(str, new)
    )


@needs_parliament
def test_no_unjustified_linter_finding_in_hub_and_spoke(
    hub_run: ProgramRun, spoke_run: ProgramRun, spoke_hub_run: ProgramRun
) -> None:
    """The destinations' roles and policies, the spokes' backfill role and the hub's bucket
    policy that admits their architecture maps, and a spoke subscriber's policy (with and
    without the hub's bucket and backfill role) lint clean too."""
    found = _all_policies(hub_run, spoke_run, spoke_hub_run)
    assert any(label.endswith(":accessPolicy") for label in found), sorted(found)
    assert "lambda-logs-spoke-subscriber-policy:policy" in found, sorted(found)
    assert "lambda-logs-spoke-subscriber-policy:policy@2" in found, sorted(found)
    for label in (
        "lambda-logs-hub-spoke-backfill:assumeRolePolicy",
        "lambda-logs-hub-spoke-backfill:policy",
    ):
        assert label in found, sorted(found)
    sids = {s.get("Sid") for s in found["lambda-logs-backup-tls-only:policy"]["Statement"]}
    assert {"SpokeAccountMaps", "SpokeOrganizationMaps"} <= sids, sids
    findings = [finding for label, policy in found.items() for finding in lint(label, policy)]
    new = [f for f in findings if (f[1], f[2]) not in JUSTIFIED]
    assert not new, "fix, or justify next to the statement and in JUSTIFIED: " + "\n".join(
        map(str, new)
    )


def test_every_justification_is_written_next_to_its_statement() -> None:
    source = "\n".join(path.read_text() for path in POLICIES_SOURCES)
    for sid, issue in JUSTIFIED:
        assert f'"Sid": "{sid}"' in source, sid
        assert issue in source and sid in source.split(f'"Sid": "{sid}"')[0], (sid, issue)


@needs_parliament
def test_the_linter_can_fail() -> None:
    bad = {
        "Version": "2012-10-17",
        "Statement": [
            {"Sid": "Typo", "Effect": "Allow", "Action": "s3:GetObjects", "Resource": "*"}
        ],
    }
    assert ("bad", "Typo", "UNKNOWN_ACTION") in lint("bad", bad)
