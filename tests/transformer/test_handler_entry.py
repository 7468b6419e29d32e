"""The real Lambda entry point, `handler(event, context)`, with boto3 against moto: settings
from the environment, the Firehose client created lazily, re-ingestion into the named stream."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from moto import mock_aws

from lambdalogs.local.firehose import firehose_event, opensearch_document
from tests.transformer.helpers import Context, cw_record, events
from transformer import handler as handler_module

BUCKET = "backup"


def unavailable(region: str) -> Any:
    raise RuntimeError(f"no lean client in {region} today")


@pytest.fixture
def stream_arn(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    monkeypatch.setattr(handler_module, "_CONTAINER", {})
    # moto intercepts boto3's requests only: the lean client would go to the real endpoint, so
    # it is made unavailable here, which also shows the fallback to boto3's client.
    monkeypatch.setattr(handler_module, "_lean_firehose", unavailable)
    with mock_aws():
        boto3.client("s3", region_name="eu-west-1").create_bucket(
            Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": "eu-west-1"}
        )
        iam = boto3.client("iam", region_name="eu-west-1")
        role = iam.create_role(RoleName="firehose", AssumeRolePolicyDocument="{}")["Role"]["Arn"]
        created = boto3.client("firehose", region_name="eu-west-1").create_delivery_stream(
            DeliveryStreamName="lambda-logs",
            DeliveryStreamType="DirectPut",
            ExtendedS3DestinationConfiguration={
                "RoleARN": role,
                "BucketARN": f"arn:aws:s3:::{BUCKET}",
            },
        )
        yield str(created["DeliveryStreamARN"])


def delivered_to_s3() -> list[dict[str, Any]]:
    s3 = boto3.client("s3", region_name="eu-west-1")
    documents = []
    for item in s3.list_objects_v2(Bucket=BUCKET).get("Contents", []):
        body = s3.get_object(Bucket=BUCKET, Key=item["Key"])["Body"].read()
        decoder = json.JSONDecoder()
        text, position = body.decode(), 0
        while position < len(text):  # moto concatenates records without separators
            document, position = decoder.raw_decode(text, position)
            documents.append(document)
    return documents


def test_the_entry_point_reingests_into_the_stream_named_by_the_event(
    stream_arn: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # GIVEN the Lambda environment and a record of 4 events
    monkeypatch.setenv("AWS_REGION", "eu-west-1")
    monkeypatch.setenv("LABEL_KEYS", "step")
    line = json.dumps({"message": "hi {i}", "step": "one"}).replace("{", "{{").replace("}", "}}")
    record = cw_record(events(4, text=line.replace("{{i}}", "{i}")))
    # WHEN Firehose invokes the handler
    response = handler_module.handler(firehose_event([record], stream_arn), Context())
    # THEN one document is returned and three arrived in the stream (moto delivers them to S3)
    answer = response["records"][0]
    assert answer["result"] == "Ok"
    inline = opensearch_document(base64.b64decode(answer["data"]))
    assert inline["labels.step"] == "one" and inline["cloud.region"] == "eu-west-1"
    reingested = delivered_to_s3()
    assert len(reingested) == 3
    ids = {inline["aws.cloudwatch.event_id"]} | {d["aws.cloudwatch.event_id"] for d in reingested}
    assert len(ids) == 4
    assert handler_module._CONTAINER["firehose:eu-west-1"].kind == "_boto3_firehose"


def test_a_bad_setting_fails_the_invocation_with_a_clear_message(
    stream_arn: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DEFAULT_ARCHITECTURE", "sparc")
    with pytest.raises(ValueError, match="DEFAULT_ARCHITECTURE"):
        handler_module.handler(firehose_event([cw_record(events(1))], stream_arn), Context())


def test_an_event_that_is_not_from_firehose_is_refused_clearly() -> None:
    with pytest.raises(ValueError, match="Firehose data-transformation"):
        handler_module.handler({"hello": "world"}, Context())
