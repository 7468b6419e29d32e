"""Configuration from the environment, cost arithmetic, and the architecture lookup."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.transformer.helpers import cw_record, run
from transformer.cost import LambdaArchitectures, invocation_cost
from transformer.settings import Prices, Settings, SettingsError


def test_defaults_match_the_documented_table() -> None:
    settings = Settings.from_env({"AWS_REGION": "eu-central-1"})
    assert settings.label_keys == ("milestone",)
    assert settings.trace_id_keys == ("traceId", "trace_id", "correlation_id", "correlationId")
    assert settings.default_architecture == "x86_64"
    assert settings.max_message_bytes == 32768
    assert settings.log_group_prefixes == ("/aws/lambda/",)
    assert settings.region == "eu-central-1"
    assert settings.prices == Prices(0.0000166667, 0.0000133334, 0.0000002)


def test_every_variable_is_read() -> None:
    settings = Settings.from_env(
        {
            "LABEL_KEYS": "milestone, step",
            "TRACE_ID_KEYS": "x-trace",
            "DEFAULT_ARCHITECTURE": "arm64",
            "PRICE_X86_64_GB_SECOND": "0.00002",
            "PRICE_ARM64_GB_SECOND": "0.00001",
            "PRICE_PER_REQUEST": "0",
            "MAX_MESSAGE_BYTES": "4096",
            "LOG_GROUP_PREFIXES": "",
            "CLOUD_REGION": "us-west-2",
            "AWS_REGION": "eu-west-1",
            "METRICS_NAMESPACE": "Pipeline",
        }
    )
    assert settings.label_keys == ("milestone", "step")
    assert settings.trace_id_keys == ("x-trace",)
    assert settings.default_architecture == "arm64"
    assert settings.prices == Prices(0.00002, 0.00001, 0.0)
    assert settings.max_message_bytes == 4096
    assert settings.log_group_prefixes == ()
    assert settings.region == "us-west-2"
    assert settings.metrics_namespace == "Pipeline"


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("DEFAULT_ARCHITECTURE", "x86"),
        ("PRICE_ARM64_GB_SECOND", "cheap"),
        ("PRICE_PER_REQUEST", "-1"),
        ("MAX_MESSAGE_BYTES", "12"),
        ("MAX_MESSAGE_BYTES", "lots"),
    ],
)
def test_a_bad_value_names_the_variable_and_the_fix(name: str, value: str) -> None:
    with pytest.raises(SettingsError) as raised:
        Settings.from_env({name: value})
    assert name in str(raised.value) and "set" in str(raised.value)


def test_cost_is_billed_gb_seconds_times_the_architecture_price_plus_the_request() -> None:
    prices = Prices()
    # 594 ms at 256 MB on x86_64: 0.594 s × 0.25 GB × 0.0000166667 + 0.0000002
    assert invocation_cost(594, 256, "x86_64", prices) == pytest.approx(2.675e-06, rel=1e-3)
    arm = invocation_cost(594, 256, "arm64", prices)
    assert arm == pytest.approx(0.594 * 0.25 * 0.0000133334 + 0.0000002)
    assert arm < invocation_cost(594, 256, "x86_64", prices)


class FakeLambda:
    def __init__(self, answers: dict[str, Any]) -> None:
        self.answers = answers
        self.calls: list[str] = []

    def get_function_configuration(self, FunctionName: str) -> dict[str, Any]:
        self.calls.append(FunctionName)
        answer = self.answers[FunctionName.rsplit(":", 1)[1]]
        if isinstance(answer, Exception):
            raise answer
        return {"Architectures": [answer]}


def test_the_architecture_is_looked_up_once_per_function_and_defaults_when_it_fails() -> None:
    denied = ClientError({"Error": {"Code": "AccessDeniedException"}}, "GetFunctionConfiguration")
    client = FakeLambda({"a": "arm64", "b": denied})
    lookup = LambdaArchitectures(lambda: client, "eu-west-1", default="x86_64")
    assert [lookup.architecture("a", "1"), lookup.architecture("a", "1")] == ["arm64", "arm64"]
    assert [lookup.architecture("b", "1"), lookup.architecture("b", "1")] == ["x86_64", "x86_64"]
    assert client.calls == [
        "arn:aws:lambda:eu-west-1:1:function:a",
        "arn:aws:lambda:eu-west-1:1:function:b",
    ]


def test_report_documents_carry_the_cost_of_their_architecture() -> None:
    report = (
        "REPORT RequestId: 9fc2f946-04a1-4ca5-b8f9-104001da2b9f\tDuration: 182.44 ms\t"
        "Billed Duration: 1000 ms\tMemory Size: 1024 MB\tMax Memory Used: 88 MB\t\n"
    )
    client = FakeLambda({"orders-api": "arm64"})
    lookup = LambdaArchitectures(lambda: client, "eu-west-1")
    events = [
        {"id": "1", "timestamp": 1_795_169_647_000, "message": report},
        {"id": "2", "timestamp": 1_795_169_647_001, "message": "not a report"},
    ]
    result = run([cw_record(events)], architectures=lookup)
    document = result.documents()[0]
    assert document["aws.lambda.cost_usd"] == pytest.approx(0.0000133334 + 0.0000002)
    assert len(client.calls) == 1


def test_the_summary_is_one_emf_line_declaring_every_metric_it_carries() -> None:
    result = run([cw_record([{"id": "1", "timestamp": 1, "message": "x"}]), b"junk"])
    summary = result.summary()
    directive = summary["_aws"]["CloudWatchMetrics"][0]
    assert directive["Namespace"] == "LambdaLogs"
    assert directive["Dimensions"] == [["DeliveryStream"]]
    assert summary["DeliveryStream"] == "lambda-logs"
    names = [metric["Name"] for metric in directive["Metrics"]]
    assert all(isinstance(summary[name], (int, float)) for name in names)
    assert (summary["RecordsIn"], summary["RecordsOk"], summary["RecordsProcessingFailed"]) == (
        2,
        1,
        1,
    )
    assert summary["Documents"] == 1 and summary["level"] == "ERROR"
