"""`redactRules`: refused at `pulumi up` with the transformer's own words (the rule, the regex
error or the refused shape), passed to the transformer as REDACT_RULES, and counted in its 4 KB
environment."""

from __future__ import annotations

import pytest

from infra.config_errors import ConfigError
from infra.function_environments import check_environment_sizes, transformer_environment
from infra.stack_config import StackConfig
from transformer.settings import Settings

REQUIRED = {"masterUserPassword": "Sup3r-secret!", "allowedCidrs": "198.51.100.7/32"}


def config(rules: str | None) -> StackConfig:
    values = dict(REQUIRED) if rules is None else {**REQUIRED, "redactRules": rules}
    return StackConfig.from_values(values, stack="dev", region="eu-west-1")


def test_the_rules_reach_the_transformer_as_written() -> None:
    rules = "default\norder-id=ORD-[0-9]{8},ipv4"
    environment = transformer_environment(config(rules))
    assert environment["REDACT_RULES"] == rules
    redactor = Settings.from_env(environment).redactor
    assert redactor is not None
    assert [rule.name for rule in redactor.rules][-2:] == ["order-id", "ipv4"]
    assert redactor.text("ORD-12345678 from 10.0.0.1") == "[REDACTED:order-id] from [REDACTED:ipv4]"


def test_unset_means_no_rules() -> None:
    environment = transformer_environment(config(None))
    assert environment["REDACT_RULES"] == ""
    assert Settings.from_env(environment).redactor is None


@pytest.mark.parametrize(
    ("rules", "words"),
    [
        ("default,emails", "'emails' is not a built-in rule"),
        (
            "id=ORD-(",
            "custom rule 'id': 'ORD-(' is not a regular expression: missing ), unterminated",
        ),
        ("id=(x+)+y", "custom rule 'id': '(x+)+y': a repeated group holds a repetition"),
        (r"id=(a)\1", r"\1 is a backreference"),
        (r"id=\w+@corp", "an unbounded repetition (*, +, {n,}) is followed by more pattern"),
    ],
)
def test_unusable_rules_stop_pulumi_up_naming_the_key_and_the_rule(rules: str, words: str) -> None:
    with pytest.raises(ConfigError) as raised:
        config(rules)
    message = str(raised.value)
    assert "redactRules" in message and words in message
    assert "pulumi config set redactRules" in message


def test_rules_over_their_share_of_the_environment_are_refused() -> None:
    long = "\n".join(
        f"r{i}=LONG-PATTERN-{i:02d}-[0-9]{{8}}-[A-Z]{{4}}-[a-z]{{4}}-{'x' * 30}" for i in range(16)
    )
    with pytest.raises(ConfigError, match="at most 1024"):
        config(long)


def test_the_environment_size_check_counts_the_rules() -> None:
    """Every variable at its longest: 1,024 characters of rules still fit Lambda's 4 KB."""
    rules = ",".join([f"r{i}=R{i}-[0-9]{{50}}" + "x" * 40 for i in range(10)])
    assert len(rules) < 1024
    stack = config(rules)
    check_environment_sizes(stack)
    assert len(transformer_environment(stack)["REDACT_RULES"]) == len(rules)
