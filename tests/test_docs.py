"""The documentation: a short README that starts with the newcomer commands, and links that hold.

Every relative link in README.md and docs/*.md must point to an existing file, and its
`#anchor` to a heading of that file (GitHub's slugs). Nothing is skipped: a link to a page that
another branch adds fails here until that branch is merged.
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import unquote

import pytest

from opensearch.artifacts import ContentSettings, load_artifacts
from opensearch.mapping import mapping_of

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
FIELD_REFERENCE = ROOT / "docs" / "fields.md"
README_MAX_LINES = 400
NEWCOMER_COMMANDS = ["make install test", "make demo"]
SHELL_LANGUAGES = {"bash", "sh", "shell", "console", "zsh"}

FENCE = re.compile(r"^\s*(```|~~~)")
HEADING = re.compile(r"^(#{1,6})\s+(.+?)\s*#*\s*$")
INLINE_CODE = re.compile(r"(`+)(.+?)\1")
# [text](target) and ![alt](target); the target ends at whitespace or ")" (an optional title follows)
LINK = re.compile(r"!?\[(?:[^\[\]]|\[[^\]]*\])*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
EXTERNAL = re.compile(r"^[a-z][a-z0-9+.-]*:", re.IGNORECASE)  # https:, mailto:, …


def markdown_files() -> list[Path]:
    return [README, *sorted((ROOT / "docs").glob("*.md"))]


def prose(text: str) -> str:
    """The text with every line of a fenced code block blanked (line numbers stay)."""
    lines: list[str] = []
    fence: str | None = None
    for line in text.splitlines():
        match = FENCE.match(line)
        if match:
            if fence is None:
                fence = match.group(1)
            elif match.group(1) == fence:
                fence = None
            lines.append("")
            continue
        lines.append(line if fence is None else "")
    return "\n".join(lines)


def slug(heading: str) -> str:
    """GitHub's anchor for a heading: markup dropped, lowercase, punctuation other than hyphens
    and underscores dropped, each space a hyphen."""
    text = INLINE_CODE.sub(lambda m: m.group(2), heading)
    text = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", text)  # a link keeps its text
    text = re.sub(r"<[^>]+>", "", text)  # inline HTML
    text = re.sub(r"[^\w\- ]", "", text.strip().lower())
    return text.replace(" ", "-")


def anchors(path: Path) -> set[str]:
    """Every heading's anchor; a repeated heading gets -1, -2, … as on GitHub."""
    seen: dict[str, int] = {}
    result: set[str] = set()
    for line in prose(path.read_text(encoding="utf-8")).splitlines():
        match = HEADING.match(line)
        if not match:
            continue
        base = slug(match.group(2))
        count = seen.get(base, 0)
        seen[base] = count + 1
        result.add(base if count == 0 else f"{base}-{count}")
    return result


def relative_links(path: Path) -> list[tuple[int, str]]:
    """(line number, target) of every relative link; a link's text may span lines."""
    text = INLINE_CODE.sub(lambda m: " " * len(m.group(0)), prose(path.read_text(encoding="utf-8")))
    links: list[tuple[int, str]] = []
    for match in LINK.finditer(text):
        target = match.group(1)
        if not EXTERNAL.match(target):
            links.append((text.count("\n", 0, match.start()) + 1, target))
    return links


def shown(path: Path) -> str:
    return path.relative_to(ROOT).as_posix() if path.is_relative_to(ROOT) else str(path)


def link_problem(source: Path, target: str) -> str | None:
    """Why a relative link from `source` is broken, or None when it holds."""
    file_part, _, anchor = target.partition("#")
    destination = (source.parent / unquote(file_part)).resolve() if file_part else source
    if not destination.exists():
        return f"{shown(destination)} does not exist"
    if anchor:
        if destination.is_dir() or destination.suffix.lower() != ".md":
            return f"#{anchor} points into {destination.name}, which is not a Markdown page"
        if unquote(anchor).lower() not in anchors(destination):
            return f"no heading with anchor #{anchor} in {shown(destination)}"
    return None


def shell_commands(text: str) -> list[str]:
    """The commands of the shell code blocks, in order: comments and continuations dropped."""
    commands: list[str] = []
    language: str | None = None
    inside = False
    for line in text.splitlines():
        match = FENCE.match(line)
        if match:
            inside = not inside
            language = line.strip().lstrip("`~").strip().lower() if inside else None
            continue
        if not inside or language not in SHELL_LANGUAGES:
            continue
        command = line.split(" #", 1)[0].strip()
        if command.startswith("$ "):
            command = command[2:]
        if command and not command.startswith("#"):
            commands.append(command)
    return commands


# -- the checker itself ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("heading", "expected"),
    [
        ("Deploy to AWS with Pulumi", "deploy-to-aws-with-pulumi"),
        ("Operations: `python -m lambdalogs`", "operations-python--m-lambdalogs"),
        ("Benchmark (`make bench`)", "benchmark-make-bench"),
        ("IAM the subscriber's role needs", "iam-the-subscribers-role-needs"),
        (
            "Dashboards (OpenSearch Dashboards → Dashboards)",
            "dashboards-opensearch-dashboards--dashboards",
        ),
        (
            "Cost of an invocation (`aws.lambda.cost_usd`)",
            "cost-of-an-invocation-awslambdacost_usd",
        ),
        (
            "What is and isn't verified against real AWS",
            "what-is-and-isnt-verified-against-real-aws",
        ),
    ],
)
def test_slug_follows_github(heading: str, expected: str) -> None:
    assert slug(heading) == expected


def test_checker_finds_broken_links_and_ignores_code(tmp_path: Path) -> None:
    # GIVEN a page with a good link, a missing file, a missing anchor, and links in code only
    page = tmp_path / "page.md"
    page.write_text(
        "# Title\n\n## Part one\n\n## Part one\n\n"
        "[ok](#part-one-1) [gone](missing.md) [bad](#part-two) [web](https://example.com/x.md)\n"
        "`[not a link](nowhere.md)` [two\nlines](gone.md#x)\n\n```bash\n# [no](nowhere.md)\n```\n",
        encoding="utf-8",
    )
    # WHEN the checker reads it
    problems = {t: link_problem(page, t) for _, t in relative_links(page)}
    # THEN the broken links are reported (one spans two lines), and code is not read as links
    assert set(problems) == {"#part-one-1", "missing.md", "#part-two", "gone.md#x"}
    assert problems["#part-one-1"] is None
    assert problems["missing.md"] is not None
    assert problems["#part-two"] is not None
    assert problems["gone.md#x"] is not None


def test_shell_commands_skip_comments_and_other_languages() -> None:
    text = "```text\nmake nothing\n```\n```bash\n# note\nmake a   # why\n$ make b\n```\n"
    assert shell_commands(text) == ["make a", "make b"]


# -- the documentation -------------------------------------------------------------------------


def test_readme_is_short() -> None:
    lines = README.read_text(encoding="utf-8").splitlines()
    assert len(lines) <= README_MAX_LINES, f"README.md has {len(lines)} lines"


def test_readme_starts_with_the_newcomer_commands() -> None:
    commands = shell_commands(README.read_text(encoding="utf-8"))
    assert commands[: len(NEWCOMER_COMMANDS)] == NEWCOMER_COMMANDS


@pytest.mark.parametrize(
    ("source", "target"),
    [(path, target) for path in markdown_files() for _, target in relative_links(path)],
    ids=lambda value: value.relative_to(ROOT).as_posix() if isinstance(value, Path) else value,
)
def test_relative_link_holds(source: Path, target: str) -> None:
    problem = link_problem(source, target)
    assert problem is None, f"{shown(source)}: link ({target}): {problem}"


def test_every_page_under_docs_is_linked_from_the_readme() -> None:
    linked = {
        (README.parent / target.partition("#")[0]).resolve()
        for _, target in relative_links(README)
        if target.partition("#")[0]
    }
    pages = sorted((ROOT / "docs").glob("*.md"))
    assert pages, "docs/ has no pages"
    assert [p.name for p in pages if p.resolve() not in linked] == []


def test_field_reference_lists_every_field_with_the_index_templates_type() -> None:
    """docs/fields.md is the field reference; the index template is what OpenSearch applies."""
    mapping = mapping_of(load_artifacts(ContentSettings()).index_template)
    documented: dict[str, str] = {}
    for line in FIELD_REFERENCE.read_text(encoding="utf-8").splitlines():
        cells = [cell.strip() for cell in line.split("|")[1:-1]]
        if len(cells) >= 2 and cells[0].startswith("`"):
            first_word = re.match(r"[a-z_]+", cells[1])
            documented[cells[0].strip("`")] = first_word.group(0) if first_word else cells[1]
    fixed = {name: kind for name, kind in documented.items() if "<" not in name}
    assert fixed == mapping.fields
    for name, kind in documented.items():
        if "<" in name:  # labels.<key>, metrics.<name>: the template's dynamic paths
            assert mapping.type_of(re.sub(r"<[^>]+>", "x", name)) == kind, name
