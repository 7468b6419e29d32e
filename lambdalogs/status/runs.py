"""Running the checks against AWS: one boto3 session, each check guarded so that a refused or
failed call makes that check `unknown` (with what to fix) while the others still run."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from lambdalogs.console import Progress
from lambdalogs.errors import CliError, RemoteError
from lambdalogs.status import coverage
from lambdalogs.status.report import Check, unknown
from lambdalogs.status.subscriber_rules import rules_of
from lambdalogs.timerange import to_ms
from subscriptions.errors import ThrottledError


def aws_session(profile: str | None, region: str) -> Any:
    import boto3
    from botocore.exceptions import ProfileNotFound

    try:
        return boto3.Session(profile_name=profile or None, region_name=region)
    except ProfileNotFound:
        raise RemoteError(
            f"--profile {profile!r} is not in ~/.aws/config; give a profile it lists"
        ) from None


def guarded(name: str, run: Callable[[], Check]) -> Check:
    """The check's answer, or `unknown` with the reason when a call was refused or failed."""
    from botocore.exceptions import BotoCoreError, ClientError, NoCredentialsError

    try:
        return run()
    except NoCredentialsError:
        return unknown(
            name, "no AWS credentials; set AWS_PROFILE, --profile or run `aws sso login`"
        )
    except ClientError as error:
        info = error.response.get("Error", {})
        operation = getattr(error, "operation_name", "the call")
        return unknown(
            name, f"{operation} answered {info.get('Code', 'an error')}: {info.get('Message', '')}"
        )
    except (BotoCoreError, ThrottledError) as error:
        return unknown(name, f"{error}; check the region and the network")
    except CliError as error:
        return unknown(name, str(error))


def coverage_of(session: Any, subscriber: str, max_checks: int, now: datetime) -> Check:
    """The subscriber's rules, the eligible groups, and their filters (a sample above
    `max_checks`), with progress on stderr from the start."""
    rules = rules_of(session.client("lambda"), subscriber)
    logs = coverage.paced_logs(session.client("logs"))
    found = coverage.Coverage()
    listing = Progress("status: listing log groups", unit="groups")
    listing.start()
    coverage.eligible_groups(logs, rules, found, advance=listing.advance)
    listing.finish()
    total = min(len(found.eligible), max_checks)
    with Progress("status: reading subscription filters", total, unit="groups") as progress:
        coverage.check_filters(
            logs, rules, found, max_checks=max_checks, now_ms=to_ms(now), advance=progress.advance
        )
    return coverage.coverage_check(found)
