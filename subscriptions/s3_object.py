"""One S3 object the subscriber keeps its state in: read, write, delete, with backoff."""

from __future__ import annotations

from typing import Any, Final

from botocore.exceptions import ClientError

from lambda_shared.backoff import error_code
from subscriptions.retry import BackoffApi

# The backup bucket's lifecycle rules cover every prefix: an object left long enough can be in
# GLACIER or DEEP_ARCHIVE, where GetObject answers InvalidObjectState. Such an object is read
# as none (each caller says why that is safe for its state).
NO_OBJECT: Final = frozenset({"NoSuchKey", "404", "InvalidObjectState"})


class S3Object(BackoffApi):
    """`s3://bucket/key`."""

    def __init__(self, client: Any, bucket: str, key: str, *args: Any) -> None:
        super().__init__(client, *args)
        self.bucket = bucket
        self.key = key

    @property
    def url(self) -> str:
        return f"s3://{self.bucket}/{self.key}"

    def read(self) -> bytes | None:
        """The object's bytes, or None when there is none (or it is archived)."""
        try:
            response = self._call(
                f"GetObject({self.url})",
                lambda: self._client.get_object(Bucket=self.bucket, Key=self.key),
            )
        except ClientError as error:
            if error_code(error) in NO_OBJECT:
                return None
            raise
        return bytes(response["Body"].read())

    def write(self, body: bytes, content_type: str) -> None:
        self._call(
            f"PutObject({self.url})",
            lambda: self._client.put_object(
                Bucket=self.bucket, Key=self.key, Body=body, ContentType=content_type
            ),
        )

    def delete(self) -> None:
        self._call(
            f"DeleteObject({self.url})",
            lambda: self._client.delete_object(Bucket=self.bucket, Key=self.key),
        )
