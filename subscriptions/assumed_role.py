"""A spoke's backfill into the hub's streams: a Firehose client in the hub's region on the
credentials of the hub's `<prefix>-spoke-backfill` role (BACKFILL_ROLE_ARN), assumed with STS
and assumed again before they expire.

The subscriber's own role is the one that assumes it, so this is role chaining: "Role chaining
limits your AWS CLI or AWS API role session to a maximum of one hour" (IAM User Guide, roles
terms): the session asks for 3,600 s and is renewed REFRESH_BEFORE_SECONDS before its
`Expiration`, so a PutRecordBatch never goes out on credentials about to lapse."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any, Final

from botocore.exceptions import ClientError

from lambda_shared.aws_clients import SUBSCRIBER_TIMEOUTS, client_config
from lambda_shared.backoff import error_code, is_retryable
from subscriptions.errors import SubscriberError, ThrottledError

SESSION_SECONDS: Final = 3600
"""The longest a chained role session may last."""
REFRESH_BEFORE_SECONDS: Final = 300.0
SESSION_NAME: Final = "lambda-logs-spoke-backfill"
"""RoleSessionName: `[\\w+=,.@-]{2,64}`; the hub's CloudTrail shows it with the spoke's account."""


class BackfillRoleDeniedError(SubscriberError):
    """STS refused to let this subscriber assume the hub's backfill role."""


def _firehose_client(region: str, credentials: Mapping[str, str]) -> Any:
    import boto3  # imported where it is first needed

    return boto3.client(
        "firehose",
        region_name=region,
        aws_access_key_id=credentials["AccessKeyId"],
        aws_secret_access_key=credentials["SecretAccessKey"],
        aws_session_token=credentials["SessionToken"],
        config=client_config(SUBSCRIBER_TIMEOUTS),
    )


class AssumedRoleFirehose:
    """`put_record_batch` on the assumed role's credentials (what RecordPutter calls)."""

    def __init__(
        self,
        sts: Any,
        role_arn: str,
        region: str,
        *,
        factory: Callable[[str, Mapping[str, str]], Any] | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._sts = sts
        self._role_arn = role_arn
        self._region = region
        self._factory = factory or _firehose_client
        self._clock = clock
        self._client: Any = None
        self._expires = 0.0
        self.assumed = 0
        """AssumeRole calls that succeeded (for tests)."""

    def put_record_batch(self, **kwargs: Any) -> dict[str, Any]:
        response: dict[str, Any] = self._current().put_record_batch(**kwargs)
        return response

    def _current(self) -> Any:
        if self._client is None or self._clock() >= self._expires - REFRESH_BEFORE_SECONDS:
            self._assume()
        return self._client

    def _assume(self) -> None:
        try:
            response = self._sts.assume_role(
                RoleArn=self._role_arn,
                RoleSessionName=SESSION_NAME,
                DurationSeconds=SESSION_SECONDS,
            )
        except ClientError as error:
            if is_retryable(error):
                raise ThrottledError(f"AssumeRole({self._role_arn}) failed: {error}") from error
            raise BackfillRoleDeniedError(
                f"this subscriber may not assume the hub's backfill role {self._role_arn} "
                f"({error_code(error)}: {error}): check that the hub lists this account in "
                "spokeAccountIds or its organisation in organizationId and ran pulumi up, "
                "that hubBackfillRoleArn is the hub's output hubBackfillRoleArn, and that this "
                "spoke runs under the role name the hub trusts "
                "(lambda-logs-spoke-subscriber-role-<region>-<hub tag>: a spoke deployed before "
                "the tagged names must be upgraded, docs/organisation.md)"
            ) from error
        credentials = response["Credentials"]
        expiration = credentials.get("Expiration")
        self._expires = (
            expiration.timestamp()
            if isinstance(expiration, datetime)
            else self._clock() + SESSION_SECONDS
        )
        self._client = self._factory(self._region, credentials)
        self.assumed += 1
