"""StackConfig: defaults, validation, and errors that carry the `pulumi config set` fix."""

from __future__ import annotations

from pathlib import Path

import pulumi
import pulumi.runtime
import pytest
import yaml  # type: ignore[import-untyped]

from infra.config_docs import TABLE_END, TABLE_START, configuration_table, pulumi_config
from infra.config_errors import ConfigError
from infra.config_keys import KEYS
from infra.config_keys import key as declared_key
from infra.config_rules import RULES
from infra.stack_config import StackConfig, load_stack_config
from tests.infra.harness import PASSWORD, PROJECT, ProgramRun, RecordingMocks

ROOT = Path(__file__).resolve().parents[2]
CONFIGURATION_DOC = ROOT / "docs" / "configuration.md"
VALID = {"masterUserPassword": PASSWORD, "allowedCidrs": "198.51.100.7/32"}


def _config(**values: str) -> StackConfig:
    return StackConfig.from_values({**VALID, **values}, stack="dev", region="eu-west-1")


def test_defaults() -> None:
    config = _config()
    assert config.names.prefix == "lambda-logs-dev"
    assert config.domain.name == "lambda-logs-dev"
    assert config.domain.engine_version == "OpenSearch_2.19"
    assert config.functions.architecture == "arm64"
    assert config.subscription.mode == "reconciler"
    assert config.index.prefix == "lambda-logs"
    assert config.documents.label_keys == ("milestone",)
    assert config.subscription.log_group_prefixes == ("/aws/lambda/",)
    assert config.alarms.email is None
    assert config.domain.existing is None
    assert (
        config.functions.transformer.memory_mb,
        config.functions.transformer.timeout_seconds,
    ) == (
        1024,
        120,
    )
    assert config.names.pipeline_log_groups == (
        "/lambda-logs-pipeline/lambda-logs-dev/transformer",
        "/lambda-logs-pipeline/lambda-logs-dev/subscriber",
        "/lambda-logs-pipeline/lambda-logs-dev/firehose",
        "/lambda-logs-pipeline/lambda-logs-dev/content-applier",
        "/lambda-logs-pipeline/lambda-logs-dev/architectures",
        "/lambda-logs-pipeline/lambda-logs-dev/alarm-relay",
    )


def test_password_is_not_in_the_repr() -> None:
    assert PASSWORD not in repr(_config())


def test_a_rejected_password_is_not_repeated_in_the_error() -> None:
    with pytest.raises(ConfigError) as raised:
        _config(masterUserPassword="weakpassword")
    assert "weakpassword" not in str(raised.value)
    assert "pulumi config set --secret masterUserPassword <value>" in str(raised.value)


def test_values_from_pulumi_yaml_defaults_parse() -> None:
    """The CLI passes Pulumi.yaml defaults as text, e.g. 'true' and '2'."""
    values = {k.name: k.shown_default for k in KEYS}
    config = StackConfig.from_values({**values, **VALID}, stack="dev", region="eu-west-1")
    assert config == _config()


def test_pulumi_yaml_declares_every_key_with_type_description_and_default() -> None:
    project = yaml.safe_load((ROOT / "Pulumi.yaml").read_text())
    assert project["name"] == PROJECT
    assert project["runtime"]["name"] == "python"
    assert project["runtime"]["options"]["virtualenv"] == ".venv"
    declared = project["config"]
    assert declared == pulumi_config()
    assert list(declared) == [k.name for k in KEYS]
    for key in KEYS:
        entry = declared[key.name]
        assert entry["type"] == key.type, key.name
        assert entry["description"].startswith(key.description), key.name
        assert entry["description"].endswith(f"Accepts: {key.accepts}."), key.name
        assert entry["default"] == key.default, key.name
        # secrecy is enforced by the program, so that an empty default stays possible
        assert "secret" not in entry, key.name


def test_configuration_doc_holds_exactly_the_rendered_table() -> None:
    doc = CONFIGURATION_DOC.read_text()
    assert doc.count(TABLE_START) == 1 and doc.count(TABLE_END) == 1
    start = doc.index(TABLE_START)
    end = doc.index(TABLE_END) + len(TABLE_END)
    assert doc[start:end] == configuration_table()


def test_configuration_table_has_one_row_per_key_with_type_default_and_constraint() -> None:
    rows = {
        line.split("|")[1].strip().strip("`"): line
        for line in configuration_table().splitlines()
        if line.startswith("| `")
    }
    assert list(rows) == [k.name for k in KEYS]
    for key in KEYS:
        assert key.type in rows[key.name], key.name
        assert key.accepts in rows[key.name], key.name
        assert f"`{key.shown_default}`" in rows[key.name] or not key.shown_default, key.name
    assert "1 to 80" in rows["instanceCount"]
    assert "`GLACIER_IR`" in rows["archiveStorageClass"]


def test_every_rule_names_a_validator_and_every_default_is_accepted() -> None:
    for key in KEYS:
        rule = getattr(key.constraint, "name", None)
        if isinstance(rule, str):
            assert rule in RULES, key.name
    config = _config()  # every default (and the required values) passes its own constraint
    assert config.names.prefix == "lambda-logs-dev"


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
        ({"archiveStorageClass": "TAPE"}, "pulumi config set archiveStorageClass GLACIER_IR"),
        ({"expireAfterDays": "10"}, "pulumi config set expireAfterDays 395"),
        ({"logRetentionDays": "10"}, "pulumi config set logRetentionDays 30"),
        ({"bufferSizeMb": "200"}, "pulumi config set bufferSizeMb 5"),
        ({"transformerTimeoutSeconds": "600"}, "pulumi config set transformerTimeoutSeconds 120"),
        ({"processorBufferSizeMb": "5"}, "pulumi config set processorBufferSizeMb 1"),
        (
            {"logGroupPrefixes": "/aws/lambda/*"},
            "pulumi config set logGroupPrefixes /aws/lambda/",
        ),
        (
            {"excludeLogGroups": "/aws/lambda/noisy function"},
            "pulumi config set excludeLogGroups /aws/lambda/noisy-function",
        ),
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


@pytest.mark.parametrize(
    ("excludes", "says"),
    [
        ("/aws/lambda/test-*", "no globs"),
        ("/aws/lambda/odd!name", "not exact log group names"),
        (",".join(f"/aws/lambda/{'f' * 480}-{i}" for i in range(60)), "25600-byte limit"),
    ],
)
def test_account_policy_exclusions_are_checked_when_the_config_is_read(
    excludes: str, says: str
) -> None:
    """Before any resource exists, not inside an Output.apply during `pulumi up`."""
    with pytest.raises(ConfigError) as raised:
        _config(subscriptionMode="account-policy", excludeLogGroups=excludes)
    assert says in str(raised.value)
    assert "pulumi config set excludeLogGroups /aws/lambda/noisy-function" in str(raised.value)


def test_reconciler_mode_accepts_globs_in_the_exclusions() -> None:
    config = _config(excludeLogGroups="/aws/lambda/test-*")
    assert config.subscription.exclude_log_groups == ("/aws/lambda/test-*",)


def test_standard_ia_needs_30_days_before_the_transition() -> None:
    """S3 refuses a lifecycle rule that moves objects to STANDARD_IA before 30 days."""
    with pytest.raises(ConfigError) as raised:
        _config(archiveStorageClass="STANDARD_IA", archiveAfterDays="7")
    assert "pulumi config set archiveAfterDays 30" in str(raised.value)
    assert _config(archiveStorageClass="STANDARD_IA").backup.archive_after_days == 30
    assert _config(archiveStorageClass="STANDARD_IA", archiveAfterDays="0").backup
    assert _config(archiveStorageClass="INTELLIGENT_TIERING", archiveAfterDays="1").backup


@pytest.mark.parametrize(
    "schedule",
    ["rate(1 minutes)", "rate(5 minute)", "rate(0 minutes)", "cron(bogus)", "cron(0 12 * * ?)"],
)
def test_schedules_eventbridge_refuses_are_refused(schedule: str) -> None:
    with pytest.raises(ConfigError) as raised:
        _config(reconcileSchedule=schedule)
    assert "pulumi config set reconcileSchedule 'rate(15 minutes)'" in str(raised.value)


@pytest.mark.parametrize(
    "schedule", ["rate(1 minute)", "rate(2 hours)", "rate(1 day)", "cron(0/30 * * * ? *)"]
)
def test_schedules_eventbridge_accepts_are_accepted(schedule: str) -> None:
    assert _config(reconcileSchedule=schedule).subscription.reconcile_schedule == schedule


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
    assert config.domain.existing is not None
    assert config.domain.existing.name == "my-domain"
    assert config.domain.name == "my-domain"
    assert config.domain.master_user_password is None


def test_lists_are_split_and_trimmed() -> None:
    config = _config(labelKeys=" milestone , step,, ", logGroupPrefixes="/aws/lambda/,/custom/")
    assert config.documents.label_keys == ("milestone", "step")
    assert config.subscription.log_group_prefixes == ("/aws/lambda/", "/custom/")


def test_long_stack_names_make_valid_names() -> None:
    config = StackConfig.from_values(
        VALID, stack="Team.Payments-Production-EU-West-1-Blue", region="x"
    )
    assert len(config.names.prefix) <= 40
    assert 3 <= len(config.domain.name) <= 28
    assert config.domain.name == config.domain.name.lower()


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
    assert (config.stack, config.region, config.domain.instance_count) == ("prod", "us-east-2", 4)
    assert config.domain.master_user_password == PASSWORD


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


def test_error_shown_in_the_configuration_doc_is_the_real_one() -> None:
    guide = CONFIGURATION_DOC.read_text()
    with pytest.raises(ConfigError) as raised:
        _config(bufferSizeMb="200")
    assert str(raised.value) in guide


def test_the_writer_leaves_the_rendered_files_as_they_are() -> None:
    # `python -m infra.config_docs` after a key change rewrites only what the declaration changed
    from infra.config_docs import rendered_configuration_doc, rendered_pulumi_yaml

    for name, render in (
        ("Pulumi.yaml", rendered_pulumi_yaml),
        ("docs/configuration.md", rendered_configuration_doc),
    ):
        text = (ROOT / name).read_text()
        assert render(text) == text, f"run: python -m infra.config_docs ({name} is stale)"
    with pytest.raises(ValueError, match="no top-level 'config:'"):
        rendered_pulumi_yaml("name: x\n")


def test_the_transformer_timeout_always_leaves_room_for_one_reingestion_call() -> None:
    from infra.config_declaration import Range
    from transformer.reingest import RESERVE_SECONDS

    constraint = declared_key("transformerTimeoutSeconds").constraint
    assert isinstance(constraint, Range)
    assert constraint.low > RESERVE_SECONDS
