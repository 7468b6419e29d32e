"""The second masking layer (docs/security.md#transformer-redaction-redactrules): REDACT_RULES
applied to every text a document carries from its log line, just before it is encoded.

What is redacted: every string value of the document's fields (`message`, `error.message`,
`error.stack_trace`, `event.original`, labels, logger, …) but PARSER_MADE; inside the `json`
object (the line's own JSON, indexed as a flat_object) every string leaf, every key, and the
integer leaves from 6 digits (as their decimal text: a card number logged as a JSON number); a
member by its key with a rule's `key`/`value` pair (`"SecretAccessKey": "<40 characters>"`);
EMF metric names (`metrics.<name>`); and the pieces of a replaced match copied elsewhere
(transformer/redaction_echoes.py). What is not: the parsers' own field names, numbers outside
`json`, and the record's shared fields (log group, stream, account: CloudWatch's).

`wrap_encoder` is the one hook, around transformer/document.py's `encoder` where records.py and
reduction.py make theirs: without rules it returns the encoder itself, so the hot path is
unchanged. With rules each document is encoded, screened whole (`Redactor.may_match`), and
only when a rule may match are its fields redacted and the document encoded again."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from functools import lru_cache
from typing import Any, Final

from lambda_shared.redaction_rules import RedactRule, mark, parse_redact_rules
from transformer.redaction_echoes import hunt_echoes
from transformer.types import Fields

JSON_FIELD: Final = "json"
METRIC_PREFIX: Final = "metrics."
PARSER_MADE: Final = frozenset({"log.level", "aws.lambda.event", "aws.cloudwatch.event_id"})
"""Text fields the parsers or CloudWatch write, never the line's own text: not searched."""
_EVENT_ID: Final = b'"aws.cloudwatch.event_id":"'
SMALLEST_SEARCHED_INT: Final = 100_000
"""Integer leaves of `json` from 6 digits on are searched as text (card numbers, ids)."""
Encode = Callable[[Fields, object], bytes]


@lru_cache(maxsize=8)
def redactor_of(text: str) -> Redactor | None:
    """REDACT_RULES' redactor (None: no rules), parsed once per container (the handler reads
    the settings per batch); raises RedactRulesError."""
    rules = parse_redact_rules(text)
    return Redactor(rules) if rules else None


class Redactor:
    """The rules of one batch, and how many matches each replaced (`counts`, by rule name)."""

    __slots__ = (
        *("_folded", "_found", "_keyed", "_needles", "_screened", "_screens"),
        *("counts", "rules"),
    )

    def __init__(self, rules: tuple[RedactRule, ...]) -> None:
        self.rules = rules
        self.counts: Counter[str] = Counter()
        self._found: list[tuple[str, str]] = []  # this document's replaced matches
        self._keyed = tuple(r for r in rules if r.key is not None and r.value is not None)
        plain = [r for r in rules if r.screen is None]
        self._needles = tuple(n.encode() for r in plain if not r.fold for n in r.needles)
        self._folded = tuple(n.encode() for r in plain if r.fold for n in r.needles)
        self._screens = tuple(r.screen for r in rules if r.screen is not None)
        self._screened = all(r.screen is not None or r.needles for r in rules)
        """False with a custom rule: then every text is searched."""

    def may_match(self, document: bytes) -> bool:
        """Whether a rule may match a text of the document (its JSON, which holds each of its
        texts as they are but for JSON's escapes, which no built-in rule's match contains):
        a rule's needle is in it, or its screen says so. Always true with a custom rule."""
        if not self._screened:
            return True
        start = document.rfind(_EVENT_ID)  # 56 digits in every document (enrich.py adds them
        # last): CloudWatch's own, and 13 digits in a row to the card screen
        if start > 0:
            end = document.find(b'"', start + len(_EVENT_ID))
            document = document[:start] + document[end:]
        for needle in self._needles:
            if needle in document:
                return True
        if self._folded:
            lowered = document.lower()
            for needle in self._folded:
                if needle in lowered:
                    return True
        for screen in self._screens:  # noqa: SIM110 (no generator per document)
            if screen(document):
                return True
        return False

    def fresh(self) -> Redactor:
        """The same rules, nothing counted yet (one per batch)."""
        return Redactor(self.rules)

    def text(self, value: str) -> str:
        """`value` with every rule applied, in order."""
        lowered = ""
        for rule in self.rules:
            needles = rule.needles
            if needles:  # for/else, no generator: this runs per rule per text
                haystack = value
                if rule.fold:
                    haystack = lowered = lowered or value.lower()
                for needle in needles:
                    if needle in haystack:
                        break
                else:
                    continue
            value, replaced = _substitute(rule, value, self._found)
            if replaced:
                self.counts[rule.name] += replaced
                lowered = ""
        return value

    def fields(self, fields: Fields) -> None:
        """Redact a document's fields in place (see the module docstring)."""
        text = self.text
        metrics = False
        for key, value in fields.items():
            if type(value) is str:
                if key not in PARSER_MADE:
                    fields[key] = text(value)
            elif type(value) is dict or type(value) is list:
                fields[key] = self._node(value)
            elif key.startswith(METRIC_PREFIX):
                metrics = True
        if metrics:
            self._metric_names(fields)
        if self._found:
            hunt_echoes(fields, self._found, PARSER_MADE)
            self._found.clear()

    def _metric_names(self, fields: Fields) -> None:
        """EMF metric names are the line's text too: `metrics.<name, dots as _>`."""
        renamed: dict[str, str] = {}
        for key in fields:
            if key.startswith(METRIC_PREFIX):
                name = key[len(METRIC_PREFIX) :]
                redacted = self.text(name)
                if redacted == name:  # the name as logged, before its dots became _
                    dotted = name.replace("_", ".")
                    redacted = self.text(dotted)
                    redacted = name if redacted == dotted else redacted
                if redacted != name:
                    renamed[key] = METRIC_PREFIX + redacted.replace(".", "_")
        if renamed:
            items = [(renamed.get(key, key), value) for key, value in fields.items()]
            fields.clear()
            for key, value in items:
                fields[key if key not in fields else f"{key}~{len(fields)}"] = value

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
                    self._found.append((rule.name, value))
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
        if kind is int and not -SMALLEST_SEARCHED_INT < value < SMALLEST_SEARCHED_INT:
            text = str(value)
            redacted = self.text(text)
            return value if redacted == text else redacted
        return value

    def wrap(self, encode: Encode) -> Encode:
        """`encode` redacting the fields first. The document is encoded, and screened as a
        whole (`may_match`): only when a rule may match are its fields redacted and the
        document encoded again."""
        redact, may_match = self.fields, self.may_match

        def redacting(fields: Fields, epoch_ms: object) -> bytes:
            document = encode(fields, epoch_ms)
            if not may_match(document):
                return document
            redact(fields)
            return encode(fields, epoch_ms)

        return redacting


def _substitute(rule: RedactRule, value: str, found: list[tuple[str, str]]) -> tuple[str, int]:
    """subn, replacing only the span of each match `rule.accept` (if any) returns (credit-card:
    the card number in it, Luhn), each replaced text kept in `found`
    (transformer/redaction_echoes.py)."""
    accept = rule.accept
    replaced = 0

    def replacement(match: re.Match[str]) -> str:
        nonlocal replaced
        text = match.group(0)
        if accept is None:
            replaced += 1
            found.append((rule.name, text[_kept_end(match, rule.template) - match.start() :]))
            return match.expand(rule.template)
        span = accept(text)
        if span is None:
            return text
        replaced += 1
        start, end = span
        found.append((rule.name, text[start:end]))
        return text[:start] + match.expand(rule.template) + text[end:]

    return rule.pattern.sub(replacement, value), replaced


_GROUP_REF: Final = re.compile(r"\\(\d+)")


def _kept_end(match: re.Match[str], template: str) -> int:
    """Where the replaced text starts: after the groups the template keeps (`\\1\\2[REDACTED:…]`
    keeps a secret's name, which is not an echo to hunt), else the match's start."""
    kept = [match.end(int(group)) for group in _GROUP_REF.findall(template)]
    return max(kept, default=match.start())


def redaction_counts(redactor: Redactor | None) -> dict[str, int] | None:
    """Matches replaced per rule name (every rule, 0 included); None without rules."""
    if redactor is None:
        return None
    return {rule.name: redactor.counts[rule.name] for rule in redactor.rules}


def wrap_encoder(encode: Encode, redactor: Redactor | None) -> Encode:
    """The hook: `encode` itself when there is no redactor."""
    return encode if redactor is None else redactor.wrap(encode)
