"""StackConfig: defaults, validation, and errors that carry the `pulumi config set` fix."""

from __future__ import annotations

from pathlib import Path

import pulumi
import pulumi.runtime
import pytest
import yaml  # type: ignore[import-untyped]

from infra.config import ConfigError, StackConfig, load_stack_config
from infra.config_keys import KEYS
from tests.infra.harness import PASSWORD, PROJECT, ProgramRun, RecordingMocks

ROOT = Path(__file__).resolve().parents[2]
VALID = {"masterUserPassword": PASSWORD, "allowedCidrs": "198.51.100.7/32"}


def _config(**values: str) -> StackConfig:
    return StackConfig.from_values({**VALID, **values}, stack="dev", region="eu-west-1")


def test_defaults() -> None:
    config = _config()
    assert config.resource_prefix == "lambda-logs-dev"
    assert config.domain_name == "lambda-logs-dev"
    assert config.engine_version == "OpenSearch_2.19"
    assert config.lambda_architecture == "arm64"
    assert config.subscription_mode == "reconciler"
    assert config.index_prefix == "lambda-logs"
    assert config.label_keys == ("milestone",)
    assert config.log_group_prefixes == ("/aws/lambda/",)
    assert config.alarm_email is None
    assert config.existing_domain is None
    assert (config.transformer_memory_mb, config.transformer_timeout_seconds) == (1024, 120)
    assert config.pipeline_log_groups == (
        "/aws/lambda/lambda-logs-dev-transformer",
        "/aws/lambda/lambda-logs-dev-subscriber",
        "/aws/kinesisfirehose/lambda-logs-dev",
    )


def test_password_is_not_in_the_repr() -> None:
    assert PASSWORD not in repr(_config())


def test_values_from_pulumi_yaml_defaults_parse() -> None:
    """The CLI passes Pulumi.yaml defaults as text, e.g. 'true' and '2'."""
    values = {
        k.name: str(k.default).lower() if isinstance(k.default, bool) else str(k.default)
        for k in KEYS
        if k.default is not None
    }
    config = StackConfig.from_values({**values, **VALID}, stack="dev", region="eu-west-1")
    assert config == _config()


def test_pulumi_yaml_declares_every_key_with_type_description_and_default() -> None:
    project = yaml.safe_load((ROOT / "Pulumi.yaml").read_text())
    assert project["name"] == PROJECT
    assert project["runtime"]["name"] == "python"
    assert project["runtime"]["options"]["virtualenv"] == ".venv"
    declared = project["config"]
    assert set(declared) == {k.name for k in KEYS}
    for key in KEYS:
        entry = declared[key.name]
        assert entry["type"] == key.type, key.name
        assert entry["description"] == key.description, key.name
        assert entry["default"] == key.default, key.name
        # secrecy is enforced by the program, so that an empty default stays possible
        assert "secret" not in entry, key.name


def test_deploy_guide_documents_every_key_and_default() -> None:
    guide = (ROOT / "README.md").read_text()
    rows = {
        line.split("|")[1].strip().strip("`"): line
        for line in guide.splitlines()
        if line.startswith("| `")
    }
    for key in KEYS:
        assert key.name in rows, key.name
        assert key.type in rows[key.name], key.name
        if key.default not in (None, ""):
            shown = str(key.default).lower() if isinstance(key.default, bool) else str(key.default)
            assert shown in rows[key.name], key.name


@pytest.mark.parametrize(
    ("values", "fix"),
    [
        ({"masterUserPassword": ""}, "pulumi config set --secret masterUserPassword <value>"),
        ({"masterUserPassword": "weak"}, "pulumi config set --secret masterUserPassword <value>"),
        ({"instanceCount": "three"}, "pulumi config set instanceCount 2"),
        ({"instanceCount": "3"}, "pulumi config set instanceCount 2"),
        ({"indexReplicas": "2"}, "pulumi config set indexReplicas 1"),
        ({"engineVersion": "OpenSearch_2.5"}, "pulumi config set engineVersion OpenSearch_2.19"),
        (
            {"engineVersion": "Elasticsearch_7.10"},
            "pulumi config set engineVersion OpenSearch_2.19",
        ),
        ({"lambdaArchitecture": "arm"}, "pulumi config set lambdaArchitecture arm64"),
        ({"subscriptionMode": "both"}, "pulumi config set subscriptionMode reconciler"),
        ({"allowedCidrs": "10.0.0.300/8"}, "pulumi config set allowedCidrs 203.0.113.0/24"),
        ({"allowedCidrs": "0.0.0.0/0"}, "pulumi config set allowedCidrs 203.0.113.0/24"),
        ({"allowedCidrs": ""}, "pulumi config set allowedCidrs 203.0.113.10/32"),
        ({"alarmEmail": "not-an-address"}, "pulumi config set alarmEmail ops@example.com"),
        ({"zoneAwareness": "maybe"}, "pulumi config set zoneAwareness true"),
        ({"archiveStorageClass": "TAPE"}, "pulumi config set archiveStorageClass STANDARD_IA"),
        ({"expireAfterDays": "10"}, "pulumi config set expireAfterDays 395"),
        ({"logRetentionDays": "10"}, "pulumi config set logRetentionDays 1"),
        ({"bufferSizeMb": "200"}, "pulumi config set bufferSizeMb 5"),
        ({"transformerTimeoutSeconds": "600"}, "pulumi config set transformerTimeoutSeconds 120"),
        ({"processorBufferSizeMb": "5"}, "pulumi config set processorBufferSizeMb 1"),
        ({"reconcileSchedule": "hourly"}, "pulumi config set reconcileSchedule 'rate(15 minutes)'"),
        ({"domainName": "Logs_Domain"}, "pulumi config set domainName lambda-logs"),
        ({"resourcePrefix": "x" * 41}, "pulumi config set resourcePrefix lambda-logs-prod"),
        ({"indexPrefix": "Logs"}, "pulumi config set indexPrefix lambda-logs"),
        (
            {"existingDomainEndpoint": "search-x.eu-west-1.es.amazonaws.com"},
            "pulumi config set existingDomainArn arn:aws:es:",
        ),
        (
            {"existingDomainArn": "arn:aws:es:eu-west-1:123456789012:domain/my-domain"},
            "pulumi config set existingDomainEndpoint search-my-domain",
        ),
        (
            {
                "existingDomainArn": "arn:aws:es:eu-west-1:123456789012:domain/my-domain",
                "existingDomainEndpoint": "https://search-my-domain.es.amazonaws.com",
            },
            "pulumi config set existingDomainEndpoint search-my-domain",
        ),
        (
            {
                "existingDomainArn": "arn:aws:es:us-east-1:123456789012:domain/my-domain",
                "existingDomainEndpoint": "search-my-domain.us-east-1.es.amazonaws.com",
            },
            "pulumi config set existingDomainArn arn:aws:es:eu-west-1:",
        ),
        (
            {"subscriptionMode": "account-policy", "excludeLogGroups": "/aws/lambda/test-*"},
            "pulumi config set excludeLogGroups /aws/lambda/noisy-function",
        ),
    ],
)
def test_invalid_values_fail_with_the_fix(values: dict[str, str], fix: str) -> None:
    with pytest.raises(ConfigError) as raised:
        _config(**values)
    assert fix in str(raised.value)


def test_missing_region_says_how_to_set_it() -> None:
    with pytest.raises(ConfigError, match="pulumi config set aws:region"):
        StackConfig.from_values(VALID, stack="dev", region=None)


def test_existing_domain_needs_no_password() -> None:
    config = StackConfig.from_values(
        {
            "existingDomainArn": "arn:aws:es:eu-west-1:123456789012:domain/my-domain",
            "existingDomainEndpoint": "search-my-domain-abc.eu-west-1.es.amazonaws.com",
        },
        stack="dev",
        region="eu-west-1",
    )
    assert config.existing_domain is not None
    assert config.existing_domain.name == "my-domain"
    assert config.domain_name == "my-domain"
    assert config.master_user_password is None


def test_lists_are_split_and_trimmed() -> None:
    config = _config(labelKeys=" milestone , step,, ", logGroupPrefixes="/aws/lambda/,/custom/")
    assert config.label_keys == ("milestone", "step")
    assert config.log_group_prefixes == ("/aws/lambda/", "/custom/")


def test_long_stack_names_make_valid_names() -> None:
    config = StackConfig.from_values(
        VALID, stack="Team.Payments-Production-EU-West-1-Blue", region="x"
    )
    assert len(config.resource_prefix) <= 40
    assert 3 <= len(config.domain_name) <= 28
    assert config.domain_name == config.domain_name.lower()


def test_load_stack_config_reads_pulumi_config() -> None:
    pulumi.runtime.set_mocks(RecordingMocks(ProgramRun()), project=PROJECT, stack="prod")
    pulumi.runtime.set_all_config(
        {
            f"{PROJECT}:masterUserPassword": PASSWORD,
            f"{PROJECT}:allowedCidrs": "198.51.100.7/32",
            f"{PROJECT}:instanceCount": "4",
            "aws:region": "us-east-2",
        },
        [f"{PROJECT}:masterUserPassword"],
    )
    config = load_stack_config()
    assert (config.stack, config.region, config.instance_count) == ("prod", "us-east-2", 4)
    assert config.master_user_password == PASSWORD


def test_password_in_plain_text_is_refused() -> None:
    with pytest.raises(ConfigError) as raised:
        StackConfig.from_values(
            VALID,
            stack="dev",
            region="eu-west-1",
            plain_text_keys=frozenset({"masterUserPassword", "instanceType"}),
        )
    assert "must be stored as a secret" in str(raised.value)
    assert "pulumi config set --secret masterUserPassword <value>" in str(raised.value)


def test_load_stack_config_refuses_a_plain_text_password() -> None:
    pulumi.runtime.set_mocks(RecordingMocks(ProgramRun()), project=PROJECT, stack="prod")
    pulumi.runtime.set_all_config(
        {
            f"{PROJECT}:masterUserPassword": PASSWORD,
            f"{PROJECT}:allowedCidrs": "198.51.100.7/32",
            "aws:region": "us-east-2",
        },
        [],
    )
    with pytest.raises(ConfigError, match="must be stored as a secret"):
        load_stack_config()


def test_load_stack_config_fails_early_without_the_password() -> None:
    pulumi.runtime.set_mocks(RecordingMocks(ProgramRun()), project=PROJECT, stack="prod")
    pulumi.runtime.set_all_config(
        {f"{PROJECT}:allowedCidrs": "198.51.100.7/32", "aws:region": "us-east-2"}, []
    )
    with pytest.raises(ConfigError) as raised:
        load_stack_config()
    assert "pulumi config set --secret masterUserPassword <value>" in str(raised.value)


def test_error_shown_in_the_deploy_guide_is_the_real_one() -> None:
    guide = (ROOT / "README.md").read_text()
    with pytest.raises(ConfigError) as raised:
        _config(bufferSizeMb="200")
    assert str(raised.value) in guide
