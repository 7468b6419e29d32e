"""GIVEN the stack's own AWS provider settings (`aws:profile`, `aws:assumeRoles`,
`aws:defaultTags`, `aws:ignoreTags`) WHEN the program runs THEN its own calls (the account
checks, the invocations at deploy and destroy) act as that provider does, through the whole role
chain, and the providers a hub creates for its spokes take the chain and the tags over
(infra/deployer.py, infra/stack_provider.py)."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any
from unittest import mock

import pytest

from infra.account_checks import AccountReaders
from infra.config_errors import ConfigError
from infra.deployer import DEPLOYER_SESSION_NAME, AssumedRole, Deployer
from infra.lambda_invocation import boto3_invoke
from infra.stack_provider import duration_seconds, read_stack_provider
from tests.infra.conftest import SPOKES
from tests.infra.harness import ACCOUNT, base_config, is_secret, offline_packages, run_program

TOOLS_ROLE = "arn:aws:iam::999988887777:role/ci-deployer"
HUB_ROLE = f"arn:aws:iam::{ACCOUNT}:role/lambda-logs-deployer"
CHAIN = [
    {"roleArn": TOOLS_ROLE, "sessionName": "ci", "externalId": "ext-1", "duration": "15m"},
    {"roleArn": HUB_ROLE},
]
TAGS = {"tags": {"cost-centre": "platform", "owner": "sre"}}
IGNORED = {"keyPrefixes": ["kubernetes.io/"], "keys": ["LastScanned"]}
INVOCATION = "pulumi-python:dynamic/lambdalogs:LambdaInvocation"
PROVIDER = "pulumi:providers:aws"


def test_the_settings_are_read_from_json_text_as_pulumi_gives_them() -> None:
    stack = read_stack_provider(
        {
            "profile": "ci",
            "assumeRoles": json.dumps(CHAIN),
            "defaultTags": json.dumps(TAGS),
            "ignoreTags": json.dumps(IGNORED),
        }
    )
    assert stack.deployer.profile == "ci"
    first, second = stack.deployer.roles
    assert first == AssumedRole(TOOLS_ROLE, "ci", external_id="ext-1", duration_seconds=900)
    assert second == AssumedRole(HUB_ROLE, DEPLOYER_SESSION_NAME)
    assert stack.default_tags == TAGS["tags"]
    assert stack.ignore_tags == {"keys": ("LastScanned",), "key_prefixes": ("kubernetes.io/",)}


def test_nothing_set_is_the_default_chain() -> None:
    stack = read_stack_provider({})
    assert stack.deployer == Deployer() and not stack.default_tags and not stack.ignore_tags


@pytest.mark.parametrize(
    ("text", "seconds"), [("15m", 900), ("1h", 3600), ("1h30m", 5400), ("900s", 900)]
)
def test_durations_are_go_durations(text: str, seconds: int) -> None:
    assert duration_seconds(text) == seconds


@pytest.mark.parametrize(
    ("roles", "problem"),
    [
        ([{"sessionName": "x"}], "entry 0 without a roleArn"),
        ([{"roleArn": HUB_ROLE, "webIdentityToken": "t"}], "webIdentityToken"),
        ([{"roleArn": HUB_ROLE, "duration": "an hour"}], "'an hour', which is not a duration"),
        ([{"roleArn": HUB_ROLE, "duration": "0.4s"}], "outside the 15m to 12h STS accepts"),
        ([{"roleArn": HUB_ROLE, "duration": "13h"}], "outside the 15m to 12h STS accepts"),
        ([{"roleArn": TOOLS_ROLE}, {"roleArn": HUB_ROLE, "duration": "2h"}], "over 1h"),
        ({"roleArn": HUB_ROLE}, "is not a list of roles"),
    ],
)
def test_a_chain_the_program_cannot_follow_is_refused_with_the_fix(
    roles: object, problem: str
) -> None:
    with pytest.raises(ConfigError) as raised:
        read_stack_provider({"assumeRoles": json.dumps(roles)})
    message = str(raised.value)
    assert problem in message
    assert "Fix it with: pulumi config set --path 'aws:assumeRoles[" in message


def test_the_chain_survives_a_dynamic_resources_state() -> None:
    from google.protobuf import json_format, struct_pb2  # type: ignore[import-untyped]

    deployer = read_stack_provider({"profile": "ci", "assumeRoles": CHAIN}).deployer
    state = struct_pb2.Struct()  # what the engine keeps: numbers come back as floats
    state.update(deployer.as_props())
    props = json_format.MessageToDict(state)
    assert props["deployer_roles"][0]["duration_seconds"] == 900.0
    back = Deployer.from_props(props)
    assert back == deployer
    assert type(back.roles[0].assume_role_parameters()["DurationSeconds"]) is int
    assert Deployer().as_props() == {"profile": ""}  # no new key without a chain


class _Sts:
    def __init__(self, calls: list[Any], number: int) -> None:
        self.calls, self.number = calls, number

    def assume_role(self, **given: Any) -> dict[str, Any]:
        self.calls.append(("assume_role", given))
        n = len([c for c in self.calls if c[0] == "assume_role"])
        return {
            "Credentials": {"AccessKeyId": f"K{n}", "SecretAccessKey": "s", "SessionToken": "t"}
        }


def _sessions(calls: list[Any]) -> type:
    class Session:
        def __init__(self, **given: Any) -> None:
            self.key = given.get("aws_access_key_id") or f"profile:{given.get('profile_name')}"
            calls.append(("session", self.key))

        def client(self, service: str, **options: Any) -> Any:
            calls.append(("client", service, self.key))
            if service == "sts":
                return _Sts(calls, 0)
            return mock.Mock(
                invoke=mock.Mock(
                    return_value={"Payload": mock.Mock(read=lambda: b'{"complete": true}')}
                )
            )

    return Session


def test_an_invocation_assumes_the_whole_chain_then_the_member_role() -> None:
    calls: list[Any] = []
    deployer = read_stack_provider({"profile": "ci", "assumeRoles": CHAIN}).deployer
    member = f"arn:aws:iam::{SPOKES[0]}:role/OrganizationAccountAccessRole"
    props = {
        "function_name": "f",
        "region": "eu-west-1",
        "timeout_seconds": 60,
        "delete_payload": "null",
        "assume_role_arn": member,
        **deployer.as_props(),
    }
    with mock.patch("boto3.Session", _sessions(calls)):
        assert boto3_invoke(props, {"action": "reconcile"}) == {"complete": True}
    assumed = [c[1] for c in calls if c[0] == "assume_role"]
    assert [a["RoleArn"] for a in assumed] == [TOOLS_ROLE, HUB_ROLE, member]
    assert assumed[0] == {
        "RoleArn": TOOLS_ROLE,
        "RoleSessionName": "ci",
        "ExternalId": "ext-1",
        "DurationSeconds": 900,
    }
    clients = [c for c in calls if c[0] == "client"]  # each role assumed with the one before's
    assert [c[2] for c in clients] == ["profile:ci", "K1", "K2", "K3"]
    assert clients[-1][1] == "lambda"


def _aws_run(packages: Path, **extra: str) -> Any:
    aws = {
        "profile": "ci",
        "assumeRoles": json.dumps(CHAIN),
        "defaultTags": json.dumps(TAGS),
        "ignoreTags": json.dumps(IGNORED),
    }
    return run_program({**base_config(), **extra}, offline_packages(packages), aws_values=aws)


def test_the_hubs_own_invocations_act_through_the_chain(packages_dir: Path) -> None:
    run = _aws_run(packages_dir / "chain-standalone")
    invocations = run.of_type(INVOCATION)
    assert invocations
    for invocation in invocations:
        assert is_secret(invocation.raw_inputs["deployer_roles"])  # the external id is in it
        deployer = Deployer.from_props(invocation.inputs)
        assert deployer.profile == "ci"
        assert [r.role_arn for r in deployer.roles] == [TOOLS_ROLE, HUB_ROLE]


def test_rolled_out_providers_take_the_chain_and_the_tags_over(packages_dir: Path) -> None:
    run = _aws_run(
        packages_dir / "chain-rollout",
        deployment="hub",
        spokeDeployAccountIds=SPOKES[0],
    )
    (provider,) = run.of_type(PROVIDER)
    inputs = provider.inputs
    assert is_secret(provider.raw_inputs["assumeRoles"])  # the external id: kept secret
    chain = json.loads(inputs["assumeRoles"])
    assert [r["roleArn"] for r in chain] == [
        TOOLS_ROLE,
        HUB_ROLE,
        f"arn:aws:iam::{SPOKES[0]}:role/OrganizationAccountAccessRole",
    ]
    assert chain[0]["externalId"] == "ext-1" and chain[0]["duration"] == "900s"
    assert inputs["profile"] == "ci"
    assert json.loads(inputs["defaultTags"]) == TAGS
    assert json.loads(inputs["ignoreTags"]) == IGNORED


def test_the_account_checks_read_through_the_chain(packages_dir: Path) -> None:
    seen: list[Any] = []

    def reservation(wanted: int, name: str, region: str, deployer: Any) -> None:
        seen.append(deployer)

    readers = replace(AccountReaders.offline(), reservation=reservation)
    aws = {"profile": "ci", "assumeRoles": json.dumps(CHAIN)}
    run_program(
        base_config(),
        offline_packages(packages_dir / "chain-checks"),
        aws_values=aws,
        readers=readers,
    )
    (deployer,) = seen
    assert deployer.profile == "ci"
    assert [r.role_arn for r in deployer.roles] == [TOOLS_ROLE, HUB_ROLE]


def test_settings_the_program_does_not_follow_are_warned_about(packages_dir: Path) -> None:
    assert read_stack_provider({"endpoints": '[{"lambda": "http://localhost:4566"}]'}).warnings()
    with mock.patch("infra.program.pulumi.log.warn") as warn:
        run_program(
            base_config(),
            offline_packages(packages_dir / "not-followed"),
            aws_values={"accessKey": "AKIAEXAMPLE", "stsRegion": "us-east-1"},
        )
    warned = [str(call.args[0]) for call in warn.call_args_list]
    for name in ("aws:accessKey", "aws:stsRegion"):
        assert any(m.startswith(f"{name} is set, but the program's own calls") for m in warned)
    assert not any("aws:secretKey" in m for m in warned)


def test_a_false_boolean_setting_is_not_warned_about() -> None:
    assert read_stack_provider({"useFipsEndpoint": "false", "insecure": "false"}).warnings() == []
    (warning,) = read_stack_provider({"useFipsEndpoint": "true"}).warnings()
    assert warning.startswith("aws:useFipsEndpoint is set")
