"""One program run per scenario, shared by every assertion on it (Pulumi mock runs are slow-ish)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.infra.harness import (
    ACCOUNT,
    REGION,
    ProgramRun,
    base_config,
    offline_packages,
    run_program,
)

BYO_ARN = "arn:aws:es:eu-west-1:123456789012:domain/existing-logs"
BYO_ENDPOINT = "search-existing-logs-xyz.eu-west-1.es.amazonaws.com"
ORG = "o-abc123def4"
SPOKES = ("111122223333", "444455556666")
HUB_DEST = f"arn:aws:logs:{REGION}:{ACCOUNT}:destination:lambda-logs-hub-dest"
HUB_DEST_2 = f"arn:aws:logs:{REGION}:{ACCOUNT}:destination:lambda-logs-hub-dest-2"


@pytest.fixture(scope="session")
def packages_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("infra-packages")


@pytest.fixture(scope="session")
def default_run(packages_dir: Path) -> ProgramRun:
    """Defaults: reconciler mode, a new domain, no CIDRs, no e-mail."""
    return run_program(base_config(), offline_packages(packages_dir / "default"))


@pytest.fixture(scope="session")
def tuned_run(packages_dir: Path) -> ProgramRun:
    """Reconciler mode with every optional setting given."""
    values = {
        **base_config(),
        "allowedCidrs": "203.0.113.0/24, 2001:db8::/32",
        "alarmEmail": "ops@example.com",
        "processorBufferSizeMb": "0.5",
        "processorBufferIntervalSeconds": "30",
        "lambdaArchitecture": "x86_64",
        "archiveAfterDays": "0",
        "expireAfterDays": "0",
        "zoneAwareness": "false",
        "instanceCount": "1",
        "indexReplicas": "0",
        "excludeLogGroups": "/aws/lambda/noisy,/aws/lambda/test-*",
        "resourcePrefix": "logs-prod",
    }
    return run_program(values, offline_packages(packages_dir / "tuned"))


@pytest.fixture(scope="session")
def byo_policy_run(packages_dir: Path) -> ProgramRun:
    """Bring-your-own domain, account-policy mode, no password (SigV4 for the content)."""
    values = {
        "existingDomainArn": BYO_ARN,
        "existingDomainEndpoint": BYO_ENDPOINT,
        "subscriptionMode": "account-policy",
        "excludeLogGroups": "/aws/lambda/noisy",
        "filterPattern": "-DEBUG",
    }
    return run_program(values, offline_packages(packages_dir / "byo", bundle_orjson=False))


@pytest.fixture(scope="session")
def hub_run(packages_dir: Path) -> ProgramRun:
    """A hub of two streams for two regions, admitting an organisation and two accounts."""
    values = {
        **base_config(),
        "deployment": "hub",
        "resourcePrefix": "lambda-logs-hub",
        "deliveryStreams": "2",
        "spokeRegions": f"{REGION},us-east-1",
        "organizationId": ORG,
        "spokeAccountIds": ",".join(SPOKES),
    }
    return run_program(values, offline_packages(packages_dir / "hub"))


@pytest.fixture(scope="session")
def spoke_run(packages_dir: Path) -> ProgramRun:
    """A reconciler spoke pointed at a two-stream hub; no domain settings."""
    values = {"deployment": "spoke", "hubDestinationArn": f"{HUB_DEST},{HUB_DEST_2}"}
    return run_program(values, offline_packages(packages_dir / "spoke"))


HUB_ACCOUNT = "210987654321"
HUB_REGION = "us-east-1"
HUB_STREAMS = tuple(
    f"arn:aws:firehose:{HUB_REGION}:{HUB_ACCOUNT}:deliverystream/lambda-logs-hub{suffix}"
    for suffix in ("", "-2")
)
HUB_BUCKET = "lambda-logs-hub-backup-0a1b2c3"
HUB_BACKFILL_ROLE = f"arn:aws:iam::{HUB_ACCOUNT}:role/lambda-logs-hub-spoke-backfill"


@pytest.fixture(scope="session")
def spoke_hub_run(packages_dir: Path) -> ProgramRun:
    """A reconciler spoke given the hub's streams, bucket and backfill role."""
    values = {
        "deployment": "spoke",
        "hubDestinationArn": f"{HUB_DEST},{HUB_DEST_2}",
        "hubStreamArns": ",".join(HUB_STREAMS),
        "hubBucketName": HUB_BUCKET,
        "hubBackfillRoleArn": HUB_BACKFILL_ROLE,
    }
    return run_program(values, offline_packages(packages_dir / "spoke-hub"))


def pytest_configure(config: pytest.Config) -> None:
    """pulumi_aws warns about its own deprecated resource classes on import: not ours."""
    config.addinivalue_line("filterwarnings", "ignore::DeprecationWarning:pulumi_aws.*")
