"""What the pipeline alarms on, per delivery stream and per function: pure data from names
(the dashboard is in `infra/dashboard.py`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final, Literal

from lambda_shared import metrics

Comparison = Literal["GreaterThanThreshold", "LessThanThreshold"]
MissingData = Literal["notBreaching", "breaching"]
FIREHOSE: Final = "AWS/Firehose"
LAMBDA: Final = "AWS/Lambda"
FIVE_MINUTES: Final = 300
HOUR: Final = 3600
NO_INPUT_HOURS: Final = 3
"""The stream alarms when nothing arrived for this long while log groups are subscribed."""
SUSTAINED_PERIODS: Final = 3
"""Firehose retries a failed delivery or processing call by itself; a failure counts once no
delivery at all succeeded for this many 5-minute periods in a row."""
REROUTED_PERIODS: Final = 6
"""Documents rerouted for 30 minutes in a row: longer than a scale-out's new stream takes to exist
and be allowed (transformer/reingest.py REROUTED_ERRORS), so a lasting refusal pages."""
MINUTE: Final = 60
QUOTA_PERCENT: Final = 80
QUOTA_DATAPOINTS: Final = 3
QUOTA_EVALUATION_PERIODS: Final = 5
"""A stream alarms when its ingestion is above 80 % of its Direct PUT quota for 3 of 5 minutes
(Firehose publishes its metrics every minute)."""


@dataclass(frozen=True)
class AlarmSpec:
    suffix: str
    description: str
    namespace: str
    metric: str
    dimensions: tuple[tuple[str, str], ...]
    statistic: Literal["Sum", "Average", "Maximum"]
    comparison: Comparison
    threshold: float
    evaluation_periods: int = 1
    period: int = FIVE_MINUTES
    treat_missing: MissingData = "notBreaching"


@dataclass(frozen=True)
class MetricInput:
    """One metric of a metric-math alarm, named `id` in its expression."""

    id: str
    namespace: str
    metric: str
    dimensions: tuple[tuple[str, str], ...]
    statistic: Literal["Sum", "Average", "Maximum"] = "Sum"


@dataclass(frozen=True)
class ExpressionAlarmSpec:
    """An alarm on `expression` over `inputs` (CloudWatch metric math), breaching above
    `threshold` (in `datapoints_to_alarm` of `evaluation_periods` periods; all when None)."""

    suffix: str
    description: str
    expression: str
    inputs: tuple[MetricInput, ...]
    period: int
    evaluation_periods: int
    threshold: float = 0
    datapoints_to_alarm: int | None = None


@dataclass(frozen=True)
class MonitoredNames:
    stream_names: tuple[str, ...]
    """Every delivery stream, stream 0 (the account policy's destination) first."""
    transformer_name: str
    subscriber_name: str | None
    freshness_seconds: int


Dimensions = tuple[tuple[str, str], ...]


def stream_dimensions(stream_name: str) -> Dimensions:
    return (("DeliveryStreamName", stream_name),)


def emf_dimensions(stream_name: str) -> Dimensions:
    """The dimension of the transformer's own metrics (lambda_shared.metrics): the stream that
    invoked it."""
    return ((metrics.TRANSFORMER_DIMENSION, stream_name),)


def _tag(position: int) -> str:
    """What tells stream `position`'s alarms apart: nothing for stream 0 (its alarms keep their
    one-stream names), `-2`, `-3`, … for the others, as their stream names."""
    return "" if position == 0 else f"-{position + 1}"


def _function_alarms(label: str, function_name: str) -> list[AlarmSpec]:
    dims = (("FunctionName", function_name),)
    return [
        AlarmSpec(
            f"{label}-errors",
            f"The {label} function failed (errors or timeouts).",
            LAMBDA, "Errors", dims, "Sum", "GreaterThanThreshold", 0,
        ),
        AlarmSpec(
            f"{label}-throttles",
            f"The {label} function was throttled (raise its concurrency).",
            LAMBDA, "Throttles", dims, "Sum", "GreaterThanThreshold", 0,
        ),
    ]  # fmt: skip


def _stream_alarms(stream_name: str, tag: str, freshness_seconds: int) -> list[AlarmSpec]:
    """Delivery, freshness, throttling and processing of one stream."""
    stream = stream_dimensions(stream_name)
    return [
        AlarmSpec(
            f"opensearch-delivery{tag}",
            "No delivery to OpenSearch succeeded for 15 minutes (see the stream's error log "
            "group; after the retry duration documents go to AmazonOpenSearchService-failed/).",
            FIREHOSE, "DeliveryToAmazonOpenSearchService.Success", stream, "Maximum",
            "LessThanThreshold", 1, evaluation_periods=SUSTAINED_PERIODS,
        ),
        AlarmSpec(
            f"data-freshness{tag}",
            "The oldest record in Firehose waits too long: delivery to OpenSearch is behind.",
            FIREHOSE, "DeliveryToAmazonOpenSearchService.DataFreshness", stream, "Maximum",
            "GreaterThanThreshold", freshness_seconds, evaluation_periods=2,
        ),
        AlarmSpec(
            f"throttled-records{tag}",
            "Firehose throttled incoming records (add delivery streams or raise the stream's "
            "quota: docs/scale.md).",
            FIREHOSE, "ThrottledRecords", stream, "Sum", "GreaterThanThreshold", 0,
        ),
        AlarmSpec(
            f"processing{tag}",
            "Firehose could not invoke the transformer for 15 minutes (after its retries, "
            "records go to processing-failed/; replay with lambdalogs replay).",
            FIREHOSE, "ExecuteProcessing.Success", stream, "Maximum", "LessThanThreshold", 1,
            evaluation_periods=SUSTAINED_PERIODS,
        ),
        AlarmSpec(
            f"documents-rerouted{tag}",
            "For 30 minutes another stream refused this stream's batches' documents routed to it "
            "as not there or not allowed, and they went through this stream instead "
            "(DocumentsRerouted; the transformer's WARN summary lines name the stream): check "
            "that stream and the transformer role's firehose:PutRecordBatch permission on it.",
            metrics.NAMESPACE, metrics.DOCUMENTS_REROUTED, emf_dimensions(stream_name), "Sum",
            "GreaterThanThreshold", 0, evaluation_periods=REROUTED_PERIODS,
        ),
        AlarmSpec(
            f"processing-failed-records{tag}",
            "The transformer returned ProcessingFailed records (raw data in processing-failed/; "
            "replay with python -m lambdalogs replay).",
            metrics.NAMESPACE, metrics.RECORDS_PROCESSING_FAILED,
            emf_dimensions(stream_name), "Sum", "GreaterThanThreshold", 0,
        ),
    ]  # fmt: skip


def alarm_specs(names: MonitoredNames) -> list[AlarmSpec]:
    specs = [
        spec
        for i, stream in enumerate(names.stream_names)
        for spec in _stream_alarms(stream, _tag(i), names.freshness_seconds)
    ]
    specs += _function_alarms("transformer", names.transformer_name)
    if names.subscriber_name is not None:
        specs += _function_alarms("subscriber", names.subscriber_name)
        specs.append(_backfill_given_up(names.subscriber_name))
    else:  # account-policy mode: every log group of the account goes to stream 0
        specs.append(_no_input_under_policy(stream_dimensions(names.stream_names[0])))
    return specs


def _no_input_under_policy(stream: Dimensions) -> AlarmSpec:
    return AlarmSpec(
        "no-input",
        f"The stream received no record for {NO_INPUT_HOURS} hours although the account "
        "subscription policy covers every log group: check the policy, its role and the stream.",
        FIREHOSE, "IncomingRecords", stream, "Sum", "LessThanThreshold", 1,
        evaluation_periods=NO_INPUT_HOURS, period=HOUR, treat_missing="breaching",
    )  # fmt: skip


def expression_alarm_specs(names: MonitoredNames) -> list[ExpressionAlarmSpec]:
    """Each stream's ingestion against its quota; in reconciler mode, no input anywhere."""
    specs = [
        spec
        for i, stream in enumerate(names.stream_names)
        for spec in _quota_alarms(stream, _tag(i))
    ]
    if names.subscriber_name is not None:
        specs.append(_no_input_while_subscribed(names.transformer_name, names.subscriber_name))
    return specs


def _quota_alarm(
    suffix: str, what: str, stream_name: str, metric: str, limit: str
) -> ExpressionAlarmSpec:
    """`metric` per second against the stream's own `limit`, as AWS's best practice gives it:
    "IncomingBytes (Sum per 5 Minutes) / 300 approaches a percentage of BytesPerSecondLimit"
    (Firehose Developer Guide); PERIOD() makes the division follow the alarm's period."""
    stream = stream_dimensions(stream_name)
    return ExpressionAlarmSpec(
        suffix,
        f"Stream {stream_name} ingests {what} above {QUOTA_PERCENT} % of its Direct PUT quota "
        "(throttling, then CloudWatch Logs drops deliveries after 24 h): add delivery streams "
        "(deliveryStreams) or raise the quota (docs/scale.md).",
        "100 * (used / PERIOD(used)) / quota",
        (
            MetricInput("used", FIREHOSE, metric, stream, "Sum"),
            MetricInput("quota", FIREHOSE, limit, stream, "Maximum"),
        ),
        period=MINUTE,
        evaluation_periods=QUOTA_EVALUATION_PERIODS,
        threshold=QUOTA_PERCENT,
        datapoints_to_alarm=QUOTA_DATAPOINTS,
    )


def _quota_alarms(stream_name: str, tag: str) -> list[ExpressionAlarmSpec]:
    """Bytes/s, records/s and put requests/s (CloudWatch Logs' deliveries and the transformer's
    calls), each against the stream's own quota: the bytes bind first for any document above
    ~10.5 bytes (5 MiB / 500,000 records), the records only if a quota is lower than documented,
    the requests with many small deliveries."""
    return [
        _quota_alarm(f"{kind}-quota{tag}", what, stream_name, metric, limit)
        for kind, what, metric, limit in (
            ("bytes", "bytes/s", "IncomingBytes", "BytesPerSecondLimit"),
            ("records", "records/s", "IncomingRecords", "RecordsPerSecondLimit"),
            ("put-requests", "put requests/s", "IncomingPutRequests", "PutRequestsPerSecondLimit"),
        )
    ]


def _no_input_while_subscribed(transformer_name: str, subscriber_name: str) -> ExpressionAlarmSpec:
    """Nothing reached the pipeline for hours while the subscriber reports groups holding our
    filter. Every stream invokes the one transformer for whatever arrives, so its `Invocations`
    are zero exactly when no stream received a record: one metric whatever the number of
    streams (an alarm on metric math references at most 10). Lambda publishes no datapoint for
    an hour without invocations, hence FILL(…, 0)."""
    subscriber = ((metrics.SUBSCRIBER_DIMENSION, subscriber_name),)
    held = (metrics.FILTERS_CREATED, metrics.FILTERS_UPDATED, metrics.FILTERS_UNCHANGED)
    inputs = (
        MetricInput("invocations", LAMBDA, "Invocations", (("FunctionName", transformer_name),)),
        *(
            MetricInput(f"held{i}", metrics.NAMESPACE, name, subscriber)
            for i, name in enumerate(held)
        ),
    )
    subscribed = " + ".join(f"FILL(held{i}, 0)" for i in range(len(held)))
    return ExpressionAlarmSpec(
        "no-input",
        f"No delivery stream received a record for {NO_INPUT_HOURS} hours (the transformer was "
        "not invoked) while the subscriber reports log groups holding the pipeline's filter: "
        "check the filters' role and the streams.",
        f"IF(({subscribed}) > 0 AND FILL(invocations, 0) == 0, 1, 0)",
        inputs,
        period=HOUR,
        evaluation_periods=NO_INPUT_HOURS,
    )


def _backfill_given_up(subscriber_name: str) -> AlarmSpec:
    """A gap the subscriber stopped retrying to backfill (its ERROR line has the window)."""
    return AlarmSpec(
        "backfill-permanently-failed",
        "The subscriber gave up backfilling a log group (see its ERROR log line for the group "
        "and the window; fix the cause, delete the group's pipeline filter and reconcile).",
        metrics.NAMESPACE, metrics.BACKFILL_PERMANENTLY_FAILED,
        ((metrics.SUBSCRIBER_DIMENSION, subscriber_name),),
        "Sum", "GreaterThanThreshold", 0,
    )  # fmt: skip
