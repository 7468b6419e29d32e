"""The in-VPC applier's zip: the apply code and its artifacts, no opensearch-py; it imports and
applies the content in a Python that has nothing but the stdlib, the zip and boto3/botocore
(as in the Lambda runtime), against the OpenSearch HTTP fake."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any, Final

import pytest

from infra.packages import APPLIER_HANDLER, PackageOptions, build_applier
from opensearch.artifacts import ARTIFACTS_DIR, load_artifacts
from opensearch.content_props import settings_from
from tests.fakes.opensearch_http import FakeOpenSearch
from tests.opensearch.applier_payload import payload

RUNTIME_LIBRARIES: Final = (
    "boto3",
    "botocore",
    "s3transfer",
    "jmespath",
    "dateutil",
    "six",
    "urllib3",
    "certifi",
)
"""boto3 and botocore as the Lambda Python runtime provides them, with their dependencies."""

RUN: Final = """
import json, sys
task, site = sys.argv[1], sys.argv[2]
sys.path[:0] = [task, site]
try:
    import opensearchpy
except ImportError:
    pass
else:
    raise SystemExit("opensearchpy is importable: the isolation failed")
import importlib
module_name, _, function = sys.argv[3].rpartition(".")
handler = getattr(importlib.import_module(module_name), function)
result = handler(json.loads(sys.stdin.read()), None)
third_party = sorted({m.split(".")[0] for m in sys.modules} & set(sys.argv[4].split(",")))
from opensearch import apply
print(json.dumps({"result": result, "loaded": third_party, "apply_from": apply.__file__}))
"""


def _options(tmp: Path) -> PackageOptions:
    repo = Path(__file__).resolve().parents[2]
    return PackageOptions(repo, tmp / "build", tmp / "wheels", bundle_orjson=False)


@pytest.fixture(scope="module")
def applier_zip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_applier(_options(tmp_path_factory.mktemp("applier"))).path


def runtime_site(directory: Path) -> Path:
    """A directory holding only boto3, botocore and their dependencies (links)."""
    directory.mkdir(parents=True, exist_ok=True)
    for name in RUNTIME_LIBRARIES:
        spec = importlib.util.find_spec(name)
        assert spec is not None and spec.origin is not None, name
        origin = Path(spec.origin)
        source = origin.parent if origin.name == "__init__.py" else origin
        (directory / source.name).symlink_to(source)
    return directory


def run_isolated(zip_path: Path, site: Path, event: dict[str, Any], cwd: Path) -> dict[str, Any]:
    """Run the handler as Lambda does: the zip extracted (to /var/task there), on a path that
    has only the stdlib and `site`."""
    task = cwd / "task"
    with zipfile.ZipFile(zip_path) as archive:
        archive.extractall(task)
    done = subprocess.run(
        [
            sys.executable,
            "-I",
            "-S",
            "-c",
            RUN,
            str(task),
            str(site),
            APPLIER_HANDLER,
            "opensearchpy,requests,botocore,boto3",
        ],
        input=json.dumps(event),
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    answer: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return answer


def test_the_zip_holds_the_apply_code_and_every_artifact_and_no_opensearch_py(
    applier_zip: Path,
) -> None:
    names = set(zipfile.ZipFile(applier_zip).namelist())
    assert not any(name.startswith(("opensearchpy/", "requests/")) for name in names)
    assert "opensearch/client.py" not in names and "opensearch/dashboards.py" not in names
    assert "opensearch/applier_handler.py" in names and "opensearch/lean_transport.py" in names
    artifacts = {
        f"opensearch/{path.relative_to(ARTIFACTS_DIR).as_posix()}"
        for pattern in ("*.json", "saved-objects/*.ndjson", "monitors/*.json")
        for path in ARTIFACTS_DIR.glob(pattern)
    }
    assert artifacts and artifacts <= names
    for name in names:  # nothing of the zip imports opensearch-py or infra/
        if name.endswith(".py"):
            text = zipfile.ZipFile(applier_zip).read(name).decode()
            assert "opensearchpy" not in text.replace("opensearch-py", ""), name
            assert "from infra" not in text and "import infra" not in text, name


def test_building_twice_gives_the_same_bytes(tmp_path: Path) -> None:
    first = build_applier(_options(tmp_path / "a"))
    second = build_applier(_options(tmp_path / "b"))
    assert first.sha256 == second.sha256
    assert first.path.read_bytes() == second.path.read_bytes()


def test_the_zip_applies_the_content_with_only_stdlib_and_boto3(
    applier_zip: Path, tmp_path: Path, opensearch_fake: FakeOpenSearch
) -> None:
    site = runtime_site(tmp_path / "runtime")
    event = payload(opensearch_fake.url)
    answer = run_isolated(applier_zip, site, event, tmp_path)
    assert answer["apply_from"] == str(tmp_path / "task" / "opensearch" / "apply.py")
    assert "opensearchpy" not in answer["loaded"] and "requests" not in answer["loaded"]
    result = answer["result"]
    assert result["content_hash"] == load_artifacts(settings_from(event)).content_hash()
    assert result["steps"][-1] == "monitors" and len(result["monitor_ids"]) == 4
    assert opensearch_fake.requests[0].basic_auth() == ("admin", "Secret-1")
    assert opensearch_fake.objects["index_template"]["lambda-logs"]["index_patterns"] == [
        "lambda-logs-*"
    ]


def test_the_zip_signs_with_botocore_when_there_is_no_master_user(
    applier_zip: Path, tmp_path: Path, opensearch_fake: FakeOpenSearch
) -> None:
    site = runtime_site(tmp_path / "runtime")
    event = payload(opensearch_fake.url, master_user_name="", master_user_password="")
    answer = run_isolated(applier_zip, site, event, tmp_path)
    assert "botocore" in answer["loaded"]
    assert answer["result"]["steps"][0] == "connection"
    auth = opensearch_fake.requests[0].headers["authorization"]
    assert auth.startswith("AWS4-HMAC-SHA256 Credential=testing/")
