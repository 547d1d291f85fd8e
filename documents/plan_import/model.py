"""The data passed between the stages: tables, paragraphs with their source lines,
task items (nodes) and sections."""

from __future__ import annotations

from dataclasses import dataclass, field


class Para(str):
    """Text with the source lines it came from (1-based, inclusive; for a .docx, the
    paragraph numbers). String operations return plain str: wrap the result again."""

    first: int
    last: int

    def __new__(cls, text: str, first: int = 0, last: int | None = None) -> Para:
        obj = super().__new__(cls, text)
        obj.first = first
        obj.last = first if last is None else last
        return obj


def lines_of(text: str) -> tuple[int, int] | None:
    """(first, last) source line of a paragraph, None when unknown."""
    first = getattr(text, "first", 0)
    return (first, getattr(text, "last", first)) if first else None


class Break:
    """A hard paragraph boundary (a table cell ends)."""


BREAK = Break()


@dataclass
class Table:
    rows: list[list[str]]
    wrapped: bool  # cells hold hard-wrapped lines (text sources), not real paragraphs
    row_lines: list[int] = field(default_factory=list)  # source line of each row
    # a Markdown table whose rows the crawl broke over lines (merged cells missing):
    # rows[0] is the header, every other row one cell, in reading order
    broken: bool = False


Item = str | Table | Break


@dataclass
class Node:
    number: str
    heading: str
    depth: int = 1
    is_letter: bool = False  # a) or "-" sub-item: a sub-task only if it has fields
    dash: bool = False  # a "-" sub-item
    body: list[str] = field(default_factory=list)
    leads: list[str] = field(default_factory=list)
    coords: list[str] = field(default_factory=list)
    timing: list[str] = field(default_factory=list)
    products: list[str] = field(default_factory=list)
    children: list[Node] = field(default_factory=list)
    parent: Node | None = field(default=None, repr=False, compare=False)
    first: int = 0  # source lines the item came from
    last: int = 0
    # per field ("lead", "coord", "timing"): how it was found ("label", "table",
    # "sentence", "inherited") and the source lines
    found: dict[str, tuple[str, int, int]] = field(default_factory=dict)

    def see(self, text: str) -> None:
        """Extend the item's source lines to cover a paragraph."""
        span = lines_of(text)
        if span:
            self.first = min(self.first, span[0]) if self.first else span[0]
            self.last = max(self.last, span[1])

    def has_fields(self) -> bool:
        return bool(self.leads or self.coords or self.timing or self.products)


@dataclass
class Section:
    label: str
    title: str
    is_task: bool
    paragraphs: list[str] = field(default_factory=list)
