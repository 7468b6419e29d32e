"""`replay` from a moto S3 backup bucket into the OpenSearch HTTP fake."""

from __future__ import annotations

import base64
import gzip
import json
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import pytest
from moto import mock_aws

from lambdalogs.local import transform, workload
from tests.cli.conftest import moto_transformer, stored
from tests.fakes.opensearch_http import FakeOpenSearch, RecordedRequest, Reply

BUCKET = "lambda-logs-backup"
HOUR = "2026/11/20/14"
TRANSFORMER = "lambda-logs-transformer"
"""The function every raw record of these backups names in its `lambdaArn`."""


@dataclass(frozen=True)
class Backup:
    all_ids: list[str]  # every event the bucket can restore
    documents: list[dict[str, Any]]


def _event_ids(documents: list[dict[str, Any]]) -> list[str]:
    return [d["aws.cloudwatch.event_id"] for d in documents]


def _error_line(raw: bytes, kind: str) -> str:
    entry = {
        "attemptsMade": 4,
        "arrivalTimestamp": 1795183200000,
        "errorCode": "Lambda.FunctionError" if kind == "processing" else "400",
        "errorMessage": "The Lambda function was successfully invoked but it returned an error.",
        "attemptEndingTimestamp": 1795183260000,
        "rawData": base64.b64encode(raw).decode(),
        "lambdaArn": "arn:aws:lambda:eu-west-1:123456789012:function:lambda-logs-transformer",
    }
    return json.dumps(entry)


def _ndjson(documents: list[dict[str, Any]], separator: str = "\n") -> bytes:
    return separator.join(json.dumps(d) for d in documents).encode()


@pytest.fixture
def backup(
    fake: FakeOpenSearch, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Backup]:
    """GIVEN a bucket as Firehose fills it: the all-documents backup (gzip NDJSON and plain
    concatenated JSON), processing-failed raw records, OpenSearch-failed documents that are also
    in the backup, and a cluster that already holds part of the documents under Firehose ids."""
    monkeypatch.chdir(tmp_path)
    load = workload.generate(seed=3, sessions=8)
    records = transform.records(load.streams)
    settings = transform.settings_from_env({})
    failed_records, ok_records = records[:6], records[6:]
    delivered = transform.transform_records(ok_records, settings=settings).documents
    everything = transform.transform_records(records, settings=settings).documents
    half = len(delivered) // 2
    with mock_aws():
        s3 = boto3.client("s3", region_name="eu-west-1")
        s3.create_bucket(
            Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": "eu-west-1"}
        )

        moto_transformer(TRANSFORMER, {})  # the stack's, as the raw records name it

        def put(key: str, body: bytes) -> None:
            s3.put_object(Bucket=BUCKET, Key=key, Body=body)

        put(f"documents/{HOUR}/lambda-logs-1-a.gz", gzip.compress(_ndjson(delivered[:half])))
        put(f"documents/{HOUR}/lambda-logs-1-b", _ndjson(delivered[half:], separator=""))
        put(
            f"processing-failed/{HOUR}/lambda-logs-3-c",
            "\n".join(_error_line(raw, "processing") for raw in failed_records).encode(),
        )
        put(
            f"AmazonOpenSearchService-failed/{HOUR}/lambda-logs-2-d.gz",
            gzip.compress(
                "\n".join(
                    _error_line(json.dumps(d).encode(), "os") for d in delivered[:10]
                ).encode()
            ),
        )
        # Firehose already indexed a third of the backup, under its own ids
        firehose_bulk = "".join(
            json.dumps({"index": {"_index": "lambda-logs-2026-11-21"}})
            + "\n"
            + json.dumps(d)
            + "\n"
            for d in delivered[: len(delivered) // 3]
        )
        fake.store.bulk(firehose_bulk.encode(), None)
        yield Backup(_event_ids(everything), everything)


def _indexed_ids(fake: FakeOpenSearch) -> Counter[str]:
    return Counter(_event_ids(stored(fake)))


def _problems(err: str) -> int:
    """The lines of stderr besides the progress reports (`replay: 40% 4/10 objects …`)."""
    return sum(not line.startswith("replay: ") for line in err.splitlines())


def _number(pattern: str, text: str) -> int:
    found = re.search(pattern, text)
    assert found, (pattern, text)
    return int(found.group(1))


def test_replay_restores_every_event_once_and_a_second_run_indexes_nothing(
    cli: Any, fake: FakeOpenSearch, backup: Backup
) -> None:
    # WHEN the whole bucket is replayed
    result = cli("replay", "--bucket", BUCKET, "--opensearch", fake.url, "--batch-size", "25")
    # THEN every event is in OpenSearch exactly once, the processing-failed ones included
    assert result.code == 0, result.err
    counts = _indexed_ids(fake)
    assert set(counts) == set(backup.all_ids)
    assert max(counts.values()) == 1
    assert "objects: 4 (2 documents, 1 processing-failed, 1 opensearch-failed)" in result.out
    assert _number(r"(\d+) duplicates in the backup", result.out) == 10
    # AND a second run finds everything indexed and sends no _bulk
    fake.clear_requests()
    again = cli("replay", "--bucket", BUCKET, "--opensearch", fake.url)
    assert again.code == 0, again.err
    assert "Indexed 0 documents." in again.out
    assert not fake.requests_to(r"/_bulk", "POST")
    assert _indexed_ids(fake) == counts


def test_replay_reports_progress_before_its_first_object(
    cli: Any, fake: FakeOpenSearch, backup: Backup
) -> None:
    result = cli("replay", "--bucket", BUCKET, "--opensearch", fake.url)
    assert result.code == 0, result.err
    progress = [line for line in result.err.splitlines() if line.startswith("replay: ")]
    assert progress[0].startswith("replay: 0% 0/4 objects"), result.err
    assert progress[-1].startswith("replay: 100% 4/4 objects")


def test_replay_resumes_after_a_failure_half_way_without_loss_or_duplicates(
    cli: Any, fake: FakeOpenSearch, backup: Backup, tmp_path: Path
) -> None:
    # GIVEN OpenSearch applies the 3rd bulk request but the answer is lost (HTTP 500)
    calls = {"n": 0}

    def flaky(request: RecordedRequest) -> Reply:
        calls["n"] += 1
        answer = fake.store.bulk(request.body, None)
        return (
            Reply(500, {"error": {"type": "exception", "reason": "node left"}})
            if calls["n"] == 3
            else Reply(200, answer)
        )

    fake.route("POST", r"/_bulk", flaky)
    args = ("replay", "--bucket", BUCKET, "--opensearch", fake.url, "--batch-size", "20")
    # WHEN the replay fails half-way
    first = cli(*args)
    assert first.code == 3
    assert _problems(first.err) == 1 and "Traceback" not in first.err
    assert "re-run the same command" in first.err
    checkpoints = list(tmp_path.glob(".lambdalogs-replay-*.json"))
    assert len(checkpoints) == 1
    assert 0 < len(_indexed_ids(fake)) < len(backup.all_ids)
    # AND is repeated
    second = cli(*args)
    # THEN it resumed from the checkpoint, lost nothing and duplicated nothing
    assert second.code == 0, second.err
    assert _number(r"; (\d+) already done by an interrupted run", second.out) >= 1
    counts = _indexed_ids(fake)
    assert set(counts) == set(backup.all_ids)
    assert max(counts.values()) == 1
    assert not list(tmp_path.glob(".lambdalogs-replay-*.json"))


def test_dry_run_writes_nothing(
    cli: Any, fake: FakeOpenSearch, backup: Backup, tmp_path: Path
) -> None:
    before = _indexed_ids(fake)
    result = cli("replay", "--bucket", BUCKET, "--opensearch", fake.url, "--dry-run")
    assert result.code == 0, result.err
    assert not fake.requests_to(r"/_bulk", "POST")
    assert _indexed_ids(fake) == before
    assert not list(tmp_path.glob(".lambdalogs-replay-*"))
    would = _number(r"would index (\d+) documents", result.out)
    assert would == len(set(backup.all_ids) - set(before))


def test_replay_selects_by_time_range_and_function(
    cli: Any, fake: FakeOpenSearch, backup: Backup
) -> None:
    fake.store.indices.clear()
    chosen = [
        d
        for d in backup.documents
        if "2026-11-20T14:00:30" <= d["@timestamp"] < "2026-11-20T14:01:00"
        and d["faas.name"] == "conference-save-session"
    ]
    assert chosen
    result = cli(
        "replay",
        "--bucket",
        f"s3://{BUCKET}/",
        "--opensearch",
        fake.url,
        "--since",
        "2026-11-20T14:00:30Z",
        "--until",
        "2026-11-20T14:01:00Z",
        "--function",
        "conference-save-session",
    )
    assert result.code == 0, result.err
    assert set(_indexed_ids(fake)) == set(_event_ids(chosen))


def test_replay_by_source_kind(cli: Any, fake: FakeOpenSearch, backup: Backup) -> None:
    fake.store.indices.clear()
    result = cli(
        "replay", "--bucket", BUCKET, "--opensearch", fake.url, "--source", "processing-failed"
    )
    assert result.code == 0, result.err
    assert "objects: 1 (1 processing-failed)" in result.out
    assert 0 < len(_indexed_ids(fake)) < len(backup.all_ids)


def test_replay_of_a_missing_bucket_is_one_line(
    cli: Any, fake: FakeOpenSearch, backup: Backup
) -> None:
    result = cli("replay", "--bucket", "no-such-bucket", "--opensearch", fake.url)
    assert result.code == 3
    assert result.err.count("\n") == 1 and "does not exist" in result.err


def test_no_duplicates_even_when_the_existence_check_misses(
    cli: Any, fake: FakeOpenSearch, backup: Backup
) -> None:
    # GIVEN a cluster whose searches do not see fresh documents yet (refresh interval)
    fake.store.indices.clear()
    blind = {"hits": {"total": {"value": 0, "relation": "eq"}, "hits": []}}
    fake.route("POST", r"/lambda-logs-\*/_search", lambda _request: Reply(200, blind))
    # WHEN the replay runs twice
    assert cli("replay", "--bucket", BUCKET, "--opensearch", fake.url).code == 0
    again = cli("replay", "--bucket", BUCKET, "--opensearch", fake.url)
    # THEN the ids derived from the event ids make the second run create nothing
    assert again.code == 0, again.err
    assert "Indexed 0 documents." in again.out
    counts = _indexed_ids(fake)
    assert set(counts) == set(backup.all_ids)
    assert max(counts.values()) == 1


def test_a_checkpoint_of_other_options_is_refused(
    cli: Any, fake: FakeOpenSearch, backup: Backup, tmp_path: Path
) -> None:
    checkpoint = tmp_path / "incident.json"
    checkpoint.write_text(json.dumps({"fingerprint": "other", "done": []}))
    result = cli(
        "replay", "--bucket", BUCKET, "--opensearch", fake.url, "--checkpoint", str(checkpoint)
    )
    assert result.code == 2
    assert result.err.count("\n") == 1 and "other options" in result.err
    assert not fake.requests_to(r"/_bulk", "POST")


def test_ctrl_c_says_how_to_resume(
    cli: Any, fake: FakeOpenSearch, backup: Backup, monkeypatch: pytest.MonkeyPatch
) -> None:
    from lambdalogs.backup import restore

    def interrupted(self: Any, obj: Any) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(restore.Replayer, "replay_object", interrupted)
    result = cli("replay", "--bucket", BUCKET, "--opensearch", fake.url)
    assert result.code == 130
    assert _problems(result.err) == 1 and "repeat the command to resume" in result.err


@pytest.fixture
def failed_records_bucket(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[int]:
    """GIVEN a bucket holding only raw records the transformer of ap-southeast-2 failed, and an
    empty "folder" object; no region in the environment. Yields the number of events."""
    monkeypatch.chdir(tmp_path)
    for name in ("AWS_REGION", "CLOUD_REGION"):
        monkeypatch.delenv(name, raising=False)
    load = workload.generate(seed=5, sessions=2)
    records = transform.records(load.streams)
    line = _error_line(records[0], "processing").replace(":eu-west-1:", ":ap-southeast-2:")
    events = len(json.loads(gzip.decompress(records[0]))["logEvents"])
    with mock_aws():
        s3 = boto3.client("s3", region_name="eu-west-1")
        s3.create_bucket(
            Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": "eu-west-1"}
        )
        s3.put_object(Bucket=BUCKET, Key=f"processing-failed/{HOUR}/lambda-logs-1", Body=line)
        s3.put_object(Bucket=BUCKET, Key=f"documents/{HOUR}/", Body=b"")
        moto_transformer(TRANSFORMER, {}, region="ap-southeast-2")
        yield events


def test_raw_records_get_the_region_of_the_transformer_that_failed_them(
    cli: Any, fake: FakeOpenSearch, failed_records_bucket: int
) -> None:
    # WHEN the raw records are replayed with no region given
    result = cli("replay", "--bucket", BUCKET, "--opensearch", fake.url)
    # THEN their documents carry the region of the lambdaArn in the backup, not a demo constant
    assert result.code == 0, result.err
    documents = stored(fake)
    assert len(documents) == failed_records_bucket
    assert {d["cloud.region"] for d in documents} == {"ap-southeast-2"}


def test_the_environment_region_wins_over_the_backup(
    cli: Any, fake: FakeOpenSearch, failed_records_bucket: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CLOUD_REGION", "us-east-2")
    assert cli("replay", "--bucket", BUCKET, "--opensearch", fake.url).code == 0
    assert {d["cloud.region"] for d in stored(fake)} == {"us-east-2"}


def test_empty_objects_are_neither_counted_nor_downloaded(
    cli: Any, fake: FakeOpenSearch, failed_records_bucket: int
) -> None:
    # GIVEN the bucket also holds a 0-byte "folder" object under documents/
    result = cli("replay", "--bucket", BUCKET, "--opensearch", fake.url, "--dry-run")
    # THEN only the object with data is read
    assert result.code == 0, result.err
    assert "objects: 1 (1 processing-failed)" in result.out


def test_no_duplicate_is_created_when_the_index_already_holds_duplicates(
    cli: Any, fake: FakeOpenSearch, backup: Backup
) -> None:
    # GIVEN Firehose indexed every event of the bucket twice (its retries), under its own ids
    fake.store.indices.clear()
    action = json.dumps({"index": {"_index": "lambda-logs-2026-11-20"}})
    twice = "".join(f"{action}\n{json.dumps(d)}\n" * 2 for d in backup.documents)
    fake.store.bulk(twice.encode(), None)
    # WHEN the bucket is replayed
    result = cli("replay", "--bucket", BUCKET, "--opensearch", fake.url, "--batch-size", "40")
    # THEN no event is created a third time: every one of them is already indexed
    assert result.code == 0, result.err
    assert "Indexed 0 documents." in result.out
    assert set(_indexed_ids(fake).values()) == {2}


def test_a_large_batch_asks_for_its_ids_in_several_queries(
    cli: Any, fake: FakeOpenSearch, backup: Backup, monkeypatch: pytest.MonkeyPatch
) -> None:
    from lambdalogs.search import restoring

    # GIVEN at most 7 ids per existence query (OpenSearch limits the terms of one query)
    monkeypatch.setattr(restoring, "EXISTENCE_QUERY_IDS", 7)
    result = cli("replay", "--bucket", BUCKET, "--opensearch", fake.url, "--batch-size", "40")
    assert result.code == 0, result.err
    # THEN no query names more than 7 ids, and every event is indexed exactly once
    searches = [r.json() for r in fake.requests_to(r"/lambda-logs-\*/_search")]
    assert max(len(s["query"]["terms"]["aws.cloudwatch.event_id"]) for s in searches) == 7
    counts = _indexed_ids(fake)
    assert set(counts) == set(backup.all_ids) and max(counts.values()) == 1
