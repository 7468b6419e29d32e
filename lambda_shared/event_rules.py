"""The syntax of EVENT_RULES: which log events the transformer leaves out before it makes and
re-ingests their documents (each document is billed by Firehose as at least 5 KB).

Rules are separated by `;`, words by spaces; `<group>` is a log group name prefix (`*`: every
group):

    drop-level <group> <LEVEL>          drop lines at or below LEVEL (TRACE, DEBUG, INFO, WARN)
    drop-match <group> <regex>          drop lines whose message matches (the rest of the rule)
    sample <group> <LEVEL> <percent>    keep <percent> % of the requests' lines at or below LEVEL

e.g. `drop-level /aws/lambda/dev- DEBUG; sample /aws/lambda/chatty- INFO 10`. Errors (ERROR,
FATAL, an error.* field) and the platform's lines are never left out by any rule.

Parsed here, in one place, by infra (config validation: a bad rule stops `pulumi up` with this
module's message) and by the transformer (`transformer/rules.py` applies them)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final

from lambda_shared.environment import LOG_GROUP_NAME

LEVELS: Final = ("TRACE", "DEBUG", "INFO", "WARN", "ERROR", "FATAL")
"""`log.level` values, lowest first (docs/fields.md)."""
RULE_LEVELS: Final = LEVELS[:4]
"""A rule may leave out lines up to WARN: errors are never dropped or sampled out."""
EVERY_GROUP: Final = "*"
PATTERN_MAX_CHARS: Final = 200
MATCH_WINDOW_CHARS: Final = 4096
"""A pattern is searched in the first this many characters of a message: its cost per event
is bounded whatever the line's size."""
_QUANTIFIER: Final = re.compile(r"[*+?]|\{\d*,?\d*\}")
_REPEAT: Final = re.compile(r"[*+]|\{\d*,\d*\}")
_GROUP_OPENING: Final = re.compile(r"\(\?(?:P<\w+>|<[=!]|[:=!>]|[aiLmsux-]+[:)])?")


class EventRulesError(ValueError):
    """EVENT_RULES holds a rule that cannot be used; the message says which and why."""


@dataclass(frozen=True)
class LevelDrop:
    prefix: str  # "" = every group
    level: str


@dataclass(frozen=True)
class PatternDrop:
    prefix: str
    pattern: re.Pattern[str]


@dataclass(frozen=True)
class Sample:
    prefix: str
    level: str
    percent: float


@dataclass(frozen=True)
class EventRules:
    level_drops: tuple[LevelDrop, ...] = ()
    pattern_drops: tuple[PatternDrop, ...] = ()
    samples: tuple[Sample, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.level_drops or self.pattern_drops or self.samples)


NO_RULES: Final = EventRules()
_EXAMPLE: Final = "drop-level /aws/lambda/dev- DEBUG; sample /aws/lambda/chatty- INFO 10"


def parse_rules(text: str) -> EventRules:
    """Every rule of `text` (empty: none); raises EventRulesError naming the rule and the fix."""
    level_drops: list[LevelDrop] = []
    pattern_drops: list[PatternDrop] = []
    samples: list[Sample] = []
    for number, rule in enumerate((r.strip() for r in text.split(";")), start=1):
        if not rule:
            continue
        action, _, rest = rule.partition(" ")
        prefix, _, argument = rest.strip().partition(" ")
        argument = argument.strip()
        where = f"rule {number} ({rule!r})"
        if not prefix or not argument:
            raise EventRulesError(
                f"{where} needs a log group prefix and what to do; e.g. {_EXAMPLE}"
            )
        group = _prefix(prefix, where)
        if action == "drop-level":
            level_drops.append(LevelDrop(group, _level(argument, where)))
        elif action == "drop-match":
            pattern_drops.append(PatternDrop(group, _pattern(argument, where)))
        elif action == "sample":
            level, _, percent = argument.partition(" ")
            samples.append(Sample(group, _level(level, where), _percent(percent.strip(), where)))
        else:
            raise EventRulesError(
                f"{where}: {action!r} is not a rule; use drop-level, drop-match or sample"
            )
    return EventRules(tuple(level_drops), tuple(pattern_drops), tuple(samples))


def _prefix(text: str, where: str) -> str:
    if text == EVERY_GROUP:
        return ""
    if not LOG_GROUP_NAME.fullmatch(text):
        raise EventRulesError(
            f"{where}: {text!r} is not a log group prefix (letters, digits and . - _ / #), "
            f"or {EVERY_GROUP} for every group"
        )
    return text


def _level(text: str, where: str) -> str:
    level = text.upper()
    if level in RULE_LEVELS:
        return level
    if level in LEVELS:
        raise EventRulesError(f"{where}: errors are never left out; use at most WARN")
    raise EventRulesError(f"{where}: {text!r} is not a level; use one of {', '.join(RULE_LEVELS)}")


def _percent(text: str, where: str) -> float:
    try:
        value = float(text.removesuffix("%"))
    except ValueError:
        value = -1.0
    if not 0 <= value <= 100:  # also false for nan
        raise EventRulesError(
            f"{where}: {text!r} is not a percentage of requests to keep; use 0 to 100, e.g. 10"
        )
    return value


def _pattern(text: str, where: str) -> re.Pattern[str]:
    if len(text) > PATTERN_MAX_CHARS:
        raise EventRulesError(
            f"{where}: the pattern has {len(text)} characters; use at most {PATTERN_MAX_CHARS}"
        )
    try:
        pattern = re.compile(text)
    except re.error as error:
        raise EventRulesError(f"{where}: not a regular expression: {error}") from None
    if _nested_repetition(text):
        raise EventRulesError(
            f"{where}: a repeated group that holds a repetition or an alternative ('(a+)+', "
            "'(a|b)*') can take exponential time on some lines; write it without one"
        )
    return pattern


def _nested_repetition(text: str) -> bool:
    """Whether a quantified group holds a quantifier or `|`: the shapes that backtrack
    catastrophically. Escapes and character classes are skipped."""
    risky: list[bool] = []  # per open group: it holds a quantifier or an alternative
    index, closed_risky = 0, False
    while index < len(text):
        char = text[index]
        if closed_risky and _REPEAT.match(text, index):
            return True
        closed_risky = False
        if char == "\\":
            index += 2
            continue
        if char == "[":
            index = _class_end(text, index)
        elif char == "(":
            risky.append(False)
            opening = _GROUP_OPENING.match(text, index)  # "(?:", "(?P<name>", …: no quantifier
            if opening is not None and opening.end() > index + 1:
                if text[opening.end() - 1] == ")":  # "(?i)": flags, no group
                    risky.pop()
                index = opening.end()
                continue
        elif char == ")" and risky:
            closed_risky = risky.pop()
            if risky and closed_risky:
                risky[-1] = True
        elif risky and (char == "|" or _QUANTIFIER.match(text, index)):
            risky[-1] = True
        index += 1
    return False


def _class_end(text: str, start: int) -> int:
    """The index of the `]` closing the character class opened at `start`."""
    index = start + 1
    if index < len(text) and text[index] == "^":
        index += 1
    if index < len(text) and text[index] == "]":
        index += 1
    while index < len(text) and text[index] != "]":
        index += 2 if text[index] == "\\" else 1
    return index
