"""REDACT_RULES' syntax and the static check of custom patterns (lambda_shared.regex_shape):
what is refused, with which words, and what runs."""

from __future__ import annotations

import re
import time
from typing import Final

import pytest

from lambda_shared.redaction_rules import (
    MAX_CUSTOM_RULES,
    RedactRulesError,
    parse_redact_rules,
    split_entries,
)
from lambda_shared.regex_shape import MAX_BOUND, ShapeError, check_shape
from transformer.redaction import Redactor, redactor_of


def fresh(text: str) -> Redactor | None:
    """A redactor of its own (redactor_of's is shared by every caller of that text)."""
    shared = redactor_of(text)
    return shared.fresh() if shared else None


def test_entries_split_on_newlines_and_on_commas_before_an_entry() -> None:
    text = "email, order-id=ORD-[0-9]{4,8}\n  ipv4,\n\nticket=T[0-9]{1,3},x{2}"
    assert split_entries(text) == [
        "email",
        "order-id=ORD-[0-9]{4,8}",
        "ipv4",
        "ticket=T[0-9]{1,3},x{2}",
    ]


def test_custom_rules_replace_every_match_with_their_name_in_order() -> None:
    redactor = fresh("order-id=ORD-[0-9]{8}\nmarked=\\[REDACTED:order-id\\]")
    assert redactor is not None
    assert redactor.text("ORD-12345678 and ORD-87654321, ORD-1") == (
        "[REDACTED:marked] and [REDACTED:marked], ORD-1"
    )  # the second rule sees what the first left
    assert redactor.counts == {"order-id": 2, "marked": 2}


def test_a_custom_rule_may_use_flags_and_end_with_an_unbounded_repeat() -> None:
    redactor = fresh(r"password=(?i)password[=:]\s{0,3}\S+")
    assert redactor is not None
    assert redactor.text("login PassWord: hunter2 ok") == "login [REDACTED:password] ok"


def test_default_expands_in_place_and_a_name_is_listed_once() -> None:
    names = [rule.name for rule in parse_redact_rules("ipv4,default")]
    assert names[0] == "ipv4" and names[1:] == [
        "private-key",
        "jwt",
        "bearer-token",
        "aws-access-key",
        "aws-secret-key",
        "credit-card",
        "email",
    ]
    with pytest.raises(RedactRulesError, match="'email' is listed twice"):
        parse_redact_rules("default,email")
    with pytest.raises(RedactRulesError, match="'a' is listed twice"):
        parse_redact_rules("a=x\na=y")


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("emails", "'emails' is not a built-in rule; use one of aws-access-key"),
        ("Bad=x", "'Bad' is not a rule name"),
        ("email=x", "custom rule 'email': 'email' is a built-in rule's name"),
        ("id=", "custom rule 'id' ('id=') has no regex"),
        ("id=ORD-[0-9", "custom rule 'id': 'ORD-[0-9' is not a regular expression: unterminated"),
        ("id=(a+)+$", "custom rule 'id': '(a+)+$': a repeated group holds a repetition"),
        ("id=(a|b)*c", "a repeated group holds a repetition or an alternative"),
        (r"id=(\w{2})\1", r"\1 is a backreference"),
        ("id=(?P<x>a)(?P=x)", "backreferences and conditionals"),
        ("id=(a)?(?(1)b|c)", "backreferences and conditionals"),
        (r"id=\S+@example\.com", "an unbounded repetition (*, +, {n,}) is followed by more"),
        ("id=x[0-9]{2,}y", "an unbounded repetition"),
        ("id=x{1,5000}", f"a bound of 5000 is over {MAX_BOUND}"),
        ("id=x*", "matches empty text"),
        ("id=\\b", "matches empty text"),
        ("id=" + "x" * 201, "the regex has 201 characters; use at most 200"),
        (r"t=\w{0,256}\w{0,256}\w{0,256}!", "multiply to more than 4,096 ways"),
        ("t=a{0,256}a{0,256}a{0,256}b", "multiply to more than 4,096 ways"),
        ("t=a{0,256}?a{0,256}?a{0,256}?b", "multiply to more than 4,096 ways"),
        ("t=(a{0,256})(a{0,256})(a{0,256})b", "multiply to more than 4,096 ways"),
        ("t=(?i:a{0,200}A{0,200}a{0,200})!", "multiply to more than 4,096 ways"),
        ("t=(?=a{0,100}a{0,100})a", "multiply to more than 4,096 ways"),  # in a lookahead
        ("t=(?:x|a{0,64}a{0,64})b", "multiply to more than 4,096 ways"),  # in an alternative
        ("t=a{0,64}a{0,64}b{0,2}c", "multiply to more than 4,096 ways"),  # past the bound by 1
        (r"t=[a-z]{1,20}\w{0,255}x", "multiply to more than 4,096 ways"),  # 20 x 256 ways
        (r"t=\w+$", "an anchor such as $"),  # ended by an anchor: quadratic
    ],
)
def test_unusable_rules_are_refused_naming_the_rule_and_why(text: str, words: str) -> None:
    with pytest.raises(RedactRulesError) as raised:
        parse_redact_rules(text)
    assert words in str(raised.value)


def test_the_number_of_custom_rules_is_capped() -> None:
    rules = "\n".join(f"r{i}=x{i}y" for i in range(MAX_CUSTOM_RULES))
    assert len(parse_redact_rules(rules)) == MAX_CUSTOM_RULES
    with pytest.raises(RedactRulesError, match=f"at most {MAX_CUSTOM_RULES}"):
        parse_redact_rules(rules + "\nlast=zz")


ACCEPTED: Final = (
    r"ORD-[0-9]{8}",
    r"order-id=ORD-[0-9]{8}",
    r"password=\S+",
    r"\d{3}-\d{2}-\d{4}",
    r"[a-z]{1,20}@corp\.example",
    r"(?:GET|POST) /admin\S*",
    r"(?i)token[=:]\s{0,2}[a-z0-9]+",
    r"[A-Z]{3}-\d{3,6}(?:-[A-Z])?",
    r"a\S+|b\S+",  # each top-level alternative may end with one
    r"authorization: (?:Bearer \S+|Basic \S+)",  # and each alternative of a final group
    r"\N{DIGIT ONE}{2}x",
    r"(?#comment)x{2}",
    r"[(+*]{2}x",  # quantifier characters inside a class are text
    r"\w{0,256}!",  # one repetition at MAX_BOUND: 257 ways
    r"a{0,63}a{0,63}b",  # 64 x 64: exactly MAX_CHOICES
    r"(?:a{0,100}|b{0,100})c{1,20}d",  # (101 + 101) x 20
)


@pytest.mark.parametrize("pattern", ACCEPTED)
def test_safe_shapes_are_accepted(pattern: str) -> None:
    re.compile(pattern)
    check_shape(pattern)


@pytest.mark.parametrize("pattern", ACCEPTED)
def test_accepted_patterns_search_hostile_lines_in_bounded_time(pattern: str) -> None:
    """20 KB runs of each character of the pattern (what its repetitions take), and of its
    literal beginning (so a match starts at every occurrence), then a character none of them
    ends on, or a space and one: the worst cases of a failing search. Measured about 0.1 s for
    `a{0,63}a{0,63}b`, the slowest here; a refused `a{0,256}a{0,256}a{0,256}b` takes minutes
    on 5,000 characters."""
    compiled = re.compile(pattern)
    prefix = re.match(r"[\w=-]*", pattern.replace("(?i)", ""))
    runs = sorted(set(pattern) | {"a", "0", " ", "A"}) + ([prefix.group(0)] if prefix else [])
    for run in filter(None, runs):
        for tail in ("\x00", " \x00"):
            line = run * (20_000 // len(run)) + tail
            started = time.process_time()
            compiled.search(line)
            assert time.process_time() - started < 2.0, (pattern, run, tail)


@pytest.mark.parametrize(
    "pattern",
    [
        *(r"(x+x+)+y", r"(?:a{1,3}){1,3}", r"((ab)*c)+", r"(\d+)*$", r"\w+\s\w+", r"(?:a|b)+c"),
        *(r"secret=\S+$", r"\S+\b", r"\w+\Z", r"x\S*\B"),  # an anchor after a run
        *(r"(?:a\S+|b)c", r"(?:a|b\S+)x", r"(?:x(?:a\S+|b)|c)d"),  # more after such a group
    ],
)
def test_backtracking_shapes_are_refused(pattern: str) -> None:
    with pytest.raises(ShapeError):
        check_shape(pattern)


@pytest.mark.parametrize(
    ("refused", "fine", "line"),
    [
        (r"\S+@x", r"\S{1,64}@x", "a" * 6_000),  # bounded instead: linear
        # `\S+$` was accepted once: on a run followed by a space it fails at the run's end and
        # backtracks through it from every start position; ended by the run, it stops at once
        (r"\S+$", r"\S+", "x" * 6_000 + " "),
    ],
)
def test_the_refused_shapes_are_the_slow_ones(refused: str, fine: str, line: str) -> None:
    """What the check is for: each refused shape is quadratic on a long run, its fix linear."""
    with pytest.raises(ShapeError):
        check_shape(refused)
    check_shape(fine)
    started = time.process_time()
    re.compile(refused).search(line)
    quadratic = time.process_time() - started
    started = time.process_time()
    re.compile(fine).search(line)
    linear = time.process_time() - started
    assert quadratic > 5 * linear
