"""The configuration keys of single sign-on to Dashboards: SAML with the organisation's identity
provider (docs/security.md#single-sign-on). The whole table `KEYS` is in `infra/config_keys.py`;
`infra/sso_config.py` reads them."""

from __future__ import annotations

from typing import Final

from infra.config_declaration import ConfigKey, Length, Range

# Amazon OpenSearch Service API reference, SAMLOptionsInput: MasterBackendRole "Minimum length
# of 1. Maximum length of 256"; RolesKey "Default is roles"; SubjectKey "Default is NameID";
# SessionTimeoutMinutes "Acceptable values are between 1 and 1440, and the default value is 60".
# SAMLIdp: EntityId 8 to 512 characters, MetadataContent 1 to 1,048,576.
MAX_BACKEND_ROLE: Final = 256
MIN_ENTITY_ID: Final = 8
MAX_ENTITY_ID: Final = 512
MAX_METADATA_BYTES: Final = 1_048_576
MAX_ASSERTION_KEY: Final = 256
"""Ours: AWS documents no length for RolesKey and SubjectKey."""
DEFAULT_ROLES_KEY: Final = "role"
"""The attribute name AWS's Okta guidance gives the group attribute statement (`role`, filter
`.+`); every recipe in docs/security.md names the groups attribute so."""

SSO_KEYS: Final[tuple[ConfigKey, ...]] = (
    # --- single sign-on to Dashboards (docs/security.md#single-sign-on) ----------------------
    ConfigKey(
        "samlMetadataFile",
        "string",
        "",
        "Single sign-on to Dashboards: path to the identity provider's SAML metadata XML (IAM "
        "Identity Center, Okta, Entra ID...), relative to the project directory; set, SAML is "
        "enabled on the domain the stack creates. Empty = no SAML (the master user only).",
        constraint=Length(0, 4096),
    ),
    ConfigKey(
        "samlEntityId",
        "string",
        "",
        "The identity provider's entity id (issuer); empty = the entityID of samlMetadataFile, "
        "which it must equal when given.",
        constraint=Length(0, MAX_ENTITY_ID),
    ),
    ConfigKey(
        "samlAdminGroup",
        "string",
        "",
        "The group (backend role) in the SAML assertion whose members get full access in "
        "Dashboards (SAML master backend role). Required with samlMetadataFile; IAM Identity "
        "Center sends group ids, not names.",
        constraint=Length(0, MAX_BACKEND_ROLE),
    ),
    ConfigKey(
        "samlSubjectKey",
        "string",
        "",
        "The SAML assertion attribute that holds the user name; empty = the assertion's NameID.",
        constraint=Length(0, MAX_ASSERTION_KEY),
    ),
    ConfigKey(
        "samlRolesKey",
        "string",
        DEFAULT_ROLES_KEY,
        "The SAML assertion attribute that holds the user's groups (backend roles).",
        constraint=Length(1, MAX_ASSERTION_KEY),
    ),
    ConfigKey(
        "samlSessionTimeoutMinutes",
        "integer",
        60,
        "Minutes after which a Dashboards SAML session ends.",
        constraint=Range(1, 1440),
    ),
)
