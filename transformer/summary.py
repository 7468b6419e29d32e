"""The transformer's own log: one structured line per invocation that is also an Embedded
Metric Format record, so pipeline health can be graphed and alarmed. No per-event logging."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Final

from lambda_shared import metrics

REDACTIONS: Final = "Redactions"
"""Matches the redaction rules replaced in the batch (only with REDACT_RULES); each rule's own
count is the metric `Redactions.<rule name>`."""
METRIC_NAMES: Final = {
    "records_in": metrics.RECORDS_IN,
    "records_ok": metrics.RECORDS_OK,
    "records_dropped": metrics.RECORDS_DROPPED,
    "records_failed": metrics.RECORDS_PROCESSING_FAILED,
    "pipeline_dropped": metrics.PIPELINE_RECORDS_DROPPED,
    "passthrough": metrics.PASS_THROUGH_RECORDS,
    "documents": metrics.DOCUMENTS,
    "reingested": metrics.DOCUMENTS_REINGESTED,
    "reingest_retries": metrics.REINGEST_RETRIES,
    "rerouted": metrics.DOCUMENTS_REROUTED,
    "truncated": metrics.TRUNCATED_MESSAGES,
    "parser_errors": metrics.PARSER_ERRORS,
    "duration_ms": metrics.DURATION_MS,
    "folded": metrics.PLATFORM_LINES_FOLDED,
    "dropped_by_level": metrics.EVENTS_DROPPED_BY_LEVEL,
    "dropped_by_pattern": metrics.EVENTS_DROPPED_BY_PATTERN,
    "sampled_out": metrics.EVENTS_SAMPLED_OUT,
    "architecture_defaulted": metrics.ARCHITECTURE_DEFAULTED,
}


@dataclass
class Summary:
    records_in: int = 0
    records_ok: int = 0
    records_dropped: int = 0
    records_failed: int = 0
    pipeline_dropped: int = 0
    passthrough: int = 0
    documents: int = 0
    reingested: int = 0
    reingest_retries: int = 0
    reingest_calls: int = 0
    rerouted: int = 0  # refused by their routed stream, sent to the batch's own instead
    truncated: int = 0
    parser_errors: int = 0
    record_errors: int = 0
    folded: int = 0  # START/END lines taken into their REPORT document
    dropped_by_level: int = 0  # events left out by EVENT_RULES, by rule kind
    dropped_by_pattern: int = 0
    sampled_out: int = 0
    architecture_defaulted: int = 0  # REPORT costs at the default: no map named the function
    duration_ms: float = 0.0
    response_bytes: int = 0
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    """What went another way than planned but lost nothing (a refused stream's documents
    rerouted): the line's level is WARN when there is no error."""
    redactions: dict[str, int] | None = None
    """Matches replaced per redaction rule (REDACT_RULES); None: no rules, nothing written."""


def only_pipeline_records(summary: Summary) -> bool:
    """A batch that held nothing but pipeline records, all dropped, without an error: its
    summary line is not written, so the transformer's own log can never feed a loop (were its
    group ever subscribed, each such batch would otherwise log a line that comes back as the
    next batch)."""
    return (
        summary.records_in > 0
        and summary.pipeline_dropped == summary.records_in
        and not summary.errors
    )


def summary_record(
    summary: Summary, stream: str, invocation_id: str, namespace: str, timestamp_ms: int
) -> dict[str, Any]:
    """The summary as one JSON object with its EMF metadata."""
    values = asdict(summary)
    record: dict[str, Any] = {
        "level": _level(summary),
        "message": "transformer invocation summary",
        "invocationId": invocation_id,
        metrics.TRANSFORMER_DIMENSION: stream,
        **{key: values[key] for key in values if key not in _NOT_MEMBERS},
        "errors": summary.errors[:10],
    }
    for key, metric in METRIC_NAMES.items():
        record[metric] = values[key]
    names = list(METRIC_NAMES.values())
    if summary.redactions is not None:
        names.extend(_redaction_metrics(summary.redactions, record))
    record["_aws"] = metrics.emf_metadata(
        namespace, [metrics.TRANSFORMER_DIMENSION], names, timestamp_ms
    )
    return record


_NOT_MEMBERS: Final = frozenset({"errors", "redactions"})


def _level(summary: Summary) -> str:
    if summary.records_failed or summary.errors:
        return "ERROR"
    return "WARN" if summary.warnings else "INFO"


def _redaction_metrics(counts: dict[str, int], record: dict[str, Any]) -> list[str]:
    """`Redactions` and `Redactions.<rule>` written into `record`; their names."""
    record["redactions"] = dict(counts)
    record[REDACTIONS] = sum(counts.values())
    names = [REDACTIONS]
    for rule, count in counts.items():
        record[f"{REDACTIONS}.{rule}"] = count
        names.append(f"{REDACTIONS}.{rule}")
    return names
