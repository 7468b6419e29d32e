"""The built-in redaction rules on what they must catch and what they must leave alone, and
their running time on adversarial lines (each written to run in linear time)."""

from __future__ import annotations

import time

import pytest

from lambda_shared.redaction_builtins import (
    BUILT_INS,
    DEFAULT_SET,
    card_number,
    card_screen,
    card_span,
    email_screen,
    luhn_valid,
)
from transformer.redaction import Redactor, redactor_of


def fresh(text: str) -> Redactor | None:
    """A redactor of its own (redactor_of's is shared by every caller of that text)."""
    shared = redactor_of(text)
    return shared.fresh() if shared else None


def redacted(rule: str, text: str) -> str:
    redactor = fresh(rule)
    assert redactor is not None
    return redactor.text(text)


POSITIVES = [
    ("aws-access-key", "key=AKIAIOSFODNN7EXAMPLE done", "key=[REDACTED:aws-access-key] done"),
    ("aws-access-key", "ASIAY34FZKBOKMUTVV7A", "[REDACTED:aws-access-key]"),
    (
        "aws-secret-key",
        "aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
        "aws_secret_access_key = [REDACTED:aws-secret-key]",
    ),
    (
        "aws-secret-key",
        '{"SecretAccessKey": "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"}',
        '{"SecretAccessKey": "[REDACTED:aws-secret-key]"}',
    ),
    (
        "bearer-token",
        "Authorization: Bearer abc123.def-456_ghi",
        "Authorization: Bearer [REDACTED:bearer-token]",
    ),
    (
        "bearer-token",
        "authorization=bearer  0123456789abcdef",
        "authorization=bearer  [REDACTED:bearer-token]",
    ),
    (
        "jwt",
        "token eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dBjftJeZ4CVPmB92K27uhbUJU1p1r_wW1gFWFOEjXk end",
        "token [REDACTED:jwt] end",
    ),
    ("jwt", "eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.", "[REDACTED:jwt]"),
    (
        "private-key",
        "k=-----BEGIN RSA PRIVATE KEY-----\nMIIBOgIBAAJBAKj34GkxFhD90vcNLYLInFEX6Ppy1tPf9Cnzj4p4WGeKLs1Pt8Qu\n"
        "-----END RSA PRIVATE KEY-----!",
        "k=[REDACTED:private-key]!",
    ),
    ("credit-card", "card 4111 1111 1111 1111.", "card [REDACTED:credit-card]."),
    ("credit-card", "pan=5500-0000-0000-0004;", "pan=[REDACTED:credit-card];"),
    ("credit-card", "amex 378282246310005", "amex [REDACTED:credit-card]"),
    # a card next to another digit group: the pattern takes both, only the card is replaced
    ("credit-card", "qty 3 4111 1111 1111 1111", "qty 3 [REDACTED:credit-card]"),
    ("credit-card", "4111-1111-1111-1111 12/28", "[REDACTED:credit-card] 12/28"),
    ("credit-card", "4111111111111111 123", "[REDACTED:credit-card] 123"),
    ("credit-card", "5555 5555 5555 4444 2", "[REDACTED:credit-card] 2"),
    ("credit-card", "Order 4111111111111111-1 accepted", "Order [REDACTED:credit-card]-1 accepted"),
    ("credit-card", "n 12 4111 1111 1111 1111 7", "n 12 [REDACTED:credit-card] 7"),
    ("email", "to jane.doe+orders@mail.example.co.uk.", "to [REDACTED:email]."),
    ("email", "<ops@example.com>", "<[REDACTED:email]>"),
    ("ipv4", "from 203.0.113.7:443", "from [REDACTED:ipv4]:443"),
]


@pytest.mark.parametrize(("rule", "text", "expected"), POSITIVES)
def test_each_built_in_rule_catches_its_shape(rule: str, text: str, expected: str) -> None:
    assert redacted(rule, text) == expected


NEGATIVES = [
    ("aws-access-key", "AKIAIOSFODNN7EXAMPL"),  # 19 characters
    ("aws-access-key", "XAKIAIOSFODNN7EXAMPLE1"),  # inside a longer token
    ("aws-secret-key", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"),  # bare: not told from a token
    ("aws-secret-key", "sha1=da39a3ee5e6b4b0d3255bfef95601890afd80709"),
    ("bearer-token", "the bearer of bad news"),  # too short to be a credential
    ("jwt", "eyJhbGciOiJIUzI1NiJ9 is only a header"),
    ("jwt", "version 1.2.3 and eyJ.x"),
    ("private-key", "-----BEGIN PUBLIC KEY-----\nMIIB\n-----END PUBLIC KEY-----"),
    ("credit-card", "card 4111 1111 1111 1112"),  # Luhn fails
    ("credit-card", "at 1795169647121 ms"),  # an epoch timestamp: no network's prefix
    ("credit-card", "order 41111111111111111111"),  # 20 digits: longer than any card
    ("credit-card", "qty 3 4111 1111 1111 1112"),  # no run of whole groups is a card
    ("credit-card", "ids 1234 5678 9012 3456 7"),  # no network starts with 1 or 2345…
    ("credit-card", "41111111111111111-1"),  # a group is never cut: 17 digits, then 1
    ("credit-card", "id 00000000000000000000000000000000000000000000000000000000"),
    ("email", "user@localhost"),  # no dotted domain
    ("email", "@timestamp and a@b"),
    ("ipv4", "version 1.2.3.4.5"),
    ("ipv4", "999.1.1.1"),
]


@pytest.mark.parametrize(("rule", "text"), NEGATIVES)
def test_each_built_in_rule_leaves_other_text_alone(rule: str, text: str) -> None:
    assert redacted(rule, text) == text


def test_luhn_and_card_networks() -> None:
    assert luhn_valid("4111111111111111") and not luhn_valid("4111111111111112")
    assert luhn_valid("79927398713")  # the textbook example
    assert card_number("4012 8888 8888 1881") and card_number("6011-1111-1111-1117")
    assert card_number("3530111333300000")  # JCB
    assert not card_number("1234567812345670")  # Luhn-valid, but no network starts with 1
    assert not card_number("41111111111111")  # 14 digits: not a Visa length


def test_card_span_is_the_card_among_the_digit_groups_of_a_match() -> None:
    assert card_span("4111 1111 1111 1111") == (0, 19)
    assert card_span("3 4111 1111 1111 1111") == (2, 21)
    assert card_span("4111111111111111-1") == (0, 16)
    assert card_span("4111 1111 1111 1112 3") is None


def test_default_is_every_built_in_but_ipv4_in_a_fixed_order() -> None:
    redactor = fresh("default")
    assert redactor is not None
    assert [rule.name for rule in redactor.rules] == list(DEFAULT_SET)
    assert set(BUILT_INS) - set(DEFAULT_SET) == {"ipv4"}
    # a bearer token that is a JWT is one mark, not cut up
    text = "Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl"
    assert redactor.text(text) == "Authorization: Bearer [REDACTED:jwt]"
    assert redactor.counts == {"jwt": 1}


def test_the_document_screens_see_what_the_rules_match() -> None:
    assert card_screen(b'{"m":"card 4111 1111 1111 1111"}')
    assert not card_screen(b'{"m":"4111 1111 1111","n":123456789012}')  # 12 digits each
    assert card_screen(b'{"t":1795169647121}')  # 13 digits pass; only the rule tells them apart
    assert email_screen(b'{"m":"a@example.com"}') and not email_screen(b'{"@timestamp":"x"}')


ADVERSARIAL = [
    "a" * 200_000,
    "0" * 200_000,
    "0 " * 100_000,
    "A" * 200_000,
    "eyJ" * 70_000,
    "eyJa." * 40_000,
    "x@" * 100_000,
    "a.b@c." * 30_000,
    "Bearer " * 30_000,
    "-----BEGIN RSA PRIVATE KEY-----" + "A" * 200_000,
    "aws_secret_access_key=" * 9_000,
    "1." * 100_000,
]


@pytest.mark.parametrize("line", ADVERSARIAL, ids=lambda line: repr(line[:12]))
def test_built_ins_run_in_linear_time_on_adversarial_lines(line: str) -> None:
    """200 KB of the shape each pattern could backtrack on; a quadratic pattern takes minutes
    here, a linear one milliseconds (the bound leaves room for a slow machine)."""
    redactor = fresh("default,ipv4")
    assert redactor is not None
    started = time.process_time()
    redactor.text(line)
    assert time.process_time() - started < 2.0


def test_pieces_of_a_match_copied_into_other_fields_are_replaced() -> None:
    redactor = fresh("private-key")
    assert redactor is not None
    body = "MIIBVQIBADANBgkqhkiG9w0BAQEFAASCAT8wggE7AgEAAkEA"
    key = f"-----BEGIN PRIVATE KEY-----\n{body}\n-----END PRIVATE KEY-----"
    fields = {"message": f"boom {key}", "error.type": body, "json": {"k": [f"at {body}"]}}
    redactor.fields(fields)
    assert fields == {
        "message": "boom [REDACTED:private-key]",
        "error.type": "[REDACTED:private-key]",
        "json": {"k": ["at [REDACTED:private-key]"]},
    }
    assert redactor.counts == {"private-key": 1}


def test_many_matches_in_one_line_stay_cheap() -> None:
    redactor = fresh("email")
    assert redactor is not None
    line = " ".join(f"user{i}@example.com" for i in range(20_000))
    fields = {"message": line, "event.original": line, "error.message": line}
    started = time.process_time()
    redactor.fields(fields)
    assert time.process_time() - started < 5.0
    assert redactor.counts["email"] == 60_000
    assert "example" not in fields["message"]


def test_echoes_are_the_replaced_secret_not_the_name_the_template_keeps() -> None:
    redactor = fresh("aws-secret-key")
    assert redactor is not None
    fields: dict[str, object] = {
        "message": "config aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
        "error.message": "check aws_secret_access_key rotation",
    }
    redactor.fields(fields)
    assert fields == {
        "message": "config aws_secret_access_key = [REDACTED:aws-secret-key]",
        "error.message": "check aws_secret_access_key rotation",
    }


def test_kebab_case_secret_key_names_are_caught() -> None:
    secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
    assert redacted("aws-secret-key", f"secret-access-key={secret}") == (
        "secret-access-key=[REDACTED:aws-secret-key]"
    )
    assert redacted("aws-secret-key", f'{{"aws-secret-access-key": "{secret}"}}') == (
        '{"aws-secret-access-key": "[REDACTED:aws-secret-key]"}'
    )
    redactor = fresh("aws-secret-key")
    assert redactor is not None
    fields: dict[str, object] = {"json": {"aws-secret-access-key": secret}}
    redactor.fields(fields)
    assert fields == {"json": {"aws-secret-access-key": "[REDACTED:aws-secret-key]"}}
