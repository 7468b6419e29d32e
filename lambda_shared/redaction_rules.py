"""The syntax of REDACT_RULES (config `redactRules`): what the transformer replaces in every
text a document carries from its log line, before the document is indexed or backed up.

Entries are separated by newlines, or by commas followed by an entry or ending the line (a
comma inside a regex, as in `{1,3}`, stays in it). An entry is a built-in rule's name
(BUILT_INS), `default` (the rules of DEFAULT_SET, in that order), or `<name>=<regex>`, a custom
rule: `name` is 1-32 lowercase letters, digits and `-`, and every match of the regex becomes
`[REDACTED:<name>]`.
Rules run in the order given, each on the text the previous ones left; a name is listed once.

Parsed here, in one place, by infra (a rule that cannot be used stops `pulumi up` with this
module's message) and by the transformer at start (`transformer/redaction.py` applies them).
Custom patterns pass `lambda_shared.regex_shape.check_shape` (no backtracking blow-up)."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Final

from lambda_shared.redaction_builtins import BUILT_INS, DEFAULT_SET, BuiltIn
from lambda_shared.regex_shape import ShapeError, check_shape

CUSTOM_PATTERN_MAX_CHARS: Final = 200
MAX_CUSTOM_RULES: Final = 16
DEFAULT_NAME: Final = "default"
_NAME: Final = re.compile(r"[a-z][a-z0-9-]{0,31}")
_ENTRY_COMMA: Final = re.compile(r",(?=\s*(?:[a-z][a-z0-9-]{0,31}\s*(?:=|,|$)|$))")
_EXAMPLE: Final = "default,internal-id=ACME-[0-9]{8}"


class RedactRulesError(ValueError):
    """REDACT_RULES holds an entry that cannot be used; the message says which and why."""


@dataclass(frozen=True)
class RedactRule:
    """One rule: every match of `pattern` is replaced by `template` (an `re` template), or
    only the span of it `accept` (if any) returns, when it returns one. `needles`: one of
    them is in any text the rule can match (a cheap test first). `key`/`value`: a JSON member
    whose key fullmatches `key` and whose text value fullmatches `value` is replaced too (a
    secret known by its key)."""

    name: str
    pattern: re.Pattern[str]
    template: str
    needles: tuple[str, ...] = ()
    accept: Callable[[str], tuple[int, int] | None] | None = None
    key: re.Pattern[str] | None = None
    value: re.Pattern[str] | None = None
    fold: bool = False
    """`needles` are lowercase, looked for in the text lowercased."""
    screen: Callable[[bytes], bool] | None = None
    """A built-in's test of a whole document's JSON: False when no text of it can match."""


def mark(name: str) -> str:
    """What a rule's match becomes."""
    return f"[REDACTED:{name}]"


def split_entries(text: str) -> list[str]:
    """The entries of `text`, stripped, empty ones left out."""
    entries: list[str] = []
    for line in text.splitlines():
        entries.extend(part.strip() for part in _ENTRY_COMMA.split(line))
    return [entry for entry in entries if entry]


def parse_redact_rules(text: str) -> tuple[RedactRule, ...]:
    """Every rule of `text`, in order (empty: none); raises RedactRulesError naming the entry."""
    rules: list[RedactRule] = []
    custom = 0
    for entry in split_entries(text):
        name, equals, regex = entry.partition("=")
        name = name.strip()
        if not _NAME.fullmatch(name):
            raise RedactRulesError(
                f"{entry!r}: {name!r} is not a rule name (1-32 lowercase letters, digits and -, "
                f"first a letter); e.g. {_EXAMPLE}"
            )
        if equals:
            custom += 1
            rules.append(_custom(name, regex.strip(), entry))
        elif name == DEFAULT_NAME:
            rules.extend(_built_in(n) for n in DEFAULT_SET if n not in {r.name for r in rules})
        elif name in BUILT_INS:
            rules.append(_built_in(name))
        else:
            raise RedactRulesError(
                f"{name!r} is not a built-in rule; use one of {', '.join(BUILT_INS)}, "
                f"{DEFAULT_NAME}, or a custom rule <name>=<regex>"
            )
    _check_unique(rules)
    if custom > MAX_CUSTOM_RULES:
        raise RedactRulesError(f"{custom} custom rules; use at most {MAX_CUSTOM_RULES}")
    return tuple(rules)


def _check_unique(rules: list[RedactRule]) -> None:
    seen: set[str] = set()
    for rule in rules:
        if rule.name in seen:
            raise RedactRulesError(
                f"{rule.name!r} is listed twice (or is also in {DEFAULT_NAME}); list it once"
            )
        seen.add(rule.name)


def _built_in(name: str) -> RedactRule:
    spec: BuiltIn = BUILT_INS[name]
    return RedactRule(
        name,
        re.compile(spec.pattern),
        spec.template or mark(name),
        spec.needles,
        spec.accept,
        re.compile(spec.key) if spec.key else None,
        re.compile(spec.value) if spec.value else None,
        spec.fold,
        spec.screen,
    )


def _custom(name: str, regex: str, entry: str) -> RedactRule:
    where = f"custom rule {name!r}"
    if name in BUILT_INS or name == DEFAULT_NAME:
        raise RedactRulesError(f"{where}: {name!r} is a built-in rule's name; choose another")
    if not regex:
        raise RedactRulesError(f"{where} ({entry!r}) has no regex after '='")
    if len(regex) > CUSTOM_PATTERN_MAX_CHARS:
        raise RedactRulesError(
            f"{where}: the regex has {len(regex)} characters; use at most "
            f"{CUSTOM_PATTERN_MAX_CHARS}"
        )
    try:
        pattern = re.compile(regex)
    except re.error as error:
        raise RedactRulesError(f"{where}: {regex!r} is not a regular expression: {error}") from None
    try:
        check_shape(regex)
    except ShapeError as error:
        raise RedactRulesError(f"{where}: {regex!r}: {error}") from None
    if any(m.end() == m.start() for probe in _PROBES for m in pattern.finditer(probe)):
        raise RedactRulesError(f"{where}: {regex!r} matches empty text; make it match something")
    return RedactRule(name, pattern, mark(name))


_PROBES: Final = ("", "a", "A", "0", " ", "a b-0.c", "\n")
