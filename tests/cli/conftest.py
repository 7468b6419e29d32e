"""Helpers for the command-line tests: run `python -m lambdalogs` in-process, read its output."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from lambdalogs.cli import main
from tests.fakes.opensearch_http import FakeOpenSearch


@dataclass(frozen=True)
class Result:
    code: int
    out: str
    err: str


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str]) -> Any:
    """`cli("demo", "--seed", "3")` → Result(exit code, stdout, stderr)."""

    def run(*argv: str) -> Result:
        out = io.StringIO()
        try:
            code = main(list(argv), out=out)
        except SystemExit as stop:  # argparse: --help and usage errors
            code = int(stop.code or 0)
        captured = capsys.readouterr()
        return Result(code, out.getvalue() + captured.out, captured.err)

    return run


@pytest.fixture
def fake() -> Iterator[FakeOpenSearch]:
    with FakeOpenSearch() as server:
        yield server


@pytest.fixture
def demo_file(tmp_path: Path, cli: Any) -> Path:
    path = tmp_path / "demo.ndjson"
    result = cli("demo", "--out", str(path))
    assert result.code == 0, result.err
    return path


def bulk_documents(path: Path) -> list[dict[str, Any]]:
    lines = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    return lines[1::2]


def stored(fake: FakeOpenSearch) -> list[dict[str, Any]]:
    return [doc.source for index in fake.store.indices.values() for doc in index.values()]


def moto_transformer(name: str, variables: dict[str, str], region: str = "eu-west-1") -> str:
    """A deployed transformer in moto (inside `mock_aws`): a function with `variables` as its
    environment, what `replay` and `backfill` read its settings from. Returns its ARN."""
    import zipfile

    import boto3

    code = io.BytesIO()
    with zipfile.ZipFile(code, "w") as archive:
        archive.writestr("index.py", "def handler(event, context):\n    return event\n")
    iam = boto3.client("iam", region_name=region)
    role = iam.create_role(RoleName=f"{name}-role", AssumeRolePolicyDocument="{}")["Role"]["Arn"]
    created = boto3.client("lambda", region_name=region).create_function(
        FunctionName=name,
        Runtime="python3.12",
        Role=role,
        Handler="index.handler",
        Code={"ZipFile": code.getvalue()},
        Environment={"Variables": variables},
    )
    return str(created["FunctionArn"])
