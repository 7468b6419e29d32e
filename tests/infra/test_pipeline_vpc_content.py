"""The pipeline with its domain in a VPC (`DomainConfig.vpc`): the content is applied by the
in-VPC applier, not from the deployer's machine, and the streams wait for it."""

from __future__ import annotations

import importlib.util
import json
from dataclasses import replace
from pathlib import Path
from typing import Any
from unittest import mock

import pytest

from infra.domain_config import DomainConfig, read_domain
from infra.vpc_config import VpcConfig
from tests.infra.harness import ProgramRun, base_config, key, offline_packages, run_program
from tests.infra.policy_checks import iam_policies, lint

VPC = VpcConfig(("subnet-0a1", "subnet-0b2"), ("sg-0c3",))
INVOCATION = "pulumi-python:dynamic/lambdalogs:LambdaInvocation"
FUNCTION = "aws:lambda/function:Function"
STREAM = "aws:kinesis/firehoseDeliveryStream:FirehoseDeliveryStream"


@pytest.fixture(scope="module")
def vpc_run(tmp_path_factory: pytest.TempPathFactory) -> ProgramRun:
    def in_vpc(*args: Any, **kwargs: Any) -> DomainConfig:
        return replace(read_domain(*args, **kwargs), vpc=VPC)

    packages = offline_packages(Path(tmp_path_factory.mktemp("vpc")))
    with mock.patch("infra.stack_config.read_domain", in_vpc):
        return run_program(base_config(), packages)


def test_the_content_is_applied_from_inside_the_vpc(vpc_run: ProgramRun) -> None:
    assert vpc_run.of_type("pulumi-python:dynamic:Resource") == []  # no deployer-side apply
    function = vpc_run.one(FUNCTION, "lambda-logs-content-applier").inputs
    assert function["vpcConfig"]["subnetIds"] == ["subnet-0a1", "subnet-0b2"]
    apply = vpc_run.one(INVOCATION, "lambda-logs-content-apply").inputs
    payload = json.loads(apply["create_payload"])
    assert payload["endpoint"].startswith("search-") and payload["master_user_name"] == "admin"
    assert payload["firehose_role_arn"].endswith(":role/lambda-logs-delivery-firehose")
    assert json.loads(apply["secret_payload"])["master_user_password"] == "Sup3r-secret!"


def test_the_streams_wait_for_the_applier(vpc_run: ProgramRun) -> None:
    deps = vpc_run.depends_on[key(STREAM, "lambda-logs-stream")]
    assert key("lambdalogs:opensearch:ContentApplier", "lambda-logs-content") in deps


@pytest.mark.skipif(
    importlib.util.find_spec("parliament") is None, reason="parliament is not installed"
)
def test_the_applier_policies_lint_clean_in_the_pipeline(vpc_run: ProgramRun) -> None:
    found = iam_policies(vpc_run)
    ours = {k: v for k, v in found.items() if k.startswith("lambda-logs-content-applier")}
    assert set(ours) == {
        "lambda-logs-content-applier-role:assumeRolePolicy",
        "lambda-logs-content-applier-policy:policy",
    }
    assert [f for label, policy in ours.items() for f in lint(label, policy)] == []
