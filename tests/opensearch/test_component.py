"""The `OpenSearchContent` component under Pulumi mocks: plain inputs, a secret password, the
content hash computed from the resolved inputs, and settings validated at preview time."""

from __future__ import annotations

from typing import Any, Final

import pulumi
import pulumi.runtime
import pytest

from infra.opensearch_content import (
    TYPE_TOKEN,
    OpenSearchContent,
    OpenSearchContentArgs,
    content_hash,
    dynamic_props,
)
from opensearch.artifacts import ArtifactError

SECRET_SIG: Final = "4dabf18193072939515e22adb298388d"  # Pulumi's marker of a secret value
ROLE: Final = "arn:aws:iam::123456789012:role/lambda-logs-firehose"
ENDPOINT: Final = "search-lambda-logs-abc.eu-west-1.es.amazonaws.com"


class Recorder(pulumi.runtime.Mocks):
    def __init__(self) -> None:
        self.resources: list[tuple[str, str, dict[str, Any]]] = []

    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str, dict[str, Any]]:
        self.resources.append((args.typ, args.name, dict(args.inputs)))
        return f"{args.name}-id", dict(args.inputs)

    def call(self, args: pulumi.runtime.MockCallArgs) -> tuple[dict[str, Any], None]:
        raise AssertionError(f"unexpected call {args.token}")


def run(args: OpenSearchContentArgs) -> Recorder:
    recorder = Recorder()
    pulumi.runtime.set_mocks(
        recorder, project="lambda-logs-opensearch", stack="test", preview=False
    )

    def program() -> pulumi.Output[Any]:
        content = OpenSearchContent("lambda-logs-content", args)
        return content.content_hash

    pulumi.runtime.test(program)()  # type: ignore[no-untyped-call]
    return recorder


def dynamic_inputs(recorder: Recorder) -> dict[str, Any]:
    (found,) = [i for t, _n, i in recorder.resources if t.startswith("pulumi-python:dynamic")]
    return found


def test_component_registers_one_dynamic_resource_with_plain_inputs() -> None:
    recorder = run(
        OpenSearchContentArgs(
            endpoint=pulumi.Output.from_input(ENDPOINT),
            region="eu-west-1",
            firehose_role_arn=pulumi.Output.from_input(ROLE),
            retention_days=7,
            shards=1,
            replicas=0,
            master_user_name="admin",
            master_user_password=pulumi.Output.secret("Sup3r-secret!"),
        )
    )
    types = [(t, n) for t, n, _i in recorder.resources]
    assert (TYPE_TOKEN, "lambda-logs-content") in types
    inputs = dynamic_inputs(recorder)
    password = inputs["master_user_password"]
    assert isinstance(password, dict) and SECRET_SIG in password  # kept secret in the state
    assert password["value"] == "Sup3r-secret!"
    plain = {
        k: v
        for k, v in inputs.items()
        if k not in ("__provider", "master_user_password", "notification_secrets") and v is not None
    }
    # numbers travel as doubles through the engine: the provider converts them back with int()
    assert all(isinstance(v, (str, int, float)) for v in plain.values()), plain
    assert plain["endpoint"] == ENDPOINT and plain["firehose_role_arn"] == ROLE
    assert plain["alarm_topic_arn"] == "" and plain["retention_days"] == 7
    assert plain["content_hash"] == content_hash({**plain, "master_user_password": "x"})


def test_changing_a_setting_changes_the_hash_input() -> None:
    def hash_for(days: int) -> str:
        recorder = run(
            OpenSearchContentArgs(
                endpoint=ENDPOINT, region="eu-west-1", firehose_role_arn=ROLE, retention_days=days
            )
        )
        return str(dynamic_inputs(recorder)["content_hash"])

    assert hash_for(7) != hash_for(30)


def test_invalid_settings_fail_at_preview_with_the_setting_named() -> None:
    with pytest.raises(ArtifactError, match="index_prefix"):
        bad = OpenSearchContentArgs(
            endpoint=ENDPOINT, region="eu-west-1", firehose_role_arn=ROLE, index_prefix="Bad Prefix"
        )
        dynamic_props(bad)
