"""An independent check of a SigV4 signature (AWS Signature Version 4, as the General Reference
describes it), recomputed from what the HTTP fake received: nothing here comes from botocore."""

from __future__ import annotations

import hashlib
import hmac
from urllib.parse import quote

from tests.fakes.opensearch_http import RecordedRequest


def _hmac(key: bytes, text: str) -> bytes:
    return hmac.new(key, text.encode("utf-8"), hashlib.sha256).digest()


def _fields(authorization: str) -> dict[str, str]:
    algorithm, _, rest = authorization.partition(" ")
    assert algorithm == "AWS4-HMAC-SHA256", authorization
    return dict(part.strip().split("=", 1) for part in rest.split(","))


def canonical_request(request: RecordedRequest, signed: list[str]) -> str:
    query = "&".join(
        f"{quote(k, safe='-_.~')}={quote(v, safe='-_.~')}"
        for k, values in sorted(request.query.items())
        for v in sorted(values)
    )
    headers = "".join(f"{name}:{' '.join(request.headers[name].split())}\n" for name in signed)
    return "\n".join(
        [
            request.method,
            quote(request.path, safe="/~"),
            query,
            headers,
            ";".join(signed),
            hashlib.sha256(request.body).hexdigest(),
        ]
    )


def expected_signature(request: RecordedRequest, secret_key: str) -> str:
    """The signature `request` must carry if it was signed with `secret_key`."""
    fields = _fields(request.headers["authorization"])
    _access, date, region, service, terminator = fields["Credential"].split("/")
    signed = fields["SignedHeaders"].split(";")
    scope = f"{date}/{region}/{service}/{terminator}"
    to_sign = "\n".join(
        [
            "AWS4-HMAC-SHA256",
            request.headers["x-amz-date"],
            scope,
            hashlib.sha256(canonical_request(request, signed).encode("utf-8")).hexdigest(),
        ]
    )
    key = _hmac(("AWS4" + secret_key).encode("utf-8"), date)
    for part in (region, service, terminator):
        key = _hmac(key, part)
    return hmac.new(key, to_sign.encode("utf-8"), hashlib.sha256).hexdigest()


def signature_of(request: RecordedRequest) -> dict[str, str]:
    return _fields(request.headers["authorization"])
