"""GIVEN maskSensitiveData WHEN the program runs under mocks THEN one account-level CloudWatch Logs
data protection policy audits and masks the managed data identifiers (a sensible default set, or
the configured ones) in every log group; off by default; another policy already in the account
(one per account) is named with the ways out before anything is created."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any
from unittest import mock

import pytest

from infra.account_checks import AccountReaders, account_problems
from infra.config_errors import ConfigError
from infra.data_protection import (
    DEFAULT_IDENTIFIERS,
    check_data_protection_policy,
    data_protection_conflict,
    data_protection_document,
)
from infra.deployer import Deployer
from infra.stack_config import StackConfig
from tests.infra.harness import ProgramRun, base_config, offline_packages, run_program

OPS = Deployer("ops")  # the deployer the checks are given, passed on as it is

POLICY = "aws:cloudwatch/logAccountPolicy:LogAccountPolicy"
REGION = "eu-west-1"


def _config(**values: str) -> StackConfig:
    return StackConfig.from_values({**base_config(), **values}, stack="dev", region=REGION)


def _arn(name: str) -> str:
    return f"arn:aws:dataprotection::aws:data-identifier/{name}"


@pytest.fixture(scope="module")
def masked_run(tmp_path_factory: pytest.TempPathFactory) -> ProgramRun:
    values = {**base_config(), "maskSensitiveData": "true"}
    return run_program(values, offline_packages(tmp_path_factory.mktemp("masked")))


def test_off_by_default(default_run: ProgramRun) -> None:
    policies = [p.inputs["policyType"] for p in default_run.of_type(POLICY)]
    assert "DATA_PROTECTION_POLICY" not in policies
    assert _config().subscription.masked_data_identifiers == ()


def test_on_one_account_policy_audits_and_masks_the_default_set(masked_run: ProgramRun) -> None:
    (policy,) = list(masked_run.of_type(POLICY))
    assert policy.inputs["policyType"] == "DATA_PROTECTION_POLICY"
    assert policy.inputs["policyName"] == "lambda-logs-test-data-protection"
    assert policy.inputs["scope"] == "ALL"
    document: dict[str, Any] = policy.json("policyDocument")
    assert document["Name"] == "lambda-logs-test-data-protection"
    assert document["Version"] == "2021-06-01"
    audit, mask = document["Statement"]
    expected = [_arn(name) for name in DEFAULT_IDENTIFIERS]
    assert audit["DataIdentifier"] == mask["DataIdentifier"] == expected
    assert audit["Operation"] == {"Audit": {"FindingsDestination": {}}}
    assert mask["Operation"] == {"Deidentify": {"MaskConfig": {}}}
    assert {_arn("AwsSecretKey"), _arn("EmailAddress"), _arn("CreditCardNumber")} <= set(expected)


def test_the_identifiers_are_configurable() -> None:
    config = _config(
        maskSensitiveData="true", maskedDataIdentifiers="EmailAddress, DriversLicense-US"
    )
    assert config.subscription.masked_data_identifiers == ("EmailAddress", "DriversLicense-US")
    # without maskSensitiveData the list alone masks nothing
    assert _config(maskedDataIdentifiers="EmailAddress").subscription.masked_data_identifiers == ()


@pytest.mark.parametrize(
    "given", ["", "email-address", "EmailAddress,EmailAddress", "Email Address"]
)
def test_a_bad_identifier_list_is_refused_with_the_fix(given: str) -> None:
    with pytest.raises(ConfigError) as raised:
        _config(maskSensitiveData="true", maskedDataIdentifiers=given)
    assert "maskedDataIdentifiers" in str(raised.value)
    assert "pulumi config set maskedDataIdentifiers" in str(raised.value)


def test_the_partition_is_the_stacks() -> None:
    document = data_protection_document("p", ("EmailAddress",), "aws-cn")
    for statement in document["Statement"]:
        assert statement["DataIdentifier"] == [
            "arn:aws-cn:dataprotection::aws:data-identifier/EmailAddress"
        ]


def test_a_document_above_the_size_limit_is_refused() -> None:
    many = tuple(f"Identifier{i:04d}" for i in range(400))
    with pytest.raises(ValueError, match="above CloudWatch Logs' 30720: name fewer"):
        data_protection_document("p", many)


def _account_policy(name: str) -> dict[str, str]:
    return {"policyName": name, "policyType": "DATA_PROTECTION_POLICY", "policyDocument": "{}"}


def test_another_data_protection_policy_is_named_with_the_ways_out() -> None:
    own = "lambda-logs-dev-data-protection"
    assert data_protection_conflict([], own, REGION) is None
    assert data_protection_conflict([_account_policy(own)], own, REGION) is None
    problem = data_protection_conflict([_account_policy("org-pii")], own, REGION)
    assert problem is not None
    assert "'org-pii'" in problem and "one per account" in problem
    assert "pulumi config set maskSensitiveData false" in problem
    assert "aws logs delete-account-policy --policy-name org-pii" in problem
    assert "--policy-type DATA_PROTECTION_POLICY --region eu-west-1" in problem


def test_the_reader_asks_for_data_protection_policies_only() -> None:
    client = mock.Mock()
    client.describe_account_policies.return_value = {"accountPolicies": [_account_policy("x")]}
    assert check_data_protection_policy("mine", REGION, client=client) is not None
    client.describe_account_policies.assert_called_once_with(policyType="DATA_PROTECTION_POLICY")


def test_the_account_check_runs_only_with_masking_on() -> None:
    reader = mock.Mock(return_value="another data protection policy")
    readers = replace(AccountReaders.offline(), data_protection=reader)
    assert account_problems(_config(), None, readers) == []
    reader.assert_not_called()
    on = _config(maskSensitiveData="true")
    assert account_problems(on, OPS, readers) == ["another data protection policy"]
    reader.assert_called_once_with("lambda-logs-dev-data-protection", REGION, OPS)


def test_the_docs_state_cost_and_limits() -> None:
    text = (Path(__file__).resolve().parents[2] / "docs" / "security.md").read_text()
    assert "maskSensitiveData" in text and "per GB" in text and "not masked" in text
