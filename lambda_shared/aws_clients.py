"""boto3 clients for the Lambda functions, with retry settings that say what they do.

Our own loops retry (lambda_shared.backoff: full jitter, counted, deadline-aware), so botocore
makes exactly one HTTP attempt: botocore's `total_max_attempts` counts the first request, while
its `max_attempts` counts retries only ("max_attempts: 1" would be two requests that our
deadline never sees)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final

ONE_ATTEMPT: Final = {"mode": "standard", "total_max_attempts": 1}


@dataclass(frozen=True)
class Timeouts:
    """Per-request timeouts in seconds; `worst_case` bounds one call's time (one attempt)."""

    connect: float = 3.0
    read: float = 20.0

    @property
    def worst_case(self) -> float:
        return self.connect + self.read


FIREHOSE_TIMEOUTS: Final = Timeouts(connect=3.0, read=20.0)
"""The transformer's PutRecordBatch calls (4 MiB at most)."""
LOOKUP_TIMEOUTS: Final = Timeouts(connect=3.0, read=3.0)
"""The transformer's architecture-map reads (one small S3 object): never worth holding a batch
for."""
SUBSCRIBER_TIMEOUTS: Final = Timeouts(connect=5.0, read=25.0)
"""Every subscriber call: its worst case (30 s) fits the run's time-budget margin."""


def client_config(timeouts: Timeouts) -> Any:
    """botocore Config: one attempt per call, the given timeouts."""
    from botocore.config import Config  # the Lambda runtime provides botocore

    return Config(retries=ONE_ATTEMPT, connect_timeout=timeouts.connect, read_timeout=timeouts.read)


def make_client(service: str, region: str | None, timeouts: Timeouts) -> Any:
    """A boto3 client (endpoint overrides such as AWS_ENDPOINT_URL_<SERVICE> apply as in boto3)."""
    import boto3  # imported where it is first needed: no import-time cost for the handler

    return boto3.client(service, region_name=region or None, config=client_config(timeouts))
