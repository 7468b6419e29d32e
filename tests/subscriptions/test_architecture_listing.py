"""The architecture map comes from the reconcile's own ListFunctions walk (one walk per completed
run, counted on the call-counting fake account), and from a walk of the publisher's own only when
the reconcile's listing spanned several invocations, at most every OWN_WALK_MS."""

from __future__ import annotations

from typing import Any

from lambda_shared.backoff import RetryPolicy
from lambda_shared.environment import architecture_map_key
from subscriptions.architectures import OWN_WALK_MS
from subscriptions.continuation import Cursor
from subscriptions.functions_api import FunctionsApi
from subscriptions.retry import RetryStats
from tests.subscriptions.fake_account import ACCOUNT_ID, BUCKET, REGION, Account
from transformer.architecture_map import parse_map

FUNCTIONS = 2_000  # 40 ListFunctions pages
PAGES = FUNCTIONS // 50
KEY = architecture_map_key(ACCOUNT_ID, REGION)


def account() -> Account:
    found = Account(FUNCTIONS, state=False, ARCHITECTURE_BUCKET=BUCKET)
    found.lambda_.functions.append("graviton")  # one more function, on the 41st page
    found.logs.add("/aws/lambda/graviton")
    return found


def with_architectures(account: Account) -> None:
    """ListFunctions answers `Architectures` as Lambda does: graviton on arm64."""
    listed = account.lambda_.list_functions

    def list_functions(MaxItems: int, Marker: str = "0") -> dict[str, Any]:
        response = listed(MaxItems, Marker)
        for function in response["Functions"]:
            arm = function["FunctionName"] == "graviton"
            function["Architectures"] = ["arm64" if arm else "x86_64"]
        return response

    account.lambda_.list_functions = list_functions  # type: ignore[method-assign]


def stored(account: Account) -> dict[str, str]:
    return parse_map(account.s3.objects[KEY])


def test_a_completed_run_lists_the_functions_once_and_publishes_from_that_walk() -> None:
    # GIVEN 2,001 functions (41 pages), one of them arm64, and a bucket for the map
    acct = account()
    with_architectures(acct)
    # WHEN a reconcile runs to completion in one invocation
    result = acct.run({"action": "reconcile"})
    # THEN ListFunctions was walked once (41 pages), not twice, and the map names every function
    assert result["complete"] is True
    assert acct.calls.counts["ListFunctions"] == PAGES + 1
    assert len(stored(acct)) == FUNCTIONS + 1
    assert stored(acct)["graviton"] == "arm64" and stored(acct)["fn-00000"] == "x86_64"
    assert acct.calls.counts["PutObject"] == 1
    # WHEN the next run finds nothing changed
    acct.calls.clear()
    acct.run({"action": "reconcile"})
    # THEN again one walk, and the map is not rewritten
    assert acct.calls.counts["ListFunctions"] == PAGES + 1
    assert acct.calls.counts["GetObject"] == 1 and acct.calls.counts["PutObject"] == 0


def resumed_in_the_functions_phase(acct: Account) -> dict[str, object]:
    """A continuation whose listing began in an earlier invocation (marker 1000: page 21)."""
    cursor = Cursor(action="reconcile", phase="functions", functions_marker="1000")
    return {"action": "reconcile", "continuation": cursor.to_token()}


def test_a_listing_spanning_invocations_publishes_with_its_own_walk_at_most_every_3_hours() -> None:
    acct = account()
    # WHEN a run completes a listing an earlier invocation began, with no map stored yet
    result = acct.run(resumed_in_the_functions_phase(acct))
    # THEN it walks ListFunctions itself once (21 pages resumed + 41 its own) and publishes
    assert result["complete"] is True
    assert acct.calls.counts["ListFunctions"] == 21 + PAGES + 1
    assert len(stored(acct)) == FUNCTIONS + 1
    # WHEN the same happens again within 3 hours
    acct.calls.clear()
    acct.run(resumed_in_the_functions_phase(acct))
    # THEN no walk of its own: the stored map is recent enough
    assert acct.calls.counts["ListFunctions"] == 21
    assert acct.calls.counts["PutObject"] == 0
    # WHEN it happens again 3 hours later
    acct.clock.sleep(OWN_WALK_MS / 1000 + 1)
    acct.calls.clear()
    acct.run(resumed_in_the_functions_phase(acct))
    # THEN it walks again, and rewrites the unchanged map so its age says when it was walked
    assert acct.calls.counts["ListFunctions"] == 21 + PAGES + 1
    assert acct.calls.counts["PutObject"] == 1


class Pages:
    def __init__(self, count: int) -> None:
        self.count = count

    def list_functions(self, MaxItems: int, Marker: str = "0") -> dict[str, Any]:
        start = int(Marker)
        names = [f"fn-{i}" for i in range(start, min(start + MaxItems, self.count))]
        more = start + MaxItems < self.count
        return {
            "Functions": [{"FunctionName": n, "Architectures": ["arm64"]} for n in names],
            **({"NextMarker": str(start + MaxItems)} if more else {}),
        }


def api(count: int) -> FunctionsApi:
    return FunctionsApi(Pages(count), RetryPolicy(sleep=lambda _: None), RetryStats())


def listing(functions: FunctionsApi) -> dict[str, str] | None:
    return functions.complete_listing


def test_only_a_listing_read_from_its_first_page_on_in_order_is_complete() -> None:
    functions = api(120)  # 3 pages
    assert functions.log_groups_page(None).next_marker == "50"
    assert functions.log_groups_page("50").next_marker == "100"
    assert listing(functions) is None  # not at the end yet
    assert functions.log_groups_page("100").next_marker is None
    assert listing(functions) == {f"fn-{i}": "arm64" for i in range(120)}
    # A listing begun elsewhere (a continuation's marker) is never complete here
    resumed = api(120)
    resumed.log_groups_page("50")
    resumed.log_groups_page("100")
    assert listing(resumed) is None
    # Nor one whose pages do not follow each other
    skipping = api(120)
    skipping.log_groups_page(None)
    skipping.log_groups_page("100")
    assert listing(skipping) is None
