"""The account, region and partition the stack deploys into, and the ARNs derived from them."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from typing import Any, Final

from infra.deployer import Deployer


@dataclass(frozen=True)
class AwsContext:
    """Where the stack deploys. ARNs of named resources are known before they exist."""

    partition: str
    region: str
    account_id: str

    @classmethod
    def from_caller_arn(cls, caller_arn: str, account_id: str, region: str) -> AwsContext:
        """`caller_arn` is `arn:<partition>:…` of the deploying identity."""
        parts = caller_arn.split(":")
        partition = parts[1] if len(parts) > 1 and parts[1] else "aws"
        return cls(partition=partition, region=region, account_id=account_id)

    def arn(self, service: str, resource: str, *, regional: bool = True) -> str:
        region = self.region if regional else ""
        return f"arn:{self.partition}:{service}:{region}:{self.account_id}:{resource}"

    @property
    def account_root(self) -> str:
        return f"arn:{self.partition}:iam::{self.account_id}:root"

    def function_arn(self, name: str) -> str:
        return self.arn("lambda", f"function:{name}")

    def stream_arn(self, name: str) -> str:
        return self.arn("firehose", f"deliverystream/{name}")

    def domain_arn(self, name: str) -> str:
        return self.arn("es", f"domain/{name}")

    def log_group_arn(self, name: str) -> str:
        """The ARN IAM matches for a log group (ends with `:*`: streams included)."""
        return self.arn("logs", f"log-group:{name}:*")

    @property
    def all_log_groups_arn(self) -> str:
        return self.arn("logs", "log-group:*")


def deployer_client(
    service: str,
    region: str,
    deployer: Deployer | None = None,
    *,
    reuse: bool = False,
    **options: Any,
) -> Any:
    """A boto3 client acting as `deployer` (infra/deployer.py: `aws:profile` or the default
    chain, then the roles of `aws:assumeRoles`, then a spoke's deploy role when the hub deploys
    one), for what the program reads or invokes itself, outside the Pulumi provider. `reuse`:
    the account checks, many short reads in a row, share one session per deployer and region
    for REUSE_SECONDS (the invocations, which may wait for many minutes, never do)."""
    chosen = deployer or Deployer()
    session = reused_session(chosen, region) if reuse else chosen.session(region)
    return session.client(service, region_name=region, **options)


REUSE_SECONDS: Final = 300.0
"""How long a checks' session is handed out again: STS sessions last at least 900 s."""
_SESSIONS: dict[tuple[Deployer, str], tuple[float, Any]] = {}
_SESSIONS_LOCK = threading.Lock()


def reused_session(deployer: Deployer, region: str) -> Any:
    """`deployer`'s session in `region`, made again when older than REUSE_SECONDS, from the
    profile's credentials resolved once (`_base_session`)."""
    now = time.monotonic()
    with _SESSIONS_LOCK:
        found = _SESSIONS.get((deployer, region))
    if found is not None and now - found[0] < REUSE_SECONDS:
        return found[1]
    session = deployer.session(region, _base_session(deployer.profile, now))
    with _SESSIONS_LOCK:
        _SESSIONS[(deployer, region)] = (now, session)
    return session


_BASES: dict[str | None, tuple[float, Any]] = {}
_BASE_LOCK = threading.Lock()


def _base_session(profile: str | None, now: float) -> Any:
    """A session of the profile's (or the default chain's) credentials, resolved once for all
    the checks' threads: a `credential_process` or an MFA prompt runs once, not per member. A
    session of its own per caller (boto3 sessions are not shared between threads); None when
    there are no credentials (the caller's own session then says so)."""
    import boto3

    with _BASE_LOCK:  # the others wait for the first to resolve them
        found = _BASES.get(profile)
        if found is None or now - found[0] >= REUSE_SECONDS:
            credentials = boto3.Session(profile_name=profile).get_credentials()
            frozen = credentials.get_frozen_credentials() if credentials is not None else None
            found = _BASES[profile] = (now, frozen)
    frozen = found[1]
    if frozen is None:
        return None
    return boto3.Session(
        aws_access_key_id=frozen.access_key,
        aws_secret_access_key=frozen.secret_key,
        aws_session_token=frozen.token,
    )
