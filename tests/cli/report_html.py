"""Read a report page as a browser would: its figures, their SVG text, and every reference."""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

REFERENCE_ATTRIBUTES = ("src", "href", "xlink:href", "srcset", "data", "poster", "action")


@dataclass
class Page:
    figures: dict[str, list[str]] = field(default_factory=dict)  # figure id → its SVG texts
    svgs: int = 0
    references: list[str] = field(default_factory=list)
    tags: set[str] = field(default_factory=set)
    styles: list[str] = field(default_factory=list)


class _Reader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.page = Page()
        self._figure: str | None = None
        self._depth = 0
        self._in_style = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.page.tags.add(tag)
        values = dict(attrs)
        self.page.references += [
            str(values[name]) for name in REFERENCE_ATTRIBUTES if values.get(name)
        ]
        if values.get("style"):
            self.page.styles.append(str(values["style"]))
        if tag == "figure":
            self._figure = str(values.get("id"))
            self.page.figures[self._figure] = []
        if tag == "svg":
            self._depth += 1
            self.page.svgs += self._depth == 1
        self._in_style = tag == "style"

    def handle_endtag(self, tag: str) -> None:
        if tag == "svg":
            self._depth -= 1
        if tag == "figure":
            self._figure = None
        self._in_style = False

    def handle_data(self, data: str) -> None:
        if self._in_style:
            self.page.styles.append(data)
        elif self._figure is not None and self._depth and data.strip():
            self.page.figures[self._figure].append(data.strip())


def read_page(path: Path) -> Page:
    reader = _Reader()
    reader.feed(path.read_text(encoding="utf-8"))
    return reader.page


def external(reference: str) -> bool:
    """A reference a browser would fetch from elsewhere (a scheme or a network path)."""
    parts = urlsplit(reference.strip())
    return bool(parts.scheme and parts.scheme != "data") or reference.strip().startswith("//")


def assert_self_contained(page: Page) -> None:
    assert not [r for r in page.references if external(r)], page.references
    assert not {"script", "link", "iframe", "img", "object", "embed"} & page.tags, page.tags
    assert not [s for s in page.styles if "url(" in s or "@import" in s], page.styles
