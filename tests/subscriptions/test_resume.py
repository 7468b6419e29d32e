"""The time budget: a run stops before Lambda's timeout and its continuation resumes it."""

from __future__ import annotations

import json

from subscriptions.continuation import Cursor
from tests.subscriptions.conftest import FILTER, SUBSCRIBER_ARN, Aws, FakeContext
from tests.subscriptions.helpers import error_response, fail_first, with_logging_config

RECONCILE = {"action": "reconcile"}


def _budget(checks: int) -> FakeContext:
    """A context with time for `checks` budget checks, then inside the 30 s margin."""
    state = {"n": 0}

    def remaining() -> int:
        state["n"] += 1
        return 120_000 if state["n"] <= checks else 29_000

    return FakeContext(remaining)


def test_stops_before_the_timeout_and_the_chain_of_continuations_covers_every_group(
    aws: Aws,
) -> None:
    # GIVEN 120 groups (three DescribeLogGroups pages), two custom groups of functions,
    # and time for about 45 groups per invocation
    for i in range(120):
        aws.group(f"/aws/lambda/fn-{i:03d}")
    aws.function("custom-a")
    aws.function("custom-b")
    aws.group("/app/a")
    aws.group("/app/b")
    aws.hooks.append(
        (
            "after-call.lambda.ListFunctions",
            with_logging_config({"custom-a": "/app/a", "custom-b": "/app/b"}),
        )
    )

    # WHEN the subscriber runs, and then every continuation it hands itself
    results = [aws.run(RECONCILE, context=_budget(45))]
    while not results[-1]["complete"]:
        assert len(results) < 10, "the chain does not converge"
        results.append(aws.run(aws.invocations[len(results) - 1], context=_budget(45)))

    # THEN it took several invocations, each stopping on the time budget and self-invoking
    assert len(results) >= 3
    assert all(r["stopReason"] == "time_budget" and r["selfInvoked"] for r in results[:-1])
    assert [p["continuation"]["generation"] for p in aws.invocations] == list(
        range(1, len(results))
    )
    # AND every group was subscribed exactly once
    assert aws.calls.count("PutSubscriptionFilter") == 122
    assert sum(r["outcomes"].get("created", 0) for r in results) == 122
    assert FILTER in aws.filters("/app/b")


def test_self_invocation_targets_this_function_with_the_token(aws: Aws) -> None:
    # GIVEN a run that cannot finish
    for i in range(3):
        aws.group(f"/aws/lambda/fn-{i}")
    invoked: list[str] = []
    aws.hooks.append(
        (
            "before-parameter-build.lambda.Invoke",
            lambda params, **_: invoked.append(params["FunctionName"]),
        )
    )

    # WHEN it stops on the budget
    result = aws.run(RECONCILE, context=_budget(2))

    # THEN it invoked itself asynchronously, passing the same token it returns
    assert invoked == [SUBSCRIBER_ARN]
    assert aws.invocations == [{"action": "reconcile", "continuation": result["continuation"]}]
    assert Cursor.from_token(result["continuation"]).after == "/aws/lambda/fn-0"


def test_no_self_invocation_when_the_caller_drives_the_continuation(aws: Aws) -> None:
    # GIVEN a synchronous caller (pulumi destroy) that loops on the returned token
    for i in range(4):
        aws.group(f"/aws/lambda/fn-{i}")
    aws.run(RECONCILE)
    event: dict[str, object] = {"action": "remove", "selfInvoke": False}

    # WHEN it invokes with selfInvoke=false until complete
    rounds = 0
    while True:
        rounds += 1
        result = aws.run(event, context=_budget(3))
        if result["complete"]:
            break
        event = {"action": "remove", "selfInvoke": False, "continuation": result["continuation"]}

    # THEN no self-invocation happened and every filter is gone
    assert rounds > 1
    assert aws.invocations == []
    assert all(aws.filters(f"/aws/lambda/fn-{i}") == {} for i in range(4))


def test_the_chain_ends_at_max_continuations_with_an_error_log(aws: Aws) -> None:
    # GIVEN a continuation that is already at the limit of MAX_CONTINUATIONS=2
    for i in range(5):
        aws.group(f"/aws/lambda/fn-{i}")
    token = Cursor(generation=2).to_token()
    emitted: list[str] = []

    # WHEN it stops again
    result = aws.run(
        {"action": "reconcile", "continuation": dict(token)},
        context=_budget(2),
        settings=aws.settings(MAX_CONTINUATIONS="2"),
        emitted=emitted,
    )

    # THEN it does not invoke itself again and says why
    assert result["selfInvoked"] is False
    assert aws.invocations == []
    errors = [json.loads(line) for line in emitted if '"ERROR"' in line]
    assert "MAX_CONTINUATIONS" in errors[0]["message"]


def test_an_expired_page_token_lists_again_and_skips_what_was_done(aws: Aws) -> None:
    # GIVEN a continuation whose DescribeLogGroups token has expired
    for i in range(60):
        aws.group(f"/aws/lambda/fn-{i:02d}")
    token = Cursor(page_token="expired", after="/aws/lambda/fn-54").to_token()
    aws.hooks.append(
        (
            "before-call.logs.DescribeLogGroups",
            fail_first(
                1, lambda: error_response("InvalidParameterException", "The token is expired")
            ),
        )
    )

    # WHEN the continuation runs
    result = aws.run({"action": "reconcile", "continuation": dict(token)})

    # THEN only the groups after the last one done are subscribed
    assert result["outcomes"] == {"created": 5}
    assert FILTER in aws.filters("/aws/lambda/fn-55")
    assert aws.filters("/aws/lambda/fn-54") == {}


def test_a_run_that_makes_no_progress_does_not_invoke_itself(aws: Aws) -> None:
    # GIVEN a context that is already inside the margin (timeout shorter than the margin)
    aws.group("/aws/lambda/fn-0")
    emitted: list[str] = []

    # WHEN the subscriber runs
    result = aws.run(RECONCILE, context=_budget(0), emitted=emitted)

    # THEN it stops, hands back the token, but does not start a chain that cannot advance
    assert result["stopReason"] == "time_budget"
    assert result["continuation"] is not None
    assert result["selfInvoked"] is False
    assert aws.invocations == []
    errors = [json.loads(line) for line in emitted if '"ERROR"' in line]
    assert "without any progress" in errors[0]["message"]
