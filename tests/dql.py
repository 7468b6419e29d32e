"""A strict parser of DQL, the Dashboards Query Language, for the tests: a recursive-descent port
of OpenSearch Dashboards' PEG grammar
`src/plugins/data/common/opensearch_query/kuery/ast/kuery.peg` (Apache-2.0; no package with it
can be installed here). Each method is one rule and keeps its name; PEG's ordered choice is
"try, and on failure restore the position". Not ported: the autocomplete cursor rules (the query
bar's `parseCursor`) and the `Lucene*` rules, which only turn a failed parse into a friendlier
error (`errorOnLuceneSyntax`); the language they accept is the same.

`parse(text)` gives a small AST of tuples; `fields(ast)` every field a query names.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any, Final, TypeVar

Node = tuple[Any, ...]
T = TypeVar("T")

SPACE: Final = " \t\r\n"  # Space = [\ \t\r\n]
SPECIAL: Final = '\\():<>"*{}'  # SpecialCharacter = [\\():<>"*{}]
RANGE_OPERATORS: Final = (("<=", "lte"), (">=", "gte"), ("<", "lt"), (">", "gt"))
ESCAPED_WHITESPACE: Final = {"\\t": "\t", "\\r": "\r", "\\n": "\n"}
WILDCARD: Final = "@kuery-wildcard@"


class DqlSyntaxError(ValueError):
    pass


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0

    # -- helpers -------------------------------------------------------------------------------

    def attempt(self, rule: Callable[[], T | None]) -> T | None:
        """PEG choice: the rule's result, or None with the position restored."""
        start = self.pos
        result = rule()
        if result is None:
            self.pos = start
        return result

    def literal(self, token: str, *, ignore_case: bool = False) -> bool:
        found = self.text[self.pos : self.pos + len(token)]
        if found == token or (ignore_case and found.lower() == token):
            self.pos += len(token)
            return True
        return False

    def spaces(self, *, at_least: int = 0) -> bool:
        start = self.pos
        while self.pos < len(self.text) and self.text[self.pos] in SPACE:
            self.pos += 1
        return self.pos - start >= at_least

    def joined(
        self, kind: str, item: Callable[[], Node | None], separator: Callable[[], bool]
    ) -> Node | None:
        """head:item tail:(separator item)*: the head alone, or (kind, [head, *tail])."""
        nodes = self.separated(item, separator)
        return None if nodes is None else nodes[0] if len(nodes) == 1 else (kind, nodes)

    def negation(self, item: Callable[[], Node | None]) -> Node | None:
        """Not item / item"""

        def negated() -> Node | None:
            if not self.not_():
                return None
            inner = item()
            return None if inner is None else ("not", inner)

        return self.attempt(negated) or self.attempt(item)

    def grouped(self, inner: Callable[[], Node | None]) -> Node | None:
        """'(' Space* inner OptionalSpace ')'"""
        if not self.literal("("):
            return None
        self.spaces()
        found = inner()
        self.spaces()
        return found if found is not None and self.literal(")") else None

    def separated(
        self, item: Callable[[], Node | None], separator: Callable[[], bool]
    ) -> list[Node] | None:
        head = item()
        if head is None:
            return None
        nodes = [head]
        while True:
            start = self.pos
            if separator() and (node := item()) is not None:
                nodes.append(node)
                continue
            self.pos = start
            return nodes

    # -- start = Space* query:OrQuery? trailing:OptionalSpace ---------------------------------

    def start(self) -> Node:
        self.spaces()
        query = self.attempt(self.or_query)
        self.spaces()
        if self.pos != len(self.text):
            raise DqlSyntaxError(
                f"DQL syntax error at offset {self.pos}: {self.text[self.pos : self.pos + 20]!r}"
            )
        return query if query is not None else ("match_all",)

    # OrQuery = head:AndQuery tail:(Or AndQuery)*
    def or_query(self) -> Node | None:
        return self.joined("or", self.and_query, self.or_)

    # AndQuery = head:NotQuery tail:(And NotQuery)*
    def and_query(self) -> Node | None:
        return self.joined("and", self.not_query, self.and_)

    # NotQuery = Not query:SubQuery / SubQuery
    def not_query(self) -> Node | None:
        return self.negation(self.sub_query)

    # SubQuery = '(' Space* query:OrQuery trailing:OptionalSpace ')' / NestedQuery
    def sub_query(self) -> Node | None:
        return self.attempt(lambda: self.grouped(self.or_query)) or self.attempt(self.nested_query)

    # NestedQuery = field:Field Space* ':' Space* '{' Space* query:OrQuery OptionalSpace '}'
    #             / Expression
    def nested_query(self) -> Node | None:
        def nested() -> Node | None:
            field = self.literal_value()
            self.spaces()
            if field is None or not self.literal(":"):
                return None
            self.spaces()
            if not self.literal("{"):
                return None
            self.spaces()
            query = self.or_query()
            self.spaces()
            return ("nested", field, query) if query is not None and self.literal("}") else None

        return self.attempt(nested) or self.attempt(self.expression)

    # Expression = FieldRangeExpression / FieldValueExpression / ValueExpression
    def expression(self) -> Node | None:
        return (
            self.attempt(self.field_range)
            or self.attempt(self.field_value)
            or self.attempt(self.value_expression)
        )

    # FieldRangeExpression = field:Field Space* operator:RangeOperator Space* value:Literal
    def field_range(self) -> Node | None:
        field = self.literal_value()
        if field is None:
            return None
        self.spaces()
        operator = next((name for token, name in RANGE_OPERATORS if self.literal(token)), None)
        if operator is None:
            return None
        self.spaces()
        value = self.literal_value()
        return None if value is None else ("range", field, operator, value)

    # FieldValueExpression = field:Field Space* ':' Space* partial:ListOfValues
    def field_value(self) -> Node | None:
        field = self.literal_value()
        if field is None:
            return None
        self.spaces()
        if not self.literal(":"):
            return None
        self.spaces()
        values = self.list_of_values()
        return None if values is None else ("field", field, values)

    # ValueExpression = partial:Value
    def value_expression(self) -> Node | None:
        value = self.value()
        return None if value is None else ("field", None, value)

    # ListOfValues = '(' Space* partial:OrListOfValues trailing:OptionalSpace ')' / Value
    def list_of_values(self) -> Node | None:
        return self.attempt(lambda: self.grouped(self.or_list)) or self.attempt(self.value)

    def or_list(self) -> Node | None:
        return self.joined("or", self.and_list, self.or_)

    def and_list(self) -> Node | None:
        return self.joined("and", self.not_list, self.and_)

    # NotListOfValues = Not partial:ListOfValues / ListOfValues
    def not_list(self) -> Node | None:
        return self.negation(self.list_of_values)

    # Value = value:QuotedString / value:UnquotedLiteral  (the first a phrase)
    def value(self) -> Node | None:
        quoted = self.attempt(self.quoted_string)
        if quoted is not None:
            return ("value", quoted, True)
        unquoted = self.attempt(self.unquoted_literal)
        return None if unquoted is None else ("value", unquoted, False)

    # Or = Space+ 'or'i Space+ ; And = Space+ 'and'i Space+ ; Not = 'not'i Space+
    def or_(self) -> bool:
        return self.spaced_word("or")

    def and_(self) -> bool:
        return self.spaced_word("and")

    def spaced_word(self, word: str) -> bool:
        """Space+ word Space+ (case-insensitive), consumed only when all of it is there."""
        start = self.pos
        ok = self.spaces(at_least=1) and self.literal(word, ignore_case=True)
        ok = ok and self.spaces(at_least=1)
        self.pos = self.pos if ok else start
        return ok

    def not_(self) -> bool:
        start = self.pos
        ok = self.literal("not", ignore_case=True) and self.spaces(at_least=1)
        self.pos = self.pos if ok else start
        return ok

    # Literal = QuotedString / UnquotedLiteral
    def literal_value(self) -> str | None:
        return self.attempt(self.quoted_string) or self.attempt(self.unquoted_literal)

    # QuotedString = '"' chars:QuotedCharacter* '"'
    # QuotedCharacter = EscapedWhitespace / '\\' char:[\\"] / char:[^"]
    def quoted_string(self) -> str | None:
        if not self.literal('"'):
            return None
        chars: list[str] = []
        while self.pos < len(self.text):
            pair = self.text[self.pos : self.pos + 2]
            if pair in ESCAPED_WHITESPACE:
                chars.append(ESCAPED_WHITESPACE[pair])
                self.pos += 2
            elif pair in ("\\\\", '\\"'):
                chars.append(pair[1])
                self.pos += 2
            elif self.text[self.pos] == '"':
                self.pos += 1
                return "".join(chars)
            else:
                chars.append(self.text[self.pos])
                self.pos += 1
        return None  # no closing quote

    # UnquotedLiteral = chars:UnquotedCharacter+  (trimmed)
    def unquoted_literal(self) -> str | None:
        chars: list[str] = []
        while (char := self.attempt(self.unquoted_character)) is not None:
            chars.append(char)
        return "".join(chars).strip() or None if chars else None

    # UnquotedCharacter = EscapedWhitespace / EscapedSpecialCharacter / EscapedKeyword / Wildcard
    #                   / !SpecialCharacter !Keyword char:.
    def unquoted_character(self) -> str | None:
        if self.pos >= len(self.text):
            return None
        pair = self.text[self.pos : self.pos + 2]
        if pair in ESCAPED_WHITESPACE:
            self.pos += 2
            return ESCAPED_WHITESPACE[pair]
        if len(pair) == 2 and pair[0] == "\\" and pair[1] in SPECIAL:
            self.pos += 2
            return pair[1]
        if self.text[self.pos] == "\\":
            for keyword in ("or", "and", "not"):
                if self.text[self.pos + 1 : self.pos + 1 + len(keyword)].lower() == keyword:
                    self.pos += 1 + len(keyword)
                    return self.text[self.pos - len(keyword) : self.pos]
        if self.literal("*"):
            return WILDCARD
        if self.text[self.pos] in SPECIAL or self._at_keyword():
            return None
        self.pos += 1
        return self.text[self.pos - 1]

    def _at_keyword(self) -> bool:
        """Keyword = Or / And / Not, looked ahead without consuming."""
        start = self.pos
        found = self.or_() or self.and_() or self.not_()
        self.pos = start
        return found


def parse(text: str) -> Node:
    """The AST of a DQL query; DqlSyntaxError where the grammar rejects it."""
    return _Parser(text).start()


def fields(node: Node) -> Iterator[str]:
    """Every field name the query uses (wildcards as `*`), in order."""
    kind = node[0]
    if kind in ("or", "and"):
        for child in node[1]:
            yield from fields(child)
    elif kind == "not":
        yield from fields(node[1])
    elif kind == "nested":
        yield node[1].replace(WILDCARD, "*")
        yield from fields(node[2])
    elif kind == "range" or (kind == "field" and node[1] is not None):
        yield node[1].replace(WILDCARD, "*")
