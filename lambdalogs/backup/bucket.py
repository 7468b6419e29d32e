"""Read-only access to the backup bucket with boto3; AWS failures become one-line errors."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import AbstractContextManager
from typing import Any, Final

from lambdalogs.aws_errors import aws_errors
from lambdalogs.backup.objects import BackupObject
from lambdalogs.errors import InputError, RemoteError

_MISSING: Final = frozenset({"NoSuchBucket", "NoSuchKey", "404"})
_REFUSED: Final = frozenset(
    {"AccessDenied", "403", "InvalidAccessKeyId", "SignatureDoesNotMatch", "ExpiredToken"}
)


def parse_location(bucket: str, prefix: str) -> tuple[str, str]:
    """`--bucket name --prefix p/` or `--bucket s3://name/p/`."""
    if bucket.startswith("s3://"):
        name, _, in_url = bucket.removeprefix("s3://").partition("/")
        bucket, prefix = name, prefix or in_url
    if not bucket or "/" in bucket:
        raise InputError(
            f"{bucket!r} is not a bucket name; pass --bucket my-bucket or s3://my-bucket/prefix/"
        )
    return bucket, prefix


class BucketReader:
    """The objects under a prefix of the backup bucket, listed and read (never written)."""

    def __init__(self, client: Any, bucket: str, prefix: str = "") -> None:
        self._client = client
        self.bucket = bucket
        self.prefix = prefix

    @property
    def client(self) -> Any:
        """The S3 client it reads with (the replay reads the architecture maps with it too)."""
        return self._client

    @property
    def region(self) -> str | None:
        region = getattr(getattr(self._client, "meta", None), "region_name", None)
        return region if isinstance(region, str) else None

    def objects(self) -> Iterator[BackupObject]:
        paginator = self._client.get_paginator("list_objects_v2")
        with _aws_errors(f"s3://{self.bucket}/{self.prefix}", "s3:ListBucket"):
            for page in paginator.paginate(Bucket=self.bucket, Prefix=self.prefix):
                for item in page.get("Contents", []):
                    yield BackupObject(item["Key"], str(item.get("ETag", "")), int(item["Size"]))

    def read(self, obj: BackupObject) -> bytes:
        with _aws_errors(f"s3://{self.bucket}/{obj.key}", "s3:GetObject"):
            body = self._client.get_object(Bucket=self.bucket, Key=obj.key)["Body"]
            return bytes(body.read())


def _aws_errors(where: str, permission: str) -> AbstractContextManager[None]:
    return aws_errors("S3", where, permission, _client_error)


def _client_error(code: str, where: str, permission: str) -> RemoteError:
    if code in _MISSING:
        return RemoteError(f"{where} does not exist; check --bucket and --prefix")
    if code == "InvalidObjectState":
        return RemoteError(
            f"{where} is in an archive storage class; restore it first (aws s3api "
            "restore-object), then re-run the same command"
        )
    if code in _REFUSED:
        return RemoteError(
            f"AWS refused access to {where} ({code}); use credentials allowed {permission} "
            "on the backup bucket"
        )
    return RemoteError(f"S3 failed on {where} ({code}); re-run the same command")


def s3_client(region: str | None) -> Any:
    """A boto3 S3 client (created here, never at import)."""
    import boto3
    from botocore.exceptions import BotoCoreError

    try:
        return boto3.session.Session(region_name=region).client("s3")
    except BotoCoreError as error:
        raise RemoteError(
            f"cannot create an S3 client ({error}); check --region and AWS_PROFILE"
        ) from None
