"""emitSystemFields against moto 5.2.5 as it is (it accepts them and never returns them): the
subscriber's comparison stays convergent, one put per run at most."""

from __future__ import annotations

from tests.subscriptions.conftest import Aws

RECONCILE = {"action": "reconcile"}


def test_moto_dropping_the_system_fields_costs_at_most_one_put_per_run(aws: Aws) -> None:
    # GIVEN moto without the shim that returns emitSystemFields, and 6 groups
    aws.shim = None
    for index in range(6):
        aws.group(f"/aws/lambda/fn-{index}")

    # WHEN three runs reconcile
    first = aws.run(RECONCILE)
    aws.calls.operations.clear()
    second = aws.run(RECONCILE)
    puts_second = aws.calls.count("PutSubscriptionFilter")
    aws.calls.operations.clear()
    third = aws.run(RECONCILE)

    # THEN the first creates them; each later run re-puts a single group and no more
    assert first["outcomes"] == {"created": 6}
    assert second["outcomes"] == {"updated": 1, "unchanged": 5}
    assert puts_second == 1
    assert third["outcomes"] == {"updated": 1, "unchanged": 5}
    assert aws.calls.count("PutSubscriptionFilter") == 1
