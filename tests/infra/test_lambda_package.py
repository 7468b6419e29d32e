"""Deterministic Lambda zips: same sources → same bytes; orjson for the right platform, offline."""

from __future__ import annotations

import os
import zipfile
from pathlib import Path

import pytest

from infra.lambda_package import (
    FIXED_DATE_TIME,
    PackageError,
    build_package,
    find_wheel,
    source_entries,
    zip_bytes,
)
from infra.packages import PackageOptions, build_subscriber, build_transformer
from tests.infra.harness import ORJSON_WHEEL_MODULE, fake_wheel, no_download, offline_packages


def _package(root: Path) -> Path:
    source = root / "pkg"
    (source / "sub").mkdir(parents=True)
    (source / "__init__.py").write_text("")
    (source / "handler.py").write_text("def handler(event, context):\n    return event\n")
    (source / "sub" / "__init__.py").write_text("")
    (source / "__pycache__").mkdir()
    (source / "__pycache__" / "handler.cpython-311.pyc").write_bytes(b"\x00")
    (source / "stale.pyc").write_bytes(b"\x00")
    return source


def test_building_twice_gives_identical_bytes(tmp_path: Path) -> None:
    source = _package(tmp_path)
    wheel = fake_wheel(tmp_path / "wheels", "arm64")
    first = build_package(source, "pkg", tmp_path / "a.zip", [wheel])
    # GIVEN the sources are touched (new mtimes, other permissions) WHEN built again
    os.utime(source / "handler.py", (1_900_000_000, 1_900_000_000))
    (source / "handler.py").chmod(0o600)
    second = build_package(source, "pkg", tmp_path / "b.zip", [wheel])
    assert first.path.read_bytes() == second.path.read_bytes()
    assert first.sha256 == second.sha256


def test_content_change_changes_the_hash(tmp_path: Path) -> None:
    source = _package(tmp_path)
    first = build_package(source, "pkg", tmp_path / "a.zip")
    (source / "handler.py").write_text("def handler(event, context):\n    return None\n")
    second = build_package(source, "pkg", tmp_path / "a.zip")
    assert first.sha256 != second.sha256


def test_entries_are_sorted_with_fixed_times_and_modes(tmp_path: Path) -> None:
    source = _package(tmp_path)
    wheel = fake_wheel(tmp_path / "wheels", "arm64")
    built = build_package(source, "pkg", tmp_path / "p.zip", [wheel])
    with zipfile.ZipFile(built.path) as archive:
        infos = archive.infolist()
    names = [info.filename for info in infos]
    assert names == sorted(names)
    assert "pkg/handler.py" in names
    assert ORJSON_WHEEL_MODULE in names
    assert not any("__pycache__" in n or n.endswith((".pyc", "/RECORD")) for n in names)
    for info in infos:
        assert info.date_time == FIXED_DATE_TIME
        assert info.external_attr >> 16 == 0o100644


def test_shared_objects_are_executable() -> None:
    data = zip_bytes({"orjson/orjson.so": b"\x7fELF", "a.py": b""})
    with zipfile.ZipFile(__import__("io").BytesIO(data)) as archive:
        modes = {i.filename: i.external_attr >> 16 for i in archive.infolist()}
    assert modes == {"a.py": 0o100644, "orjson/orjson.so": 0o100755}


def test_source_must_be_a_package(tmp_path: Path) -> None:
    with pytest.raises(PackageError, match=r"no __init__\.py"):
        source_entries(tmp_path, "pkg")


def test_cached_wheel_is_used_without_download(tmp_path: Path) -> None:
    wheel = fake_wheel(tmp_path, "x86_64")
    assert find_wheel("orjson", "x86_64", tmp_path, no_download) == wheel


def test_missing_wheel_is_downloaded_once_for_the_platform(tmp_path: Path) -> None:
    calls: list[tuple[str, str]] = []

    def download(requirement: str, platform: str, destination: Path) -> None:
        calls.append((requirement, platform))
        fake_wheel(tmp_path, "arm64")

    first = find_wheel("orjson", "arm64", tmp_path, download)
    second = find_wheel("orjson", "arm64", tmp_path, download)
    assert first == second
    assert calls == [("orjson", "manylinux2014_aarch64")]


def test_download_that_yields_nothing_is_an_error(tmp_path: Path) -> None:
    def download(requirement: str, platform: str, destination: Path) -> None:
        return None

    with pytest.raises(PackageError, match="No orjson wheel for manylinux2014_x86_64"):
        find_wheel("orjson", "x86_64", tmp_path, download)


def test_transformer_package_bundles_orjson_of_its_architecture(tmp_path: Path) -> None:
    options = offline_packages(tmp_path)
    built = build_transformer(options, "x86_64")
    with zipfile.ZipFile(built.path) as archive:
        names = archive.namelist()
        assert "transformer/handler.py" in names
        assert archive.read(ORJSON_WHEEL_MODULE) == b"# fake orjson for x86_64\n"
    assert built.path.name == "transformer-x86_64.zip"
    assert "lambda_shared/__init__.py" in names
    assert not any(name.startswith(("infra/", "subscriptions/")) for name in names)


def test_transformer_package_without_orjson(tmp_path: Path) -> None:
    options = PackageOptions(
        offline_packages(tmp_path).repo_root, tmp_path / "b", tmp_path / "none", False, no_download
    )
    with zipfile.ZipFile(build_transformer(options, "arm64").path) as archive:
        assert not any(name.startswith("orjson") for name in archive.namelist())


def test_subscriber_package_holds_the_handler(tmp_path: Path) -> None:
    built = build_subscriber(offline_packages(tmp_path))
    with zipfile.ZipFile(built.path) as archive:
        names = archive.namelist()
    assert "subscriptions/__init__.py" in names
    assert "lambda_shared/__init__.py" in names
    assert all(name.startswith(("subscriptions/", "lambda_shared/")) for name in names)


def test_pinned_version_is_looked_up_and_downloaded_exactly(tmp_path: Path) -> None:
    fake_wheel(tmp_path, "arm64", version="3.9.0")
    calls: list[str] = []

    def download(requirement: str, platform: str, destination: Path) -> None:
        calls.append(requirement)
        fake_wheel(tmp_path, "arm64", version="3.10.1")

    wheel = find_wheel("orjson", "arm64", tmp_path, download, version="3.10.1")
    assert wheel.name.startswith("orjson-3.10.1-")
    assert calls == ["orjson==3.10.1"]


def test_repository_options_pin_the_locally_installed_orjson() -> None:
    from importlib import metadata

    options = PackageOptions.for_repository(True)
    assert options.orjson_version == metadata.version("orjson")
    assert options.build_dir.name == ".pulumi-build"
