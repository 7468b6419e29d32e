"""GIVEN the repository WHEN the relay's zip is built THEN it holds `alarm_relay/` and the
bundled `lambda_shared/` only, imports nothing but the standard library, boto3/botocore and
lambda_shared (DESIGN.md's rule for Lambda packages), and its handler imports from the zip alone
and reads the same environment variable infra sets."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

from infra.alarm_relay import SECRET_ARN_VARIABLE
from infra.packages import RELAY_HANDLER, build_alarm_relay
from tests.infra.harness import offline_packages
from tests.test_layout import ROOT, imported_roots


def test_the_relay_imports_only_the_standard_library_boto3_and_lambda_shared() -> None:
    files = sorted((ROOT / "alarm_relay").rglob("*.py"))
    assert len(files) >= 5
    allowed = set(sys.stdlib_module_names) | {"boto3", "botocore", "lambda_shared", "alarm_relay"}
    for path in files:
        assert not imported_roots(path) - allowed, path.name


def test_the_zip_holds_the_relay_and_lambda_shared_and_its_handler_imports(
    tmp_path: Path,
) -> None:
    built = build_alarm_relay(offline_packages(tmp_path, bundle_orjson=False))
    with zipfile.ZipFile(built.path) as archive:
        names = archive.namelist()
    assert {name.split("/")[0] for name in names} == {"alarm_relay", "lambda_shared"}
    assert "alarm_relay/handler.py" in names and not [n for n in names if "tests" in n]
    assert build_alarm_relay(offline_packages(tmp_path, bundle_orjson=False)).sha256 == (
        built.sha256
    )  # deterministic: a second pulumi up sees no change
    module, function = RELAY_HANDLER.rsplit(".", 1)
    probe = (
        f"import sys; sys.path.insert(0, {str(built.path)!r}); import {module} as m; "
        f"assert m.__file__.startswith({str(built.path)!r}); print(m.SECRET_ARN_VARIABLE, "
        f"callable(m.{function}))"
    )
    out = subprocess.run(
        [sys.executable, "-I", "-c", probe], capture_output=True, text=True, check=True
    )
    assert out.stdout.split() == [SECRET_ARN_VARIABLE, "True"]
