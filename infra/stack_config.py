"""`StackConfig`: the stack's whole configuration, read from `pulumi.Config` in one place and
validated at once, as typed sections. An invalid or missing value raises `ConfigError` with the
exact `pulumi config set` command that fixes it."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, replace

from infra.config_errors import ConfigError, config_error
from infra.config_keys import KEYS, key
from infra.config_sections import (
    AlarmConfig,
    BackupConfig,
    DocumentConfig,
    FunctionsConfig,
    StreamConfig,
    SubscriptionConfig,
    read_alarms,
    read_backup,
    read_documents,
    read_functions,
    read_stream,
    read_stream_count,
    read_subscription,
)
from infra.config_values import ConfigValues
from infra.deployment_config import DeploymentConfig, read_deployment
from infra.domain_config import DomainConfig, IndexConfig, read_domain, read_index, read_names
from infra.sso_config import SsoConfig, read_sso
from infra.stack_names import StackNames


@dataclass(frozen=True)
class StackConfig:
    """Validated configuration. Built by `load_stack_config` (Pulumi) or `from_values` (tests)."""

    stack: str
    region: str
    names: StackNames
    domain: DomainConfig
    index: IndexConfig
    backup: BackupConfig
    stream: StreamConfig
    functions: FunctionsConfig
    documents: DocumentConfig
    subscription: SubscriptionConfig
    alarms: AlarmConfig
    variables: Mapping[str, str]
    """Each function environment variable a key reaches (`ConfigKey.variable`), as text."""
    deployment: DeploymentConfig = field(default_factory=DeploymentConfig)
    """standalone, hub or spoke (`deployment`)."""
    sso: SsoConfig | None = None
    """SAML single sign-on to Dashboards (`samlMetadataFile`); None: the master user only."""

    @classmethod
    def from_values(
        cls,
        values: Mapping[str, str],
        *,
        stack: str,
        region: str | None,
        plain_text_keys: frozenset[str] = frozenset(),
    ) -> StackConfig:
        """Validate raw configuration text (`values` holds only the keys that are set;
        `plain_text_keys` are the set keys that were not stored as secrets)."""
        for name in sorted(plain_text_keys):
            if key(name).secret and values.get(name):
                raise config_error(name, "must be stored as a secret", "<value>", secret=True)
        if not region:
            raise ConfigError(
                "No AWS region is configured. Fix it with: pulumi config set aws:region eu-west-1"
            )
        given = ConfigValues(values)
        names = replace(read_names(given, stack), stream_count=read_stream_count(given))
        deployment = read_deployment(given, region)
        domain = read_domain(given, names, region, required=deployment.creates_pipeline)
        return cls(
            stack=stack,
            region=region,
            names=names,
            domain=domain,
            index=read_index(given, domain),
            backup=read_backup(given),
            stream=read_stream(given),
            functions=read_functions(given),
            documents=read_documents(given),
            subscription=read_subscription(given, names),
            alarms=read_alarms(given),
            variables={k.variable.name: given.variable_text(k) for k in KEYS if k.variable},
            deployment=deployment,
            sso=read_sso(
                given, creates_domain=deployment.creates_pipeline and domain.existing is None
            ),
        )


def load_stack_config() -> StackConfig:
    """Read every declared key from the stack configuration (call inside the Pulumi program)."""
    import pulumi
    import pulumi.runtime

    config = pulumi.Config()
    values = {k.name: v for k in KEYS if (v := config.get(k.name)) is not None}
    plain = frozenset(
        name for name in values if not pulumi.runtime.is_config_secret(config.full_key(name))
    )
    region = (
        pulumi.Config("aws").get("region")
        or os.environ.get("AWS_REGION")
        or os.environ.get("AWS_DEFAULT_REGION")
    )
    return StackConfig.from_values(
        values, stack=pulumi.get_stack(), region=region, plain_text_keys=plain
    )
