"""GIVEN the subscriber's deploy-time invocation WHEN an update removes destinations from its
DESTINATION_ARN (a lower `deliveryStreams`) THEN it loops synchronously until the reconcile is
complete, so that Pulumi deletes the removed streams (last, after every update) only once every
filter moved; any other update keeps its single asynchronous invocation (review of issue #12)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import pytest

from infra.lambda_invocation import (
    STALLED_ROUNDS,
    InvocationError,
    LambdaInvocationProvider,
    removed_destinations,
)
from lambda_shared.routing import route
from tests.infra.harness import ProgramRun, base_config, offline_packages, run_program
from tests.infra.test_lambda_invocation import PROPS
from tests.infra.test_lambda_invocation import Chain as _Chain
from tests.subscriptions.fake_account import STREAM_ARN, Account

ARNS = (STREAM_ARN, f"{STREAM_ARN}-2", f"{STREAM_ARN}-3")
THREE = {**PROPS, "destination_arns": ",".join(ARNS)}
TWO = {**PROPS, "destination_arns": ",".join(ARNS[:2]), "triggers": "v2"}
INVOCATION = "pulumi-python:dynamic/lambdalogs:LambdaInvocation"


def _token(done: int) -> dict[str, Any]:
    return {"version": 1, "action": "reconcile", "after": f"/aws/lambda/fn-{done:05d}"}


def Chain(rounds: int, *, stuck: bool = False) -> _Chain:
    """A reconcile that needs `rounds` invocations (tests/infra/test_lambda_invocation.py)."""
    return _Chain(rounds, stuck=stuck, outcome="updated", token=_token)


def test_an_update_that_removes_a_stream_loops_until_the_reconcile_is_complete() -> None:
    # GIVEN a reconcile that needs three invocations
    chain = Chain(3)
    provider = LambdaInvocationProvider(chain, clock=lambda: 0.0, sleep=lambda _s: None)

    # WHEN an update goes from three streams to two
    outs = provider.update("id", dict(THREE), dict(TWO)).outs

    # THEN it invoked synchronously, passing each continuation back, until complete
    first = {"action": "reconcile", "selfInvoke": False}
    assert chain.payloads == [
        first,
        {**first, "continuation": {**_token(1), "generation": 1}},
        {**first, "continuation": {**_token(2), "generation": 2}},
    ]
    assert outs is not None and json.loads(outs["result"])["complete"] is True


@pytest.mark.parametrize(
    "news",
    [
        pytest.param({**THREE, "triggers": "v2"}, id="same-streams"),
        pytest.param({**THREE, "destination_arns": ",".join((*ARNS, f"{STREAM_ARN}-4"))}, id="up"),
        pytest.param({**TWO, "destination_arns": ",".join(ARNS[::-1])}, id="reordered"),
    ],
)
def test_any_other_update_invokes_once_and_lets_the_function_continue_itself(
    news: dict[str, Any],
) -> None:
    chain = Chain(3)
    LambdaInvocationProvider(chain).update("id", dict(THREE), news)
    assert chain.payloads == [{"action": "reconcile"}]


def test_a_state_from_before_the_property_is_read_from_the_triggers() -> None:
    # GIVEN an invocation recorded by an older version: no destination_arns, the subscriber's
    # environment in its triggers
    olds = {
        **PROPS,
        "triggers": json.dumps({"code": "x", "env": {"DESTINATION_ARN": ",".join(ARNS)}}),
    }
    assert removed_destinations(olds, TWO) == (ARNS[2],)
    assert removed_destinations({**PROPS, "triggers": "[1]"}, TWO) == ()
    assert removed_destinations(TWO, THREE) == ()

    # WHEN the first update of the new version also lowers the count, THEN it loops too
    chain = Chain(2)
    LambdaInvocationProvider(chain, clock=lambda: 0.0, sleep=lambda _s: None).update(
        "id", olds, dict(TWO)
    )
    assert [p.get("selfInvoke") for p in chain.payloads] == [False, False]


def test_a_re_point_past_its_time_limit_fails_the_update_with_what_to_do() -> None:
    # GIVEN a reconcile of 10 invocations of an hour each, and a 2-hour limit
    chain = Chain(10)
    now = {"t": 0.0}

    def clock() -> float:
        now["t"] += 3600.0
        return now["t"]

    provider = LambdaInvocationProvider(chain, clock=clock, sleep=lambda _s: None)

    # WHEN / THEN the update fails before Pulumi deletes the stream, with the command to resume
    with pytest.raises(InvocationError) as raised:
        provider.update("id", dict(THREE), {**TWO, "delete_time_limit_seconds": 7200})
    message = str(raised.value)
    assert "did not finish re-pointing" in message and "the 2 h limit was reached" in message
    assert "before Pulumi deletes the removed delivery streams" in message
    resume = json.loads(message.split("--payload '")[1].split("'")[0])
    assert resume == {
        "action": "reconcile",
        "selfInvoke": False,
        "continuation": {**_token(2), "generation": 2},
    }
    assert "run `pulumi up` again" in message and "pulumi destroy" not in message


def test_a_re_point_that_stops_advancing_fails_loudly() -> None:
    chain = Chain(1_000, stuck=True)
    provider = LambdaInvocationProvider(chain, clock=lambda: 0.0, sleep=lambda _s: None)
    with pytest.raises(InvocationError, match=r"re-pointing .*no progress"):
        provider.update("id", dict(THREE), dict(TWO))
    assert len(chain.payloads) == STALLED_ROUNDS + 1


def test_the_real_subscriber_moves_every_filter_off_the_removed_stream_before_it_returns() -> None:
    # GIVEN 3,000 groups reconciled on three streams, a subscriber with a 120 s timeout
    account = Account(3_000, timeout_s=120, DESTINATION_ARN=",".join(ARNS))
    account.run_chain({"action": "reconcile"})
    moved = [g for g in account.logs.groups if route(g, ARNS) == ARNS[2]]
    invocations: list[Mapping[str, Any]] = []

    def invoke(_props: Mapping[str, Any], payload: Mapping[str, Any]) -> Mapping[str, Any]:
        invocations.append(payload)
        return dict(account.run(dict(payload)))

    # WHEN `pulumi up` lowers the count to two: the function's environment first, then the
    # invocation's update
    account.env["DESTINATION_ARN"] = ",".join(ARNS[:2])
    started = account.clock.elapsed
    provider = LambdaInvocationProvider(invoke, clock=lambda: account.clock.elapsed)
    provider.update("id", dict(THREE), dict(TWO))

    # THEN when the update returns no filter points at the third stream, it took several
    # invocations, none continued behind Pulumi's back, at ~2 moves/s (40 % of 5 calls/s)
    filters = account.logs.filters
    assert not [
        g for g in filters if filters[g]["lambda-logs-pipeline"]["destinationArn"] == ARNS[2]
    ]
    assert len(invocations) > 1 and account.lambda_.invoked == []
    elapsed = account.clock.elapsed - started
    assert len(moved) / 2.5 < elapsed < len(moved) / 1.5, (len(moved), elapsed)


def test_the_subscriber_gives_its_invocation_its_destinations(
    default_run: ProgramRun, spoke_run: ProgramRun
) -> None:
    for run, name in ((default_run, "lambda-logs-subscriber"), (spoke_run, "lambda-logs-spoke")):
        subscriber = name if name.endswith("subscriber") else f"{name}-subscriber"
        invocation = run.one(INVOCATION, f"{subscriber}-lifecycle").inputs
        function = run.one("aws:lambda/function:Function", subscriber).inputs
        variables = function["environment"]["variables"]
        assert invocation["destination_arns"] == variables["DESTINATION_ARN"]
        assert variables["DESTINATION_ARN"].count("arn:") >= 1


def _lifecycle(streams: str, tmp: pytest.TempPathFactory) -> dict[str, Any]:
    values = {**base_config(), "deliveryStreams": streams}
    run = run_program(values, offline_packages(tmp.mktemp(f"streams-{streams}")))
    inputs: dict[str, Any] = run.one(INVOCATION, "lambda-logs-subscriber-lifecycle").inputs
    return inputs


def test_the_programs_own_properties_make_a_scale_down_loop_and_a_scale_up_not(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    # GIVEN the invocation's properties as the program records them at 3 streams and at 2
    three, two = _lifecycle("3", tmp_path_factory), _lifecycle("2", tmp_path_factory)
    provider = LambdaInvocationProvider(Chain(3), clock=lambda: 0.0, sleep=lambda _s: None)
    assert provider.diff("id", three, two).changes

    # WHEN the update goes down THEN it loops; going up it invokes once
    down = Chain(3)
    LambdaInvocationProvider(down, clock=lambda: 0.0, sleep=lambda _s: None).update(
        "id", three, two
    )
    assert len(down.payloads) == 3 and all(p["selfInvoke"] is False for p in down.payloads)
    up = Chain(3)
    LambdaInvocationProvider(up).update("id", two, three)
    assert up.payloads == [{"action": "reconcile"}]
