"""Single sign-on to Dashboards (`samlMetadataFile` and the other `saml*` keys of
`infra/sso_keys.py`): the section and its reader. The identity provider's metadata file is read
and checked here, so that a wrong file fails `pulumi preview` with the fix, not the domain
update minutes later."""

from __future__ import annotations

import shlex
import xml.etree.ElementTree as ElementTree
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

from infra.config_errors import ConfigError, config_error
from infra.config_values import ConfigValues
from infra.sso_keys import MAX_ENTITY_ID, MAX_METADATA_BYTES, MIN_ENTITY_ID

METADATA_NS: Final = "urn:oasis:names:tc:SAML:2.0:metadata"
_ENTITY: Final = f"{{{METADATA_NS}}}EntityDescriptor"
_ENTITIES: Final = f"{{{METADATA_NS}}}EntitiesDescriptor"
_IDP: Final = f"{{{METADATA_NS}}}IDPSSODescriptor"
_FILE_EXAMPLE: Final = "saml-metadata.xml"
_GROUP_EXAMPLE: Final = "dashboards-admins"
_ONLY_WITH_METADATA: Final = ("samlEntityId", "samlAdminGroup", "samlSubjectKey")


class SamlMetadataError(ValueError):
    """The text is not a SAML 2.0 identity provider's metadata; the message says why."""


@dataclass(frozen=True)
class SsoConfig:
    """SAML for Dashboards on the domain the stack creates (`samlMetadataFile` set)."""

    metadata_path: Path
    metadata: str = field(repr=False)
    """The metadata XML, as read (AWS: "Metadata of the SAML application in XML format")."""
    entity_id: str
    """The identity provider's entity id: the metadata's entityID."""
    admin_group: str
    """The SAML master backend role: its members get full access in Dashboards."""
    subject_key: str | None
    """None: the assertion's NameID (AWS's default)."""
    roles_key: str
    session_timeout_minutes: int


def metadata_entity_id(text: str) -> str:
    """The entityID of one identity provider's SAML 2.0 metadata (`EntityDescriptor` with an
    `IDPSSODescriptor`); `SamlMetadataError` otherwise. A DOCTYPE is refused: metadata needs
    none, and it is how entity-expansion attacks on XML parsers begin."""
    if "<!DOCTYPE" in text.upper():
        raise SamlMetadataError("holds a DOCTYPE declaration, which SAML metadata never needs")
    try:
        root = ElementTree.fromstring(text)
    except ElementTree.ParseError as error:
        raise SamlMetadataError(f"is not well-formed XML ({error})") from None
    if root.tag == _ENTITIES:
        raise SamlMetadataError(
            "holds several entities (an EntitiesDescriptor): export the metadata of the one "
            "application the identity provider created for Dashboards"
        )
    if root.tag != _ENTITY:
        raise SamlMetadataError(
            f"has no SAML 2.0 EntityDescriptor (its root element is {root.tag!r}, not "
            f"{{{METADATA_NS}}}EntityDescriptor)"
        )
    entity_id = (root.get("entityID") or "").strip()
    if not entity_id:
        raise SamlMetadataError("has an EntityDescriptor without an entityID")
    if root.find(_IDP) is None:
        raise SamlMetadataError(
            "describes no identity provider (no IDPSSODescriptor): give the identity "
            "provider's metadata, not a service provider's"
        )
    if not MIN_ENTITY_ID <= len(entity_id) <= MAX_ENTITY_ID:
        raise SamlMetadataError(
            f"has an entityID of {len(entity_id)} characters; OpenSearch accepts "
            f"{MIN_ENTITY_ID} to {MAX_ENTITY_ID}"
        )
    return entity_id


def _metadata_error(path: Path, problem: str) -> ConfigError:
    return config_error("samlMetadataFile", f"names {str(path)!r}, which {problem}", _FILE_EXAMPLE)


def read_metadata(path: Path) -> str:
    """The metadata file's text, if it is a readable UTF-8 file within AWS's size limit."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        problem = "does not exist (a relative path starts at the project directory)"
        raise _metadata_error(path, problem) from None
    except IsADirectoryError:
        raise _metadata_error(path, "is a directory, not the metadata XML file") from None
    except OSError as error:
        raise _metadata_error(path, f"cannot be read ({error.strerror})") from None
    if len(data) > MAX_METADATA_BYTES:
        problem = f"has {len(data):,} bytes; OpenSearch accepts at most {MAX_METADATA_BYTES:,}"
        raise _metadata_error(path, problem)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise _metadata_error(path, "is not UTF-8 text") from None


def read_sso(
    values: ConfigValues, *, creates_domain: bool, base_dir: Path | None = None
) -> SsoConfig | None:
    """The SAML settings, or None when `samlMetadataFile` is empty. `creates_domain`: the
    stack creates the domain (not an existing domain, not a spoke): SAML is set only on a
    domain the stack owns. `base_dir`: where a relative path starts (the working directory,
    the project's, under Pulumi)."""
    given = values.text("samlMetadataFile").strip()
    if not given:
        for name in _ONLY_WITH_METADATA:
            if values.text(name).strip():
                raise ConfigError(
                    f"Configuration '{name}' is set, but samlMetadataFile is not: single "
                    "sign-on is enabled by the identity provider's metadata file. Fix it with: "
                    f"pulumi config set samlMetadataFile {_FILE_EXAMPLE} (or: pulumi config rm "
                    f"{name})"
                )
        return None
    if not creates_domain:
        raise ConfigError(
            "Configuration 'samlMetadataFile' is set, but this stack creates no OpenSearch "
            "domain (existingDomainArn, or a spoke): SAML is set only on a domain the stack "
            "owns; enable it on that domain where it is managed (docs/security.md#single-"
            "sign-on). Fix it with: pulumi config rm samlMetadataFile"
        )
    path = Path(values.length("samlMetadataFile", given)).expanduser()
    if not path.is_absolute():
        path = (base_dir or Path.cwd()) / path
    text = read_metadata(path)
    try:
        entity_id = metadata_entity_id(text)
    except SamlMetadataError as error:
        raise _metadata_error(path, str(error)) from None
    return SsoConfig(
        metadata_path=path,
        metadata=text,
        entity_id=_entity_id(values, entity_id),
        admin_group=_admin_group(values),
        subject_key=values.length("samlSubjectKey", values.text("samlSubjectKey").strip()) or None,
        roles_key=values.length("samlRolesKey", values.text("samlRolesKey").strip()),
        session_timeout_minutes=values.integer("samlSessionTimeoutMinutes"),
    )


def _entity_id(values: ConfigValues, in_metadata: str) -> str:
    given = values.length("samlEntityId", values.text("samlEntityId").strip())
    if given and given != in_metadata:
        raise config_error(
            "samlEntityId",
            f"is {given!r}, but the metadata's entityID is {in_metadata!r}: OpenSearch checks "
            "the assertions' issuer against it, so every login would fail",
            shlex.quote(in_metadata),
        )
    return in_metadata


def _admin_group(values: ConfigValues) -> str:
    group = values.length("samlAdminGroup", values.text("samlAdminGroup").strip())
    if not group:
        raise config_error(
            "samlAdminGroup",
            "is not set: with samlMetadataFile, the members of this group (as the assertion "
            "names it: a group id for IAM Identity Center) administer Dashboards",
            _GROUP_EXAMPLE,
        )
    return group
