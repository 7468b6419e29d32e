"""GIVEN samlMetadataFile (an identity provider's SAML metadata) and samlAdminGroup WHEN the
program runs under mocks THEN the created domain gets SAML options for Dashboards (the file's
metadata and entity id, the admin group as master backend role, the assertion keys and the
session timeout), after the content step, and the stack outputs what the IdP's administrator
enters; the master user stays. Without the key there is no SAML resource; a wrong file, a
mismatched entity id, a missing group, an out-of-range timeout or a domain the stack does not
create is refused with the fix."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from infra.config_errors import ConfigError
from infra.sso_config import metadata_entity_id
from infra.stack_config import StackConfig
from tests.infra.conftest import BYO_ARN, BYO_ENDPOINT, HUB_DEST
from tests.infra.harness import REGION, ProgramRun, base_config, key, offline_packages, run_program

SAML = "aws:opensearch/domainSamlOptions:DomainSamlOptions"
DOMAIN = "aws:opensearch/domain:Domain"
COMPONENT = "lambdalogs:sso:DashboardsSso"
METADATA = Path(__file__).parent / "saml" / "idp-metadata.xml"
ENTITY_ID = "https://portal.sso.eu-west-1.amazonaws.com/saml/assertion/MTIzNDU2Nzg5MDEyX2lucy10ZXN0"
ADMINS = "4a1b2c3d-0000-1111-2222-333344445555"  # an IAM Identity Center group id
ENDPOINT = f"search-lambda-logs-test-abc123.{REGION}.es.amazonaws.com"  # the mocks' endpoint

SP_XML = (
    '<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" '
    'entityID="https://sp.example.com"><md:SPSSODescriptor '
    'protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol"/></md:EntityDescriptor>'
)


def _saml(**values: str) -> dict[str, str]:
    return {"samlMetadataFile": str(METADATA), "samlAdminGroup": ADMINS, **values}


def _config(**values: str) -> StackConfig:
    return StackConfig.from_values({**base_config(), **values}, stack="dev", region=REGION)


def _refused(**values: str) -> str:
    with pytest.raises(ConfigError) as raised:
        _config(**values)
    return str(raised.value)


@pytest.fixture(scope="module")
def sso_run(tmp_path_factory: pytest.TempPathFactory) -> ProgramRun:
    values = {**base_config(), **_saml(samlSubjectKey="email", samlSessionTimeoutMinutes="480")}
    return run_program(values, offline_packages(tmp_path_factory.mktemp("sso")))


def _options(run: ProgramRun) -> dict[str, Any]:
    options: dict[str, Any] = run.one(SAML).inputs
    return options


def test_the_fixture_is_an_identity_providers_metadata() -> None:
    assert metadata_entity_id(METADATA.read_text()) == ENTITY_ID


def test_saml_options_on_the_created_domain(sso_run: ProgramRun) -> None:
    options = _options(sso_run)
    assert options["domainName"] == sso_run.one(DOMAIN).inputs["domainName"] == "lambda-logs-test"
    saml = options["samlOptions"]
    assert saml["enabled"] is True
    assert saml["idp"] == {"entityId": ENTITY_ID, "metadataContent": METADATA.read_text()}
    assert saml["masterBackendRole"] == ADMINS
    assert "masterUserName" not in saml  # a group administers, not one person
    assert saml["rolesKey"] == "role"
    assert saml["subjectKey"] == "email"
    assert saml["sessionTimeoutMinutes"] == 480


def test_defaults_name_id_as_subject_and_a_one_hour_session() -> None:
    sso = _config(**_saml()).sso
    assert sso is not None
    assert (sso.subject_key, sso.roles_key, sso.session_timeout_minutes) == (None, "role", 60)
    assert (sso.entity_id, sso.admin_group, sso.metadata_path) == (ENTITY_ID, ADMINS, METADATA)


def test_the_master_user_stays_the_break_glass_credential(sso_run: ProgramRun) -> None:
    security = sso_run.one(DOMAIN).inputs["advancedSecurityOptions"]
    assert security["internalUserDatabaseEnabled"] is True
    assert security["masterUserOptions"]["masterUserName"] == "admin"
    content = [r for r in sso_run.resources if r.name.startswith("lambda-logs-content-")]
    assert content and content[0].inputs["master_user_name"] == "admin"


def test_saml_is_set_after_the_content_step_under_the_pipeline(sso_run: ProgramRun) -> None:
    options = key(SAML, "lambda-logs-sso")
    assert sso_run.parents[options] == key(COMPONENT, "lambda-logs-sso")
    assert sso_run.parents[key(COMPONENT, "lambda-logs-sso")] == key(
        "lambdalogs:pipeline:Pipeline", "lambda-logs"
    )
    assert (
        key("lambdalogs:opensearch:Content", "lambda-logs-content") in sso_run.depends_on[options]
    )


def test_outputs_what_the_identity_provider_needs(sso_run: ProgramRun) -> None:
    outputs = sso_run.outputs
    assert outputs["domainEndpoint"] == ENDPOINT
    assert outputs["samlServiceProviderEntityId"] == f"https://{ENDPOINT}"
    acs = f"https://{ENDPOINT}/_dashboards/_opendistro/_security/saml/acs"
    assert outputs["samlAcsUrl"] == acs
    assert outputs["samlIdpInitiatedAcsUrl"] == f"{acs}/idpinitiated"


def test_no_saml_without_the_metadata_file(default_run: ProgramRun) -> None:
    assert default_run.of_type(SAML) == []
    assert default_run.of_type(COMPONENT) == []
    assert not [name for name in default_run.outputs if name.startswith("saml")]
    assert _config().sso is None


def test_a_relative_path_starts_at_the_project_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "idp.xml").write_text(METADATA.read_text())
    monkeypatch.chdir(tmp_path)  # Pulumi runs the program in the project directory
    sso = _config(**_saml(samlMetadataFile="idp.xml")).sso
    assert sso is not None and sso.metadata_path == tmp_path / "idp.xml"


def test_the_entity_id_may_be_given_when_it_matches() -> None:
    sso = _config(**_saml(samlEntityId=f" {ENTITY_ID} ")).sso
    assert sso is not None and sso.entity_id == ENTITY_ID


def test_a_mismatched_entity_id_is_refused_with_the_metadatas() -> None:
    message = _refused(**_saml(samlEntityId="https://other-idp.example.com/saml"))
    assert "Configuration 'samlEntityId' is 'https://other-idp.example.com/saml'" in message
    assert f"pulumi config set samlEntityId {ENTITY_ID}" in message


def _bad_file(tmp_path: Path, content: str | bytes) -> str:
    path = tmp_path / "metadata.xml"
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content)
    return _refused(**_saml(samlMetadataFile=str(path)))


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        ("not xml at all", "is not well-formed XML"),
        ("<EntityDescriptor entityID='https://x.example'/>", "has no SAML 2.0 EntityDescriptor"),
        (
            '<md:EntitiesDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata"/>',
            "holds several entities",
        ),
        (
            '<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata"/>',
            "without an entityID",
        ),
        (SP_XML, "describes no identity provider (no IDPSSODescriptor)"),
        (
            '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b">]>'
            + METADATA.read_text().split("?>", 1)[1],
            "holds a DOCTYPE declaration",
        ),
        (METADATA.read_text().replace(ENTITY_ID, "urn:x"), "entityID of 5 characters"),
        (b"\xff\xfe<not utf-8>", "is not UTF-8 text"),
    ],
)
def test_a_file_that_is_not_idp_metadata_is_refused(
    tmp_path: Path, content: str | bytes, problem: str
) -> None:
    message = _bad_file(tmp_path, content)
    assert f"Configuration 'samlMetadataFile' names '{tmp_path / 'metadata.xml'}', which" in message
    assert problem in message
    assert "pulumi config set samlMetadataFile saml-metadata.xml" in message


def test_a_file_above_the_metadata_limit_is_refused(tmp_path: Path) -> None:
    padding = "<!--" + "x" * 1_048_576 + "-->"
    message = _bad_file(tmp_path, METADATA.read_text() + padding)
    assert "OpenSearch accepts at most 1,048,576" in message


def test_a_missing_file_or_a_directory_is_refused(tmp_path: Path) -> None:
    missing = _refused(**_saml(samlMetadataFile=str(tmp_path / "nope.xml")))
    assert "nope.xml', which does not exist" in missing
    directory = _refused(**_saml(samlMetadataFile=str(tmp_path)))
    assert "is a directory, not the metadata XML file" in directory


def test_the_admin_group_is_required() -> None:
    message = _refused(samlMetadataFile=str(METADATA))
    assert "Configuration 'samlAdminGroup' is not set" in message
    assert "pulumi config set samlAdminGroup dashboards-admins" in message
    too_long = _refused(**_saml(samlAdminGroup="g" * 257))
    assert "Configuration 'samlAdminGroup' must be at most 256 characters, got 257" in too_long


@pytest.mark.parametrize("given", ["0", "1441", "an hour"])
def test_the_session_timeout_is_within_awss_range(given: str) -> None:
    message = _refused(**_saml(samlSessionTimeoutMinutes=given))
    assert "Configuration 'samlSessionTimeoutMinutes'" in message
    assert "pulumi config set samlSessionTimeoutMinutes 60" in message
    ok = _config(**_saml(samlSessionTimeoutMinutes="1440")).sso
    assert ok is not None and ok.session_timeout_minutes == 1440


@pytest.mark.parametrize("name", ["samlAdminGroup", "samlEntityId", "samlSubjectKey"])
def test_a_saml_setting_without_the_metadata_file_is_refused(name: str) -> None:
    message = _refused(**{name: "something"})
    assert f"Configuration '{name}' is set, but samlMetadataFile is not" in message
    assert f"pulumi config rm {name}" in message


def test_an_existing_domain_or_a_spoke_is_refused() -> None:
    byo = {"existingDomainArn": BYO_ARN, "existingDomainEndpoint": BYO_ENDPOINT}
    with pytest.raises(ConfigError) as raised:
        StackConfig.from_values({**byo, **_saml()}, stack="dev", region=REGION)
    assert "this stack creates no OpenSearch domain" in str(raised.value)
    assert "pulumi config rm samlMetadataFile" in str(raised.value)
    spoke = {"deployment": "spoke", "hubDestinationArn": HUB_DEST, **_saml()}
    with pytest.raises(ConfigError, match="creates no OpenSearch domain"):
        StackConfig.from_values(spoke, stack="dev", region=REGION)


def test_a_hub_creates_its_domain_so_it_may_use_saml() -> None:
    values = {**_saml(), "deployment": "hub", "organizationId": "o-abc123def4"}
    assert _config(**values).sso is not None
