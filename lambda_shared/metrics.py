"""The pipeline's own CloudWatch metrics: namespace, names and dimensions, declared once, and the
Embedded Metric Format metadata both functions write. The alarms and the CloudWatch dashboard
(infra/) name the same constants."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Final

NAMESPACE: Final = "LambdaLogs"
"""Default of METRICS_NAMESPACE, the namespace both functions write to."""

# --- transformer: one EMF line per invocation, dimension DeliveryStream = the stream name ---
TRANSFORMER_DIMENSION: Final = "DeliveryStream"
RECORDS_IN: Final = "RecordsIn"
RECORDS_OK: Final = "RecordsOk"
RECORDS_DROPPED: Final = "RecordsDropped"
RECORDS_PROCESSING_FAILED: Final = "RecordsProcessingFailed"
PIPELINE_RECORDS_DROPPED: Final = "PipelineRecordsDropped"
"""Records of a pipeline's own log group (`/lambda-logs-pipeline/…`), dropped by the recursion
guard; also counted in RecordsDropped."""
PASS_THROUGH_RECORDS: Final = "PassThroughRecords"
DOCUMENTS: Final = "Documents"
DOCUMENTS_REINGESTED: Final = "DocumentsReingested"
REINGEST_RETRIES: Final = "ReingestRetries"
DOCUMENTS_REROUTED: Final = "DocumentsRerouted"
"""Documents whose routed stream refused them as not there or not allowed (yet: a scale-out
under way), handed to the batch's own stream instead (transformer/reingest.py): counted when
handed over, so also when that stream then fails them (then RecordsProcessingFailed says so)."""
TRUNCATED_MESSAGES: Final = "TruncatedMessages"
PARSER_ERRORS: Final = "ParserErrors"
DURATION_MS: Final = "DurationMs"
# Fewer documents for the same information (docs/transformer.md#fewer-documents):
PLATFORM_LINES_FOLDED: Final = "PlatformLinesFolded"
"""START and END lines taken into their REPORT document instead of documents of their own."""
EVENTS_DROPPED_BY_LEVEL: Final = "EventsDroppedByLevel"
EVENTS_DROPPED_BY_PATTERN: Final = "EventsDroppedByPattern"
EVENTS_SAMPLED_OUT: Final = "EventsSampledOut"
ARCHITECTURE_DEFAULTED: Final = "ArchitectureDefaulted"
"""Functions of a batch's REPORT lines priced at the default architecture: no published map
(transformer/architecture_map.py) names them."""

# --- subscriber: one EMF line per run, dimension Function = subscriber ----------------------
SUBSCRIBER_DIMENSION: Final = "Function"
SUBSCRIBER_DIMENSION_VALUE: Final = "subscriber"
FILTERS_CREATED: Final = "FiltersCreated"
FILTERS_UPDATED: Final = "FiltersUpdated"
FILTERS_UNCHANGED: Final = "FiltersUnchanged"
GROUPS_AT_FILTER_LIMIT: Final = "GroupsAtFilterLimit"
GROUPS_EXCLUDED: Final = "GroupsExcluded"
PIPELINE_GROUPS_SKIPPED: Final = "PipelineGroupsSkipped"
FILTERS_DELETED: Final = "FiltersDeleted"
GROUPS_UNSUPPORTED_CLASS: Final = "GroupsUnsupportedClass"
BACKFILL_EVENTS: Final = "BackfillEvents"
BACKFILL_RECORDS: Final = "BackfillRecords"
BACKFILL_SKIPPED: Final = "BackfillSkipped"
"""Newly subscribed groups a spoke cannot backfill (no cross-account backfill in this version)."""
BACKFILL_FAILED: Final = "BackfillFailed"
BACKFILL_PERMANENTLY_FAILED: Final = "BackfillPermanentlyFailed"
"""Backfills given up (no retry possible, or still failing after BACKFILL_RETRY_HOURS)."""
THROTTLE_RETRIES: Final = "ThrottleRetries"
API_CALLS: Final = "ApiCalls"
RUNS_INCOMPLETE: Final = "RunsIncomplete"


def unit(name: str) -> str:
    """Every metric is a count but the durations."""
    return "Milliseconds" if name == DURATION_MS else "Count"


def emf_metadata(
    namespace: str, dimensions: Iterable[str], names: Iterable[str], timestamp_ms: int
) -> dict[str, Any]:
    """The `_aws` member of an Embedded Metric Format line: CloudWatch turns the line's values
    for `names` into metrics, no API call."""
    return {
        "Timestamp": timestamp_ms,
        "CloudWatchMetrics": [
            {
                "Namespace": namespace,
                "Dimensions": [list(dimensions)],
                "Metrics": [{"Name": name, "Unit": unit(name)} for name in names],
            }
        ],
    }
