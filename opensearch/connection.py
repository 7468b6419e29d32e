"""Where and how to reach an OpenSearch domain, and the errors that say what to fix.

Free of opensearch-py, so that the content applier (`opensearch/apply.py`) imports in a Lambda
package that bundles only the stdlib and boto3: `opensearch/client.py` (opensearch-py, the
deployer's machine and the CLI) and `opensearch/lean_transport.py` (urllib, the in-VPC applier)
both map their failures to these classes, with the same messages.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final

DEFAULT_TIMEOUT_SECONDS: Final = 30.0
DEPLOYER_FIX: Final = (
    "a VPC domain is reachable only from inside its VPC (run `pulumi up` from a host in the "
    "VPC, or through a VPN/tunnel), and a public domain only from the allowed CIDRs of its "
    "access policy: add this machine's IP to the allowed CIDRs in the stack configuration"
)
"""The fix of an unreachable endpoint when the deployer's machine (or the CLI) connects."""


class OpenSearchContentError(RuntimeError):
    """Applying the OpenSearch content failed; the message names the cause and the fix."""

    def __init__(self, message: str, status: int = 0) -> None:
        super().__init__(message)
        self.status = status


class OpenSearchUnreachableError(OpenSearchContentError):
    """The endpoint did not answer (DNS, network, VPC, security group, allowed CIDRs)."""


class OpenSearchUnauthorizedError(OpenSearchContentError):
    """HTTP 401: wrong master user or password, or no valid AWS credentials for SigV4."""


class OpenSearchForbiddenError(OpenSearchContentError):
    """HTTP 403: the identity is authenticated but not allowed."""


class OpenSearchRequestError(OpenSearchContentError):
    """Any other error answer from OpenSearch or Dashboards."""


@dataclass(frozen=True)
class Connection:
    """Where and how to connect.

    `endpoint` is a domain endpoint host (`search-x.eu-west-1.es.amazonaws.com`, https assumed)
    or a URL (`http://localhost:9200`). With `user` and `password` requests use Basic auth (the
    fine-grained access control master user); otherwise they are signed with SigV4 using the
    default boto3 credentials for `region` (with `sigv4=False` and no user: no authentication,
    for a cluster without the security plugin). `dashboards_url` defaults to
    `<endpoint>/_dashboards` (Amazon OpenSearch Service); for a local OpenSearch Dashboards give
    e.g. `http://localhost:5601`.
    """

    endpoint: str
    region: str = ""
    user: str | None = None
    password: str | None = None
    dashboards_url: str | None = None
    timeout: float = DEFAULT_TIMEOUT_SECONDS
    max_retries: int = 2
    verify_certs: bool = True
    sigv4: bool = True
    ca_bundle: str | None = None
    """A PEM file of the CAs to trust (a private CA); None: the system's (certifi's) CAs."""
    unreachable_fix: str = DEPLOYER_FIX
    """What to check when the endpoint does not answer (where the connection comes from)."""

    @property
    def url(self) -> str:
        endpoint = self.endpoint.strip().rstrip("/")
        if not endpoint:
            raise OpenSearchContentError(
                "the OpenSearch endpoint is empty: pass the domain endpoint (host, no scheme)"
            )
        return endpoint if "://" in endpoint else f"https://{endpoint}"

    @property
    def dashboards(self) -> str:
        return (self.dashboards_url or f"{self.url}/_dashboards").rstrip("/")

    @property
    def auth_description(self) -> str:
        if self.user:
            return f"the master user {self.user!r} (Basic auth)"
        if not self.sigv4:
            return "no authentication"
        return "the deploying AWS identity (SigV4)"


def no_credentials_error() -> OpenSearchUnauthorizedError:
    return OpenSearchUnauthorizedError(
        "no AWS credentials found to sign requests to OpenSearch (SigV4): configure AWS "
        "credentials for the deployment (AWS_PROFILE, environment, SSO) or set the master "
        "user name and password in the stack configuration"
    )


def no_region_error() -> OpenSearchContentError:
    return OpenSearchContentError("SigV4 needs the domain's region: pass Connection.region")


def unreachable(connection: Connection, step: str, exc: Exception) -> OpenSearchContentError:
    return OpenSearchUnreachableError(
        f"cannot reach OpenSearch at {connection.url} while {step} ({exc}). Check the endpoint; "
        f"{connection.unreachable_fix}"
    )


def not_json(connection: Connection, step: str, exc: Exception) -> OpenSearchContentError:
    return OpenSearchRequestError(
        f"{connection.url} did not answer with JSON while {step} ({exc}); is it an "
        "OpenSearch endpoint?"
    )


def status_error(
    connection: Connection, step: str, status: int, info: Any, fallback: str = ""
) -> OpenSearchContentError:
    """The error of an HTTP error answer `status` whose parsed body is `info`."""
    detail = error_reason(info, fallback)
    where = f"OpenSearch at {connection.url} answered {status} while {step}"
    if status == 401:
        return OpenSearchUnauthorizedError(
            f"{where}: {detail}. The credentials were rejected ({connection.auth_description}): "
            "fix the master user name/password in the stack configuration, or, with SigV4, "
            "refresh the deploying AWS credentials",
            status,
        )
    if status == 403:
        return OpenSearchForbiddenError(
            f"{where}: {detail}. {connection.auth_description} is authenticated but not allowed: "
            "with fine-grained access control, map the deploying IAM role/user to the "
            "`all_access` and `security_manager` roles (or make it the master user, or deploy "
            "with the master user name and password); also check that the domain access policy "
            "allows this identity",
            status,
        )
    return OpenSearchRequestError(f"{where}: {detail}", status)


def error_reason(info: Any, fallback: str = "") -> str:
    """The most specific reason in an OpenSearch error answer (`info`: its parsed body)."""
    if isinstance(info, dict):
        error = info.get("error")
        if isinstance(error, dict):
            causes = error.get("root_cause") or []
            first = causes[0] if causes and isinstance(causes[0], dict) else error
            return f"{first.get('type', 'error')}: {first.get('reason', error)}"
        if error:
            return str(error)
        if "message" in info:
            return str(info["message"])
    return str(info or fallback)
