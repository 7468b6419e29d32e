"""How a configuration key is declared (`infra/config_keys.py` holds the declarations): its
type, default, meaning and what it accepts.

The config reader takes its bounds and choices from the constraint, and Pulumi.yaml and the
documentation's configuration table render it (`describe`), so a range is written once.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from lambda_shared.environment import Bounded, Variable

Choice = str | int
ConfigType = Literal["string", "integer", "boolean"]
Default = str | int | bool | None


def _number(value: float) -> str:
    if float(value).is_integer():
        return f"{int(value):,}"
    return f"{value:g}"


@dataclass(frozen=True)
class Range:
    """A whole number from `low` to `high`, both included."""

    low: int
    high: int

    @classmethod
    def of(cls, variable: Bounded) -> Range:
        """The bounds a function's settings parser enforces on `variable`."""
        return cls(variable.low, variable.high)

    def describe(self) -> str:
        return f"{_number(self.low)} to {_number(self.high)}"


@dataclass(frozen=True)
class DecimalRange:
    """A decimal number from `low` to `high`, both included."""

    low: float
    high: float

    def describe(self) -> str:
        return f"{_number(self.low)} to {_number(self.high)}"


@dataclass(frozen=True)
class Choices:
    """One of `values` (the text must equal one of them)."""

    values: tuple[Choice, ...]

    def describe(self) -> str:
        return ", ".join(f"`{value}`" for value in self.values)


@dataclass(frozen=True)
class Length:
    """Text of `low` to `high` characters."""

    low: int
    high: int

    def describe(self) -> str:
        if self.low == 0:
            return f"at most {_number(self.high)} characters"
        return f"{_number(self.low)} to {_number(self.high)} characters"


@dataclass(frozen=True)
class Rule:
    """Checked by the validator `name` (`infra/config_rules.py`). `accepts` says what it
    accepts (the error reads "is <value>, not <accepts>"); `example` is the value an error
    suggests when the default is empty or not valid."""

    name: str
    accepts: str
    example: str = ""

    def describe(self) -> str:
        return self.accepts


@dataclass(frozen=True)
class Text:
    """Any text (a comma-separated list where the description says so)."""

    def describe(self) -> str:
        return "any text"


@dataclass(frozen=True)
class Flag:
    """`true` or `false`."""

    def describe(self) -> str:
        return "`true`, `false`"


Constraint = Range | DecimalRange | Choices | Length | Rule | Text | Flag


@dataclass(frozen=True)
class ConfigKey:
    """One configuration key. `secret` keys must be set with `pulumi config set --secret` (the
    program checks it: Pulumi.yaml gives them an empty default so that an existing domain
    needs none). `variable` is the function environment variable the key's value reaches
    (`lambda_shared/environment.py` declares it and which functions receive it): infra sets it
    from the validated value, so a key that reaches a function is declared only here and there."""

    name: str
    type: ConfigType
    default: Default
    description: str
    constraint: Constraint
    secret: bool = False
    variable: Variable | None = None

    @property
    def shown_default(self) -> str:
        """The default as `pulumi config` text (`true`, `2`, ``)."""
        if isinstance(self.default, bool):
            return str(self.default).lower()
        return "" if self.default is None else str(self.default)

    @property
    def accepts(self) -> str:
        return self.constraint.describe()

    @property
    def pulumi_description(self) -> str:
        """Pulumi.yaml's description: the meaning, then what the key accepts."""
        return f"{self.description} Accepts: {self.accepts}."
