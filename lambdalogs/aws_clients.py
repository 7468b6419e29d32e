"""The boto3 clients the commands make for throttled APIs."""

from __future__ import annotations

from typing import Any


def retrying_client(service: str, region: str | None) -> Any:
    """A client of `service` in `region` whose throttled calls are retried and paced (botocore's
    adaptive mode, 10 retries): FilterLogEvents and GetFunctionConfiguration are throttled per
    account and region (ThrottlingException, TooManyRequestsException, which it retries), and a
    throttled call must not end a long run."""
    import boto3
    from botocore.config import Config

    retries = Config(retries={"mode": "adaptive", "max_attempts": 10})
    return boto3.client(service, region_name=region, config=retries)
