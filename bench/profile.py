"""Where the handler's CPU goes, per log event: `python -m bench.profile` times each stage of
the transformer on the benchmark's 6 MB requests (the same requests `make bench` measures), by
running the stage alone over the whole request, and the handler whole (in-memory stream, and
through the lean client to the loopback endpoint in another process). `--cprofile N` prints the
N functions with the most own time under cProfile instead (its overhead inflates small calls).

It changes nothing that `make bench` measures; it only reports."""

from __future__ import annotations

import argparse
import base64
import cProfile
import gc
import json
import pstats
import time
from collections.abc import Callable
from typing import Any, NamedTuple

from bench import reingest_cpu, runs
from bench.floor import floor
from bench.measure import SIX_MB
from bench.timing import CallClock
from bench.workload import build_request
from lambda_shared.firehose_http import request_body
from lambda_shared.limits import PUT_RECORD_BATCH_MAX_RECORDS
from transformer import jsonlib
from transformer.decode import decode, read_event
from transformer.document import encoder
from transformer.enrich import StreamInfo, enrich
from transformer.parse import parse_line
from transformer.settings import Settings


class Stage(NamedTuple):
    name: str
    seconds: float


def _best(run: Callable[[], object], repeats: int) -> float:
    best = float("inf")
    for _ in range(repeats):
        gc.collect()
        gc.disable()
        started = time.process_time()
        run()
        best = min(best, time.process_time() - started)
        gc.enable()
    return best


def _prepared(event: dict[str, Any], codec: jsonlib.Codec) -> list[tuple[StreamInfo, list[Any]]]:
    prepared = []
    for record in event["records"]:
        message = decode(record["data"], codec).message
        assert message is not None
        info = StreamInfo.of(
            message["owner"], "eu-west-1", message["logGroup"], message["logStream"]
        )
        prepared.append((info, message["logEvents"]))
    return prepared


def _stage_runs(event: dict[str, Any], codec: jsonlib.Codec) -> dict[str, Callable[[], object]]:
    """Each stage alone over the whole request (the later stages on the earlier ones' output)."""
    settings = Settings(region="eu-west-1")
    prepared = _prepared(event, codec)
    lines = [[read_event(e, codec) for e in events] for _, events in prepared]
    parsed = [[parse_line(line, settings, codec) for line, _, _ in record] for record in lines]

    def enriched() -> list[list[dict[str, Any]]]:
        done = []
        for (info, _), record, fields_list in zip(prepared, lines, parsed, strict=True):
            copies = [dict(fields) for fields in fields_list]
            for fields, (line, _, event_id) in zip(copies, record, strict=True):
                enrich(fields, line, event_id, info)
            done.append(copies)
        return done

    final = enriched()
    documents: list[bytes] = []
    for (info, _), record, fields_list in zip(prepared, lines, final, strict=True):
        encode = encoder(info.shared, codec, 0)
        documents += [encode(f, ts) for f, (_, ts, _) in zip(fields_list, record, strict=True)]
    size = PUT_RECORD_BATCH_MAX_RECORDS
    batches = [documents[i : i + size] for i in range(0, len(documents), size)]
    bodies = [request_body("lambda-logs", [{"Data": d} for d in batch]) for batch in batches]
    signer = reingest_cpu.lean_client("http://127.0.0.1:9")

    def encode_all() -> None:
        for (info, _), record, fields_list in zip(prepared, lines, final, strict=True):
            encode = encoder(info.shared, codec, 0)
            for fields, (_, epoch_ms, _) in zip(fields_list, record, strict=True):
                encode(fields, epoch_ms)

    return {
        "decode (base64, gunzip, envelope JSON)": lambda: [
            decode(r["data"], codec) for r in event["records"]
        ],
        "read events": lambda: [[read_event(e, codec) for e in ev] for _, ev in prepared],
        "parse": lambda: [[parse_line(x[0], settings, codec) for x in rec] for rec in lines],
        "copy parsed fields (enrich's input; subtract)": lambda: [
            [dict(f) for f in fl] for fl in parsed
        ],
        "copy + enrich": enriched,
        "encode documents": encode_all,
        "base64 of every document": lambda: [base64.b64encode(d) for d in documents],
        "re-ingestion bodies (base64 inside)": lambda: [
            request_body("lambda-logs", [{"Data": d} for d in batch]) for batch in batches
        ],
        "SigV4 signing of the bodies": lambda: [signer._signed_headers(b) for b in bodies],
    }


def stages(event: dict[str, Any], events: int, repeats: int) -> list[Stage]:
    codec = jsonlib.default_codec()
    found = [Stage(n, _best(r, repeats)) for n, r in _stage_runs(event, codec).items()]
    found.append(Stage("floor (bench.floor)", _best(lambda: floor(event, codec), repeats)))
    request = json.dumps(event)
    found.append(
        Stage(
            "handler, in-memory stream", _best(lambda: runs.in_memory(json.loads(request)), repeats)
        )
    )
    with reingest_cpu.loopback_endpoint() as url:
        clock = CallClock(reingest_cpu.lean_client(url))
        handled = _best(lambda: runs.handle(json.loads(request), clock), repeats)
    found.append(Stage("handler, lean client to the loopback endpoint", handled))
    found.append(
        Stage(
            "  (json.loads of the request, in both handler lines)",
            _best(lambda: json.loads(request), repeats),
        )
    )
    return [Stage(s.name, s.seconds / events) for s in found]


def _cprofile(event: dict[str, Any], top: int) -> None:
    request = json.dumps(event)
    runs.in_memory(json.loads(request))
    loaded = json.loads(request)
    profile = cProfile.Profile()
    profile.enable()
    runs.in_memory(loaded)
    profile.disable()
    pstats.Stats(profile).sort_stats("tottime").print_stats(top)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--mix", choices=("typical", "corpus"), action="append")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--cprofile", type=int, default=0, metavar="N")
    args = parser.parse_args()
    for mix in args.mix or ["typical", "corpus"]:
        request = build_request(SIX_MB, seed=2, mix=mix)
        if args.cprofile:
            _cprofile(request.event, args.cprofile)
            continue
        print(f"{mix}: {request.events:,} events, CPU µs per log event (best of {args.repeats})")
        for stage in stages(request.event, request.events, args.repeats):
            print(f"  {stage.seconds * 1e6:7.3f}  {stage.name}")


if __name__ == "__main__":
    main()
