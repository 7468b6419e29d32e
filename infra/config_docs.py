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


def rendered_pulumi_yaml(current: str) -> str:
    """`current` (Pulumi.yaml's text) with its `config:` section rendered anew; the lines
    before `config:` (comments, name, runtime) are kept as they are."""
    import yaml  # type: ignore[import-untyped]  # installed with pulumi

    head, marker, _ = current.partition("\nconfig:\n")
    if not marker:
        raise ValueError("Pulumi.yaml has no top-level 'config:' section to render into")
    section: str = yaml.safe_dump(
        {"config": pulumi_config()}, sort_keys=False, allow_unicode=True, width=10_000
    )
    return head + "\n" + section


def rendered_configuration_doc(current: str) -> str:
    """`current` (docs/configuration.md) with the table between its markers rendered anew."""
    start, end = current.find(TABLE_START), current.find(TABLE_END)
    if start < 0 or end < start:
        raise ValueError(f"docs/configuration.md has no {TABLE_START} … {TABLE_END} block")
    return current[:start] + configuration_table() + current[end + len(TABLE_END) :]


def main() -> None:
    """`python -m infra.config_docs`: rewrite Pulumi.yaml's config section and the table of
    docs/configuration.md from the declarations (after a key was added or changed)."""
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    for path, render in (
        (root / "Pulumi.yaml", rendered_pulumi_yaml),
        (root / "docs" / "configuration.md", rendered_configuration_doc),
    ):
        text = path.read_text(encoding="utf-8")
        new = render(text)
        if new != text:
            path.write_text(new, encoding="utf-8")
            print(f"rewrote {path.relative_to(root)}")


if __name__ == "__main__":
    main()
