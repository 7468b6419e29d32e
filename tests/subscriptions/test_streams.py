"""N delivery streams: each group's filter and backfill go to `route(group, arns)`; a filter on
another of the pipeline's streams is ours and is re-pointed when N changes; the backfill is
paced to its byte budget per stream."""

from __future__ import annotations

import gzip
import json

import pytest

from lambda_shared.backoff import RetryPolicy
from lambda_shared.routing import route
from subscriptions.errors import SettingsError
from subscriptions.firehose_api import FirehoseApi
from subscriptions.pacing import BytePacer, VirtualClock
from subscriptions.retry import RetryStats
from subscriptions.settings import Settings
from tests.subscriptions.fake_account import ENV, REGION, Account, Calls, FakeFirehose

ARN = f"arn:aws:firehose:{REGION}:123456789012:deliverystream/lambda-logs"
ARNS = tuple(f"{ARN}-{i}" for i in range(3))
FILTER = ENV["FILTER_NAME"]


def _destination(account: Account, group: str) -> str:
    return str(account.logs.filters[group][FILTER]["destinationArn"])


def test_each_group_points_at_its_routed_stream_and_is_backfilled_there() -> None:
    # GIVEN 300 groups holding events and three streams
    account = Account(300, events_per_group=2, DESTINATION_ARN=",".join(ARNS))

    # WHEN the subscriber reconciles
    account.run({"action": "reconcile"})

    # THEN every filter points at the group's routed stream, all three are used
    routed = {g: route(g, ARNS) for g in account.logs.groups}
    assert {g: _destination(account, g) for g in routed} == routed
    assert set(routed.values()) == set(ARNS)
    # AND each group's backfill records went into its own stream
    for name, records in account.firehose.records.items():
        for record in records:
            group = json.loads(gzip.decompress(record))["logGroup"]
            assert routed[group].endswith(f"/{name}")
    assert sum(len(r) for r in account.firehose.records.values()) == 300


def test_going_from_two_to_three_streams_re_points_only_the_moved_groups() -> None:
    # GIVEN 600 groups reconciled on two streams
    account = Account(600, DESTINATION_ARN=",".join(ARNS[:2]))
    account.run({"action": "reconcile"})

    # WHEN a third stream is added and the next (steady-state) run reconciles
    account.env["DESTINATION_ARN"] = ",".join(ARNS)
    account.calls.clear()
    result = account.run({"action": "reconcile"})

    # THEN exactly the groups the new stream wins are read and re-pointed; no backfill
    moved = [g for g in account.logs.groups if route(g, ARNS) != route(g, ARNS[:2])]
    assert 100 < len(moved) < 300  # ~1/3
    assert result["sweep"] is False
    assert result["outcomes"] == {"updated": len(moved), "unchanged": 600 - len(moved)}
    assert account.calls.counts["DescribeSubscriptionFilters"] == len(moved)
    assert account.calls.counts["PutSubscriptionFilter"] == len(moved)
    assert account.calls.counts["FilterLogEvents"] == 0
    assert all(_destination(account, g) == route(g, ARNS) for g in account.logs.groups)


def test_remove_deletes_filters_on_any_of_the_pipelines_streams() -> None:
    # GIVEN filters on three streams, and one foreign filter of our name elsewhere
    account = Account(90, DESTINATION_ARN=",".join(ARNS))
    account.run({"action": "reconcile"})
    foreign = "/aws/lambda/fn-00001"
    account.logs.filters[foreign][FILTER]["destinationArn"] = f"{ARN}-other-stack"

    # WHEN the subscriber removes its filters
    result = account.run({"action": "remove"})

    # THEN every filter of ours is gone, the foreign one stays
    assert result["outcomes"] == {"deleted": 89, "not_ours": 1}
    assert account.ours() == 1
    assert FILTER in account.logs.filters[foreign]


def test_the_backfill_stays_inside_its_byte_budget() -> None:
    # GIVEN 40 groups holding 400 events each (~2.6 KiB of records per group) and 2 KiB/s
    budget = 2 * 1024
    account = Account(40, events_per_group=400, BACKFILL_BYTES_PER_SECOND=str(budget))

    # WHEN the subscriber reconciles
    account.run({"action": "reconcile"})

    # THEN the records sent took at least their bytes / budget of (virtual) time
    sent = sum(len(r) for records in account.firehose.records.values() for r in records)
    assert sent > 10 * budget
    batches = [at for api, at in account.calls.log if api == "PutRecordBatch"]
    assert batches[-1] - batches[0] >= (sent - max(map(len, _records(account)))) / budget - 1


def _records(account: Account) -> list[bytes]:
    return [r for records in account.firehose.records.values() for r in records]


def test_records_go_out_in_slices_of_one_seconds_budget() -> None:
    # GIVEN a stream paced at 1,000 bytes/s
    clock = VirtualClock()
    fake = FakeFirehose(Calls(clock))
    api = FirehoseApi(
        fake, "s", RetryPolicy(sleep=lambda _: None), RetryStats(), BytePacer(1_000, clock)
    )

    # WHEN 10 records of 400 bytes are put
    api.put_records([bytes([i]) * 400 for i in range(10)])

    # THEN at most 1,000 bytes per batch, each batch after the previous one was paid for
    assert [len(r) for r in fake.records["s"]] == [400] * 10
    assert clock.elapsed == pytest.approx(8 * 400 / 1_000)  # the last slice is not yet paid


def test_every_streams_error_log_group_is_excluded() -> None:
    settings = Settings.from_env({**ENV, "DESTINATION_ARN": ",".join(ARNS)})
    assert [d.arn for d in settings.destinations] == list(ARNS)
    for i in range(3):
        assert f"/aws/kinesisfirehose/lambda-logs-{i}" in settings.pipeline_log_groups


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (f"{ARN}, arn:aws:firehose:us-east-1:123456789012:deliverystream/b", "mixes streams"),
        (f"{ARN}, arn:aws:firehose:{REGION}:210987654321:deliverystream/b", "mixes streams"),
        (f"{ARN}, not-an-arn", "holds 'not-an-arn'"),
        (f"{ARN},{ARN}", "twice"),
        (" , ", "is empty"),
    ],
)
def test_a_bad_stream_list_is_refused_with_the_reason(value: str, message: str) -> None:
    with pytest.raises(SettingsError, match=message) as raised:
        Settings.from_env({**ENV, "DESTINATION_ARN": value})
    assert str(raised.value).startswith("DESTINATION_ARN ")
