"""The configuration keys as documentation: the table of docs/configuration.md and the
`config:` section of Pulumi.yaml, both rendered from `infra/config_keys.py` (tests check that
the files hold exactly this)."""

from __future__ import annotations

from typing import Final

from infra.config_declaration import ConfigKey
from infra.config_keys import KEYS

TABLE_START: Final = "<!-- config-keys:start -->"
TABLE_END: Final = "<!-- config-keys:end -->"
PulumiEntry = dict[str, str | int | bool | None]


def _shown_default(key: ConfigKey) -> str:
    return f"`{key.shown_default}`" if key.shown_default else '`""` (empty)'


def _row(key: ConfigKey) -> str:
    kind = f"{key.type}, secret" if key.secret else key.type
    cells = (f"`{key.name}`", kind, _shown_default(key), key.accepts, key.description)
    return "| " + " | ".join(cells) + " |"


def configuration_table() -> str:
    """The markdown table of every key, between its markers (for docs/configuration.md)."""
    lines = [
        TABLE_START,
        "| key | type | default | accepts | description |",
        "|---|---|---|---|---|",
        *(_row(key) for key in KEYS),
        TABLE_END,
    ]
    return "\n".join(lines)


def pulumi_config() -> dict[str, PulumiEntry]:
    """Pulumi.yaml's `config:` section: type, description (with what the key accepts), default.
    Secrecy is enforced by the program, so that an empty default stays possible."""
    return {
        key.name: {"type": key.type, "description": key.pulumi_description, "default": key.default}
        for key in KEYS
    }
