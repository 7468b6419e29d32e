"""The static check a custom redaction pattern passes before it runs on log lines.

Python's `re` is a backtracking engine with no time limit: a pattern can take exponential time
on some inputs (`(a+)+$` on `aaaa…b`), and a search takes quadratic time when a pattern scans an
unbounded run and then fails (`\\S+@x` on a long token without `@`: every start position
re-scans the run). Log lines are hostile input (a logged header or request body is written by
whoever sent it), so `check_shape` refuses the shapes behind both, before `pulumi up` deploys
the pattern and again when the transformer starts:

- backreferences (`\\1`, `(?P=name)`) and conditionals (`(?(1)…)`): matching with them is
  NP-hard in general, and `re` backtracks through them;
- a repeated group that holds a repetition or an alternative (`(a+)+`, `(a|b)*`): the nested
  quantifiers of catastrophic backtracking;
- an unbounded repetition (`*`, `+`, `{n,}`) anywhere but at the end of the pattern (or of an
  alternative, of the pattern or of a group nothing follows: `(?:Bearer \\S+|Basic \\S+)`):
  ended there, it takes the run and succeeds, never failing after a long scan; elsewhere write
  a bound, `{1,64}`. An anchor after it counts as more pattern:
  `\\S+$` fails at the end of a run followed by a space, then backtracks through the run, from
  every start position (1 s on a 20 KB run here, minutes on a 256 KB line);
- a bound over MAX_BOUND;
- variable-length repetitions whose choices multiply past MAX_CHOICES (`_choices`, on `re`'s
  own parse tree): `a{0,256}a{0,256}a{0,256}b` on a run of `a` tries every way of splitting the
  run between the three (257³ ≈ 17 million) at every start position before failing.

It is a check of shape, not a proof; what it bounds is the number of ways a failing match
at one position can be retried, MAX_CHOICES."""

from __future__ import annotations

import importlib
import re
from dataclasses import dataclass, field
from typing import Any, Final

MAX_BOUND: Final = 256
"""The largest `{m,n}` bound a custom pattern may use."""
MAX_CHOICES: Final = 4_096
"""The largest product of (max − min + 1) over a pattern's variable-length repetitions (a sum
over the alternatives of a `|`; an unbounded one counts MAX_BOUND + 1 unless nothing follows
it). Backtracking at one start position retries at most that many ways to split the text
between them, so a search costs at most ~MAX_CHOICES steps per character: 4,096 lets one
`{0,256}` (257) or `{1,20}` twice (400) through, and refuses two `{0,256}` (66,049)."""
_QUANTIFIER: Final = re.compile(r"(?:[*+?]|\{(\d*)(,?)(\d*)\})[?+]?")
_GROUP_OPENING: Final = re.compile(r"\(\?(?:P<\w+>|<[=!]|[:=!>]|[aiLmsux]*(?:-[imsx]+)?[:)])?")


class ShapeError(ValueError):
    """The pattern has a shape that can backtrack for too long; the message says which."""


@dataclass
class _Scan:
    groups: list[bool] = field(default_factory=list)  # per open group: holds a repeat or `|`
    ended_unbounded: list[bool] = field(default_factory=list)
    """Per open group: one of its alternatives before the current one ended with an unbounded
    repetition (`(?:Bearer \\S+|Basic \\S+)`: each alternative may; what follows the group
    may not)."""
    unbounded: bool = False  # an unbounded repetition was met (on this alternative)
    last_atom_risky: bool = False  # the atom just closed is a group holding a repeat or `|`
    has_atom: bool = False  # an atom precedes (a quantifier applies to it)


def check_shape(pattern: str) -> None:
    """Raise ShapeError if `pattern` (already compiled once: valid) has a refused shape."""
    scan, index = _Scan(), 0
    while index < len(pattern):
        quantifier = _QUANTIFIER.match(pattern, index) if scan.has_atom else None
        if quantifier is not None and _is_quantifier(quantifier):
            _repeat(scan, quantifier)
            index = quantifier.end()
            continue
        index = _atom(scan, pattern, index)
    choices = _choices(_PARSER.parse(pattern), tail=True)
    if choices > MAX_CHOICES:
        raise ShapeError(
            "its variable-length repetitions multiply to more than "
            f"{MAX_CHOICES:,} ways to backtrack at each position (the product of max - min + 1 "
            "over them); "
            "tighten the bounds or make the repeated parts exact ({8}, not {0,8})"
        )


_PARSER: Final[Any] = importlib.import_module("re._parser")  # sre_parse (deprecated alias)
_REPEATS: Final = frozenset({"MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT"})
_NESTED: Final = {"SUBPATTERN": 3, "ASSERT": 1, "ASSERT_NOT": 1}  # the index of the content
_OVER: Final = MAX_CHOICES + 1


def _choices(items: Any, tail: bool) -> int:
    """The ways a failing match of the sequence `items` (an sre parse list) can be retried:
    the product of its items' (capped at _OVER). `tail`: nothing follows the sequence."""
    product = 1
    for index, (op, arg) in enumerate(items):
        last = tail and index == len(items) - 1
        name = str(op)
        if name in _REPEATS:
            factor = _repeat_choices(arg[0], arg[1], arg[2], last)
        elif name == "BRANCH":
            factor = sum(_choices(alternative, last) for alternative in arg[1])
        elif name in _NESTED:
            factor = _choices(arg[_NESTED[name]], last and name == "SUBPATTERN")
        elif name == "ATOMIC_GROUP":
            factor = _choices(arg, tail=False)
        else:
            factor = 1
        product = min(product * factor, _OVER)
    return product


def _repeat_choices(low: int, high: int, body: Any, last: bool) -> int:
    """`{low,high}`: high - low + 1 ways; unbounded, MAX_BOUND + 1 unless nothing follows (it
    then takes the run and succeeds). A body with choices of its own repeated: over the cap
    (the scan refuses those too)."""
    inner = _choices(body, tail=False)
    ways = high - low + 1
    if high == _PARSER.MAXREPEAT:
        ways = 1 if last else MAX_BOUND + 1
    return ways * inner if inner == 1 or high <= 1 else _OVER


def _is_quantifier(found: re.Match[str]) -> bool:
    text = found.group(0)
    if not text.startswith("{"):
        return True
    return bool(found.group(1) or found.group(3))  # "{,}" and "{x" are literal text to `re`


def _repeat(scan: _Scan, found: re.Match[str]) -> None:
    if scan.last_atom_risky:
        raise ShapeError(
            "a repeated group holds a repetition or an alternative ('(a+)+', '(a|b)*'): it can "
            "take exponential time on some lines; write it without one"
        )
    text = found.group(0)
    if text[0] in "*+" or (found.group(2) and not found.group(3)):
        if scan.unbounded:
            raise ShapeError(_NOT_LAST)
        scan.unbounded = True
    elif text[0] == "{":
        bound = int(found.group(3) or found.group(1))
        if bound > MAX_BOUND:
            raise ShapeError(f"a bound of {bound} is over {MAX_BOUND}; use at most {MAX_BOUND}")
    if scan.groups:
        scan.groups[-1] = True
    scan.last_atom_risky, scan.has_atom = False, False


_NOT_LAST: Final = (
    "an unbounded repetition (*, +, {n,}) is followed by more pattern (an anchor such as $, "
    "\\b or \\Z too): a search can re-scan a long run from every position (quadratic time); "
    "end the pattern with it, or bound it ({1,64})"
)


def _atom(scan: _Scan, pattern: str, index: int) -> int:
    """Read the atom (or group boundary) at `index`; the index after it."""
    char = pattern[index]
    if char == "(":
        return _open(scan, pattern, index)
    if char == ")":
        if scan.groups:
            risky = scan.groups.pop()
            if risky and scan.groups:
                scan.groups[-1] = True
            scan.unbounded = scan.unbounded or scan.ended_unbounded.pop()
            scan.last_atom_risky, scan.has_atom = risky, True
        return index + 1
    if char == "|":
        if scan.groups:
            scan.groups[-1] = True
            scan.ended_unbounded[-1] = scan.ended_unbounded[-1] or scan.unbounded
        scan.unbounded = False  # a new alternative (of the group, or of the whole pattern)
        scan.last_atom_risky, scan.has_atom = False, False
        return index + 1
    if scan.unbounded:  # an anchor too: `\S+$` fails at a run's end, then re-scans it
        raise ShapeError(_NOT_LAST)
    scan.last_atom_risky, scan.has_atom = False, True
    if char == "[":
        return _class_end(pattern, index) + 1
    if char == "\\":
        return _escape_end(pattern, index)
    scan.has_atom = char not in "^$"
    return index + 1


def _open(scan: _Scan, pattern: str, index: int) -> int:
    if pattern.startswith(("(?P=", "(?("), index):
        raise ShapeError(
            "backreferences and conditionals ((?P=name), (?(1)…)) can backtrack without "
            "bound; match the text itself"
        )
    if pattern.startswith("(?#", index):
        return pattern.index(")", index) + 1
    if scan.unbounded:
        raise ShapeError(_NOT_LAST)
    opening = _GROUP_OPENING.match(pattern, index)
    end = opening.end() if opening is not None and opening.end() > index + 1 else index + 1
    if pattern[end - 1] == ")":  # "(?i)": flags, no group
        return end
    scan.groups.append(False)
    scan.ended_unbounded.append(False)
    scan.last_atom_risky, scan.has_atom = False, False
    return end


def _escape_end(pattern: str, index: int) -> int:
    following = pattern[index + 1 : index + 2]
    if following.isdigit() and following != "0":
        raise ShapeError(
            f"\\{following} is a backreference: it can backtrack without bound; match the "
            "text itself"
        )
    if following == "N" and pattern[index + 2 : index + 3] == "{":
        return pattern.index("}", index) + 1
    return index + 2


def _class_end(pattern: str, start: int) -> int:
    """The index of the `]` closing the character class opened at `start`."""
    index = start + 1
    if index < len(pattern) and pattern[index] == "^":
        index += 1
    if index < len(pattern) and pattern[index] == "]":
        index += 1
    while index < len(pattern) and pattern[index] != "]":
        index += 2 if pattern[index] == "\\" else 1
    return index
