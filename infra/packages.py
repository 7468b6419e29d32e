"""The Lambda packages, built from the repository's `transformer/` and `subscriptions/`, and the
in-VPC content applier's, built from the part of `opensearch/` that applies the content."""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Final

from infra.lambda_package import (
    BuiltPackage,
    Downloader,
    build_package,
    find_wheel,
    pip_download,
    source_entries,
    write_package,
)

TRANSFORMER_PACKAGE: Final = "transformer"
TRANSFORMER_HANDLER: Final = "transformer.handler.handler"
SUBSCRIBER_PACKAGE: Final = "subscriptions"
SUBSCRIBER_HANDLER: Final = "subscriptions.handler.handler"
RELAY_PACKAGE: Final = "alarm_relay"
RELAY_HANDLER: Final = "alarm_relay.handler.handler"
SHARED_PACKAGE: Final = "lambda_shared"
"""Bundled into both zips: the mechanisms and contracts the two functions share."""
APPLIER_PACKAGE: Final = "opensearch"
APPLIER_HANDLER: Final = "opensearch.applier_handler.handler"
APPLIER_FILES: Final = (
    "__init__.py",
    "applier_handler.py",
    "apply.py",
    "artifacts.py",
    "channel_steps.py",
    "channels.py",
    "connection.py",
    "content_props.py",
    "incident_bodies.py",
    "lean_transport.py",
    "transport.py",
    "*.json",
    "saved-objects/*.ndjson",
    "monitors/*.json",
)
"""What the applier zip takes of `opensearch/` (patterns relative to it): the apply code and what
it imports (none of it opensearch-py: not `client.py`) and the artifacts `artifacts.py` loads.
Dashboards generators, the README and the opensearch-py client stay out."""
REPOSITORY_ROOT: Final = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class PackageOptions:
    repo_root: Path
    build_dir: Path
    """Where the zips are written (`.pulumi-build/`, ignored by git)."""
    wheel_cache: Path
    """Downloaded wheels, per Python version and platform; put wheels here to work offline."""
    bundle_orjson: bool
    download: Downloader = pip_download
    orjson_version: str | None = None
    """None = the newest cached (or downloaded) wheel."""

    @classmethod
    def for_repository(cls, bundle_orjson: bool) -> PackageOptions:
        build = REPOSITORY_ROOT / ".pulumi-build"
        return cls(
            REPOSITORY_ROOT,
            build,
            build / "wheels",
            bundle_orjson,
            orjson_version=local_version("orjson"),
        )


def local_version(distribution: str) -> str | None:
    """The version installed here (tested with the code), so every machine bundles the same."""
    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return None


def build_transformer(options: PackageOptions, architecture: str) -> BuiltPackage:
    wheels = (
        [
            find_wheel(
                "orjson",
                architecture,
                options.wheel_cache,
                options.download,
                options.orjson_version,
            )
        ]
        if options.bundle_orjson
        else []
    )
    return build_package(
        options.repo_root / TRANSFORMER_PACKAGE,
        TRANSFORMER_PACKAGE,
        options.build_dir / f"transformer-{architecture}.zip",
        wheels,
        shared=[(options.repo_root / SHARED_PACKAGE, SHARED_PACKAGE)],
    )


def build_alarm_relay(options: PackageOptions) -> BuiltPackage:
    """The alarm relay (infra/alarm_relay.py): its package and lambda_shared, no wheels."""
    return build_package(
        options.repo_root / RELAY_PACKAGE,
        RELAY_PACKAGE,
        options.build_dir / "alarm-relay.zip",
        shared=[(options.repo_root / SHARED_PACKAGE, SHARED_PACKAGE)],
    )


def build_subscriber(options: PackageOptions) -> BuiltPackage:
    return build_package(
        options.repo_root / SUBSCRIBER_PACKAGE,
        SUBSCRIBER_PACKAGE,
        options.build_dir / "subscriber.zip",
        shared=[(options.repo_root / SHARED_PACKAGE, SHARED_PACKAGE)],
    )


def applier_entries(repo_root: Path) -> dict[str, bytes]:
    """The `opensearch/` files of the applier zip (`APPLIER_FILES`)."""
    prefix = f"{APPLIER_PACKAGE}/"
    return {
        name: data
        for name, data in source_entries(repo_root / APPLIER_PACKAGE, APPLIER_PACKAGE).items()
        if any(fnmatch.fnmatchcase(name.removeprefix(prefix), p) for p in APPLIER_FILES)
    }


def build_applier(options: PackageOptions) -> BuiltPackage:
    """The in-VPC content applier: stdlib + the Lambda runtime's boto3/botocore, no wheels."""
    return write_package(applier_entries(options.repo_root), options.build_dir / "applier.zip")
