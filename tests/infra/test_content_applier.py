"""The in-VPC content applier under Pulumi mocks: the function in the given subnets and security
groups, its role's parsed policy (linted), and its invocation, re-run only when the content hash
or the connection changes, with the secrets kept secret."""

from __future__ import annotations

import importlib.util
import json
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any, Final

import pulumi
import pulumi.runtime
import pytest

from infra.aws_context import AwsContext
from infra.config_sections import FunctionsConfig, FunctionSize
from infra.content_applier import ApplierSite, ContentApplier, content_step
from infra.lambda_invocation import LambdaInvocationProvider
from infra.lambda_package import BuiltPackage
from infra.opensearch_content import OpenSearchContentArgs, content_hash
from infra.packages import APPLIER_HANDLER, build_applier
from infra.stack_names import StackNames
from infra.vpc_config import VpcConfig
from tests.infra.harness import (
    ACCOUNT,
    PROJECT,
    REGION,
    STACK,
    ProgramRun,
    RecordingMocks,
    is_secret,
    key,
    offline_packages,
)
from tests.infra.policy_checks import assert_least_privilege, lint, resources_for

FUNCTION: Final = "aws:lambda/function:Function"
ROLE: Final = "aws:iam/role:Role"
ROLE_POLICY: Final = "aws:iam/rolePolicy:RolePolicy"
INVOCATION: Final = "pulumi-python:dynamic/lambdalogs:LambdaInvocation"
CONTENT_RESOURCE: Final = "pulumi-python:dynamic:Resource"
VPC: Final = VpcConfig(("subnet-0a1", "subnet-0b2"), ("sg-0c3",))
DOMAIN_ARN: Final = f"arn:aws:es:{REGION}:{ACCOUNT}:domain/lambda-logs-test"
ENDPOINT: Final = f"vpc-lambda-logs-test-abc.{REGION}.es.amazonaws.com"
FIREHOSE_ROLE: Final = f"arn:aws:iam::{ACCOUNT}:role/lambda-logs-firehose"
PASSWORD: Final = "Sup3r-secret!"
WEBHOOKS: Final = json.dumps({"ops": {"url": "https://hooks.example/secret-hook"}})
FUNCTIONS: Final = FunctionsConfig(
    architecture="arm64",
    transformer=FunctionSize(512, 120),
    subscriber=FunctionSize(256, 900),
    subscriber_reserved_concurrency=1,
    bundle_orjson=False,
    log_retention_days=30,
)
HAS_PARLIAMENT: Final = importlib.util.find_spec("parliament") is not None


@pytest.fixture(scope="module")
def package(tmp_path_factory: pytest.TempPathFactory) -> BuiltPackage:
    return build_applier(offline_packages(tmp_path_factory.mktemp("applier"), bundle_orjson=False))


def content(**overrides: Any) -> OpenSearchContentArgs:
    values: dict[str, Any] = {
        "endpoint": pulumi.Output.from_input(ENDPOINT),
        "region": REGION,
        "firehose_role_arn": pulumi.Output.from_input(FIREHOSE_ROLE),
        "master_user_name": "admin",
        "master_user_password": PASSWORD,
        "notification_channels": json.dumps([{"name": "ops", "type": "slack"}]),
        "notification_secrets": WEBHOOKS,
        **overrides,
    }
    return OpenSearchContentArgs(**values)


def site(package: BuiltPackage, **overrides: Any) -> ApplierSite:
    base = ApplierSite(
        vpc=VPC,
        ctx=AwsContext(partition="aws", region=REGION, account_id=ACCOUNT),
        names=StackNames("lambda-logs-test"),
        functions=FUNCTIONS,
        domain_arn=DOMAIN_ARN,
        package=package,
    )
    return replace(base, **overrides)


def run(args: OpenSearchContentArgs, where: ApplierSite | None) -> ProgramRun:
    recorded = ProgramRun()
    pulumi.runtime.set_mocks(RecordingMocks(recorded), project=PROJECT, stack=STACK, preview=False)

    def program() -> None:
        pulumi.runtime.register_stack_transformation(recorded.record_options)
        content_step("lambda-logs-content", args, where)

    with recorded.running():
        pulumi.runtime.test(program)()  # type: ignore[no-untyped-call]
    return recorded


def invocation(recorded: ProgramRun) -> dict[str, Any]:
    found: dict[str, Any] = recorded.one(INVOCATION, "lambda-logs-content-apply").inputs
    return found


def test_the_function_runs_in_the_given_subnets_and_security_groups(package: BuiltPackage) -> None:
    recorded = run(content(), site(package))
    function = recorded.one(FUNCTION).inputs
    assert function["vpcConfig"] == {
        "subnetIds": ["subnet-0a1", "subnet-0b2"],
        "securityGroupIds": ["sg-0c3"],
    }
    assert function["name"] == "lambda-logs-test-content-applier"
    assert function["handler"] == APPLIER_HANDLER == "opensearch.applier_handler.handler"
    assert function["runtime"] == "python3.12" and function["architectures"] == ["arm64"]
    assert function["timeout"] == 300 and function["sourceCodeHash"] == package.sha256
    assert "environment" not in function  # nothing to configure: everything is in the payload
    assert (
        function["loggingConfig"]["logGroup"]
        == "/lambda-logs-pipeline/lambda-logs-test/content-applier"
    )
    # and the deployer-side dynamic resource is not there
    assert recorded.of_type(CONTENT_RESOURCE) == []


def _policy(recorded: ProgramRun) -> dict[str, Any]:
    found: dict[str, Any] = recorded.one(ROLE_POLICY).json("policy")
    return found


def test_the_role_may_manage_its_network_interfaces_and_write_its_logs(
    package: BuiltPackage,
) -> None:
    recorded = run(content(), site(package))
    policy = _policy(recorded)
    assert {s["Sid"] for s in policy["Statement"]} == {
        "VpcDescribe",
        "VpcCreateInterfaces",
        "VpcManageInterfaces",
        "OwnLogs",
    }
    interfaces = f"arn:aws:ec2:{REGION}:{ACCOUNT}:network-interface/*"
    assert resources_for(policy, "ec2:CreateNetworkInterface") == {
        interfaces,
        f"arn:aws:ec2:{REGION}:{ACCOUNT}:subnet/subnet-0a1",
        f"arn:aws:ec2:{REGION}:{ACCOUNT}:subnet/subnet-0b2",
        f"arn:aws:ec2:{REGION}:{ACCOUNT}:security-group/sg-0c3",
    }
    for action in (
        "ec2:DeleteNetworkInterface",
        "ec2:AssignPrivateIpAddresses",
        "ec2:UnassignPrivateIpAddresses",
    ):
        assert resources_for(policy, action) == {interfaces}
    assert resources_for(policy, "ec2:DescribeNetworkInterfaces") == {"*"}
    assert resources_for(policy, "logs:PutLogEvents") == {
        f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:/lambda-logs-pipeline/lambda-logs-test/content-applier:*"
    }
    assert not any(a.startswith("es:") for s in policy["Statement"] for a in s["Action"])
    assert_least_privilege(policy)
    trust = recorded.one(ROLE).json("assumeRolePolicy")
    assert trust["Statement"][0]["Principal"] == {"Service": "lambda.amazonaws.com"}


def test_without_a_master_user_the_role_signs_for_the_domain(package: BuiltPackage) -> None:
    recorded = run(content(master_user_name=None, master_user_password=None), site(package))
    policy = _policy(recorded)
    assert resources_for(policy, "es:ESHttpPut") == {DOMAIN_ARN, f"{DOMAIN_ARN}/*"}
    assert "es:ESHttpDelete" in {a for s in policy["Statement"] for a in s["Action"]}
    assert_least_privilege(policy)


@pytest.mark.skipif(
    not HAS_PARLIAMENT, reason="parliament (the IAM policy linter) is not installed"
)
@pytest.mark.parametrize("password", [PASSWORD, None])
def test_the_policies_lint_clean(package: BuiltPackage, password: str | None) -> None:
    recorded = run(content(master_user_password=password), site(package))
    findings = lint("applier", _policy(recorded)) + lint(
        "applier:assumeRolePolicy", recorded.one(ROLE).json("assumeRolePolicy")
    )
    assert findings == []


def test_the_invocation_carries_the_secrets_apart_and_secret(package: BuiltPackage) -> None:
    recorded = run(content(), site(package))
    found = invocation(recorded)
    raw = recorded.one(INVOCATION).raw_inputs
    assert is_secret(raw["secret_payload"]) and not is_secret(raw["create_payload"])
    secrets = json.loads(found["secret_payload"])
    assert secrets == {"master_user_password": PASSWORD, "notification_secrets": WEBHOOKS}
    plain = json.loads(found["create_payload"])
    assert PASSWORD not in found["create_payload"] and "secret-hook" not in found["create_payload"]
    assert plain["endpoint"] == ENDPOINT and plain["master_user_name"] == "admin"
    assert plain["firehose_role_arn"] == FIREHOSE_ROLE
    assert plain["content_hash"] == content_hash(plain)
    assert json.loads(found["delete_payload"]) is None  # destroy leaves the content
    assert found["pass_previous_result"] is True
    assert found["function_name"] == "lambda-logs-test-content-applier"
    assert found["timeout_seconds"] == 300 and found["region"] == REGION
    deps = recorded.depends_on[key(INVOCATION, "lambda-logs-content-apply")]
    assert key(FUNCTION, "lambda-logs-content-applier") in deps
    assert key(ROLE_POLICY, "lambda-logs-content-applier-policy") in deps


def test_triggers_change_with_the_content_hash_and_the_connection_only(
    package: BuiltPackage, tmp_path: Path
) -> None:
    baseline = invocation(run(content(), site(package)))
    triggers = json.loads(baseline["triggers"])
    assert triggers["content_hash"] == json.loads(baseline["create_payload"])["content_hash"]
    # the content changes → the hash and the triggers change
    longer = invocation(run(content(retention_days=90), site(package)))
    assert json.loads(longer["triggers"])["content_hash"] != triggers["content_hash"]
    # the connection changes → the triggers change
    moved = invocation(
        run(content(endpoint=pulumi.Output.from_input("vpc-other.es")), site(package))
    )
    assert moved["triggers"] != baseline["triggers"]
    # nothing the content depends on changes → the same triggers and payload
    other_package = replace(package, sha256="another-build")
    other_functions = replace(FUNCTIONS, architecture="x86_64", log_retention_days=90)
    for unchanged in (
        invocation(run(content(), site(other_package))),
        invocation(run(content(), site(package, functions=other_functions))),
        invocation(run(content(), site(package, vpc=VpcConfig(("subnet-9",), ("sg-9",))))),
    ):
        assert unchanged["triggers"] == baseline["triggers"]
        assert unchanged["create_payload"] == baseline["create_payload"]


class Recorder:
    def __init__(self) -> None:
        self.payloads: list[Mapping[str, Any]] = []

    def __call__(self, _props: Mapping[str, Any], payload: Mapping[str, Any]) -> Mapping[str, Any]:
        self.payloads.append(payload)
        return {"content_hash": payload["content_hash"], "channel_ids": ["lambda-logs-alarms-ops"]}


def test_the_provider_sends_the_secrets_and_the_previous_answer_and_skips_destroy(
    package: BuiltPackage,
) -> None:
    props = {**invocation(run(content(), site(package))), "result": None}
    invoke = Recorder()
    provider = LambdaInvocationProvider(invoke)
    created = provider.create(dict(props))
    assert invoke.payloads[0]["master_user_password"] == PASSWORD
    assert invoke.payloads[0]["notification_secrets"] == WEBHOOKS
    assert "previous_result" not in invoke.payloads[0]
    assert created.outs is not None and PASSWORD not in created.outs["result"]
    olds = dict(created.outs)
    assert not provider.diff("id", olds, dict(props)).changes
    longer = {**invocation(run(content(retention_days=90), site(package))), "result": None}
    assert provider.diff("id", olds, longer).changes
    rotated = {**props, "secret_payload": json.dumps({"master_user_password": "new"})}
    assert provider.diff("id", olds, rotated).changes  # a new password re-applies too
    provider.update("id", olds, longer)
    assert json.loads(invoke.payloads[1]["previous_result"])["channel_ids"] == [
        "lambda-logs-alarms-ops"
    ]
    provider.delete("id", olds)
    assert len(invoke.payloads) == 2  # destroy invoked nothing


def test_without_a_vpc_the_deployer_side_resource_applies_the_content() -> None:
    recorded = run(content(), None)
    assert recorded.of_type(FUNCTION) == [] and recorded.of_type(INVOCATION) == []
    applied = recorded.one(CONTENT_RESOURCE, "lambda-logs-content-apply").inputs
    assert applied["endpoint"] == ENDPOINT


def test_the_component_exposes_the_content_hash(package: BuiltPackage) -> None:
    recorded = ProgramRun()
    pulumi.runtime.set_mocks(RecordingMocks(recorded), project=PROJECT, stack=STACK, preview=False)
    seen: list[str] = []

    def program() -> pulumi.Output[Any]:
        applier = ContentApplier("lambda-logs-content", content(), site(package))
        return applier.content_hash.apply(seen.append)

    pulumi.runtime.test(program)()  # type: ignore[no-untyped-call]
    assert seen == [json.loads(invocation(recorded)["create_payload"])["content_hash"]]
