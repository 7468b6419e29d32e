"""docs/cookbook.md: every recipe has its Logs Insights query, DQL, PPL and `lambdalogs`
command; the DQL parses with Dashboards' grammar (`tests/dql.py`), every field a DQL or PPL
query names is in the index template, the commands parse with the CLI's own parser, and the
example ids are the demo's."""

from __future__ import annotations

import io
import re
import shlex
from pathlib import Path

import pytest

from lambdalogs.cli import build_parser, main
from opensearch.artifacts import ContentSettings, load_artifacts
from opensearch.mapping import mapping_of
from tests.dql import DqlSyntaxError, fields, parse

ROOT = Path(__file__).resolve().parents[1]
COOKBOOK = ROOT / "docs" / "cookbook.md"
FENCED = re.compile(r"^```([\w-]+)\n(.*?)^```$", re.MULTILINE | re.DOTALL)
RECIPES_REQUIRED = (
    "Find a request by a business id",
    "Its milestones, in order",
    "Its exception",
    "Lead time per trace",
    "Slowest traces",
    "Cost per function",
    "Cold starts",
)
# CloudWatch Logs Insights: the system fields and those it discovers in Lambda logs
# ("Supported logs and discovered fields")
INSIGHTS_FIELDS = {
    "@timestamp", "@message", "@logStream", "@log", "@ingestionTime", "@requestId", "@type",
    "@duration", "@billedDuration", "@memorySize", "@maxMemoryUsed", "@initDuration",
    "@xrayTraceId", "@xraySegmentId",
}  # fmt: skip
DEMO_IDS = ("402615f6-19ba-44a4-9f0a-c0170928ca2c", "832fe3f2-3055-46f3-b8b9-8187556b29dd")


def recipes() -> dict[str, dict[str, list[str]]]:
    """`## heading` → language → the code blocks of that language."""
    found: dict[str, dict[str, list[str]]] = {}
    for section in re.split(r"^## ", COOKBOOK.read_text(encoding="utf-8"), flags=re.M)[1:]:
        title, _, body = section.partition("\n")
        blocks: dict[str, list[str]] = {}
        for language, code in FENCED.findall(body):
            blocks.setdefault(language, []).append(code.strip())
        found[title.strip()] = blocks
    return found


def blocks(language: str) -> list[str]:
    return [code for recipe in recipes().values() for code in recipe.get(language, [])]


MAPPING = mapping_of(load_artifacts(ContentSettings()).index_template)


def known_field(name: str) -> bool:
    """In the template: a mapped field, a dynamic path, or a key under the flat_object."""
    if name.startswith("json.") and MAPPING.type_of("json") == "flat_object":
        return True
    return MAPPING.type_of(name) is not None


def test_every_recipe_of_the_workflow_is_there_with_all_four_forms() -> None:
    found = recipes()
    assert set(RECIPES_REQUIRED) <= set(found)
    for title, forms in found.items():
        assert {"logs-insights", "dql", "ppl", "bash"} <= set(forms), title


@pytest.mark.parametrize("query", blocks("dql"))
def test_dql_parses_and_names_only_template_fields(query: str) -> None:
    tree = parse(query)
    named = list(fields(tree))
    assert named, f"{query!r} names no field"
    assert [f for f in named if not known_field(f)] == []


@pytest.mark.parametrize("query", blocks("ppl"))
def test_ppl_names_only_template_fields(query: str) -> None:
    assert re.match(r"source = lambda-logs-\* \|", query), query
    quoted = re.findall(r"`([^`]+)`", query)
    assert quoted and [f for f in quoted if not known_field(f)] == []
    # a dotted field outside backticks and strings would not be checked: there is none
    bare = re.sub(r"`[^`]*`|'[^']*'|lambda-logs-\*", "", query)
    assert re.findall(r"\b[a-z_]+\.[a-z_.]+\b", bare) == []


@pytest.mark.parametrize("query", blocks("logs-insights"))
def test_logs_insights_uses_lambda_fields(query: str) -> None:
    assert set(re.findall(r"@\w+", query)) <= INSIGHTS_FIELDS


@pytest.mark.parametrize("line", [line for b in blocks("bash") for line in b.splitlines() if line])
def test_lambdalogs_commands_parse(line: str) -> None:
    argv = shlex.split(line.split(" | ")[0])
    assert argv[0] == "lambdalogs"
    try:
        build_parser().parse_args(argv[1:])
    except SystemExit as stop:  # pragma: no cover - the failure message is the point
        pytest.fail(f"{line!r} does not parse (exit {stop.code})")


def test_the_example_ids_are_the_demos(tmp_path: Path) -> None:
    path = tmp_path / "demo.ndjson"
    assert main(["demo", "--out", str(path)], out=io.StringIO()) == 0
    data = path.read_text(encoding="utf-8")
    text = COOKBOOK.read_text(encoding="utf-8")
    for example in (*DEMO_IDS, '"sessionId":"sess-2229"'):
        assert example in data.replace(" ", ""), example
        assert example.split(":")[-1].strip('"') in text


@pytest.mark.parametrize(
    "query",
    [
        'a:"x',  # QuotedString needs its closing quote
        "a:(x or y",  # ListOfValues: '(' ... ')'
        "(a:1",
        "a:1 )",
        "a:{b:1",  # NestedQuery: '{' ... '}'
        "a >= ",  # FieldRangeExpression needs a Literal
        "message:cannot connect",  # Not = 'not'i Space+ ends an unquoted literal
        "a:",  # a field needs a value
    ],
)
def test_the_dql_parser_rejects_what_the_grammar_rejects(query: str) -> None:
    with pytest.raises(DqlSyntaxError):
        parse(query)


def test_the_dql_parser_reads_values_fields_and_operators_as_the_grammar_does() -> None:
    assert parse('a:"x \\"y\\""') == ("field", "a", ("value", 'x "y"', True))
    assert parse("a:x*") == ("field", "a", ("value", "x@kuery-wildcard@", False))
    assert parse("not a:1 and b < 2") == (
        "and",
        [("not", ("field", "a", ("value", "1", False))), ("range", "b", "lt", "2")],
    )
    assert list(fields(parse("x:{ y:1 or z:(2 and 3) }"))) == ["x", "y", "z"]
    assert parse("   ") == ("match_all",)
    assert parse("a\\:b") == ("field", None, ("value", "a:b", False))
