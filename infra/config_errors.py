"""`ConfigError`: a configuration value is missing or invalid, and the message gives the exact
`pulumi config set` command that fixes it."""

from __future__ import annotations


class ConfigError(ValueError):
    """A configuration value is missing or invalid; the message says how to fix it."""


def set_command(name: str, example: str, *, secret: bool = False) -> str:
    """The command that sets `name`."""
    flag = "--secret " if secret else ""
    return f"pulumi config set {flag}{name} {example}"


def config_error(name: str, problem: str, example: str, *, secret: bool = False) -> ConfigError:
    """'Configuration '<name>' <problem>. Fix it with: pulumi config set <name> <example>'."""
    return ConfigError(
        f"Configuration '{name}' {problem}. Fix it with: "
        f"{set_command(name, example, secret=secret)}"
    )
