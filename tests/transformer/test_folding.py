"""START and END folded into their REPORT document: on the corpus (exact document counts, on and
off), across records of one batch, across batches (kept apart: nothing lost), unmatched lines,
the JSON log format's platform events, timeouts, crashes, and failures carried to the records
that gave lines."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import pytest

from bench.workload import EVERYDAY_FILES
from infra.function_environments import transformer_environment
from infra.stack_config import StackConfig
from lambdalogs.local.firehose import LoopbackFirehose, deliver, opensearch_document
from lambdalogs.search.traces import build
from opensearch.artifacts import ContentSettings, load_artifacts
from opensearch.conformance import problems
from opensearch.mapping import mapping_of
from tests.transformer.helpers import GROUP, STREAM, FlakyFirehose, cw_record, run
from transformer.settings import Settings, SettingsError

CORPUS = Path(__file__).parent.parent / "corpus"
CASES = [case for path in sorted(CORPUS.glob("*.json")) for case in json.loads(path.read_text())]
BASE_CASES = [
    case for name in EVERYDAY_FILES for case in json.loads((CORPUS / f"{name}.json").read_text())
]
FOLD = Settings(region="eu-west-1", fold_platform_events=True)
PLAIN = Settings(region="eu-west-1")
REQUEST = "9fc2f946-04a1-4ca5-b8f9-104001da2b9f"
T0 = 1_795_169_647_000


def event(offset: int, message: str) -> dict[str, Any]:
    return {"id": f"{T0 + offset:056d}", "timestamp": T0 + offset, "message": message}


def start(request: str = REQUEST, version: str = "$LATEST") -> str:
    return f"START RequestId: {request} Version: {version}\n"


def end(request: str = REQUEST) -> str:
    return f"END RequestId: {request}\n"


def report(request: str = REQUEST, status: str = "") -> str:
    tail = f"\tStatus: {status}" if status else ""
    return (
        f"REPORT RequestId: {request}\tDuration: 12.50 ms\tBilled Duration: 13 ms\t"
        f"Memory Size: 128 MB\tMax Memory Used: 64 MB\t{tail}\n"
    )


def app(request: str = REQUEST, text: str = "hello") -> str:
    return f"2026-11-20T10:00:00.000Z\t{request}\tINFO\t{text}\n"


def delivered(records: list[bytes], settings: Settings = FOLD) -> list[dict[str, Any]]:
    delivery = deliver(records, settings=settings)
    assert not delivery.failed
    return delivery.documents


def foldable_lines(case: dict[str, Any]) -> int:
    """START/END lines (JSON: platform.start/runtimeDone) whose REPORT comes later in the case:
    what folding must save, worked out from the corpus text alone."""
    saved = 0
    messages = [e["message"] for e in case["events"]]
    for index, message in enumerate(messages):
        later = messages[index + 1 :]
        words = message.split()
        if message.startswith(("START RequestId: ", "END RequestId: ")):
            saved += any(m.startswith(f"REPORT RequestId: {words[2]}\t") for m in later)
        elif message.startswith("{") and '"type":"platform.' in message:
            obj = json.loads(message)
            request = obj.get("record", {}).get("requestId")
            if obj["type"] in ("platform.start", "platform.runtimeDone"):
                saved += any('"platform.report"' in m and request in m for m in later)
    return saved


def all_documents(firehose: LoopbackFirehose, inline: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return inline + [opensearch_document(data) for data in firehose.pending]


PLATFORM_CASES = [case for case in CASES if foldable_lines(case)]


@pytest.mark.parametrize("case", PLATFORM_CASES, ids=[case["name"] for case in PLATFORM_CASES])
def test_each_corpus_case_has_the_documents_folding_leaves(case: dict[str, Any]) -> None:
    record = cw_record(case["events"], case["logGroup"], case["logStream"])
    folded = delivered([record])
    plain = delivered([record], PLAIN)
    assert len(plain) == len(case["events"])
    assert len(folded) == len(case["events"]) - foldable_lines(case)
    # every event id not folded away is still there, and every REPORT keeps its own
    reports = [d for d in plain if d.get("aws.lambda.event") == "report"]
    assert len([d for d in folded if d.get("aws.lambda.event") == "report"]) == len(reports)


def test_the_whole_corpus_exact_counts_with_folding_on_and_off() -> None:
    records = [cw_record(c["events"], c["logGroup"], c["logStream"]) for c in BASE_CASES]
    events = sum(len(c["events"]) for c in BASE_CASES)
    assert len(delivered(records, PLAIN)) == events == 75
    assert len(delivered(records)) == events - sum(map(foldable_lines, BASE_CASES)) == 64


def test_report_takes_the_start_time_version_and_end_time() -> None:
    case = next(c for c in CASES if c["name"] == "platform-numbered-version-timeout")
    documents = delivered([cw_record(case["events"], case["logGroup"], case["logStream"])])
    kinds = [d.get("aws.lambda.event") for d in documents]
    assert sorted(map(str, kinds)) == [
        "report",
        "timeout",
    ]  # the timeout line stays its own document
    folded = next(d for d in documents if d["aws.lambda.event"] == "report")
    assert folded["aws.lambda.start_time"] == "2026-11-20T10:05:00.002Z"
    assert folded["aws.lambda.end_time"] == "2026-11-20T10:05:03.005Z"
    assert folded["faas.version"] == "7"
    assert folded["aws.lambda.status"] == "timeout"
    assert folded["@timestamp"] == "2026-11-20T10:05:03.005Z"  # the REPORT's own time


def test_folding_across_records_of_one_batch() -> None:
    # GIVEN CloudWatch cut one invocation into two records of the same stream
    first = cw_record([event(0, start()), event(1, app())])
    second = cw_record([event(2, app(text="bye")), event(3, end()), event(4, report())])
    firehose = LoopbackFirehose()
    # WHEN both arrive in one Firehose batch
    result = run([first, second], firehose=firehose, settings=FOLD)
    # THEN START and END went into the REPORT of the second record
    documents = all_documents(firehose, result.documents())
    assert sorted(str(d.get("aws.lambda.event")) for d in documents) == ["None", "None", "report"]
    folded = next(d for d in documents if d.get("aws.lambda.event") == "report")
    assert folded["aws.lambda.start_time"] == "2026-11-20T10:14:07.000Z"
    assert folded["aws.lambda.end_time"] == "2026-11-20T10:14:07.003Z"
    assert result.summary()["PlatformLinesFolded"] == 2
    assert result.summary()["Documents"] == 3
    # and with folding off, one document per event, the REPORT without START's time
    plain = run([first, second], firehose=LoopbackFirehose(), settings=PLAIN).summary()
    assert plain["Documents"] == 5 and plain["PlatformLinesFolded"] == 0


def test_a_record_of_only_a_start_is_dropped_and_fails_with_its_report() -> None:
    # GIVEN a record holding only a START, and its REPORT in the next record
    only_start = cw_record([event(0, start())])
    rest = cw_record([event(1, app()), event(2, app()), event(3, end()), event(4, report())])
    ok = run([only_start, rest], firehose=LoopbackFirehose(), settings=FOLD)
    assert [r["result"] for r in ok.response["records"]] == ["Dropped", "Ok"]
    # WHEN the REPORT's record cannot be re-ingested (permanent error)
    failing = FlakyFirehose(plan=["AccessDeniedException"])
    failed = run([only_start, rest], firehose=failing, settings=FOLD)
    # THEN both records are ProcessingFailed with their data: the raw START is kept for replay
    answers = failed.response["records"]
    assert [r["result"] for r in answers] == ["ProcessingFailed", "ProcessingFailed"]
    assert base64.b64decode(answers[0]["data"]) == only_start


def test_a_record_that_breaks_after_taking_a_start_fails_its_donor(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # GIVEN a START alone in one record, and its REPORT in a record that then breaks
    def broken(*_args: object) -> None:
        raise RuntimeError("pricing bug")

    monkeypatch.setattr("transformer.records.add_cost", broken)
    only_start = cw_record([event(0, start())])
    rest = cw_record([event(1, app()), event(2, end()), event(3, report())])
    result = run([only_start, rest], firehose=LoopbackFirehose(), settings=FOLD)
    # THEN both are kept whole for replay (the START is in no document)
    answers = result.response["records"]
    assert [r["result"] for r in answers] == ["ProcessingFailed", "ProcessingFailed"]
    assert base64.b64decode(answers[0]["data"]) == only_start


def test_across_batches_start_and_report_are_kept_apart() -> None:
    # GIVEN the START in one Firehose batch and its END and REPORT in the next
    firehose = LoopbackFirehose()
    first = run([cw_record([event(0, start()), event(1, app())])], firehose, FOLD)
    firsts = all_documents(firehose, first.documents())
    firehose = LoopbackFirehose()
    second = run([cw_record([event(2, end()), event(3, report())])], firehose, FOLD)
    seconds = all_documents(firehose, second.documents())
    # THEN nothing is lost: the START is its own document, the REPORT has no start_time
    assert sorted(str(d.get("aws.lambda.event")) for d in firsts) == ["None", "start"]
    assert first.summary()["PlatformLinesFolded"] == 0
    assert [d["aws.lambda.event"] for d in seconds] == ["report"]
    assert "aws.lambda.start_time" not in seconds[0]
    assert seconds[0]["aws.lambda.end_time"] == "2026-11-20T10:14:07.002Z"
    assert second.summary()["PlatformLinesFolded"] == 1


def test_unmatched_start_and_end_are_kept_as_documents() -> None:
    crash = "a-crashed-request-without-report-0000000"
    late = "b-request-whose-end-comes-after-report0"
    record = cw_record(
        [
            event(0, start(crash)),
            event(1, app(crash)),
            event(2, f"RequestId: {crash} Error: Runtime exited with error: signal: killed\n"),
            event(3, start(late)),
            event(4, report(late)),  # a REPORT before its END: the END cannot go back into it
            event(5, end(late)),
        ]
    )
    documents = delivered([record])
    kinds = sorted(str(d.get("aws.lambda.event")) for d in documents)
    assert kinds == ["None", "end", "report", "runtime_error", "start"]
    ids = {d["aws.cloudwatch.event_id"] for d in documents}
    assert f"{T0:056d}" in ids and f"{T0 + 5:056d}" in ids
    folded = next(d for d in documents if d.get("aws.lambda.event") == "report")
    assert "aws.lambda.start_time" in folded and "aws.lambda.end_time" not in folded


def test_a_crash_without_end_still_folds_its_start() -> None:
    record = cw_record([event(0, start()), event(1, report(status="error"))])
    documents = delivered([record])
    assert len(documents) == 1
    assert documents[0]["aws.lambda.start_time"] == "2026-11-20T10:14:07.000Z"
    assert "aws.lambda.end_time" not in documents[0]


def test_a_retried_request_id_folds_each_invocation_into_its_own_report() -> None:
    # Asynchronous retries reuse the request id
    lines = [start(), end(), report(), start(), app(), end(), report()]
    documents = delivered([cw_record([event(i, line) for i, line in enumerate(lines)])])
    reports = [d for d in documents if d.get("aws.lambda.event") == "report"]
    assert len(documents) == 3 and len(reports) == 2
    starts = [d["aws.lambda.start_time"] for d in reports]
    assert starts == ["2026-11-20T10:14:07.000Z", "2026-11-20T10:14:07.003Z"]


ENV_1 = "2026/11/20/[$LATEST]aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
ENV_2 = "2026/11/20/[$LATEST]bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"


def reports_by_stream(documents: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    reports = [d for d in documents if d.get("aws.lambda.event") == "report"]
    return {d["aws.cloudwatch.log_stream"]: d for d in reports}


def test_a_report_takes_only_the_start_and_end_of_its_own_stream() -> None:
    # Two attempts of one request id in two execution environments (two log streams), their
    # records interleaved in the batch: keyed by group and request id alone, the first REPORT
    # took the second environment's START (its version, a start time after its own)
    records = [
        cw_record([event(0, start(version="1"))], GROUP, ENV_1),
        cw_record([event(500, start(version="2"))], GROUP, ENV_2),
        cw_record([event(880, end()), event(900, report())], GROUP, ENV_1),
        cw_record([event(1400, end()), event(1500, report())], GROUP, ENV_2),
    ]
    documents = delivered(records)
    assert len(documents) == 2
    first, second = (reports_by_stream(documents)[env] for env in (ENV_1, ENV_2))
    assert (first["faas.version"], second["faas.version"]) == ("1", "2")
    assert first["aws.lambda.start_time"] == "2026-11-20T10:14:07.000Z"
    assert first["aws.lambda.end_time"] == "2026-11-20T10:14:07.880Z"
    assert second["aws.lambda.start_time"] == "2026-11-20T10:14:07.500Z"
    assert second["aws.lambda.end_time"] == "2026-11-20T10:14:08.400Z"
    assert run(records, settings=FOLD).summary()["PlatformLinesFolded"] == 4


def test_a_start_or_end_later_than_the_report_is_not_folded_into_it() -> None:
    # A later attempt's START and END whose record comes first in the batch: the earlier REPORT
    # (its own in an earlier batch) does not take them; they wait for their attempt's REPORT
    records = [
        cw_record([event(2000, start(version="2")), event(2400, end())]),
        cw_record([event(900, report())]),
        cw_record([event(2500, report())]),
    ]
    documents = delivered(records)
    reports = sorted(
        (d for d in documents if d.get("aws.lambda.event") == "report"),
        key=lambda d: str(d["@timestamp"]),
    )
    assert len(documents) == len(reports) == 2
    assert "aws.lambda.start_time" not in reports[0] and "aws.lambda.end_time" not in reports[0]
    assert reports[0]["faas.version"] == "$LATEST"  # its stream's, not the START's
    assert reports[1]["aws.lambda.start_time"] == "2026-11-20T10:14:09.000Z"
    assert (reports[1]["faas.version"], reports[1]["aws.lambda.end_time"][-7:]) == ("2", "09.400Z")
    # with no later REPORT, the START is a document of its own, as any unmatched line
    alone = delivered(records[:2])
    assert sorted(str(d.get("aws.lambda.event")) for d in alone) == ["end", "report", "start"]
    assert all("aws.lambda.start_time" not in d for d in alone)


def test_a_start_with_more_than_its_fields_is_not_folded() -> None:
    odd = f"START RequestId: {REQUEST} Version: $LATEST extra words\n"
    other = "another-request-0000000000000000000000"
    lines = [odd, report(), start(other), report(other)]
    documents = delivered([cw_record([event(i, line) for i, line in enumerate(lines)])])
    assert len(documents) == 3
    kept = [d for d in documents if d.get("aws.lambda.event") == "start"]
    assert [d["message"] for d in kept] == [odd.rstrip()]


def _json_line(kind: str, record: dict[str, Any], at: str) -> str:
    return json.dumps({"time": at, "type": kind, "record": record}, separators=(",", ":"))


def test_json_format_platform_start_and_runtime_done_fold_into_platform_report() -> None:
    tracing = {
        "spanId": "ec826a30",
        "type": "X-Amzn-Trace-Id",
        "value": "Root=1-6b00-7cf7;Sampled=1",
    }
    started = {"requestId": REQUEST, "version": "3", "tracing": tracing}
    done = {
        "requestId": REQUEST,
        "status": "success",
        "spans": [
            {"name": "responseLatency", "start": "2026-11-20T10:14:07.004Z", "durationMs": 1.5}
        ],
        "metrics": {"durationMs": 4.2, "producedBytes": 42},
    }
    reported = {
        "requestId": REQUEST,
        "metrics": {
            "durationMs": 4.9,
            "billedDurationMs": 5,
            "memorySizeMB": 128,
            "maxMemoryUsedMB": 60,
        },
        "status": "success",
    }
    lines = [
        _json_line("platform.start", started, "2026-11-20T10:14:07.000Z"),
        json.dumps({"level": "INFO", "requestId": REQUEST, "message": "working"}),
        _json_line("platform.runtimeDone", done, "2026-11-20T10:14:07.005Z"),
        _json_line("platform.report", reported, "2026-11-20T10:14:07.006Z"),
    ]
    documents = delivered([cw_record([event(i, line) for i, line in enumerate(lines)])])
    assert len(documents) == 2
    folded = next(d for d in documents if d.get("aws.lambda.event") == "report")
    assert folded["aws.lambda.start_time"] == "2026-11-20T10:14:07.000Z"
    assert folded["aws.lambda.end_time"] == "2026-11-20T10:14:07.002Z"
    assert folded["faas.version"] == "3"
    assert folded["aws.xray.trace_id"] == "1-6b00-7cf7"
    assert folded["aws.lambda.folded"]["start"]["record"] == started
    assert folded["aws.lambda.folded"]["runtime_done"]["record"] == done
    assert folded["json"]["record"] == reported  # the REPORT's own object is untouched


def test_folding_is_on_in_every_deployment_by_default_and_switchable() -> None:
    required = {"masterUserPassword": "Sup3r-secret!", "allowedCidrs": "198.51.100.7/32"}
    deployed = transformer_environment(
        StackConfig.from_values(required, stack="dev", region="eu-west-1")
    )
    assert deployed["FOLD_PLATFORM_EVENTS"] == "true"
    assert Settings.from_env(deployed).fold_platform_events is True
    off = {**required, "foldPlatformEvents": "false"}
    assert (
        transformer_environment(StackConfig.from_values(off, stack="dev", region="eu-west-1"))[
            "FOLD_PLATFORM_EVENTS"
        ]
        == "false"
    )
    assert Settings.from_env({}).fold_platform_events is False  # unset: local commands
    assert Settings.from_env({"FOLD_PLATFORM_EVENTS": " TRUE "}).fold_platform_events is True
    with pytest.raises(SettingsError, match=r"FOLD_PLATFORM_EVENTS='maybe'.*true or false"):
        Settings.from_env({"FOLD_PLATFORM_EVENTS": "maybe"})


def test_the_group_and_stream_of_the_report_are_kept() -> None:
    documents = delivered([cw_record([event(0, start()), event(1, report())])])
    assert len(documents) == 1
    assert documents[0]["aws.cloudwatch.log_group"] == GROUP
    assert documents[0]["aws.cloudwatch.log_stream"] == STREAM


def test_folded_documents_fit_the_index_template() -> None:
    # GIVEN the corpus folded: text and JSON-format REPORTs with every new field
    base = delivered([cw_record(c["events"], c["logGroup"], c["logStream"]) for c in BASE_CASES])
    folded = [d for d in base if "aws.lambda.start_time" in d]
    assert len(folded) == 7 and any("aws.lambda.folded" in d for d in folded)
    documents = delivered([cw_record(c["events"], c["logGroup"], c["logStream"]) for c in CASES])
    mapping = mapping_of(load_artifacts(ContentSettings()).index_template)
    # THEN each is indexed with the template's explicit types (dates, flat_object)
    for document in documents:
        assert problems(document, mapping) == [], document["message"][:80]
    assert mapping.fields["aws.lambda.start_time"] == "date"
    assert mapping.fields["aws.lambda.folded"] == "flat_object"


def test_a_trace_still_starts_at_its_folded_start() -> None:
    # GIVEN an invocation whose START is folded into its REPORT, its lines carrying a trace id
    line = json.dumps({"level": "INFO", "requestId": REQUEST, "traceId": "t-1", "message": "x"})
    lines = [start(), line + "\n", end(), report()]
    documents = delivered([cw_record([event(10 * i, m) for i, m in enumerate(lines)])])
    assert len(documents) == 2
    # THEN the trace starts when the invocation did, not at its first application line
    trace = build(documents)["t-1"]
    assert trace.start_ms == T0
    # lead time runs to the invocation's end: its REPORT carries the request's trace id
    assert trace.lead_ms == 30 - 10
