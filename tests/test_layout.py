"""The layout rules of DESIGN.md, enforced: the Lambda packages import only the standard library,
boto3/botocore, the bundled `lambda_shared` (and orjson, optional, in the transformer); infra/
never imports them; `lambda_shared` imports nothing of the repository."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
REQUIRED = [
    "Pulumi.yaml",
    "__main__.py",
    "requirements.txt",
    "transformer",
    "subscriptions",
    "tests",
    "README.md",
    "pyproject.toml",
    "Makefile",
    ".ci/run",
]


def imported_roots(path: Path) -> set[str]:
    roots: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            roots.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            roots.add(node.module.split(".")[0])
    return roots


@pytest.mark.parametrize("name", REQUIRED)
def test_the_required_top_level_exists(name: str) -> None:
    assert (ROOT / name).exists()


@pytest.mark.parametrize(
    ("package", "allowed"),
    [
        ("transformer", {"boto3", "botocore", "orjson", "lambda_shared"}),
        ("subscriptions", {"boto3", "botocore", "lambda_shared"}),
        ("lambda_shared", {"boto3", "botocore"}),
    ],
)
def test_lambda_packages_need_only_the_standard_library_and_boto3(
    package: str, allowed: set[str]
) -> None:
    files = sorted((ROOT / package).rglob("*.py"))
    assert files
    for path in files:
        foreign = imported_roots(path) - set(sys.stdlib_module_names) - allowed - {package}
        assert not foreign, f"{path.relative_to(ROOT)} imports {sorted(foreign)}"


def test_infra_only_packages_the_lambda_code_never_imports_it() -> None:
    for path in [ROOT / "__main__.py", *sorted((ROOT / "infra").glob("*.py"))]:
        assert not imported_roots(path) & {"transformer", "subscriptions"}, path.name


PRODUCT = ("transformer", "subscriptions", "lambda_shared", "infra", "opensearch", "lambdalogs")
MAX_MODULE_LINES = 400
MAX_FUNCTION_LINES = 60


def product_modules() -> list[Path]:
    return [ROOT / "__main__.py", *(p for d in PRODUCT for p in sorted((ROOT / d).rglob("*.py")))]


def test_product_modules_stay_small() -> None:
    large = {
        str(path.relative_to(ROOT)): lines
        for path in product_modules()
        if (lines := len(path.read_text().splitlines())) > MAX_MODULE_LINES
    }
    assert not large, f"split these modules (≤ {MAX_MODULE_LINES} lines): {large}"


def test_product_functions_stay_short() -> None:
    long: dict[str, int] = {}
    for path in product_modules():
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.end_lineno:
                length = node.end_lineno - node.lineno + 1
                if length > MAX_FUNCTION_LINES:
                    long[f"{path.relative_to(ROOT)}:{node.name}"] = length
    assert not long, f"split these functions (≤ {MAX_FUNCTION_LINES} lines): {long}"
