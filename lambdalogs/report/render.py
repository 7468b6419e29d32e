"""Vega-Lite → SVG (for the HTML page) and PNG (for the README), offline, with vl-convert.

vl-convert-python bundles the Vega and Vega-Lite compilers and a renderer; it is the optional
extra `report` (`pip install 'lambda-logs-opensearch[report]'`), imported only when a report is
asked for. OpenSearch Dashboards 2.x draws Vega-Lite 5, so the newest 5.x vl-convert bundles is
used (the tests compile the same specs with it).
"""

from __future__ import annotations

import json
from types import ModuleType
from typing import Any

from lambdalogs.errors import InputError

INSTALL_HINT = (
    "the HTML report needs vl-convert-python: pip install 'lambda-logs-opensearch[report]' "
    "(or pip install vl-convert-python)"
)


def _vl_convert() -> ModuleType:
    try:
        import vl_convert
    except ImportError:
        raise InputError(INSTALL_HINT) from None
    return vl_convert


def vega_lite_version() -> str:
    versions = [str(v) for v in _vl_convert().get_vegalite_versions() if v.startswith("5.")]
    return max(versions, key=lambda v: tuple(int(part) for part in v.split(".")))


def to_svg(spec: dict[str, Any]) -> str:
    """The spec drawn as a standalone SVG document (no external reference, no script)."""
    svg = _vl_convert().vegalite_to_svg(json.dumps(spec), vl_version=vega_lite_version())
    return str(svg)


def to_png(spec: dict[str, Any], scale: float = 2.0) -> bytes:
    png = _vl_convert().vegalite_to_png(
        json.dumps(spec), vl_version=vega_lite_version(), scale=scale
    )
    return bytes(png)
