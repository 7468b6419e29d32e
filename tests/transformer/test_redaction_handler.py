"""Redaction through the real transformer (REDACT_RULES read from the environment, as in the
Lambda): on the corpus, nothing a rule matches reaches a document, in any field; the error
fields, JSON leaves and keys are redacted; each rule's count is in the summary's metrics; and
without rules every document is byte for byte what it was."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import pytest

from lambdalogs.local.firehose import LoopbackFirehose, deliver
from tests.transformer.helpers import cw_record, events, run
from transformer.document import encoder
from transformer.jsonlib import default_codec
from transformer.redaction import wrap_encoder
from transformer.settings import Settings, SettingsError

CORPUS = Path(__file__).parent.parent / "corpus"
CASES = [case for path in sorted(CORPUS.glob("*.json")) for case in json.loads(path.read_text())]
CANARY = "CANARY1234"


def one(line: str) -> list[dict[str, Any]]:
    return [{"id": f"{1:056d}", "timestamp": 1_795_169_647_000, "message": line}]


def settings(rules: str, **env: str) -> Settings:
    return Settings.from_env({"AWS_REGION": "eu-west-1", "REDACT_RULES": rules, **env})


def record_of(case: dict[str, Any], replace: tuple[str, str] | None = None) -> bytes:
    evts = case["events"]
    if replace is not None:
        evts = [{**e, "message": e["message"].replace(*replace)} for e in evts]
    return cw_record(evts, case["logGroup"], case["logStream"])


def delivered_bytes(records: list[bytes], rules: Settings) -> list[bytes]:
    """Every document, inline and re-ingested, as the bytes OpenSearch and S3 receive."""
    stream = LoopbackFirehose()
    result = run(records, firehose=stream, settings=rules)
    inline = [
        base64.b64decode(r["data"]) for r in result.response["records"] if r["result"] == "Ok"
    ]
    return inline + stream.take()


@pytest.mark.parametrize("case", CASES, ids=lambda case: str(case["name"]))
@pytest.mark.parametrize("letter", ["e", "o", "1"])
def test_no_field_of_any_corpus_document_keeps_a_match(case: dict[str, Any], letter: str) -> None:
    """Each corpus case with a canary in place of every `letter` of its lines (inside JSON
    keys, values, stack traces, platform lines…): no document holds it, anywhere."""
    rules = settings(f"canary={CANARY}")
    documents = delivered_bytes([record_of(case, (letter, CANARY))], rules)
    assert len(documents) == len(case["events"])
    assert all(CANARY.encode() not in document for document in documents)
    without = delivered_bytes([record_of(case, (letter, CANARY))], Settings(region="eu-west-1"))
    assert any(CANARY.encode() in document for document in without) == any(
        b"[REDACTED:canary]" in document for document in documents
    )  # where the canary reached a document unredacted, the rule replaced it


def corpus_case(name: str) -> dict[str, Any]:
    (found,) = [case for case in CASES if case["name"] == name]
    result: dict[str, Any] = found
    return result


def only_document(
    case: dict[str, Any], replace: tuple[str, str], rules: str
) -> list[dict[str, Any]]:
    delivery = deliver([record_of(case, replace)], settings=settings(rules))
    return delivery.documents


def test_error_fields_of_a_python_traceback_are_redacted() -> None:
    case = corpus_case("python-orders-api-levels-and-traceback")
    docs = only_document(case, ("SKU-0091", "4111 1111 1111 1111"), "default")
    (error,) = [d for d in docs if "error.message" in d]
    assert "4111" not in json.dumps(error)
    assert error["error.message"] == "'[REDACTED:credit-card]'"
    assert "KeyError: '[REDACTED:credit-card]'" in error["error.stack_trace"]
    assert "[REDACTED:credit-card]" in error["message"]


def test_node_error_objects_and_their_stacks_are_redacted() -> None:
    case = corpus_case("node-inventory-sync-text-format")
    docs = only_document(case, ("'sku'", "'ops@example.com'"), "email")
    (error,) = [d for d in docs if d.get("error.type") == "TypeError"]
    assert "ops@example.com" not in json.dumps(error)
    assert "(reading '[REDACTED:email]')" in error["error.message"]
    assert "[REDACTED:email]" in error["error.stack_trace"]


def test_nested_json_leaves_and_keys_are_redacted() -> None:
    case = corpus_case("powertools-java-json-and-ecs")
    key = "AKIAIOSFODNN7EXAMPLE"
    docs = only_document(case, ("card declined", f"card {key} declined"), "aws-access-key")
    errors = [d for d in docs if d.get("message") == "Charge failed"]
    assert errors and key not in json.dumps(docs)
    (error, *_) = errors
    assert error["json"]["error"]["message"] == "card [REDACTED:aws-access-key] declined"
    assert error["error.message"] == "card [REDACTED:aws-access-key] declined"
    line = json.dumps(
        {
            "message": "signed in",
            "user": {"jane@example.com": {"card": 4111111111111111, "ok": 7}},
            "SecretAccessKey": "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
        }
    )
    (doc,) = deliver([cw_record(one(line))], settings=settings("default")).documents
    assert doc["json"]["user"] == {"[REDACTED:email]": {"card": "[REDACTED:credit-card]", "ok": 7}}
    assert doc["json"]["SecretAccessKey"] == "[REDACTED:aws-secret-key]"


def test_truncated_lines_keep_their_original_redacted() -> None:
    line = "token eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2ln " + "x" * 600
    rules = settings("jwt", MAX_MESSAGE_BYTES="256")
    (doc,) = deliver([cw_record(one(line))], settings=rules).documents
    assert doc["log.truncated"] is True
    assert doc["event.original"].startswith("token [REDACTED:jwt] xxx")
    assert doc["message"].startswith("token [REDACTED:jwt] xxx")


def test_lines_folding_leaves_over_are_redacted_too() -> None:
    """A START line whose REPORT is not in the batch becomes its own document in
    transformer/reduction.py, through its own encoder: redacted there too."""
    request_id = "8f5c7ac1-3d1b-4bcd-9a39-1c2d3e4f5a6b"
    line = f"START RequestId: {request_id} Version: $LATEST"
    rules = settings(r"rid=8f5c7ac1-[0-9a-f-]{27}", FOLD_PLATFORM_EVENTS="true")
    docs = delivered_bytes([cw_record(one(line))], rules)
    assert len(docs) == 1
    assert request_id.encode() not in docs[0] and b"[REDACTED:rid]" in docs[0]


def test_counts_per_rule_are_in_the_summary_metrics() -> None:
    lines = [
        "mail a@example.com and b@example.org",
        "card 4111111111111111 key AKIAIOSFODNN7EXAMPLE",
        "nothing here",
    ]
    evts = [{**e, "message": lines[i]} for i, e in enumerate(events(3))]
    result = run([cw_record(evts)], settings=settings("default,order=ORD-[0-9]{4}"))
    summary = result.summary()
    assert summary["redactions"]["email"] == 2
    assert summary["Redactions.email"] == 2
    assert summary["Redactions.credit-card"] == 1
    assert summary["Redactions.aws-access-key"] == 1
    assert summary["Redactions.order"] == 0
    assert summary["Redactions"] == 4
    (directive,) = summary["_aws"]["CloudWatchMetrics"]
    names = {metric["Name"] for metric in directive["Metrics"]}
    assert {"Redactions", "Redactions.email", "Redactions.jwt", "Redactions.order"} <= names
    assert summary["documents"] == 3
    # a batch counts its own matches only
    again = run([cw_record(evts[2:])], settings=settings("default")).summary()
    assert again["Redactions"] == 0


def test_without_rules_documents_and_summary_are_unchanged() -> None:
    records = [record_of(case) for case in CASES]
    plain = delivered_bytes(records, Settings(region="eu-west-1"))
    unset = delivered_bytes(records, settings(""))
    matching_nothing = delivered_bytes(records, settings("nothing=QQQ-[0-9]{9}"))
    assert plain == unset == matching_nothing
    assert len(plain) == sum(len(case["events"]) for case in CASES)
    summary = run(records[:3], settings=settings("")).summary()
    assert "redactions" not in summary and "Redactions" not in summary


def test_without_rules_the_encoder_is_the_encoder_itself() -> None:
    """The hot path without rules: `wrap_encoder` hands back the very function."""
    encode = encoder({}, default_codec(), 0)
    assert wrap_encoder(encode, Settings(region="eu-west-1").redactor) is encode
    assert settings("").redactor is None
    assert wrap_encoder(encode, settings("email").redactor) is not encode


@pytest.mark.parametrize(
    ("value", "words"),
    [
        ("emails", "REDACT_RULES: 'emails' is not a built-in rule"),
        ("x=(a+)+", "REDACT_RULES: custom rule 'x': '(a+)+': a repeated group"),
        ("x=[", "REDACT_RULES: custom rule 'x': '[' is not a regular expression"),
        ("x=" + "a" * 1100, "REDACT_RULES has 1102 characters; use at most 1024"),
    ],
)
def test_the_function_refuses_unusable_rules_at_start(value: str, words: str) -> None:
    with pytest.raises(SettingsError) as raised:
        settings(value)
    assert words in str(raised.value)


def test_emf_metric_names_are_redacted_too() -> None:
    """A metric's name is the line's text: `metrics.<name>` (dots written as _) is renamed."""
    line = json.dumps(
        {
            "_aws": {
                "Timestamp": 1795169647000,
                "CloudWatchMetrics": [
                    {
                        "Namespace": "shop",
                        "Dimensions": [["svc"]],
                        "Metrics": [{"Name": "jane@example.com"}, {"Name": "Latency"}],
                    }
                ],
            },
            "jane@example.com": 3,
            "Latency": 12,
            "svc": "cart",
        }
    )
    (doc,) = deliver([cw_record(one(line))], settings=settings("email")).documents
    assert "example" not in json.dumps(doc)
    assert doc["metrics.[REDACTED:email]"] == 3 and doc["metrics.Latency"] == 12


SECRETS = [  # (text put in the lines, the part that must not reach a document)
    ("4111 1111 1111 1111", "4111 1111 1111 1111"),
    ("jane.doe@example.com", "jane.doe@example.com"),
    ("eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl", "eyJzdWIiOiIxIn0"),
    ("AKIAIOSFODNN7EXAMPLE", "AKIAIOSFODNN7EXAMPLE"),
    ("Authorization: Bearer 0123456789abcdef", "0123456789abcdef"),
    (
        "aws_secret_access_key=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
        "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
    ),
    (
        "-----BEGIN PRIVATE KEY-----\nMIIBVQIBADANBgkqhkiG9w0BAQEFAASCAT8wggE7AgEAAkEA\n"
        "-----END PRIVATE KEY-----",
        "MIIBVQIBADANBgkqhkiG9w0BAQEFAASCAT8wggE7AgEAAkEA",
    ),
]


@pytest.mark.parametrize(("secret", "hidden"), SECRETS, ids=lambda s: s[:12])
def test_the_document_screen_never_skips_a_document_a_built_in_rule_would_change(
    secret: str, hidden: str
) -> None:
    """The built-ins screen each encoded document before searching its fields; a custom rule
    turns the screen off. Both must give the same documents on the corpus with the secret in
    place of every `o` (between spaces), and the secret must be in none of them."""
    records = [record_of(case, ("o", f" {secret} ")) for case in CASES]
    screened = delivered_bytes(records, settings("default"))
    unscreened = delivered_bytes(records, settings("default,never=QQQ-[0-9]{9}"))
    assert screened == unscreened
    assert all(hidden.encode() not in document for document in screened)
    assert sum(document.count(b"[REDACTED:") for document in screened) > 100
