"""Our own re-ingested documents coming back through the handler are answered for the whole
batch at once (transformer.passthrough): the same response, byte for byte, and the same
summary as the per-record path gives, on batches mixing them with CloudWatch records from the
corpus, unreadable records, a response budget that overflows, and batches the split refuses."""

from __future__ import annotations

import base64
import copy
import json
import random
from pathlib import Path
from typing import Any

import pytest

from lambdalogs.local.firehose import LoopbackFirehose
from tests.transformer.helpers import STREAM_ARN, Context, cw_record, events
from transformer import handler as handler_module
from transformer import passthrough
from transformer.cost import StaticArchitectures
from transformer.decode import DOCUMENT_PREFIX_B64
from transformer.settings import Settings

CORPUS = Path(__file__).parent.parent / "corpus"
CASES = [case for path in sorted(CORPUS.glob("*.json")) for case in json.loads(path.read_text())]

STATIC_SUMMARY_NOISE = ("duration_ms", "DurationMs", "_aws")


def _corpus_records() -> list[bytes]:
    records = [cw_record(case["events"]) for case in CASES]
    records.append(cw_record(events(1_500, text="order {i} accepted")))  # re-ingests 1,499
    return records


def _invoke(event: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any], list[bytes]]:
    """The handler on a copy of `event` (passing records are answered in place)."""
    stream, logs = LoopbackFirehose(), list[str]()
    response = handler_module.process(
        copy.deepcopy(event),
        Context(),
        firehose=stream,
        architectures=StaticArchitectures("arm64"),
        settings=Settings(region="eu-west-1"),
        log=logs.append,
    )
    summary = json.loads(logs[0])
    for key in STATIC_SUMMARY_NOISE:
        summary.pop(key, None)
    return response, summary, stream.take()


def _per_record_path(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(passthrough, "split", lambda records: passthrough.Passing(records))


@pytest.fixture(scope="module")
def documents() -> list[str]:
    """The corpus's documents as the transformer re-ingests them, base64 as Firehose sends."""
    _, _, reingested = _invoke(_event([base64.b64encode(r).decode() for r in _corpus_records()]))
    assert len(reingested) > 1_500
    return [base64.b64encode(document).decode() for document in reingested]


def _event(data: list[str], ids: list[Any] | None = None) -> dict[str, Any]:
    ids = ids if ids is not None else [f"{i:056d}" for i in range(len(data))]
    records = [
        {"recordId": i, "approximateArrivalTimestamp": 1, "data": d}
        for i, d in zip(ids, data, strict=True)
    ]
    return {"invocationId": "inv", "deliveryStreamArn": STREAM_ARN, "records": records}


UNREADABLE = [
    DOCUMENT_PREFIX_B64 + "!! not base64 at all",  # our prefix: passes through unchanged
    DOCUMENT_PREFIX_B64,
    "bm90IGd6aXA=",
    "",
]


def _filled(documents: list[str], characters: int) -> list[str]:
    chosen: list[str] = []
    for document in documents * (characters // sum(map(len, documents)) + 1):
        characters -= len(document) + 120  # its id and the JSON around it
        if characters < 0:
            return chosen
        chosen.append(document)
    return chosen


def _batches(documents: list[str]) -> dict[str, list[str]]:
    rng = random.Random(12)
    cloudwatch = [base64.b64encode(r).decode() for r in _corpus_records()]
    mixed = rng.sample(documents, 400) + cloudwatch + UNREADABLE
    rng.shuffle(mixed)
    return {
        "only documents": rng.sample(documents, 500),
        "mixed with corpus records and unreadable ones": mixed,
        "no document": cloudwatch,
        # documents taking ~5.9 MB of the response, so the records' first documents overflow it
        "response budget overflows": _filled(documents, 5_900_000) + cloudwatch * 3,
    }


@pytest.mark.parametrize(
    "name",
    [
        "only documents",
        "mixed with corpus records and unreadable ones",
        "no document",
        "response budget overflows",
    ],
)
def test_the_batch_answers_as_the_per_record_path_does(
    name: str, documents: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    event = _event(_batches(documents)[name])
    fast = _invoke(event)
    _per_record_path(monkeypatch)
    slow = _invoke(event)
    assert fast[0] == slow[0]
    compact = (",", ":")  # the same size: the response budget's arithmetic holds
    assert len(json.dumps(fast[0], separators=compact)) == len(
        json.dumps(slow[0], separators=compact)
    )
    assert fast[1] == slow[1]
    assert fast[2] == slow[2]


def test_documents_pass_through_unchanged_in_their_place(documents: list[str]) -> None:
    data = [documents[0], UNREADABLE[2], documents[1], UNREADABLE[0]]
    response, summary, reingested = _invoke(_event(data, ids=["a", "b", "c", "d"]))
    assert response["records"] == [
        {"recordId": "a", "result": "Ok", "data": documents[0]},
        {"recordId": "b", "result": "ProcessingFailed", "data": UNREADABLE[2]},
        {"recordId": "c", "result": "Ok", "data": documents[1]},
        {"recordId": "d", "result": "Ok", "data": UNREADABLE[0]},
    ]
    assert (summary["passthrough"], summary["records_ok"], summary["records_failed"]) == (3, 3, 1)
    assert reingested == []
    entries = json.dumps(response, separators=(",", ":")).encode()
    assert summary["response_bytes"] == len(entries)


def test_the_overflowing_budget_moves_documents_as_before(documents: list[str]) -> None:
    response, summary, _ = _invoke(_event(_batches(documents)["response budget overflows"]))
    results = [r["result"] for r in response["records"]]
    moved = results.count("Dropped")
    assert moved > 0  # first documents moved to the stream, to make room in the response
    assert summary["response_bytes"] == len(json.dumps(response, separators=(",", ":")))


@pytest.mark.parametrize(
    ("records", "why"),
    [
        ([{"recordId": "a", "data": DOCUMENT_PREFIX_B64}] * 2, "a duplicated recordId"),
        ([{"recordId": 5, "data": DOCUMENT_PREFIX_B64}, {"recordId": "5", "data": "x"}], "ids"),
        ([{"data": DOCUMENT_PREFIX_B64}], "no recordId"),
        ([{"recordId": "a", "data": None}, {"recordId": "b", "data": DOCUMENT_PREFIX_B64}], "data"),
        (["not an object", {"recordId": "b", "data": DOCUMENT_PREFIX_B64}], "not an object"),
        ([], "an empty batch"),
    ],
)
def test_batches_the_split_refuses_go_whole_through_the_per_record_path(
    records: list[Any], why: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = copy.deepcopy(records)
    split = passthrough.split(records)
    assert records == before, "a refused batch is left as it came"
    assert split.rest is records and split.marks is None and not split.entries, why
    event = {"invocationId": "inv", "deliveryStreamArn": STREAM_ARN, "records": records}
    fast = _invoke(event)
    _per_record_path(monkeypatch)
    assert fast == _invoke(event)


def test_a_duplicated_document_id_is_reported_as_before() -> None:
    record = {"recordId": "a", "data": DOCUMENT_PREFIX_B64 + "AAAA"}
    response, summary, _ = _invoke(
        {"invocationId": "i", "deliveryStreamArn": STREAM_ARN, "records": [record, dict(record)]}
    )
    assert response["records"] == [{"recordId": "a", "result": "Ok", "data": record["data"]}]
    assert any("appears twice" in error for error in summary["errors"])


def test_passing_records_become_their_answers_and_the_others_stay_as_they_came(
    documents: list[str],
) -> None:
    cloudwatch = base64.b64encode(_corpus_records()[0]).decode()
    event = _event([documents[0], cloudwatch, documents[1]], ids=["a", "b", "c"])
    records = event["records"]
    records[2]["kinesisRecordMetadata"] = {"shardId": "s"}  # a member Firehose never sends
    other = copy.deepcopy(records[1])
    split = passthrough.split(records)
    assert split.entries[0] is records[0]  # answered in place: no new dict
    assert split.entries[0] == {"recordId": "a", "result": "Ok", "data": documents[0]}
    assert split.entries[1] == {"recordId": "c", "result": "Ok", "data": documents[1]}
    assert split.rest == [other] and split.rest[0] is records[1]
    assert split.marks == [True, False, True]
    assert split.characters == len("a") + len("c") + len(documents[0]) + len(documents[1])
