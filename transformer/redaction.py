"""The second masking layer (docs/security.md#transformer-redaction): REDACT_RULES applied to
every text a document carries from its log line, just before it is encoded.

What is redacted: every string value of the document's fields (`message`, `error.message`,
`error.stack_trace`, `event.original`, labels, logger, …) and, inside the `json` object (the
line's own JSON, indexed as a flat_object), every string leaf, every key, and every integer
leaf (as its decimal text: a card number logged as a JSON number). A rule's `key`/`value`
pair also redacts a member by its key (`"SecretAccessKey": "<40 characters>"`). What is not:
the top-level field names (the parsers' own, and EMF metric names), numbers outside `json`,
and the record's shared fields (log group, stream, account: CloudWatch's, not the line's).

`Redactor.wrap(encode)` is the one hook (transformer/document.py's `encoder`): without rules
the encoder is returned as it is, so the hot path is unchanged."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from functools import lru_cache
from typing import Any, Final

from lambda_shared.redaction_rules import RedactRule, mark, parse_redact_rules
from transformer.types import Fields

JSON_FIELD: Final = "json"
Encode = Callable[[Fields, object], bytes]


@lru_cache(maxsize=8)
def redactor_of(text: str) -> Redactor | None:
    """REDACT_RULES' redactor (None: no rules), parsed once per container (the handler reads
    the settings per batch); raises RedactRulesError."""
    rules = parse_redact_rules(text)
    return Redactor(rules) if rules else None


class Redactor:
    """The rules of one batch, and how many matches each replaced (`counts`, by rule name)."""

    __slots__ = ("_keyed", "counts", "rules")

    def __init__(self, rules: tuple[RedactRule, ...]) -> None:
        self.rules = rules
        self.counts: Counter[str] = Counter()
        self._keyed = tuple(r for r in rules if r.key is not None and r.value is not None)

    def fresh(self) -> Redactor:
        """The same rules, nothing counted yet (one per batch)."""
        return Redactor(self.rules)

    def text(self, value: str) -> str:
        """`value` with every rule applied, in order."""
        for rule in self.rules:
            if rule.needles and not any(needle in value for needle in rule.needles):
                continue
            if rule.accept is None:
                value, replaced = rule.pattern.subn(rule.template, value)
            else:
                value, replaced = _accepted(rule, value)
            if replaced:
                self.counts[rule.name] += replaced
        return value

    def fields(self, fields: Fields) -> None:
        """Redact a document's fields in place (see the module docstring)."""
        text = self.text
        for key, value in fields.items():
            if type(value) is str:
                fields[key] = text(value)
            elif type(value) is dict or type(value) is list:
                fields[key] = self._node(value)

    def _object(self, node: dict[str, Any]) -> dict[str, Any]:
        result: dict[str, Any] = {}
        for key, value in node.items():
            name = self.text(key)
            if name in result:  # two keys redacted alike: both kept
                name = f"{name}~{len(result)}"
            result[name] = self._member(key, value)
        return result

    def _member(self, key: str, value: Any) -> Any:
        if type(value) is str:
            for rule in self._keyed:
                if rule.key.fullmatch(key) and rule.value.fullmatch(value):  # type: ignore[union-attr]
                    self.counts[rule.name] += 1
                    return mark(rule.name)
        return self._node(value)

    def _node(self, value: Any) -> Any:
        kind = type(value)
        if kind is str:
            return self.text(value)
        if kind is dict:
            return self._object(value)
        if kind is list:
            return [self._node(item) for item in value]
        if kind is int:
            text = str(value)
            redacted = self.text(text)
            return value if redacted == text else redacted
        return value

    def wrap(self, encode: Encode) -> Encode:
        """`encode` redacting the fields first."""
        redact = self.fields

        def redacting(fields: Fields, epoch_ms: object) -> bytes:
            redact(fields)
            return encode(fields, epoch_ms)

        return redacting


def _accepted(rule: RedactRule, value: str) -> tuple[str, int]:
    """subn, replacing only the matches `rule.accept` takes (credit-card: Luhn)."""
    accept = rule.accept
    replaced = 0

    def replacement(found: re.Match[str]) -> str:
        nonlocal replaced
        if accept is not None and accept(found.group(0)):
            replaced += 1
            return found.expand(rule.template)
        return found.group(0)

    return rule.pattern.sub(replacement, value), replaced


def redaction_counts(redactor: Redactor | None) -> dict[str, int] | None:
    """Matches replaced per rule name (every rule, 0 included); None without rules."""
    if redactor is None:
        return None
    return {rule.name: redactor.counts[rule.name] for rule in redactor.rules}


def wrap_encoder(encode: Encode, redactor: Redactor | None) -> Encode:
    """The hook: `encode` itself when there is no redactor."""
    return encode if redactor is None else redactor.wrap(encode)
