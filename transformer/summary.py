"""The transformer's own log: one structured line per invocation that is also an Embedded
Metric Format record, so pipeline health can be graphed and alarmed. No per-event logging."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Final

METRIC_NAMES: Final = {
    "records_in": "RecordsIn",
    "records_ok": "RecordsOk",
    "records_dropped": "RecordsDropped",
    "records_failed": "RecordsProcessingFailed",
    "passthrough": "PassThroughRecords",
    "documents": "Documents",
    "reingested": "DocumentsReingested",
    "reingest_retries": "ReingestRetries",
    "truncated": "TruncatedMessages",
    "parser_errors": "ParserErrors",
    "duration_ms": "DurationMs",
}


@dataclass
class Summary:
    records_in: int = 0
    records_ok: int = 0
    records_dropped: int = 0
    records_failed: int = 0
    passthrough: int = 0
    documents: int = 0
    reingested: int = 0
    reingest_retries: int = 0
    reingest_calls: int = 0
    truncated: int = 0
    parser_errors: int = 0
    record_errors: int = 0
    duration_ms: float = 0.0
    response_bytes: int = 0
    errors: list[str] = field(default_factory=list)


def summary_record(
    summary: Summary, stream: str, invocation_id: str, namespace: str, timestamp_ms: int
) -> dict[str, Any]:
    """The summary as one JSON object with its EMF metadata."""
    values = asdict(summary)
    record: dict[str, Any] = {
        "level": "ERROR" if summary.records_failed or summary.errors else "INFO",
        "message": "transformer invocation summary",
        "invocationId": invocation_id,
        "DeliveryStream": stream,
        **{key: values[key] for key in values if key != "errors"},
        "errors": summary.errors[:10],
    }
    for key, metric in METRIC_NAMES.items():
        record[metric] = values[key]
    record["_aws"] = {
        "Timestamp": timestamp_ms,
        "CloudWatchMetrics": [
            {
                "Namespace": namespace,
                "Dimensions": [["DeliveryStream"]],
                "Metrics": [
                    {"Name": name, "Unit": "Milliseconds" if name == "DurationMs" else "Count"}
                    for name in METRIC_NAMES.values()
                ],
            }
        ],
    }
    return record
