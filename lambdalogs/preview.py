"""`preview FILE`: your own logs through the transformer; the documents and a field summary."""

from __future__ import annotations

import json
import os
from collections import Counter, defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from lambdalogs import bulk, correlate, inputs, pipeline
from lambdalogs.console import print_lines
from lambdalogs.documents import Document


@dataclass(frozen=True)
class PreviewOptions:
    path: Path
    fmt: inputs.Format = "auto"
    log_group: str | None = None
    log_stream: str | None = None
    architecture: str | None = None
    show: int = 5
    out: Path | None = None


def run(
    options: PreviewOptions, out: TextIO, env: Mapping[str, str] = os.environ
) -> list[Document]:
    batches, fmt = inputs.read(
        options.path, fmt=options.fmt, log_group=options.log_group, log_stream=options.log_stream
    )
    events = sum(len(b.events) for b in batches)
    settings_env = dict(env)
    if options.architecture:
        settings_env["DEFAULT_ARCHITECTURE"] = options.architecture
    delivery = pipeline.transform(batches, settings=pipeline.settings_from_env(settings_env))
    documents = sorted(delivery.documents, key=correlate.sort_key)
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
        bulk.write(options.out, documents)
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
