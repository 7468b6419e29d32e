"""Anything `pulumi up` accepts, the functions accept: the environment infra builds for each
function, with every key that reaches it at its bounds, its default and each choice, goes
through the function's own settings parser, and every value arrives unchanged."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import pytest

from infra.aws_context import AwsContext
from infra.config_declaration import (
    Choices,
    ConfigKey,
    DecimalRange,
    Flag,
    Length,
    Range,
    Rule,
    Text,
)
from infra.config_errors import ConfigError
from infra.config_keys import KEYS
from infra.function_environments import subscriber_environment, transformer_environment
from infra.stack_config import StackConfig
from infra.stack_names import StackNames
from lambda_shared.environment import SUBSCRIBER_VARIABLES, TRANSFORMER_VARIABLES
from lambda_shared.event_rules import parse_rules
from lambda_shared.redaction_rules import parse_redact_rules
from subscriptions.settings import Settings as SubscriberSettings
from transformer.settings import Settings as TransformerSettings

REGION = "eu-west-1"
CTX = AwsContext(partition="aws", region=REGION, account_id="123456789012")
LOGS_ROLE_ARN = "arn:aws:iam::123456789012:role/lambda-logs-delivery-logs"
REQUIRED = {"masterUserPassword": "Sup3r-secret!", "allowedCidrs": "198.51.100.7/32"}


def samples(declared: ConfigKey) -> tuple[str, ...]:
    """The values to try: the bounds, the default, every choice, the rule's example."""
    constraint = declared.constraint
    found: list[str] = [declared.shown_default]
    if isinstance(constraint, Range | DecimalRange):
        found += [str(constraint.low), str(constraint.high)]
    elif isinstance(constraint, Choices):
        found += [str(value) for value in constraint.values]
    elif isinstance(constraint, Length):
        found += ["x" * constraint.low, "x" * constraint.high]
    elif isinstance(constraint, Rule) and constraint.example:
        found.append(constraint.example.strip("'"))
    elif isinstance(constraint, Text):
        found += ["", "a,b"]
    elif isinstance(constraint, Flag):
        found += ["true", "false"]
    return tuple(dict.fromkeys(found))


@dataclass(frozen=True)
class Environments:
    config: StackConfig
    transformer: dict[str, str]
    subscriber: dict[str, str]


def environments(values: Mapping[str, str]) -> Environments:
    """Both functions' environments exactly as infra builds them (Inputs given as text)."""
    config = StackConfig.from_values({**REQUIRED, **values}, stack="dev", region=REGION)
    subscriber = subscriber_environment(
        config,
        [CTX.stream_arn(stream) for stream in config.names.streams],
        LOGS_ROLE_ARN,
        "lambda-logs-backup-0a1b2c3",
    )
    plain = {name: value for name, value in subscriber.items() if isinstance(value, str)}
    assert plain.keys() == subscriber.keys(), "every Input was given as text"
    return Environments(config, transformer_environment(config), plain)


def _prefixes(config: StackConfig) -> tuple[str, ...]:
    return config.subscription.log_group_prefixes


Check = tuple[
    Callable[[TransformerSettings, SubscriberSettings], Any], Callable[[StackConfig], Any]
]
ARRIVES: dict[str, list[Check]] = {
    "labelKeys": [(lambda t, s: t.label_keys, lambda c: c.documents.label_keys)],
    "traceIdKeys": [(lambda t, s: t.trace_id_keys, lambda c: c.documents.trace_id_keys)],
    "maxMessageBytes": [
        (lambda t, s: t.max_message_bytes, lambda c: c.documents.max_message_bytes)
    ],
    "foldPlatformEvents": [
        (lambda t, s: t.fold_platform_events, lambda c: c.documents.fold_platform_events)
    ],
    "eventRules": [
        (lambda t, s: t.event_rules, lambda c: parse_rules(c.documents.event_rules)),
        (lambda t, s: bool(t.event_rules), lambda c: bool(c.documents.event_rules)),
    ],
    "redactRules": [
        (
            lambda t, s: t.redactor.rules if t.redactor else (),
            lambda c: parse_redact_rules(c.documents.redact_rules),
        ),
        (lambda t, s: t.redactor is not None, lambda c: bool(c.documents.redact_rules)),
    ],
    "logGroupPrefixes": [
        (lambda t, s: t.log_group_prefixes, _prefixes),
        # the subscriber reads "no prefix" as the one prefix '' (every group)
        (lambda t, s: s.log_group_prefixes, lambda c: _prefixes(c) or ("",)),
    ],
    "excludeLogGroups": [
        (lambda t, s: s.exclude_patterns, lambda c: c.subscription.exclude_log_groups)
    ],
    "filterPattern": [(lambda t, s: s.filter_pattern, lambda c: c.subscription.filter_pattern)],
    "backfillLookbackHours": [
        (lambda t, s: s.backfill_lookback_hours, lambda c: c.subscription.backfill_lookback_hours)
    ],
    # infra only passes these on (config.variables): the subscriber alone uses them
    "fullSweepIntervalHours": [
        (lambda t, s: s.sweep_interval_hours, lambda c: int(c.variables["SWEEP_INTERVAL_HOURS"]))
    ],
    "filterApiQuotaPercent": [
        (
            lambda t, s: s.filter_api_quota_percent,
            lambda c: int(c.variables["FILTER_API_QUOTA_PERCENT"]),
        )
    ],
    "backfillBytesPerSecond": [
        (
            lambda t, s: s.backfill_bytes_per_second,
            lambda c: int(c.variables["BACKFILL_BYTES_PER_SECOND"]),
        )
    ],
    "resourcePrefix": [
        (lambda t, s: s.filter_name, lambda c: c.names.filter_name),
        (
            lambda t, s: s.pipeline_log_groups[: len(StackNames("x").pipeline_log_groups)],
            lambda c: c.names.pipeline_log_groups,
        ),
        (lambda t, s: s.destination.stream_name, lambda c: c.names.stream),
    ],
}


BUILT_FROM_NAMES = {"deliveryStreams"}
"""Keys whose variables infra builds from the stack's names rather than the key's text (the
streams' ARNs and names): parsed by both functions below, and checked resource by resource in
tests/infra/test_delivery_streams.py."""


def _cases() -> Iterator[tuple[str, str]]:
    for declared in KEYS:
        for value in samples(declared):
            yield declared.name, value


def _accepted(name: str, value: str) -> Environments | None:
    """None when `pulumi up` refuses the value (another key's rule): nothing to deploy."""
    try:
        return environments({name: value})
    except ConfigError:
        return None


def test_the_keys_checked_here_are_exactly_the_keys_that_reach_an_environment() -> None:
    default = environments({})
    reaching = set()
    for name, value in _cases():
        got = _accepted(name, value)
        if got and (got.transformer, got.subscriber) != (default.transformer, default.subscriber):
            reaching.add(name)
    assert reaching == set(ARRIVES) | BUILT_FROM_NAMES


@pytest.mark.parametrize(("name", "value"), [c for c in _cases() if c[0] in ARRIVES])
def test_every_value_pulumi_up_accepts_reaches_the_functions_unchanged(
    name: str, value: str
) -> None:
    # GIVEN the key at one of its bounds, its default or one of its choices
    built = environments({name: value})
    # WHEN each function parses the environment infra gives it
    transformer = TransformerSettings.from_env(built.transformer)
    subscriber = SubscriberSettings.from_env(built.subscriber)
    # THEN no error, and the configured value is what the function uses
    for got, expected in ARRIVES[name]:
        assert got(transformer, subscriber) == expected(built.config), (name, value)


class ReadRecorder(Mapping[str, str]):
    """An environment that records every variable a parser asks for."""

    def __init__(self, values: Mapping[str, str]) -> None:
        self._values = dict(values)
        self.read: set[str] = set()

    def __getitem__(self, name: str) -> str:
        self.read.add(name)
        return self._values[name]

    def get(self, name: str, default: Any = None) -> Any:
        self.read.add(name)
        return self._values.get(name, default)

    def __contains__(self, name: object) -> bool:
        if isinstance(name, str):
            self.read.add(name)
        return name in self._values

    def __iter__(self) -> Iterator[str]:
        raise AssertionError("a settings parser reads variables by name")

    def __len__(self) -> int:
        return len(self._values)


LEFT_TO_DEFAULTS = {
    "transformer": {
        "DEFAULT_ARCHITECTURE",
        "PRICE_X86_64_GB_SECOND",
        "PRICE_ARM64_GB_SECOND",
        "PRICE_PER_REQUEST",
        "CLOUD_REGION",
        "AWS_REGION",  # set by Lambda
        "DELIVERY_STREAM_NAMES",  # set only with several streams (tests/infra/test_delivery_streams.py)
    },
    "subscriber": {
        "TIME_BUDGET_MARGIN_SECONDS",
        "MAX_CONTINUATIONS",
        "AWS_LAMBDA_LOG_GROUP_NAME",  # set by Lambda
        # a spoke's only (tests/infra/test_spoke_hub_access.py): the hub's bucket region, role
        "ARCHITECTURE_BUCKET_REGION",
        "BACKFILL_ROLE_ARN",
        "BACKFILL_STREAM_ARNS",
        "SUBSCRIBER_STOPPED_UNTIL",  # the destroy step's only (infra/subscriber_stop.py)
    },
}
"""Variables a parser reads that infra deliberately leaves to the parser's default."""


@pytest.mark.parametrize("function", ["transformer", "subscriber"])
def test_infra_sets_every_variable_the_parser_needs_and_none_it_ignores(function: str) -> None:
    built = environments({})
    given = built.transformer if function == "transformer" else built.subscriber
    declared = TRANSFORMER_VARIABLES if function == "transformer" else SUBSCRIBER_VARIABLES
    recorder = ReadRecorder(given)
    if function == "transformer":
        TransformerSettings.from_env(recorder)
    else:
        SubscriberSettings.from_env(recorder)
    assert set(given) <= recorder.read, f"dead: {sorted(set(given) - recorder.read)}"
    missing = recorder.read - set(given) - LEFT_TO_DEFAULTS[function]
    assert not missing, f"read by the {function} but not set by infra: {sorted(missing)}"
    assert {variable.name for variable in declared} <= set(given)


def test_a_key_reaches_exactly_the_functions_that_declare_its_variable() -> None:
    # GIVEN each key's value changed from its default, where another value is accepted
    default = environments({})
    for declared in (k for k in KEYS if k.variable):
        variable = declared.variable
        assert variable is not None
        changed = [v for v in samples(declared) if v != declared.shown_default]
        built = next(b for v in changed if (b := _accepted(declared.name, v)))
        # THEN the variable differs in every function that declares it, and only there
        for function, variables, env in (
            ("transformer", TRANSFORMER_VARIABLES, built.transformer),
            ("subscriber", SUBSCRIBER_VARIABLES, built.subscriber),
        ):
            before = default.transformer if function == "transformer" else default.subscriber
            if variable in variables:
                assert env[variable.name] != before[variable.name], (declared.name, function)
            else:
                assert variable.name not in env, (declared.name, function)
        assert any(variable in vs for vs in (TRANSFORMER_VARIABLES, SUBSCRIBER_VARIABLES))


@pytest.mark.parametrize("value", [c[1] for c in _cases() if c[0] == "deliveryStreams"])
def test_every_stream_count_reaches_both_functions_as_the_same_streams_in_order(
    value: str,
) -> None:
    built = _accepted("deliveryStreams", value)
    if built is None:
        pytest.skip(f"deliveryStreams={value} is refused by pulumi up")
    transformer = TransformerSettings.from_env(built.transformer)
    subscriber = SubscriberSettings.from_env(built.subscriber)
    streams = built.config.names.streams
    assert tuple(d.stream_name for d in subscriber.destinations) == streams
    # one stream: the transformer re-ingests into the stream a record came from
    assert transformer.delivery_stream_names == (streams if len(streams) > 1 else ())
