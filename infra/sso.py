"""`DashboardsSso`: SAML single sign-on to OpenSearch Dashboards on the domain the stack creates
(`aws.opensearch.DomainSamlOptions`), and the service provider's values the identity provider's
administrator enters (docs/security.md#single-sign-on).

Only Dashboards changes: AWS, "SAML authentication for Dashboards is only for accessing
OpenSearch Dashboards through a web browser. Your SAML credentials do not let you make direct
HTTP requests to the OpenSearch or Dashboards APIs". The internal user database stays on, so
the master user (the break-glass credential, and what `pulumi up` applies the content with)
and the IAM-mapped Firehose role keep working as before.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

import pulumi
import pulumi_aws as aws

from infra.search_domain import SearchDomain
from infra.sso_config import SsoConfig

TYPE_TOKEN: Final = "lambdalogs:sso:DashboardsSso"
ACS_PATH: Final = "/_dashboards/_opendistro/_security/saml/acs"
"""The security plugin's assertion consumer service under Dashboards: the SP-initiated SSO URL
the domain's console shows; `/idpinitiated` appended, the IdP-initiated one."""


def service_provider_entity_id(endpoint: str) -> str:
    """The domain's SAML service provider entity id (the IdP's "audience"): its endpoint as an
    https URL, as the console's "Service provider entity ID" shows it."""
    return f"https://{endpoint}"


def acs_url(endpoint: str, *, idp_initiated: bool = False) -> str:
    """Where the identity provider posts the assertion: the SP-initiated SSO URL, or the
    IdP-initiated one (IAM Identity Center's "Application ACS URL")."""
    suffix = "/idpinitiated" if idp_initiated else ""
    return f"https://{endpoint}{ACS_PATH}{suffix}"


def saml_options(config: SsoConfig) -> aws.opensearch.DomainSamlOptionsSamlOptionsArgs:
    """The domain's SAML options: the identity provider, the admin group as the SAML master
    backend role (no SAML master user name: one group, not one person, administers), the
    assertion's keys and the session timeout."""
    return aws.opensearch.DomainSamlOptionsSamlOptionsArgs(
        enabled=True,
        idp=aws.opensearch.DomainSamlOptionsSamlOptionsIdpArgs(
            entity_id=config.entity_id, metadata_content=config.metadata
        ),
        master_backend_role=config.admin_group,
        roles_key=config.roles_key,
        subject_key=config.subject_key,
        session_timeout_minutes=config.session_timeout_minutes,
    )


@dataclass(frozen=True)
class DashboardsSsoArgs:
    config: SsoConfig
    domain_name: pulumi.Input[str]
    """The created domain's name (its output, so that the options follow the domain)."""
    endpoint: pulumi.Input[str]
    after: Sequence[pulumi.Resource] = ()
    """Changing the SAML options puts the domain in processing for about a minute, Dashboards
    unavailable (AWS): after the content step, so that its saved-objects import never meets
    it."""


class DashboardsSso(pulumi.ComponentResource):
    """The SAML options and the values the IdP needs: `service_provider_entity_id` (audience),
    `acs_url` (SP-initiated) and `idp_initiated_acs_url`."""

    options: aws.opensearch.DomainSamlOptions
    service_provider_entity_id: pulumi.Output[str]
    acs_url: pulumi.Output[str]
    idp_initiated_acs_url: pulumi.Output[str]

    def __init__(
        self, name: str, args: DashboardsSsoArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__(TYPE_TOKEN, name, None, opts)
        self.options = aws.opensearch.DomainSamlOptions(
            name,
            domain_name=args.domain_name,
            saml_options=saml_options(args.config),
            opts=pulumi.ResourceOptions(parent=self, depends_on=list(args.after)),
        )
        endpoint = pulumi.Output.from_input(args.endpoint)
        self.service_provider_entity_id = endpoint.apply(service_provider_entity_id)
        self.acs_url = endpoint.apply(acs_url)
        self.idp_initiated_acs_url = endpoint.apply(lambda e: acs_url(e, idp_initiated=True))
        self.register_outputs(
            {
                "service_provider_entity_id": self.service_provider_entity_id,
                "acs_url": self.acs_url,
                "idp_initiated_acs_url": self.idp_initiated_acs_url,
            }
        )


def dashboards_sso(
    name: str,
    config: SsoConfig | None,
    domain: SearchDomain | None,
    parent: pulumi.Resource,
    *,
    after: Sequence[pulumi.Resource] = (),
) -> DashboardsSso | None:
    """SAML on the domain the stack created, when `samlMetadataFile` asks for it (the config
    reader refuses it for an existing domain or a spoke, so `domain` is then None too)."""
    if config is None:
        return None
    if domain is None:
        raise ValueError("SAML options need the domain the stack creates")
    return DashboardsSso(
        f"{name}-sso",
        DashboardsSsoArgs(
            config=config,
            domain_name=domain.domain.domain_name,
            endpoint=domain.endpoint,
            after=after,
        ),
        pulumi.ResourceOptions(parent=parent),
    )
