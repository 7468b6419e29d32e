"""The account checks (infra/account_checks.py) for every account and region a hub rolls out
into (`spokeDeployAccountIds`), made before anything is registered, as the hub's own are: each
member as the rolled-out provider will act there (the stack's chain, then the account's deploy
role), against the spoke's configuration. A new member account is the likely one to fail: AWS
gives new accounts a low Lambda concurrency quota, and the subscriber's reservation must leave
100 unreserved; another tool's account-level subscription policy blocks account-policy mode.

First the deployer's own credentials and chain (`own_credentials_problem`: if they fail, that
is the one problem, every member would fail the same way), then each account's deploy role, in
each spoke region (STS answers per region): an account whose role cannot be assumed (its trust
does not admit the hub's deployer, or a region is not enabled) is one problem naming the role
and the fix, and is not checked further: every one of its resources would fail otherwise, one
by one, in the middle of `pulumi up`. The members are checked a few at a time (CHECK_THREADS);
their problems are listed in the order of the configuration."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Final

from infra.account_checks import AccountReaders, account_problems
from infra.aws_context import AwsContext
from infra.deployer import Deployer
from infra.spoke_rollout import ROLLOUT_SESSION_NAME, deploy_role_arn, spoke_config
from infra.stack_config import StackConfig
from infra.stack_provider import StackProvider

CHECK_THREADS: Final = 8


def _member(
    config: StackConfig, ctx: AwsContext, deployer: Deployer, account: str
) -> tuple[str, Deployer]:
    """The account's deploy role, and the deployer acting through it (as its provider will)."""
    role = deploy_role_arn(ctx, account, config.deployment.spoke_deploy_role_name)
    return role, deployer.then(role, ROLLOUT_SESSION_NAME)


def _refused_role(
    config: StackConfig, ctx: AwsContext, deployer: Deployer, account: str, readers: AccountReaders
) -> str | None:
    """The problem of an account whose deploy role cannot be assumed, in any of the spoke
    regions (STS answers per region: an opt-in region not enabled refuses there only), or
    None. Refused alike everywhere, it is said once; else the regions are named."""
    role, member = _member(config, ctx, deployer, account)
    regions = config.deployment.spoke_regions
    refused = {r: why for r in regions if (why := readers.assumable(member, r)) is not None}
    if not refused:
        return None
    reasons = set(refused.values())
    if len(reasons) == 1 and len(refused) == len(regions):
        why = reasons.pop()
    else:
        why = "; ".join(f"in {region}: {reason}" for region, reason in refused.items())
    return (
        f"account {account}: cannot assume {role} ({why}); its trust policy must admit the "
        "hub's deployer, the deployer may call sts:AssumeRole on it, and the account must have "
        "each spoke region enabled (spokeDeployRoleName, spokeRegions, docs/organisation.md)"
    )


def _member_problems(
    config: StackConfig,
    ctx: AwsContext,
    deployer: Deployer,
    member: tuple[str, str],
    readers: AccountReaders,
    warned: list[str],
) -> list[str]:
    """The problems of the member (account, region); what could not be read there goes to
    `warned` (as it is found: kept even when a later check of the member fails)."""
    account, region = member
    _, acting = _member(config, ctx, deployer, account)
    where = f"account {account}, {region}"
    spoke = spoke_config(config, ctx, region)
    return [f"{where}: {p}" for p in account_problems(spoke, acting, readers, where, warned)]


def own_credentials_problem(
    stack: StackProvider, region: str, readers: AccountReaders
) -> str | None:
    """The problem of a deployer whose own credentials or chain fail (every member would fail
    the same way: checked first, once), or None."""
    own = readers.assumable(stack.deployer, region)
    if own is None:
        return None
    return (
        f"the deployer's own credentials fail ({own}): aws:profile or the default credential "
        "chain, then the roles of aws:assumeRoles; no account was checked"
    )


def rollout_problems(
    config: StackConfig,
    ctx: AwsContext,
    stack: StackProvider,
    readers: AccountReaders,
    warned: list[str],
) -> list[str]:
    """Every problem of every rolled-out account and region (empty: go ahead), in the order of
    the configuration: each account's deploy role (in every spoke region), then the spoke's
    checks in each region of an account whose role works (the deployer's own credentials are
    checked before: `own_credentials_problem`). What could not be read is appended to
    `warned`, in the same order."""
    deployment = config.deployment
    accounts, regions = deployment.spoke_deploy_account_ids, deployment.spoke_regions
    unread: dict[tuple[str, str], list[str]] = {}
    try:
        with ThreadPoolExecutor(max_workers=CHECK_THREADS) as pool:
            refused = list(
                pool.map(lambda a: _refused_role(config, ctx, stack.deployer, a, readers), accounts)
            )
            members = [
                (a, r) for a, why in zip(accounts, refused, strict=True) if not why for r in regions
            ]
            unread.update((member, []) for member in members)

            def problems_of(member: tuple[str, str]) -> list[str]:
                return _member_problems(
                    config, ctx, stack.deployer, member, readers, unread[member]
                )

            found = dict(zip(members, pool.map(problems_of, members), strict=True))
    finally:  # every member's, in the configuration's order, even when a check raised
        for member_unread in unread.values():
            warned += member_unread
    ordered: list[str] = []
    for account, why in zip(accounts, refused, strict=True):
        ordered += [why] if why is not None else [p for r in regions for p in found[(account, r)]]
    return ordered
