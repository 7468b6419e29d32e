"""`ConfigValues`: reads one key at a time from the raw configuration text, with the bounds,
choices, lengths and rules of its declaration (`infra/config_keys.py`), and the fix in every
error (the key's default when it is a valid suggestion)."""

from __future__ import annotations

import shlex
from collections.abc import Mapping
from typing import TypeVar

from infra.config_declaration import Choice, Choices, ConfigKey, DecimalRange, Length, Range, Rule
from infra.config_errors import ConfigError, config_error
from infra.config_keys import key
from infra.config_rules import RULES, split_list
from lambda_shared.environment import Bounded, Names, Pattern

_T = TypeVar("_T", bound=Choice)
_C = TypeVar("_C", Range, DecimalRange, Choices, Length, Rule)


def _declared(name: str, kind: type[_C]) -> tuple[ConfigKey, _C]:
    declared = key(name)
    if not isinstance(declared.constraint, kind):
        raise TypeError(f"{name} is declared with {declared.constraint}, not a {kind.__name__}")
    return declared, declared.constraint


class ConfigValues:
    """The keys that are set (`values`); every other key reads as its declared default."""

    def __init__(self, values: Mapping[str, str]) -> None:
        self._values = values

    def raw(self, name: str) -> str | None:
        """The text as set (not stripped), or None."""
        return self._values.get(name)

    def text(self, name: str) -> str:
        raw = self._values.get(name)
        return key(name).shown_default if raw is None else raw

    def items(self, name: str, *, checked: bool = False) -> tuple[str, ...]:
        """A comma-separated list (`checked`: accepted by the key's declared `Rule`)."""
        if checked:
            self.checked(name)
        return split_list(self.text(name))

    def variable_text(self, declared: ConfigKey) -> str:
        """The key's validated value as the text of the environment variable it reaches."""
        name, variable = declared.name, declared.variable
        if isinstance(variable, Bounded):
            return str(self.integer(name))
        if isinstance(variable, Names):
            return ",".join(self.items(name, checked=isinstance(declared.constraint, Rule)))
        if isinstance(variable, Pattern):
            return self.length(name)
        return self.text(name).strip()

    def integer(self, name: str) -> int:
        declared, bounds = _declared(name, Range)
        raw = self.text(name).strip()
        try:
            value = int(raw)
        except ValueError:
            raise config_error(
                name, f"must be a whole number, got {raw!r}", declared.shown_default
            ) from None
        if not bounds.low <= value <= bounds.high:
            problem = f"must be between {bounds.low} and {bounds.high}, got {value}"
            raise config_error(name, problem, declared.shown_default)
        return value

    def decimal(self, name: str) -> float:
        declared, bounds = _declared(name, DecimalRange)
        raw = self.text(name).strip()
        try:
            value = float(raw)
        except ValueError:
            value = float("nan")
        if not bounds.low <= value <= bounds.high:  # also false for nan
            problem = f"must be a number from {bounds.describe()}, got {raw!r}"
            raise config_error(name, problem, declared.shown_default)
        return value

    def boolean(self, name: str) -> bool:
        raw = self.text(name).strip().lower()
        if raw in ("true", "1", "yes"):
            return True
        if raw in ("false", "0", "no"):
            return False
        raise config_error(name, f"must be true or false, got {raw!r}", key(name).shown_default)

    def choice(self, name: str, choices: tuple[_T, ...]) -> _T:
        """The value among `choices`: the typed tuple the key is declared with."""
        declared, allowed = _declared(name, Choices)
        if allowed.values != choices:
            raise TypeError(f"{name} is declared with the choices {allowed.values}")
        raw = self.text(name).strip()
        for candidate in choices:
            if raw == str(candidate):
                return candidate
        listed = ", ".join(str(c) for c in choices)
        example = declared.shown_default if declared.default in choices else str(choices[0])
        raise config_error(name, f"must be one of {listed}, got {raw!r}", example)

    def length(self, name: str, value: str | None = None) -> str:
        """The key's text (or `value`, derived from it) if its length is as declared."""
        declared, bounds = _declared(name, Length)
        text = self.text(name) if value is None else value
        if not bounds.low <= len(text) <= bounds.high:
            problem = f"must be {bounds.describe()}, got {len(text)}"
            raise config_error(name, problem, declared.shown_default or "''")
        return text

    def checked(self, name: str, value: str | None = None) -> str:
        """The key's stripped text (or `value`, derived from it) if its declared `Rule`
        accepts it."""
        text = self.text(name).strip() if value is None else value
        _, rule = _declared(name, Rule)
        if not RULES[rule.name](text):
            raise self.rejected(name, text)
        return text

    def rejected(self, name: str, text: str) -> ConfigError:
        """The error for `text`, which the key's declared `Rule` does not accept (a secret
        key's value is never repeated). It suggests the default when that is a valid, non-empty
        value, else the rule's example."""
        declared, rule = _declared(name, Rule)
        shown = "a value that is not" if declared.secret else f"{text!r}, not"
        default = declared.shown_default
        valid_default = bool(default) and RULES[rule.name](default)
        example = shlex.quote(default) if valid_default else rule.example
        return config_error(name, f"is {shown} {rule.accepts}", example, secret=declared.secret)
