"""The built-in redaction rules (`redactRules` names them; lambda_shared/redaction_rules.py).

Each pattern was written to run in linear time on any line: a run of its characters is
entered only at the run's start (a negative lookbehind on the same characters), and every
repetition is bounded or followed by characters it cannot take, so a failed match never
re-scans a run from each position (tests/transformer/test_redaction_builtins.py times them
on adversarial lines). `needles`: text one of which a match always contains, tested first."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Final


@dataclass(frozen=True)
class BuiltIn:
    pattern: str
    catches: str
    """What it catches and misses (docs/security.md lists it)."""
    template: str = ""  # "" → [REDACTED:<name>]
    needles: tuple[str, ...] = ()
    accept: Callable[[str], tuple[int, int] | None] | None = None
    """The span of a match to replace (None: leave it); without it, the whole match."""
    key: str = ""
    value: str = ""
    fold: bool = False
    """`needles` are lowercase, looked for in the text lowercased."""
    screen: Callable[[bytes], bool] | None = None
    """Whether a document's JSON may hold a match (in place of the needles there)."""


# Card numbers: the issuer prefixes and lengths of the networks (ISO/IEC 7812 IINs), Luhn.
def _span(first: int, last: int) -> tuple[str, ...]:
    return tuple(str(n) for n in range(first, last + 1))


_CARD_LENGTHS: Final = (
    (("4",), (13, 16, 19)),  # Visa
    ((*_span(51, 55), *_span(2221, 2720)), (16,)),  # Mastercard
    (("34", "37"), (15,)),  # American Express
    (("6011", "65", *_span(644, 649)), (16, 19)),  # Discover
    (("36", "38", "39", *_span(300, 305)), (14, 16)),  # Diners Club
    (_span(3528, 3589), (16, 19)),  # JCB
    (("62",), (16, 19)),  # UnionPay
)


def luhn_valid(digits: str) -> bool:
    """The Luhn (mod 10) check digit of a card number holds."""
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = ord(char) - 48
        if position % 2:
            value = value * 2 - 9 if value > 4 else value * 2
        total += value
    return total % 10 == 0


def card_number(text: str) -> bool:
    """`text` (digits, maybe spaced or dashed) is a card number: a network's prefix and
    length, and a valid Luhn check digit. Random 16-digit numbers pass Luhn 1 time in 10; the
    prefix and length leave out most ids and epoch timestamps (13 digits starting with 1)."""
    digits = text.replace(" ", "").replace("-", "")
    for prefixes, lengths in _CARD_LENGTHS:
        if len(digits) in lengths and digits.startswith(prefixes):
            return luhn_valid(digits)
    return False


_DIGIT_GROUP: Final = re.compile(r"[0-9]+")
_CARD_DIGITS: Final = range(13, 20)


def card_span(text: str) -> tuple[int, int] | None:
    """The span of `text` (a credit-card match: digits, maybe spaced or dashed) that is a card
    number: all of it, else the longest run of its whole digit groups that is one (leftmost
    of equals), else None. The pattern takes up to 19 digits, so a card next to another digit
    group (`qty 3 4111 1111 1111 1111`, `4111111111111111 123`) is matched with it, and only
    the card is replaced."""
    if card_number(text):
        return 0, len(text)
    groups = [(found.start(), found.end()) for found in _DIGIT_GROUP.finditer(text)]
    best: tuple[int, int] | None = None
    for first, (start, _) in enumerate(groups):
        digits = 0
        for group_start, end in groups[first:]:
            digits += end - group_start
            if digits > _CARD_DIGITS[-1]:
                break
            longer = best is None or end - start > best[1] - best[0]
            if digits in _CARD_DIGITS and longer and card_number(text[start:end]):
                best = start, end
    return best


_ZEROS: Final = bytes.maketrans(b"123456789", b"000000000")
_EMAIL_SCREEN: Final = re.compile(rb"@[A-Za-z0-9-]{1,63}\.")  # not "@timestamp"
_IPV4: Final = (
    r"(?<![0-9.])(?:(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])\.){3}"
    r"(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])(?![0-9]|\.[0-9])"
)
_IPV4_SCREEN: Final = re.compile(_IPV4.encode())


def card_screen(document: bytes) -> bool:
    """13 digits in a row once spaces and dashes are left out: a card number may be there."""
    return b"0000000000000" in document.translate(_ZEROS, b" -")


def email_screen(document: bytes) -> bool:
    return _EMAIL_SCREEN.search(document) is not None


def ipv4_screen(document: bytes) -> bool:
    return _IPV4_SCREEN.search(document) is not None


_B64URL: Final = "A-Za-z0-9_-"
BUILT_INS: Final[dict[str, BuiltIn]] = {
    "aws-access-key": BuiltIn(
        r"A[KS]IA(?<![A-Z0-9]A[KS]IA)[A-Z0-9]{16}(?![A-Z0-9])",
        "AWS access key ids (AKIA… long-term, ASIA… temporary): 20 characters",
        needles=("AKIA", "ASIA"),
    ),
    "aws-secret-key": BuiltIn(
        r"(?i:(?<![a-z0-9_-])((?:aws[_-]?)?secret[_-]?access[_-]?key|aws[_-]?secret[_-]?key)"
        r"([\"']?\s{0,4}[:=]\s{0,4}[\"']?))[A-Za-z0-9/+]{40}(?![A-Za-z0-9/+=])",
        "40-character AWS secret keys after a name that says so (aws_secret_access_key=…, "
        'secret-access-key=…, "SecretAccessKey": "…", also as a JSON member); a bare '
        "40-character secret is not told from other tokens and passes",
        template=r"\1\2[REDACTED:aws-secret-key]",
        needles=("secret",),
        fold=True,
        key=r"(?i)(?:aws[_-]?)?secret[_-]?access[_-]?key|aws[_-]?secret[_-]?key",
        value=r"[A-Za-z0-9/+]{40}",
    ),
    "bearer-token": BuiltIn(
        r"(?i:(?<![a-z0-9])(bearer)(\s{1,8}))[A-Za-z0-9._~+/=-]{8,}",
        "the credential after `Bearer ` (Authorization headers, any case); the word is kept",
        template=r"\1\2[REDACTED:bearer-token]",
        needles=("bearer",),
        fold=True,
    ),
    "jwt": BuiltIn(
        rf"eyJ(?<![{_B64URL}]eyJ)[{_B64URL}]{{2,}}\.[{_B64URL}]{{2,}}\.[{_B64URL}]*",
        "JSON Web Tokens (three base64url parts, the header starting `eyJ`), signed or not",
        needles=("eyJ",),
    ),
    "private-key": BuiltIn(
        r"-----BEGIN[A-Z ]{0,32} PRIVATE KEY-----[A-Za-z0-9+/=\s\\]{0,16384}"
        r"-----END[A-Z ]{0,32} PRIVATE KEY-----",
        "PEM private keys (RSA, EC, OpenSSH, PKCS#8, encrypted PKCS#8), BEGIN to END; a key "
        "cut by truncation, or with legacy `Proc-Type:` headers, passes",
        needles=("PRIVATE KEY",),
    ),
    "credit-card": BuiltIn(
        r"[0-9](?<![0-9]{2})(?:[ -]?[0-9]){12,18}(?![0-9])",
        "card numbers of 13 to 19 digits (spaces or dashes allowed) with a card network's "
        "prefix and length and a valid Luhn check digit, also next to another digit group "
        "(`qty 3 4111 1111 1111 1111`: the card alone); other numbers pass",
        accept=card_span,
        screen=card_screen,
    ),
    "email": BuiltIn(
        r"(?<![A-Za-z0-9._%+-])[A-Za-z0-9._%+-]{1,64}@(?:[A-Za-z0-9-]{1,63}\.){1,8}"
        r"[A-Za-z]{2,24}(?![A-Za-z0-9-])",
        "e-mail addresses (local part up to 64 characters, a dotted domain)",
        needles=("@",),
        screen=email_screen,
    ),
    "ipv4": BuiltIn(
        _IPV4,
        "dotted IPv4 addresses (not in `default`: addresses are often what one searches)",
        screen=ipv4_screen,
    ),
}
DEFAULT_SET: Final = (
    "private-key",
    "jwt",
    "bearer-token",
    "aws-access-key",
    "aws-secret-key",
    "credit-card",
    "email",
)
"""`default`, in this order: the longest shapes first, so a JWT is one mark, not cut up."""
