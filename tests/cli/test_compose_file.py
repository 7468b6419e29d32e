"""compose.yaml (no Docker here: read as Compose reads it) and the make target that uses it."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml  # type: ignore[import-untyped]

ROOT = Path(__file__).resolve().parents[2]


def compose() -> dict[str, Any]:
    loaded = yaml.safe_load((ROOT / "compose.yaml").read_text())
    assert isinstance(loaded, dict)
    return loaded


def environment(service: dict[str, Any]) -> dict[str, str]:
    env = service["environment"]
    if isinstance(env, list):
        env = dict(item.split("=", 1) for item in env)
    return {str(k): str(v) for k, v in env.items()}


def test_compose_starts_opensearch_and_dashboards_2_19_pinned() -> None:
    services = compose()["services"]
    images = {name: service["image"] for name, service in services.items()}
    assert set(images) == {"opensearch", "dashboards"}
    tags = {}
    for name, repository in (("opensearch", "opensearch"), ("dashboards", "opensearch-dashboards")):
        found = re.fullmatch(rf"opensearchproject/{repository}:(2\.19\.\d+)", images[name])
        assert found, images[name]
        tags[name] = found.group(1)
    assert tags["opensearch"] == tags["dashboards"]


def test_compose_is_a_local_single_node_without_the_security_plugin() -> None:
    services = compose()["services"]
    search, dashboards = services["opensearch"], services["dashboards"]
    assert environment(search)["discovery.type"] == "single-node"
    assert environment(search)["DISABLE_SECURITY_PLUGIN"] == "true"
    assert environment(dashboards)["DISABLE_SECURITY_DASHBOARDS_PLUGIN"] == "true"
    assert "http://opensearch:9200" in environment(dashboards)["OPENSEARCH_HOSTS"]
    # reachable from this machine only: security is off
    assert search["ports"] == ["127.0.0.1:9200:9200"]
    assert dashboards["ports"] == ["127.0.0.1:5601:5601"]
    assert dashboards["depends_on"]["opensearch"]["condition"] == "service_healthy"
    for service in (search, dashboards):
        assert service["healthcheck"]["test"]
    assert "local demo only" in (ROOT / "compose.yaml").read_text().lower()


def test_make_demo_dashboards_waits_for_health_then_loads_the_demo() -> None:
    makefile = (ROOT / "Makefile").read_text()
    recipe = makefile.split("\ndemo-dashboards:", 1)[1].split("\n\n", 1)[0]
    lines = [line.strip() for line in recipe.splitlines()[1:]]
    assert "up --detach --wait" in lines[0]
    demo = next(line for line in lines if "lambdalogs demo" in line)
    assert (
        "--opensearch $(LOCAL_OPENSEARCH)" in demo
        and "--dashboards-url $(LOCAL_DASHBOARDS)" in demo
    )
    assert "LOCAL_OPENSEARCH ?= http://localhost:9200" in makefile
    assert "LOCAL_DASHBOARDS ?= http://localhost:5601" in makefile
