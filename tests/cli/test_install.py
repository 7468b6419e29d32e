"""`pip install .` gives a `lambdalogs` command that works from any folder, with only the CLI's
runtime dependencies.

The wheel is built from a copy of the sources and installed, without its dependencies, into a
fresh virtualenv; the dependencies (boto3, opensearch-py, orjson, rich) come from this virtualenv
through a `.pth` file, so the test needs no network. That the wheel declares exactly those is
checked on its metadata."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pytest

from lambdalogs import __version__
from tests.cli.conftest import stored
from tests.fakes.opensearch_http import FakeOpenSearch

ROOT = Path(__file__).resolve().parents[2]
SOURCES = ("lambdalogs", "transformer", "subscriptions", "lambda_shared", "opensearch")


@dataclass(frozen=True)
class Installed:
    wheel: Path
    command: Path
    elsewhere: Path


def _run(*argv: str | Path, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    return subprocess.run(
        [str(a) for a in argv], cwd=cwd, env=env, capture_output=True, text=True, timeout=300
    )


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Installed:
    tmp = tmp_path_factory.mktemp("install")
    source = tmp / "src"
    for name in SOURCES:
        shutil.copytree(ROOT / name, source / name, ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, source / name)
    pip = (sys.executable, "-m", "pip", "--disable-pip-version-check", "-q")
    built = _run(*pip, "wheel", "--no-deps", "--no-build-isolation", "-w", tmp / "dist", source)
    assert built.returncode == 0, built.stderr
    wheel = next((tmp / "dist").glob("*.whl"))
    venv = tmp / "venv"
    assert _run(sys.executable, "-m", "venv", "--without-pip", venv).returncode == 0
    python = venv / "bin" / "python"
    done = _run(*pip, "--python", python, "install", "--no-deps", "--no-index", wheel)
    assert done.returncode == 0, done.stderr
    site = _run(python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])")
    Path(site.stdout.strip(), "dev-dependencies.pth").write_text(
        sysconfig.get_paths()["purelib"] + "\n"
    )
    elsewhere = tmp / "elsewhere"
    elsewhere.mkdir()
    return Installed(wheel, venv / "bin" / "lambdalogs", elsewhere)


def test_the_command_answers_its_version_from_any_folder(installed: Installed) -> None:
    result = _run(installed.command, "--version", cwd=installed.elsewhere)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"lambdalogs {__version__}"


def test_the_installed_demo_loads_a_local_cluster_without_credentials(
    installed: Installed,
) -> None:
    with FakeOpenSearch() as fake:
        result = _run(installed.command, "demo", "--opensearch", fake.url, cwd=installed.elsewhere)
        assert result.returncode == 0, result.stderr
        documents = stored(fake)
    assert len(documents) > 100
    assert all(d.get("faas.name") and d.get("@timestamp") for d in documents)


def test_the_installed_demo_writes_its_report_from_another_folder(installed: Installed) -> None:
    result = _run(installed.command, "demo", "--html", "report.html", cwd=installed.elsewhere)
    assert result.returncode == 0, result.stderr
    page = (installed.elsewhere / "report.html").read_text(encoding="utf-8")
    assert page.count("<svg") >= 4 and 'id="waterfall-1"' in page


def test_the_wheel_holds_the_cli_and_its_content_and_needs_no_deployment_tools(
    installed: Installed,
) -> None:
    with zipfile.ZipFile(installed.wheel) as wheel:
        names = wheel.namelist()
        metadata = next(n for n in names if n.endswith(".dist-info/METADATA"))
        requires = [
            line.split(":", 1)[1].strip()
            for line in wheel.read(metadata).decode().splitlines()
            if line.startswith("Requires-Dist:")
        ]
    extras = [r for r in requires if "extra ==" in r]
    requires = [r for r in requires if "extra ==" not in r]
    assert [r.split(">")[0] for r in extras] == ["vl-convert-python"]  # [report]: --html
    top = {name.split("/", 1)[0] for name in names if "/" in name}
    assert {t for t in top if not t.endswith(".dist-info")} == set(SOURCES)
    assert "opensearch/index-template.json" in names
    assert sum(n.startswith("opensearch/saved-objects/") for n in names) >= 4
    assert sorted(r.split(">")[0].split("<")[0] for r in requires) == [
        "boto3",
        "opensearch-py",
        "orjson",
        "rich",
    ]


def test_an_old_python_gets_one_line_that_says_what_to_do() -> None:
    code = "import sys; sys.version_info = (3, 10, 12, 'final', 0); import lambdalogs"
    result = _run(sys.executable, "-c", code, cwd=ROOT)
    assert result.returncode == 1
    assert "needs Python 3.11 or later" in result.stderr and "Traceback" not in result.stderr
