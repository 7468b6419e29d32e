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
- an unbounded repetition (`*`, `+`, `{n,}`) anywhere but at the end of the pattern (or of a
  top-level alternative): ended there, it takes the run and succeeds, never failing after a
  long scan; elsewhere write a bound, `{1,64}`;
- a bound over MAX_BOUND.

It is a check of shape, not a proof: bounded repetitions in sequence still multiply their
backtracking (each at most its bound per character), which MAX_BOUND keeps small."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Final

MAX_BOUND: Final = 256
"""The largest `{m,n}` bound a custom pattern may use."""
_QUANTIFIER: Final = re.compile(r"(?:[*+?]|\{(\d*)(,?)(\d*)\})[?+]?")
_GROUP_OPENING: Final = re.compile(r"\(\?(?:P<\w+>|<[=!]|[:=!>]|[aiLmsux]*(?:-[imsx]+)?[:)])?")


class ShapeError(ValueError):
    """The pattern has a shape that can backtrack for too long; the message says which."""


@dataclass
class _Scan:
    groups: list[bool] = field(default_factory=list)  # per open group: holds a repeat or `|`
    unbounded: bool = False  # an unbounded repetition was met (on this top-level alternative)
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
    "an unbounded repetition (*, +, {n,}) is followed by more pattern: a search can re-scan "
    "a long run from every position (quadratic time); end the pattern with it, or bound it "
    "({1,64})"
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
            scan.last_atom_risky, scan.has_atom = risky, True
        return index + 1
    if char == "|":
        if scan.groups:
            scan.groups[-1] = True
        else:
            scan.unbounded = False  # a new top-level alternative
        scan.last_atom_risky, scan.has_atom = False, False
        return index + 1
    if scan.unbounded and not _zero_width(pattern, index):
        raise ShapeError(_NOT_LAST)
    scan.last_atom_risky, scan.has_atom = False, True
    if char == "[":
        return _class_end(pattern, index) + 1
    if char == "\\":
        return _escape_end(pattern, index)
    scan.has_atom = char not in "^$"
    return index + 1


def _zero_width(pattern: str, index: int) -> bool:
    """`$`, `\\b`, `\\B`, `\\Z`: an assertion, no text (may follow an unbounded repetition)."""
    return pattern[index] == "$" or pattern[index : index + 2] in _ASSERTIONS


_ASSERTIONS: Final = frozenset({"\\b", "\\B", "\\Z"})


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
