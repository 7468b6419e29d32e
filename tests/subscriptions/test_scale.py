"""The subscriber at scale, against the call-counting fake account: a steady-state run reads
only new or changed groups, a sweep and every run stay inside their share of the fixed 5
calls/s, a lost state falls back to a sweep, `remove` of 12,000 groups completes across
continuations."""

from __future__ import annotations

import gzip
import json
from collections import defaultdict
from typing import Any

import pytest
from botocore.exceptions import ClientError

from subscriptions.group_state import KEY_PREFIX
from subscriptions.pacing import PACED_APIS
from tests.subscriptions.fake_account import ENV, Account

STATE_KEY = f"{KEY_PREFIX}{ENV['FILTER_NAME']}.json.gz"
DAY_S = 24 * 3600


def test_steady_state_reads_only_the_new_groups() -> None:
    # GIVEN 2,000 groups, reconciled once
    account = Account(2_000)
    account.run({"action": "reconcile"})
    assert account.ours() == 2_000

    # WHEN 1 % new groups appear and the next scheduled run reconciles
    account.add_groups(20)
    account.calls.clear()
    result = account.run({"action": "reconcile"})

    # THEN only the 20 new groups are read (and read back for the backfill boundary) and put
    assert result["sweep"] is False
    assert result["outcomes"] == {"created": 20, "unchanged": 2_000}
    assert account.calls.counts["DescribeSubscriptionFilters"] == 2 * 20
    assert account.calls.counts["PutSubscriptionFilter"] == 20
    assert account.ours() == 2_020


def test_a_changed_pattern_is_a_change_of_every_group() -> None:
    # GIVEN a reconciled account
    account = Account(300)
    account.run({"action": "reconcile"})

    # WHEN the filter pattern changes
    account.env["FILTER_PATTERN"] = "ERROR"
    account.calls.clear()
    result = account.run({"action": "reconcile"})

    # THEN this steady-state run (no sweep due) reads and updates every group all the same
    assert result["sweep"] is False
    assert result["outcomes"] == {"updated": 300}
    assert account.calls.counts["DescribeSubscriptionFilters"] == 300
    patterns = {f["filterPattern"] for fs in account.logs.filters.values() for f in fs.values()}
    assert patterns == {"ERROR"}


def test_a_group_recreated_under_its_name_is_read_again() -> None:
    account = Account(50)
    account.run({"action": "reconcile"})
    name = "/aws/lambda/fn-00007"
    account.logs.add(name, created_ms=1_750_000_000_000)  # deleted and created again

    account.calls.clear()
    result = account.run({"action": "reconcile"})

    assert result["outcomes"] == {"created": 1, "unchanged": 49}
    assert ENV["FILTER_NAME"] in account.logs.filters[name]
    # only that group was read (and read back for its backfill boundary)
    assert account.calls.counts["DescribeSubscriptionFilters"] == 2


@pytest.mark.parametrize(
    "body",
    [None, b"not gzip", gzip.compress(b'{"version": 99}', mtime=0)],
    ids=["missing", "not-gzip", "other-version"],
)
def test_a_lost_or_corrupt_state_falls_back_to_a_sweep(body: bytes | None) -> None:
    # GIVEN a reconciled account whose filter someone deleted on one group, and whose state
    # object is then lost or damaged
    account = Account(200)
    account.run({"action": "reconcile"})
    del account.logs.filters["/aws/lambda/fn-00042"][ENV["FILTER_NAME"]]
    if body is None:
        del account.s3.objects[STATE_KEY]
    else:
        account.s3.objects[STATE_KEY] = body

    # WHEN the next run reconciles
    account.calls.clear()
    result = account.run({"action": "reconcile"})

    # THEN it reads every group (a sweep), restores the filter and writes a readable state
    assert result["sweep"] is True
    assert account.calls.counts["DescribeSubscriptionFilters"] >= 200
    assert result["outcomes"]["created"] == 1
    assert account.ours() == 200
    assert json.loads(gzip.decompress(account.s3.objects[STATE_KEY]))["version"] == 2


def test_the_full_sweep_runs_once_its_interval_has_passed() -> None:
    # GIVEN a reconciled account where a filter vanished behind the subscriber's back
    account = Account(100, SWEEP_INTERVAL_HOURS="24")
    account.run({"action": "reconcile"})
    del account.logs.filters["/aws/lambda/fn-00003"][ENV["FILTER_NAME"]]

    # WHEN runs come before the interval has passed, THEN they do not see it
    account.clock.elapsed += DAY_S - 3600
    early = account.run({"action": "reconcile"})
    assert early["sweep"] is False and account.ours() == 99

    # WHEN the interval has passed, THEN the run is a sweep and puts the filter back
    account.clock.elapsed += 3600
    due = account.run({"action": "reconcile"})
    assert due["sweep"] is True
    assert due["outcomes"] == {"created": 1, "unchanged": 99}
    assert account.ours() == 100


@pytest.mark.parametrize("percent", [40, 100, 10])
def test_a_sweep_never_exceeds_its_share_of_the_quota(percent: int) -> None:
    # GIVEN 600 groups, half of them already subscribed by a previous deployment
    account = Account(600, FILTER_API_QUOTA_PERCENT=str(percent))
    account.run({"action": "reconcile", "sweep": True})
    for name in list(account.logs.filters)[::2]:
        account.logs.filters[name].clear()

    # WHEN a sweep runs
    account.calls.clear()
    account.run({"action": "reconcile", "sweep": True})

    # THEN each paced API's calls are at least 1/rate apart: never above the share
    rate = 5 * percent / 100
    times: dict[str, list[float]] = defaultdict(list)
    for api, at in account.calls.log:
        times[api].append(at)
    assert set(times) >= {"DescribeSubscriptionFilters", "PutSubscriptionFilter"}
    for api in PACED_APIS & set(times):
        gaps = [b - a for a, b in zip(times[api], times[api][1:], strict=False)]
        assert min(gaps) >= 1 / rate - 1e-9, api
    describes = account.calls.counts["DescribeSubscriptionFilters"]
    assert account.clock.elapsed >= (describes - 1) / rate


def test_remove_of_12000_groups_completes_across_continuations() -> None:
    # GIVEN 12,000 subscribed groups and a 900 s Lambda timeout (~1,700 calls of 2/s each)
    account = Account(12_000, timeout_s=900)
    account.run_chain({"action": "reconcile"})
    assert account.ours() == 12_000
    assert STATE_KEY in account.s3.objects

    # WHEN the subscriber removes its filters, continuing itself
    account.calls.clear()
    results = account.run_chain({"action": "remove"})

    # THEN it took several invocations, deleted every filter and the state
    assert len(results) >= 7
    assert [r["complete"] for r in results] == [False] * (len(results) - 1) + [True]
    assert sum(r["outcomes"].get("deleted", 0) for r in results) == 12_000
    assert account.ours() == 0
    assert STATE_KEY not in account.s3.objects
    assert account.calls.counts["DeleteSubscriptionFilter"] == 12_000


def test_a_refused_state_object_means_a_sweep_not_a_failed_run() -> None:
    # GIVEN a reconciled account whose role may no longer read or write the state object
    account = Account(120)
    account.run({"action": "reconcile"})
    del account.logs.filters["/aws/lambda/fn-00011"][ENV["FILTER_NAME"]]

    get, put = account.s3.get_object, account.s3.put_object

    def refused(key: str) -> None:
        if key == STATE_KEY:
            raise ClientError({"Error": {"Code": "AccessDenied", "Message": "no"}}, "GetObject")

    def get_object(Bucket: str, Key: str) -> dict[str, Any]:
        refused(Key)
        return get(Bucket, Key)

    def put_object(Bucket: str, Key: str, Body: bytes, **params: Any) -> dict[str, Any]:
        refused(Key)
        return put(Bucket, Key, Body, **params)

    account.s3.get_object = get_object  # type: ignore[method-assign]
    account.s3.put_object = put_object  # type: ignore[method-assign]

    # WHEN the next run reconciles
    result = account.run({"action": "reconcile"})

    # THEN it sweeps, restores the filter and completes
    assert result["complete"] is True and result["sweep"] is True
    assert result["outcomes"] == {"created": 1, "unchanged": 119}
    assert account.ours() == 120


def test_a_sweep_too_long_for_one_invocation_continues_as_a_sweep() -> None:
    # GIVEN 3,000 subscribed groups (1,500 s of reads at 2/s) and a 900 s Lambda timeout
    account = Account(3_000, timeout_s=900)
    account.run_chain({"action": "reconcile"})
    missing = "/aws/lambda/fn-02999"  # the last group: only the continuation reaches it
    del account.logs.filters[missing][ENV["FILTER_NAME"]]

    # WHEN a sweep is asked for
    account.calls.clear()
    results = account.run_chain({"action": "reconcile", "sweep": True})

    # THEN every invocation of the chain read every group it walked, and the last one repaired it
    assert len(results) >= 2 and all(r["sweep"] for r in results)
    assert account.calls.counts["DescribeSubscriptionFilters"] >= 3_000
    assert results[-1]["complete"] is True
    assert ENV["FILTER_NAME"] in account.logs.filters[missing]
