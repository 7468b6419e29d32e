"""Golden digests of what the transformer makes: every byte of every document, answer and
summary, over the corpus and the benchmark's workloads, with both JSON codecs and the settings
that take the transformer down its other paths (folding and rules, truncation, a small
held-documents bound). Written once from the transformer before its hot paths were rewritten
for speed (issue 12), so a rewrite that changes one byte of one document fails
tests/transformer/test_golden_documents.py, naming the batch.

`python -m tests.transformer.golden` writes tests/transformer/golden_documents.json again: only
for a change that means to alter documents (say so in its commit)."""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from typing import Any, Final
from unittest import mock

from bench.workload import build_request, passthrough_request
from lambda_shared import metrics
from lambdalogs.local.firehose import LoopbackFirehose, firehose_event, subscription_record
from transformer import jsonlib
from transformer.cost import StaticArchitectures
from transformer.handler import process
from transformer.settings import Settings

GOLDEN: Final = Path(__file__).parent / "golden_documents.json"
CORPUS: Final = Path(__file__).parent.parent / "corpus"
STREAM_ARN: Final = "arn:aws:firehose:eu-west-1:123456789012:deliverystream/lambda-logs"
NOW_SECONDS: Final = 1_795_200_000.0  # the clock while a batch is handled (fallback stamps)
CODECS: Final = {"stdlib": jsonlib.STDLIB} | (
    {"orjson": jsonlib.ORJSON} if jsonlib.ORJSON is not None else {}
)
_BASE: Final = {"CLOUD_REGION": "eu-west-1"}
SETTINGS: Final = {
    "default": _BASE,
    "folded-rules": _BASE
    | {
        "FOLD_PLATFORM_EVENTS": "true",
        "EVENT_RULES": "drop-level * DEBUG; sample * INFO 50; drop-match * ^GET /health",
    },
    "small-messages": _BASE | {"MAX_MESSAGE_BYTES": "256"},
}
SMALL_HELD_BYTES: Final = 64 * 1024
"""The held-documents bound of the `small-held` runs: records cut into pieces, spilled early."""


@contextmanager
def _fixed_clock() -> Iterator[None]:
    with mock.patch.object(time, "time", lambda: NOW_SECONDS):
        yield


def digest_of(
    event: dict[str, Any], codec: jsonlib.Codec, settings: Settings, held: int | None = None
) -> str:
    """sha256 (16 hex digits) of the response, every re-ingested document in order and the
    summary line (but its duration) of `process` on `event`."""
    stream = LoopbackFirehose()
    logs: list[str] = []
    extra: dict[str, Any] = {} if held is None else {"held_max_bytes": held}
    with _fixed_clock():
        response = process(
            json.loads(json.dumps(event)),
            None,
            firehose=stream,
            architectures=StaticArchitectures("arm64"),
            settings=settings,
            sleep=lambda _seconds: None,
            log=logs.append,
            codec=codec,
            **extra,
        )
    digest = hashlib.sha256(json.dumps(_in_contract_order(response)).encode())
    for document in stream.take():
        digest.update(b"\n" + document)
    for line in logs:
        summary = json.loads(line)
        summary.pop("duration_ms", None)
        summary.pop(metrics.DURATION_MS, None)
        digest.update(b"\n" + json.dumps(summary).encode())
    return digest.hexdigest()[:16]


_ENTRY_ORDER = ("recordId", "result", "data")


def _in_contract_order(response: dict[str, Any]) -> dict[str, Any]:
    """The response with each entry's members in the contract's order, any others after them:
    the order of a JSON object's members means nothing to Firehose (the passthrough records
    are answered in place, their `data` before their `result`)."""
    records = [
        {**{key: entry[key] for key in _ENTRY_ORDER if key in entry}, **entry}
        for entry in response["records"]
    ]
    return {**response, "records": records}


def corpus_records() -> dict[str, bytes]:
    """Every corpus case (tests/corpus, which holds /work/shared/corpus) as one record."""
    records: dict[str, bytes] = {}
    for path in sorted(CORPUS.glob("*.json")):
        for case in json.loads(path.read_text()):
            records[f"{path.stem}/{case['name']}"] = subscription_record(
                case["logGroup"], case["logStream"], case["owner"], case["events"]
            )
    return records


@cache
def corpus_batches() -> dict[str, dict[str, Any]]:
    """One batch per corpus case, and one batch of them all."""
    records = corpus_records()
    batches = {name: firehose_event([data], STREAM_ARN) for name, data in records.items()}
    batches["corpus/all-in-one-batch"] = firehose_event(list(records.values()), STREAM_ARN)
    return batches


@cache
def bench_batches(size: int) -> dict[str, dict[str, Any]]:
    """The benchmark's requests of `size` bytes (seed 2, as `make bench` builds them), and the
    requests of the documents they re-ingest (passthrough)."""
    batches: dict[str, dict[str, Any]] = {}
    for mix in ("typical", "corpus"):
        event = build_request(size, seed=2, mix=mix).event
        batches[f"bench/{mix}-{size}"] = event
        stream = LoopbackFirehose()
        with _fixed_clock():
            process(
                json.loads(json.dumps(event)),
                None,
                firehose=stream,
                architectures=StaticArchitectures("arm64"),
                settings=Settings(region="eu-west-1"),
                log=lambda _line: None,
            )
        batches[f"bench/{mix}-{size}-passthrough"] = passthrough_request(stream.take(), size).event
    return batches


SMALL_BENCH: Final = 1_000_000
BENCH: Final = 6_000_000  # what `make bench` measures
_BENCH_NAMES: Final = tuple(
    f"bench/{mix}-{{size}}{tail}" for mix in ("typical", "corpus") for tail in ("", "-passthrough")
)


def names() -> list[str]:
    """Every golden batch: <codec>/<settings>/<batch>."""
    corpus = [
        f"{path.stem}/{case['name']}"
        for path in sorted(CORPUS.glob("*.json"))
        for case in json.loads(path.read_text())
    ] + ["corpus/all-in-one-batch"]
    small = [name.format(size=SMALL_BENCH) for name in _BENCH_NAMES]
    found: list[str] = []
    for codec in CODECS:
        found += [f"{codec}/{settings}/{name}" for settings in SETTINGS for name in corpus + small]
        found += [f"{codec}/small-held/{name}" for name in small]
    found += [f"default-codec/default/{name.format(size=BENCH)}" for name in _BENCH_NAMES]
    return found


def compute(name: str) -> str:
    """The digest of golden batch `name` (see `names`)."""
    codec_name, settings_name, batch = name.split("/", 2)
    codec = jsonlib.default_codec() if codec_name == "default-codec" else CODECS[codec_name]
    if batch.startswith("bench/"):
        size = int(batch.split("-")[1])
        event = bench_batches(size)[batch]
    else:
        event = corpus_batches()[batch]
    if settings_name == "small-held":
        return digest_of(event, codec, Settings(region="eu-west-1"), SMALL_HELD_BYTES)
    return digest_of(event, codec, Settings.from_env(SETTINGS[settings_name]))


def expected() -> dict[str, str]:
    loaded: dict[str, str] = json.loads(GOLDEN.read_text())
    return loaded


def main() -> None:
    golden = {name: compute(name) for name in names()}
    GOLDEN.write_text(json.dumps(golden, indent=0, sort_keys=True) + "\n")
    print(f"{len(golden)} digests written to {GOLDEN}")


if __name__ == "__main__":
    main()
