"""`make bench`: the transformer's CPU, memory and cost per GB, measured as ratios in one run.

Re-ingestion goes through the real lean PutRecordBatch client (lambda_shared.firehose_http),
REINGEST_CONCURRENCY calls in flight as in the Lambda, to a loopback HTTP endpoint running in
another process (bench.loopback_server); times are CPU time of this process (user + system,
every thread), best of N with the measurements taking turns, so a noisy machine slows them
alike. Printed:
- handler / floor per log event on 6 MB requests (typical and corpus: lines drawn at random,
  no folding; folded: whole invocations, START/END folded into REPORT as deployed; the floor:
  base64 decode + gunzip + parse of the envelope + one flat JSON document per event + base64,
  same JSON library; bench.floor),
  with the handler re-ingesting through the lean client, and into an in-memory stream;
- passthrough / floor: a request of the documents the transformer re-ingested, coming back
  through it, per record against the floor per event;
- the wall time with re-ingestion calls in flight, per request and per document;
- the peak Python memory of a 6 MB request;
- re-ingestion alone, the lean client against boto3's;
- the cost per GB of log events for three event sizes (bench.costs);
- the handler with the `default` redaction rules against none (bench.redaction_cost).
Targets (issue 12): handler ≤ 2.5× the floor (1.5× aimed for); passthrough ≤ 0.25× (0.1×)."""

from __future__ import annotations

import argparse

from bench import costs, measure, redaction_cost, reingest_cpu
from bench.document_counts import paired_request
from bench.measure import SIX_MB, HandlerFigures
from bench.timing import CallClock
from bench.workload import build_request
from transformer import jsonlib
from transformer.settings import Settings

TRANSFORMER_MEMORY_MB = 1024  # keep in step with infra (transformerMemoryMb's default)
MIX_SIZES = (100, 250, 1024)
FOLDED = Settings(region="eu-west-1", fold_platform_events=True)


def handler_lines(figures: list[HandlerFigures]) -> list[str]:
    lines = [
        "CPU per log event (µs), 6 MB requests, orjson; handler re-ingesting through the lean "
        "client (4 calls in flight) to the endpoint in another process:",
        f"  {'request':8} {'events':>7} {'floor':>6} {'handler':>8} {'ratio':>6} "
        f"{'in-memory':>9} {'ratio':>6} {'passthrough':>11} {'ratio':>6}",
    ]
    for f in figures:
        floor = f.per_event(f.floor)
        lean, memory = f.per_event(f.lean), f.per_event(f.in_memory)
        passing = f.passthrough.cpu / f.passthrough_records
        lines.append(
            f"  {f.label:8} {f.events:7,d} {floor * 1e6:6.2f} {lean * 1e6:8.2f} "
            f"{lean / floor:5.2f}x {memory * 1e6:9.2f} {memory / floor:5.2f}x "
            f"{passing * 1e6:11.3f} {passing / floor:5.3f}x"
        )
    lines.append(
        "  (passthrough: per record of a 6 MB request of re-ingested documents; targets: "
        "handler ≤ 2.5x, aim 1.5x; passthrough ≤ 0.25x, aim 0.1x; typical and corpus without "
        "folding; folded: typical's lines in whole invocations, START and END folded into "
        "REPORT as deployed, foldPlatformEvents' default)"
    )
    return lines


def reingestion_lines(figures: list[HandlerFigures]) -> list[str]:
    lines = ["re-ingestion calls (loopback endpoint; Firehose's own latency comes on top):"]
    for f in figures:
        busy = f.reingest_busy_seconds
        lines.append(
            f"  {f.label:8} {f.reingested:7,d} documents in {f.calls} calls: "
            f"{busy * 1e3:7.1f} ms with a call in flight per request, "
            f"{busy / f.reingested * 1e6:5.2f} µs per document; handler wall "
            f"{f.lean.wall:6.3f} s, CPU {f.lean.cpu:6.3f} s"
        )
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    codec = jsonlib.default_codec()
    requests = {
        "typical": build_request(SIX_MB, seed=2, mix="typical"),
        "corpus": build_request(SIX_MB, seed=2, mix="corpus"),
    }
    with reingest_cpu.loopback_endpoint() as url:
        lean = reingest_cpu.lean_client(url)
        clock = CallClock(lean)
        figures = [
            measure.handler_figures(label, request, clock, codec, args.repeats)
            for label, request in requests.items()
        ]
        figures.append(  # as deployed: whole invocations, START/END folded into REPORT
            measure.handler_figures(
                "folded", paired_request(SIX_MB), clock, codec, args.repeats, FOLDED
            )
        )
        print("\n".join(handler_lines(figures)))
        print("\n".join(reingestion_lines(figures)))
        event, events = requests["corpus"]
        peak = measure.peak_memory_mb(event, clock)
        print(
            f"6 MB corpus request ({events:,} events): peak Python memory {peak:,.0f} MB = "
            f"{peak / TRANSFORMER_MEMORY_MB:.0%} of the transformer's {TRANSFORMER_MEMORY_MB} MB; "
            f"{lean.opened} connections opened in all"
        )
        putter = reingest_cpu.putter_figures(url)
        print("\n".join(reingest_cpu.report(reingest_cpu.PUTTER_TITLE, putter)))
        mixes = [measure.mix_figures(size, clock, max(3, args.repeats // 2)) for size in MIX_SIZES]
    print("\n".join(costs.report(mixes, TRANSFORMER_MEMORY_MB)))
    redaction = [
        redaction_cost.redaction_figures(label, request, args.repeats)
        for label, request in requests.items()
    ]
    print("\n".join(redaction_cost.report(redaction)))


if __name__ == "__main__":
    main()
