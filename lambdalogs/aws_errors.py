"""botocore's exceptions as one line that says what to do: the one wrapper every command's AWS
calls go through (each service names what its error codes mean)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from lambdalogs.errors import CliError, InputError, RemoteError

Explain = Callable[[str, str, str], CliError]
"""(error code, where, permission) → the error to report."""


@contextmanager
def aws_errors(service: str, where: str, permission: str, explain: Explain) -> Iterator[None]:
    """Run AWS calls on `where` (needing `permission`) of `service`; a refusal, a missing
    resource or an unreachable endpoint is raised as a CliError."""
    from botocore.exceptions import (
        BotoCoreError,
        ClientError,
        NoCredentialsError,
        ParamValidationError,
        ProfileNotFound,
    )

    try:
        yield
    except NoCredentialsError:
        raise RemoteError(
            "no AWS credentials found; set AWS_PROFILE or run `aws configure` / `aws sso login`"
        ) from None
    except ProfileNotFound as error:
        raise RemoteError(f"{error}: set AWS_PROFILE to a profile of ~/.aws/config") from None
    except ParamValidationError as error:
        raise InputError(f"AWS refused the request for {where}: {error}") from None
    except ClientError as error:
        code = str(error.response.get("Error", {}).get("Code", "Error"))
        raise explain(code, where, permission) from None
    except BotoCoreError as error:
        raise RemoteError(
            f"cannot use {service} for {where} ({error}); check the region and the network"
        ) from None
