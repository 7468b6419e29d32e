"""`preview FILE`: your own logs through the transformer; the documents and a field summary."""

from __future__ import annotations

import argparse
import json
import os
from collections import Counter, defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final, TextIO

from lambdalogs.commands.options import Commands, add_output_option, output_path
from lambdalogs.console import print_lines
from lambdalogs.documents import Document
from lambdalogs.local import logfiles, transform
from lambdalogs.search import bulkfile, traces

DEFAULT_FILE: Final = "lambda-logs-preview.ndjson"


@dataclass(frozen=True)
class PreviewOptions:
    """The preview's options; their defaults are the command line's."""

    path: Path
    fmt: logfiles.Format = "auto"
    log_group: str | None = None
    log_stream: str | None = None
    architecture: str | None = None
    show: int = 5
    out: Path | None = None


def register(commands: Commands) -> None:
    parser = commands.add_parser(
        "preview",
        help="run your own logs through the transformer",
        description="Run a log file through the real transformer and show the documents and a "
        "field summary. FILE is the JSON of `aws logs filter-log-events`, a CloudWatch Logs "
        "export (.gz or '<ISO time> <message>' lines), or plain log lines (with --log-group). "
        "Transformer settings (LABEL_KEYS, TRACE_ID_KEYS, prices, …) come from the environment.",
    )
    parser.add_argument("file", type=Path, metavar="FILE")
    parser.add_argument(
        "--format",
        choices=logfiles.FORMATS,
        default=PreviewOptions.fmt,
        help="(default: %(default)s)",
    )
    parser.add_argument(
        "--log-group",
        help="the log group the lines come from, e.g. /aws/lambda/orders-api "
        "(required for plain lines)",
    )
    parser.add_argument("--log-stream", help="the log stream (default: from the file or made up)")
    parser.add_argument(
        "--architecture",
        choices=("x86_64", "arm64"),
        help="the function's architecture, for the cost (default: env DEFAULT_ARCHITECTURE)",
    )
    parser.add_argument(
        "--show",
        type=int,
        default=PreviewOptions.show,
        help="documents to print, -1 for all (default: %(default)s)",
    )
    add_output_option(
        parser, f"also write the documents as a bulk file (or {DEFAULT_FILE} in a directory)"
    )
    parser.set_defaults(run=run_command)


def run_command(args: argparse.Namespace, out: TextIO) -> int:
    options = PreviewOptions(
        path=args.file,
        fmt=args.format,
        log_group=args.log_group,
        log_stream=args.log_stream,
        architecture=args.architecture,
        show=args.show,
        out=output_path(args.out, DEFAULT_FILE) if args.out is not None else None,
    )
    run(options, out)
    return 0


def run(
    options: PreviewOptions, out: TextIO, env: Mapping[str, str] = os.environ
) -> list[Document]:
    batches, fmt = logfiles.read(
        options.path, fmt=options.fmt, log_group=options.log_group, log_stream=options.log_stream
    )
    events = sum(len(b.events) for b in batches)
    settings_env = dict(env)
    if options.architecture:
        settings_env["DEFAULT_ARCHITECTURE"] = options.architecture
    delivery = transform.transform(batches, settings=transform.settings_from_env(settings_env))
    documents = sorted(delivery.documents, key=traces.sort_key)
    groups = sorted({b.log_group for b in batches})
    print_lines(
        out,
        [
            f"{options.path}: {events} log events ({fmt}) in {len(batches)} log stream(s) of "
            f"{', '.join(groups)}",
            f"  → {len(documents)} documents, {delivery.dropped} records dropped, "
            f"{len(delivery.failed)} records failed",
        ],
    )
    if delivery.dropped and not documents:
        print_lines(
            out,
            [
                "  (dropped: the log group is not accepted by LOG_GROUP_PREFIXES; "
                "pass --log-group /aws/lambda/<function>)"
            ],
        )
    shown = documents[: options.show] if options.show >= 0 else documents
    print_lines(out, ["", f"Documents ({len(shown)} of {len(documents)}; --show N for more)"])
    for document in shown:
        print_lines(out, [json.dumps(document, indent=2, ensure_ascii=False)])
    print_lines(out, ["", "Field summary", *render_summary(field_summary(documents))])
    if options.out is not None:
        bulkfile.write(options.out, documents)
        print_lines(out, ["", f"Wrote {len(documents)} documents to {options.out} (bulk format)"])
    return documents


@dataclass(frozen=True)
class FieldFigures:
    name: str
    documents: int
    types: tuple[str, ...]
    example: str


def field_summary(documents: list[Document]) -> list[FieldFigures]:
    """Per field (a `json` object counts as its dotted leaves): how many documents, which types."""
    counts: Counter[str] = Counter()
    types: dict[str, set[str]] = defaultdict(set)
    examples: dict[str, Any] = {}
    for document in documents:
        for name, value in _leaves(document):
            counts[name] += 1
            types[name].add(type(value).__name__)
            examples.setdefault(name, value)
    return [
        FieldFigures(name, counts[name], tuple(sorted(types[name])), _example(examples[name]))
        for name in sorted(counts, key=lambda n: (n.startswith("json."), n))
    ]


def render_summary(figures: list[FieldFigures]) -> list[str]:
    lines = [f"  {'field':<40}{'docs':>6}  {'type':<12} example"]
    for f in figures:
        lines.append(f"  {f.name:<40}{f.documents:>6}  {'/'.join(f.types):<12} {f.example}")
    return lines


def _leaves(document: Document, prefix: str = "") -> list[tuple[str, Any]]:
    found: list[tuple[str, Any]] = []
    for key, value in document.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            found += _leaves(value, name + ".")
        else:
            found.append((name, value))
    return found


def _example(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 60 else text[:57] + "..."
