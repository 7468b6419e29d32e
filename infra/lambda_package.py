"""Deterministic Lambda zip archives: the same sources give the same bytes, so a second
`pulumi up` sees no change. Entries are sorted, timestamps and permissions fixed, and binary
wheels (orjson) for the target architecture are unpacked into the archive root."""

from __future__ import annotations

import base64
import hashlib
import io
import subprocess
import sys
import zipfile
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Final

FIXED_DATE_TIME: Final = (1980, 1, 1, 0, 0, 0)
FILE_MODE: Final = 0o100644
EXECUTABLE_MODE: Final = 0o100755
LAMBDA_PYTHON_VERSION: Final = "3.12"
PLATFORMS: Final = {"arm64": "manylinux2014_aarch64", "x86_64": "manylinux2014_x86_64"}
_SKIPPED_PARTS: Final = frozenset({"__pycache__", ".pytest_cache", ".mypy_cache", "tests"})

Downloader = Callable[[str, str, Path], None]
"""(requirement, platform tag, destination directory) → the wheel is in the directory."""


class PackageError(RuntimeError):
    """A Lambda package cannot be built; the message says what to do."""


@dataclass(frozen=True)
class BuiltPackage:
    """A zip written to `path`, with the base64 SHA-256 Lambda compares (`source_code_hash`)."""

    path: Path
    sha256: str


def source_entries(source_dir: Path, package: str) -> dict[str, bytes]:
    """Every file of the package directory, under `<package>/`, without caches or tests."""
    if not (source_dir / "__init__.py").is_file():
        raise PackageError(f"{source_dir} is not a Python package (no __init__.py)")
    entries: dict[str, bytes] = {}
    for path in sorted(source_dir.rglob("*")):
        relative = path.relative_to(source_dir)
        if not path.is_file() or _SKIPPED_PARTS.intersection(relative.parts):
            continue
        if path.suffix in (".pyc", ".pyo"):
            continue
        entries[f"{package}/{relative.as_posix()}"] = path.read_bytes()
    return entries


def wheel_entries(wheel: Path) -> dict[str, bytes]:
    """The files of a wheel, as they would be installed into site-packages."""
    with zipfile.ZipFile(wheel) as archive:
        return {
            info.filename: archive.read(info)
            for info in archive.infolist()
            if not info.is_dir() and not info.filename.endswith("/RECORD")
        }


def zip_bytes(entries: Mapping[str, bytes]) -> bytes:
    """A zip of `entries` that depends only on names and contents."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as out:
        for name in sorted(entries):
            info = zipfile.ZipInfo(name, date_time=FIXED_DATE_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 3  # Unix, so external_attr holds the mode
            mode = EXECUTABLE_MODE if name.endswith(".so") or ".so." in name else FILE_MODE
            info.external_attr = mode << 16
            out.writestr(info, entries[name], compresslevel=9)
    return buffer.getvalue()


def pip_download(requirement: str, platform: str, destination: Path) -> None:
    """Download the binary wheel of `requirement` for the Lambda Python and `platform`."""
    command = [
        sys.executable, "-m", "pip", "download", "--quiet", "--no-deps",
        "--only-binary=:all:", "--platform", platform,
        "--python-version", LAMBDA_PYTHON_VERSION, "--implementation", "cp",
        "--dest", str(destination), requirement,
    ]  # fmt: skip
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise PackageError(
            f"Could not download {requirement} for {platform}: {result.stderr.strip()[-400:]}. "
            "Check network access to PyPI, or put the wheel into "
            f"{destination}, or run: pulumi config set bundleOrjson false"
        )


def find_wheel(
    name: str,
    architecture: str,
    cache_dir: Path,
    download: Downloader = pip_download,
    version: str | None = None,
) -> Path:
    """The cached wheel of `name` (`version`, or the newest cached) for `architecture`;
    downloaded once when missing."""
    platform = PLATFORMS[architecture]
    directory = cache_dir / f"py{LAMBDA_PYTHON_VERSION}-{platform}"
    pattern = f"{name.replace('-', '_')}-{version or '*'}-*.whl"
    wheels = sorted(directory.glob(pattern))
    if not wheels:
        directory.mkdir(parents=True, exist_ok=True)
        download(f"{name}=={version}" if version else name, platform, directory)
        wheels = sorted(directory.glob(pattern))
    if not wheels:
        wanted = f"{name} {version}" if version else name
        raise PackageError(f"No {wanted} wheel for {platform} in {directory}")
    return wheels[-1]


def build_package(
    source_dir: Path,
    package: str,
    output: Path,
    wheels: Iterable[Path] = (),
    shared: Iterable[tuple[Path, str]] = (),
) -> BuiltPackage:
    """Write `<package>/`, the `shared` (directory, package) pairs and the unpacked `wheels` to
    `output` (only when the bytes change)."""
    entries: dict[str, bytes] = {}
    for wheel in wheels:
        entries.update(wheel_entries(wheel))
    for shared_dir, shared_package in shared:
        entries.update(source_entries(shared_dir, shared_package))
    entries.update(source_entries(source_dir, package))
    return write_package(entries, output)


def write_package(entries: Mapping[str, bytes], output: Path) -> BuiltPackage:
    """Write the zip of `entries` to `output` (only when the bytes change)."""
    data = zip_bytes(entries)
    output.parent.mkdir(parents=True, exist_ok=True)
    if not output.is_file() or output.read_bytes() != data:
        output.write_bytes(data)
    digest = base64.b64encode(hashlib.sha256(data).digest()).decode("ascii")
    return BuiltPackage(path=output, sha256=digest)
