"""The architecture lookup (GetFunctionConfiguration) under throttling: retried within a small
budget, a fallback never kept, a cool-down before the next try, and no burst from a cold
container (one lookup per function in flight, a token bucket for the container)."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field

from botocore.exceptions import ClientError

from lambda_shared.backoff import RetryPolicy
from transformer.cost import (
    LOOKUP_BUDGET_SECONDS,
    LOOKUP_BURST,
    LOOKUP_COOL_DOWN_SECONDS,
    LOOKUPS_PER_SECOND,
    LambdaArchitectures,
)


def throttled() -> ClientError:
    return ClientError(
        {
            "Error": {"Code": "TooManyRequestsException", "Message": "Rate exceeded"},
            "ResponseMetadata": {"HTTPStatusCode": 429},
        },
        "GetFunctionConfiguration",
    )


@dataclass
class Clock:
    now: float = 1000.0
    slept: list[float] = field(default_factory=list)

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


@dataclass
class ThrottlingLambda:
    """Answers arm64 for every function, but throttles the first `throttle` calls."""

    throttle: int = 0
    calls: list[str] = field(default_factory=list)
    pause: float = 0.0

    def get_function_configuration(self, FunctionName: str) -> dict[str, list[str]]:
        self.calls.append(FunctionName)
        if self.pause:
            time.sleep(self.pause)
        if len(self.calls) <= self.throttle:
            raise throttled()
        return {"Architectures": ["arm64"]}


def lookup(client: ThrottlingLambda, clock: Clock) -> LambdaArchitectures:
    policy = RetryPolicy(
        max_attempts=3, base_seconds=0.1, cap_seconds=0.5, sleep=clock.sleep, jitter=lambda: 1.0
    )
    return LambdaArchitectures(lambda: client, "eu-west-1", "x86_64", policy=policy, clock=clock)


def test_one_throttled_call_is_retried_and_the_real_answer_kept() -> None:
    clock, client = Clock(), ThrottlingLambda(throttle=1)
    architectures = lookup(client, clock)
    assert architectures.architecture("fn", "1") == "arm64"
    assert architectures.architecture("fn", "1") == "arm64"
    assert len(client.calls) == 2 and sum(clock.slept) <= LOOKUP_BUDGET_SECONDS


def test_a_fallback_is_never_kept_and_the_next_try_waits_for_the_cool_down() -> None:
    # GIVEN an API that throttles every call of the first batch
    clock, client = Clock(), ThrottlingLambda(throttle=3)
    architectures = lookup(client, clock)
    # WHEN the first batch asks: the default, after the retries its budget allows
    assert architectures.architecture("fn", "1") == "x86_64"
    first = len(client.calls)
    assert 1 < first <= 3 and sum(clock.slept) <= LOOKUP_BUDGET_SECONDS
    # THEN a batch within the cool-down does not call again (a throttled API is not hammered)
    clock.now += LOOKUP_COOL_DOWN_SECONDS / 2
    assert architectures.architecture("fn", "1") == "x86_64"
    assert len(client.calls) == first
    # AND a batch after it asks again and gets, and keeps, the real answer
    clock.now += LOOKUP_COOL_DOWN_SECONDS
    assert architectures.architecture("fn", "1") == "arm64"
    assert architectures.architecture("fn", "1") == "arm64"
    assert len(client.calls) == first + 1


def test_a_cold_container_does_not_burst_the_control_plane() -> None:
    # GIVEN a cold container and a batch naming 50 functions
    clock, client = Clock(), ThrottlingLambda()
    architectures = lookup(client, clock)
    names = [f"fn-{n}" for n in range(50)]
    # WHEN they are all looked up at once: the bucket's burst, the others priced at the default
    answers = [architectures.architecture(name, "1") for name in names]
    assert len(client.calls) == LOOKUP_BURST
    assert answers.count("arm64") == LOOKUP_BURST
    # THEN one second later at most LOOKUPS_PER_SECOND more calls, and the cool-down keeps the
    # unanswered ones from calling before it is over
    clock.now += 1.0
    for name in names:
        architectures.architecture(name, "1")
    assert len(client.calls) <= LOOKUP_BURST + LOOKUPS_PER_SECOND
    # AND over time every function gets its real answer
    for _ in range(60):
        clock.now += LOOKUP_COOL_DOWN_SECONDS
        for name in names:
            architectures.architecture(name, "1")
    assert {architectures.architecture(name, "1") for name in names} == {"arm64"}
    assert len(client.calls) == len(names)


def test_one_lookup_per_function_is_in_flight() -> None:
    client = ThrottlingLambda(pause=0.05)
    architectures = LambdaArchitectures(lambda: client, "eu-west-1")
    answers: list[str] = []
    threads = [
        threading.Thread(target=lambda: answers.append(architectures.architecture("fn", "1")))
        for _ in range(8)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert answers == ["arm64"] * 8
    assert len(client.calls) == 1


def test_after_a_throttled_lookup_no_function_is_looked_up_before_the_cool_down() -> None:
    # GIVEN an API that throttles the first lookup through all its retries
    clock, client = Clock(), ThrottlingLambda(throttle=3)
    architectures = lookup(client, clock)
    assert architectures.architecture("fn-a", "1") == "x86_64"
    calls = len(client.calls)
    # WHEN other functions come within the cool-down: priced at the default, no call
    assert architectures.architecture("fn-b", "1") == "x86_64"
    assert len(client.calls) == calls
    # THEN after it, they are asked and their answers kept
    clock.now += LOOKUP_COOL_DOWN_SECONDS + 1
    assert architectures.architecture("fn-b", "1") == "arm64"
    assert architectures.architecture("fn-a", "1") == "arm64"
    assert len(client.calls) == calls + 2
