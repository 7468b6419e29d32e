"""Can this account reserve the subscriber's concurrency? Checked while the program runs, before
`pulumi up` creates anything, so a new account gets a sentence instead of a failed update.

AWS, PutFunctionConcurrency (Lambda API reference, as shipped in botocore's model): "You can
reserve concurrency for as many functions as you like, as long as you leave at least 100
simultaneous executions unreserved for functions that aren't configured with a per-function
limit." GetAccountSettings' AccountLimit: "ConcurrentExecutions: The maximum number of
simultaneous function executions." and "UnreservedConcurrentExecutions: The maximum number of
simultaneous function executions, minus the capacity that's reserved for individual functions
with PutFunctionConcurrency." New accounts may start with ConcurrentExecutions = 10
(/work/shared/AWS-FACTS.md, "Quotas that bind at scale"): then no function can reserve anything.

`reservation_error` is pure; `read_account_concurrency` is the one boto3 call (and the function's
current reservation, which an update gives back before it takes the new one).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final

from infra.aws_context import deployer_client
from infra.deployer import Deployer

MIN_UNRESERVED: Final = 100
"""Lambda keeps at least this many concurrent executions unreserved (PutFunctionConcurrency)."""
CONCURRENCY_QUOTA_CODE: Final = "L-B99A9384"
"""Service Quotas: AWS Lambda, "Concurrent executions"."""
CONFIG_KEY: Final = "subscriberReservedConcurrency"


@dataclass(frozen=True)
class AccountConcurrency:
    """What GetAccountSettings says, plus what the subscriber holds already (0 if it does not
    exist yet or has no reservation)."""

    concurrent_executions: int
    unreserved_concurrent_executions: int
    current_reservation: int = 0


def reservation_error(
    figures: AccountConcurrency, wanted: int, function_name: str, region: str
) -> str | None:
    """None when Lambda will accept a reservation of `wanted` for `function_name`; otherwise what
    went wrong and what to do. `wanted` 0 means no reservation (always possible)."""
    if wanted <= 0:
        return None
    # The function's current reservation is released by the update that sets the new one.
    available = figures.unreserved_concurrent_executions + figures.current_reservation
    if available - wanted >= MIN_UNRESERVED:
        return None
    return (
        f"{CONFIG_KEY} = {wanted} cannot be reserved for {function_name} in {region}: Lambda "
        f"must keep at least {MIN_UNRESERVED} concurrent executions unreserved, and this "
        f"account has {figures.concurrent_executions} in total, "
        f"{figures.unreserved_concurrent_executions} of them unreserved (new accounts start "
        f"with 10, so no reservation fits). Either run `pulumi config set {CONFIG_KEY} 0` "
        "(no reservation: runs may then overlap, which is safe but can send a newly subscribed "
        "group's backfill twice, see docs/subscriptions.md), or ask for a higher 'Concurrent "
        f"executions' quota ({CONCURRENCY_QUOTA_CODE}) in Service Quotas for {region}, at "
        f"least {wanted + MIN_UNRESERVED + _reserved(figures)}, "
        "and run `pulumi up` again."
    )


def _reserved(figures: AccountConcurrency) -> int:
    """What other functions hold already."""
    held = figures.concurrent_executions - figures.unreserved_concurrent_executions
    return max(0, held - figures.current_reservation)


def read_account_concurrency(
    function_name: str, region: str, deployer: Deployer | None = None, client: Any = None
) -> AccountConcurrency:
    """GetAccountSettings and GetFunctionConcurrency with the deployer's credentials (`client`
    for tests). A function that does not exist yet holds nothing."""
    if client is None:
        client = deployer_client("lambda", region, deployer, reuse=True)
    limits = client.get_account_settings()["AccountLimit"]
    try:
        current = client.get_function_concurrency(FunctionName=function_name)
    except client.exceptions.ResourceNotFoundException:
        current = {}
    return AccountConcurrency(
        concurrent_executions=int(limits["ConcurrentExecutions"]),
        unreserved_concurrent_executions=int(limits["UnreservedConcurrentExecutions"]),
        current_reservation=int(current.get("ReservedConcurrentExecutions", 0)),
    )


def check_reservation(
    wanted: int,
    function_name: str,
    region: str,
    deployer: Deployer | None = None,
    client: Any = None,
) -> str | None:
    """The check the program runs: no AWS call at all when nothing is reserved."""
    if wanted <= 0:
        return None
    figures = read_account_concurrency(function_name, region, deployer, client)
    return reservation_error(figures, wanted, function_name, region)
