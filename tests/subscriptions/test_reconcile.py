"""Reconcile against moto: selection, foreign filters, limits, idempotence, custom groups."""

from __future__ import annotations

import json
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

from lambda_shared.backoff import RetryPolicy
from subscriptions.errors import RoleNotAssumableError
from subscriptions.logs_api import PROPAGATION_DELAYS_SECONDS
from tests.subscriptions.conftest import FILTER, PIPELINE_GROUPS, Aws
from tests.subscriptions.helpers import error_response, fail_first, throttling, with_logging_config

RECONCILE = {"action": "reconcile"}


def test_subscribes_every_lambda_group_of_250_and_no_other(aws: Aws) -> None:
    # GIVEN 200 Lambda log groups and 50 groups of other services
    lambda_groups = [f"/aws/lambda/fn-{i:03d}" for i in range(200)]
    other_groups = [f"/ecs/service-{i:02d}" for i in range(25)] + [
        f"/aws/rds/instance/db-{i:02d}/error" for i in range(25)
    ]
    for name in lambda_groups + other_groups:
        aws.group(name)

    # WHEN the subscriber reconciles
    result = aws.run(RECONCILE)

    # THEN every Lambda group carries exactly the pipeline's filter, and no other group does
    assert result["complete"] is True
    assert result["outcomes"] == {"created": 200}
    for name in lambda_groups:
        ours = aws.filters(name)[FILTER]
        assert ours["destinationArn"] == aws.destination_arn
        assert ours["roleArn"] == aws.role_arn
        assert ours["filterPattern"] == ""
    assert all(aws.filters(name) == {} for name in other_groups)


def test_keeps_foreign_filters_and_adds_its_own(aws: Aws) -> None:
    # GIVEN a Lambda group that already has someone else's filter
    aws.group("/aws/lambda/shared")
    aws.foreign_filter("/aws/lambda/shared")
    before = aws.filters("/aws/lambda/shared")["someone-else"]

    # WHEN the subscriber reconciles
    aws.run(RECONCILE)

    # THEN the foreign filter is untouched and the pipeline's filter sits beside it
    after = aws.filters("/aws/lambda/shared")
    assert set(after) == {"someone-else", FILTER}
    assert after["someone-else"] == before


def test_reports_a_group_at_the_filter_limit_without_failing(aws: Aws) -> None:
    # GIVEN a group holding the maximum number of filters (moto: 2) and a normal group
    aws.group("/aws/lambda/full")
    aws.foreign_filter("/aws/lambda/full", "first")
    aws.foreign_filter("/aws/lambda/full", "second")
    aws.group("/aws/lambda/normal")
    emitted: list[str] = []

    # WHEN the subscriber reconciles
    result = aws.run(
        RECONCILE, emitted=emitted, settings=aws.settings(METRICS_NAMESPACE="Team/LambdaLogs")
    )

    # THEN the run completes, reports the group in its result, a structured log and EMF
    assert result["complete"] is True
    assert result["limitExceeded"] == ["/aws/lambda/full"]
    assert result["limitExceededCount"] == 1
    assert FILTER in aws.filters("/aws/lambda/normal")
    assert set(aws.filters("/aws/lambda/full")) == {"first", "second"}
    lines = [json.loads(line) for line in emitted]
    warnings = [line for line in lines if line.get("outcome") == "limit_exceeded"]
    assert [w["logGroup"] for w in warnings] == ["/aws/lambda/full"]
    assert warnings[0]["level"] == "WARN"
    emf = next(line for line in lines if "_aws" in line)
    assert emf["GroupsAtFilterLimit"] == 1
    assert emf["FiltersCreated"] == 1
    assert emf["_aws"]["CloudWatchMetrics"][0]["Namespace"] == "Team/LambdaLogs"
    # the metrics' dimension is this stack's subscriber, not every stack's "subscriber"
    assert emf["Function"] == "lambda-logs-dev-subscriber"


def test_repoints_its_own_filter_when_it_points_elsewhere(aws: Aws) -> None:
    # GIVEN our filter name on a group, but with another pattern (an older deployment)
    aws.group("/aws/lambda/old", "an old event")
    aws.logs.put_subscription_filter(
        logGroupName="/aws/lambda/old",
        filterName=FILTER,
        filterPattern="OLD",
        destinationArn=aws.destination_arn,
        roleArn=aws.role_arn,
    )

    # WHEN the subscriber reconciles
    result = aws.run(RECONCILE)

    # THEN the filter is updated in place, and nothing is backfilled (it was subscribed)
    assert result["outcomes"] == {"updated": 1}
    assert aws.filters("/aws/lambda/old")[FILTER]["filterPattern"] == ""
    assert result["backfillEvents"] == 0


def test_a_second_run_makes_no_write_call(aws: Aws) -> None:
    # GIVEN a reconciled account: groups with events, a pipeline group, a foreign filter
    for i in range(30):
        aws.group(f"/aws/lambda/fn-{i:02d}", f"event {i}")
    aws.group(PIPELINE_GROUPS[0])
    aws.foreign_filter("/aws/lambda/fn-00")
    first = aws.run(RECONCILE)
    assert aws.calls.count("PutSubscriptionFilter") == 30
    assert first["outcomes"] == {"created": 30, "excluded_pipeline": 1}
    aws.calls.operations.clear()

    # WHEN it runs again
    second = aws.run(RECONCILE)

    # THEN it only reads
    assert aws.calls.writes() == []
    assert aws.calls.count("DescribeSubscriptionFilters") == 31
    assert second["outcomes"] == {"unchanged": 30, "excluded_pipeline": 1}


def test_full_groups_cost_one_write_per_run_once_the_limit_is_learnt(aws: Aws) -> None:
    # GIVEN three groups that each hold the maximum number of filters
    for name in ("/aws/lambda/a", "/aws/lambda/b", "/aws/lambda/c"):
        aws.group(name)
        aws.foreign_filter(name, "first")
        aws.foreign_filter(name, "second")

    # WHEN the subscriber reconciles
    result = aws.run(RECONCILE)

    # THEN all three are reported, but only the first cost a (rejected) write
    assert result["limitExceeded"] == ["/aws/lambda/a", "/aws/lambda/b", "/aws/lambda/c"]
    assert aws.calls.writes() == ["PutSubscriptionFilter"]


def test_remove_deletes_only_its_own_filters(aws: Aws) -> None:
    # GIVEN subscribed groups, one with a foreign filter, one excluded group holding our filter
    for i in range(5):
        aws.group(f"/aws/lambda/fn-{i}")
    aws.foreign_filter("/aws/lambda/fn-0")
    aws.run(RECONCILE)
    aws.group("/aws/lambda/excluded-later")
    aws.logs.put_subscription_filter(
        logGroupName="/aws/lambda/excluded-later",
        filterName=FILTER,
        filterPattern="",
        destinationArn=aws.destination_arn,
        roleArn=aws.role_arn,
    )
    settings = aws.settings(EXCLUDE_LOG_GROUPS="/aws/lambda/excluded-*")

    # WHEN the subscriber is asked to remove
    result = aws.run({"action": "remove"}, settings=settings)

    # THEN its filters are gone everywhere, the foreign one stays
    assert result["complete"] is True
    assert result["outcomes"] == {"deleted": 6}
    assert set(aws.filters("/aws/lambda/fn-0")) == {"someone-else"}
    assert all(aws.filters(f"/aws/lambda/fn-{i}") == {} for i in range(1, 5))
    assert aws.filters("/aws/lambda/excluded-later") == {}


def _filter_of_another_stack(aws: Aws, group: str) -> str:
    """Another stack, same FILTER_NAME, its own stream, has subscribed `group`: its stream ARN."""
    aws.group(group)
    other = aws.destination_arn.replace("lambda-logs", "other-logs")
    boto3.client("firehose", region_name="eu-west-1").create_delivery_stream(
        DeliveryStreamName="other-logs",
        ExtendedS3DestinationConfiguration={
            "RoleARN": aws.role_arn,
            "BucketARN": "arn:aws:s3:::lambda-logs-backup",
        },
    )
    aws.run(RECONCILE, settings=aws.settings(DESTINATION_ARN=other))
    return other


def test_remove_keeps_a_same_named_filter_of_another_destination(aws: Aws) -> None:
    # GIVEN a group whose filter has our name but points at another stream (another stack)
    other = _filter_of_another_stack(aws, "/aws/lambda/other-stack")

    # WHEN this stack removes its filters
    result = aws.run({"action": "remove"})

    # THEN the other stack's filter stays
    assert result["outcomes"] == {"not_ours": 1}
    assert aws.filters("/aws/lambda/other-stack")[FILTER]["destinationArn"] == other


def test_reconcile_never_repoints_a_same_named_filter_of_another_stack(aws: Aws) -> None:
    # GIVEN a group whose filter has our name but points at another stack's stream
    other = _filter_of_another_stack(aws, "/aws/lambda/other-stack")
    emitted: list[str] = []

    # WHEN this stack reconciles, then removes its filters
    first = aws.run(RECONCILE, emitted=emitted)
    removed = aws.run({"action": "remove"})

    # THEN the other stack's filter is never touched, and the clash is reported
    assert first["outcomes"] == {"not_ours": 1}
    assert removed["outcomes"] == {"not_ours": 1}
    assert aws.filters("/aws/lambda/other-stack")[FILTER]["destinationArn"] == other
    warnings = [json.loads(line) for line in emitted if '"not_ours"' in line]
    assert [(w["level"], w["logGroup"]) for w in warnings] == [("WARN", "/aws/lambda/other-stack")]


def test_subscribes_custom_log_groups_named_in_logging_config(aws: Aws) -> None:
    # GIVEN functions logging to custom groups (LoggingConfig, stubbed: moto lacks it),
    # one of them not created yet, one shared by two functions, one excluded
    for name in ("orders", "billing", "audit", "fresh", "plain", "secret"):
        aws.function(name)
    aws.group("/app/orders-and-billing", "early order log")
    aws.group("/app/audit")
    aws.group("/app/secret")
    aws.group("/aws/lambda/plain")
    aws.hooks.append(
        (
            "after-call.lambda.ListFunctions",
            with_logging_config(
                {
                    "orders": "/app/orders-and-billing",
                    "billing": "/app/orders-and-billing",
                    "audit": "/app/audit",
                    "fresh": "/app/not-created-yet",
                    "secret": "/app/secret",
                }
            ),
        )
    )
    settings = aws.settings(EXCLUDE_LOG_GROUPS="/app/secret")

    # WHEN the subscriber reconciles
    result = aws.run(RECONCILE, settings=settings)

    # THEN the custom groups are subscribed (and backfilled), the missing one is reported absent
    assert FILTER in aws.filters("/app/orders-and-billing")
    assert FILTER in aws.filters("/app/audit")
    assert FILTER in aws.filters("/aws/lambda/plain")
    assert aws.filters("/app/secret") == {}
    assert result["outcomes"] == {"created": 3, "absent": 1, "excluded": 1}
    assert aws.delivered_messages() == ["early order log"]


def test_exclusions_by_name_and_glob_and_the_pipeline_groups_always(aws: Aws) -> None:
    # GIVEN groups matching exact and glob exclusions, the pipeline's groups, the subscriber's own
    names = [
        "/aws/lambda/keep",
        "/aws/lambda/skip-exact",
        "/aws/lambda/tmp-1",
        "/aws/lambda/tmp-2",
        "/aws/lambda/subscriber",
        *PIPELINE_GROUPS,
    ]
    for name in names:
        aws.group(name)
    settings = aws.settings(
        EXCLUDE_LOG_GROUPS="/aws/lambda/skip-exact, /aws/lambda/tmp-*",
        AWS_LAMBDA_LOG_GROUP_NAME="/aws/lambda/subscriber",
        LOG_GROUP_PREFIXES="/aws/lambda/,/aws/kinesisfirehose/",
    )

    # WHEN the subscriber reconciles
    result = aws.run(RECONCILE, settings=settings)

    # THEN only the one ordinary group is subscribed
    assert [n for n in names if FILTER in aws.filters(n)] == ["/aws/lambda/keep"]
    assert result["outcomes"] == {"created": 1, "excluded": 3, "excluded_pipeline": 3}


def test_an_excluded_group_loses_the_filter_it_got_before_the_exclusion(aws: Aws) -> None:
    # GIVEN a subscribed group with a foreign filter too, then excluded
    aws.group("/aws/lambda/noisy")
    aws.foreign_filter("/aws/lambda/noisy")
    aws.run(RECONCILE)
    assert FILTER in aws.filters("/aws/lambda/noisy")

    # WHEN the subscriber reconciles with the exclusion
    result = aws.run(RECONCILE, settings=aws.settings(EXCLUDE_LOG_GROUPS="/aws/lambda/noisy"))

    # THEN our filter is gone, the foreign one stays
    assert set(aws.filters("/aws/lambda/noisy")) == {"someone-else"}
    assert result["outcomes"] == {"excluded": 1, "deleted": 1}


def test_backs_off_with_jitter_when_throttled(aws: Aws) -> None:
    # GIVEN CloudWatch Logs throttles three PutSubscriptionFilter and two DescribeLogGroups calls
    for i in range(10):
        aws.group(f"/aws/lambda/fn-{i}")
    aws.hooks.append(("before-call.logs.PutSubscriptionFilter", fail_first(3, throttling)))
    aws.hooks.append(("before-call.logs.DescribeLogGroups", fail_first(2, throttling)))
    sleeps: list[float] = []
    jitter = iter([0.9, 0.1, 0.5, 0.3, 0.7])
    policy = RetryPolicy(sleep=sleeps.append, jitter=lambda: next(jitter))

    # WHEN the subscriber reconciles
    result = aws.run(RECONCILE, policy=policy)

    # THEN every group is subscribed; it slept with exponential, jittered delays
    assert result["complete"] is True
    assert result["outcomes"] == {"created": 10}
    assert result["throttleRetries"] == 5
    assert sleeps == pytest.approx([0.9 * 0.25, 0.1 * 0.5, 0.5 * 0.25, 0.3 * 0.5, 0.7 * 1.0])


def test_persistent_throttling_stops_cleanly_and_the_continuation_finishes(aws: Aws) -> None:
    # GIVEN DescribeSubscriptionFilters throttles more often than the retry policy allows
    for i in range(6):
        aws.group(f"/aws/lambda/fn-{i}")
    # (after the first three groups' two reads each: describe before and after the put)
    aws.hooks.append(
        ("before-call.logs.DescribeSubscriptionFilters", fail_first(30, throttling, skip=6))
    )
    policy = RetryPolicy(max_attempts=3, sleep=lambda _: None)

    # WHEN the subscriber reconciles
    first = aws.run(RECONCILE, policy=policy)

    # THEN the run ends without an exception, with a continuation
    assert first["complete"] is False
    assert first["stopReason"] == "throttled"
    assert first["outcomes"] == {"created": 3}
    assert first["continuation"] is not None
    assert first["continuation"]["after"] == "/aws/lambda/fn-2"
    assert first["selfInvoked"] is True
    assert aws.invocations == [{"action": "reconcile", "continuation": first["continuation"]}]

    # WHEN the continuation runs (throttling over)
    aws.hooks.clear()
    second = aws.run(aws.invocations[0])

    # THEN it finishes the remaining groups only
    assert second["complete"] is True
    assert second["outcomes"] == {"created": 3}
    assert all(FILTER in aws.filters(f"/aws/lambda/fn-{i}") for i in range(6))


def test_waits_for_the_role_to_propagate(aws: Aws) -> None:
    # GIVEN the role was just created: CloudWatch Logs cannot assume it for two attempts
    aws.group("/aws/lambda/new")
    message = "Make sure you have given CloudWatch Logs permission to assume the provided role."
    aws.hooks.append(
        (
            "before-call.logs.PutSubscriptionFilter",
            fail_first(2, lambda: error_response("InvalidParameterException", message)),
        )
    )
    sleeps: list[float] = []

    # WHEN the subscriber reconciles
    result = aws.run(RECONCILE, policy=RetryPolicy(sleep=sleeps.append))

    # THEN it retried after short waits and subscribed the group
    assert result["outcomes"] == {"created": 1}
    assert sleeps == [1.0, 2.0]


def test_a_role_that_never_becomes_assumable_is_a_clear_error(aws: Aws) -> None:
    # GIVEN CloudWatch Logs can never assume the role
    aws.group("/aws/lambda/new")
    message = "Make sure you have given CloudWatch Logs permission to assume the provided role."
    aws.hooks.append(
        (
            "before-call.logs.PutSubscriptionFilter",
            fail_first(99, lambda: error_response("InvalidParameterException", message)),
        )
    )

    # WHEN / THEN the run fails with an error that says what to check
    with pytest.raises(RoleNotAssumableError, match="trust policy"):
        aws.run(RECONCILE)
    assert aws.calls.count("PutSubscriptionFilter") == len(PROPAGATION_DELAYS_SECONDS) + 1


def _class_of(classes: dict[str, str]) -> Any:
    """after-call hook on DescribeLogGroups adding logGroupClass (moto omits it)."""

    def hook(parsed: dict[str, Any], **_: Any) -> None:
        for group in parsed.get("logGroups", []):
            group["logGroupClass"] = classes.get(group["logGroupName"], "STANDARD")

    return hook


def _reject_put_for(name: str) -> Any:
    def hook(params: dict[str, Any], **_: Any) -> Any:
        if json.loads(params["body"])["logGroupName"] == name:
            return error_response("InvalidParameterException", "Operation not supported")
        return None

    return hook


def test_a_group_whose_class_refuses_filters_is_reported_not_fatal(aws: Aws) -> None:
    # GIVEN an Infrequent Access group that refuses subscription filters, and a standard one
    aws.group("/aws/lambda/archive")
    aws.group("/aws/lambda/normal")
    aws.hooks.append(
        (
            "after-call.logs.DescribeLogGroups",
            _class_of({"/aws/lambda/archive": "INFREQUENT_ACCESS"}),
        )
    )
    aws.hooks.append(
        ("before-call.logs.PutSubscriptionFilter", _reject_put_for("/aws/lambda/archive"))
    )
    emitted: list[str] = []

    # WHEN the subscriber reconciles
    result = aws.run(RECONCILE, emitted=emitted)

    # THEN the standard group is subscribed and the other reported
    assert result["complete"] is True
    assert result["outcomes"] == {"created": 1, "unsupported_class": 1}
    warnings = [json.loads(line) for line in emitted if "unsupported_class" in line]
    assert warnings[0]["logGroup"] == "/aws/lambda/archive"


def test_a_standard_group_refusing_the_filter_fails_the_run(aws: Aws) -> None:
    # GIVEN a standard group on which PutSubscriptionFilter is refused (a wrong setting)
    aws.group("/aws/lambda/normal")
    aws.hooks.append(
        ("before-call.logs.PutSubscriptionFilter", _reject_put_for("/aws/lambda/normal"))
    )

    # WHEN / THEN the run fails loudly instead of reporting every group
    with pytest.raises(ClientError, match="InvalidParameterException"):
        aws.run(RECONCILE)


def test_a_limit_error_on_a_group_that_is_not_full_teaches_no_limit(aws: Aws) -> None:
    # GIVEN groups holding one foreign filter each, and a LimitExceededException of another
    # cause (not the group's filter count) on the first put
    for name in ("/aws/lambda/a", "/aws/lambda/b", "/aws/lambda/c"):
        aws.group(name)
        aws.foreign_filter(name)
    aws.hooks.append(
        (
            "before-call.logs.PutSubscriptionFilter",
            fail_first(1, lambda: error_response("LimitExceededException", "Limit exceeded")),
        )
    )

    # WHEN the subscriber reconciles
    result = aws.run(RECONCILE)

    # THEN only that group is reported; the others are still tried, and subscribed
    assert result["limitExceeded"] == ["/aws/lambda/a"]
    assert result["outcomes"] == {"limit_exceeded": 1, "created": 2}
    assert FILTER in aws.filters("/aws/lambda/b")
    assert FILTER in aws.filters("/aws/lambda/c")
